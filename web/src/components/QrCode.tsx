// A QR code as inline SVG (one path of dark modules on a white quiet zone): no canvas, no data URL,
// nothing the page's Content-Security-Policy has to allow. The encoding is qrcode-generator's.
import qrcode from "qrcode-generator";
import { useMemo } from "preact/hooks";

const QUIET_ZONE = 4; // modules of white around the code, as the standard asks

export function QrCode(props: { text: string; label: string; testId?: string }) {
  const { size, path } = useMemo(() => {
    const code = qrcode(0, "M"); // the smallest version that holds the text; medium error correction
    code.addData(props.text);
    code.make();
    const count = code.getModuleCount();
    let dark = "";
    for (let row = 0; row < count; row++) {
      for (let col = 0; col < count; col++) {
        if (code.isDark(row, col)) dark += `M${col + QUIET_ZONE} ${row + QUIET_ZONE}h1v1h-1z`;
      }
    }
    return { size: count + 2 * QUIET_ZONE, path: dark };
  }, [props.text]);
  return (
    <svg
      class="qr-code"
      viewBox={`0 0 ${size} ${size}`}
      role="img"
      aria-label={props.label}
      data-testid={props.testId}
      shape-rendering="crispEdges"
    >
      <rect width={size} height={size} fill="#fff" />
      <path d={path} fill="#000" />
    </svg>
  );
}
