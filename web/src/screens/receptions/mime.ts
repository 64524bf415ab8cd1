// A small, forgiving reader of a received mail (RFC 5322 + MIME) for showing it to a person:
// headers with encoded words decoded, the text body in its own charset (Shift_JIS, ISO-2022-JP,
// EUC-JP, UTF-8 …), quoted-printable and base64 undone, multiparts and forwarded mails opened.
// It never runs or loads anything from the mail: HTML parts are reduced to their text.

export interface MailHeader {
  name: string;
  value: string;
}

export interface ReadMail {
  headers: MailHeader[];
  from: string;
  to: string;
  subject: string;
  date: string;
  /** The readable text: the first text/plain part, else an HTML part's text. */
  text: string;
  /** Whether `text` came from an HTML part. */
  fromHtml: boolean;
  /** Names (or types) of the parts that are not the text shown. */
  attachments: string[];
}

/** One char per byte (not TextDecoder("latin1"), which is windows-1252 and remaps 0x80–0x9f). */
function binaryOf(bytes: Uint8Array): string {
  let text = "";
  for (let i = 0; i < bytes.length; i += 8192) {
    text += String.fromCharCode(...bytes.subarray(i, i + 8192));
  }
  return text;
}

/** The bytes as text in `charset`; an unknown charset falls back to UTF-8 (never throws). */
export function decodeBytes(bytes: Uint8Array, charset: string | undefined): string {
  const label = normaliseCharset(charset);
  try {
    return new TextDecoder(label).decode(bytes);
  } catch {
    return new TextDecoder("utf-8").decode(bytes);
  }
}

function normaliseCharset(charset: string | undefined): string {
  const label = (charset ?? "utf-8").trim().toLowerCase().replace(/^"|"$/g, "");
  if (["cp932", "ms932", "windows-932", "x-sjis", "sjis", "shift-jis", "x-ms-cp932"].includes(label)) return "shift_jis";
  if (label === "iso-2022-jp-ms" || label === "iso-2022-jp-1" || label === "iso-2022-jp-2") return "iso-2022-jp";
  if (label === "us-ascii" || label === "ascii" || label === "") return "utf-8";
  return label;
}

function bytesOf(binary: string): Uint8Array {
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i) & 0xff;
  return bytes;
}

function fromBase64(text: string): Uint8Array {
  const clean = text.replace(/[^A-Za-z0-9+/]/g, "");
  const padded = clean + "===".slice((clean.length + 3) % 4);
  try {
    return bytesOf(atob(padded.length % 4 === 0 ? padded : clean));
  } catch {
    return new Uint8Array();
  }
}

function fromQuotedPrintable(binary: string, inHeader = false): Uint8Array {
  const text = inHeader ? binary.replace(/_/g, " ") : binary.replace(/=\r?\n/g, "");
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === "=" && /^[0-9A-Fa-f]{2}$/.test(text.slice(i + 1, i + 3))) {
      out.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      out.push(text.charCodeAt(i) & 0xff);
    }
  }
  return Uint8Array.from(out);
}

const ENCODED_WORD = /=\?([^?\s]+)\?([BbQq])\?([^?\s]*)\?=/g;

/** A header value: RFC 2047 encoded words decoded (adjacent ones joined), raw 8-bit read as UTF-8. */
export function decodeHeader(binary: string): string {
  const joined = binary.replace(/(\?=)\s+(=\?)/g, "$1$2");
  let result = "";
  let last = 0;
  for (const match of joined.matchAll(ENCODED_WORD)) {
    result += plain(joined.slice(last, match.index));
    const [, charset, encoding, payload] = match;
    const bytes = encoding.toUpperCase() === "B" ? fromBase64(payload) : fromQuotedPrintable(payload, true);
    result += decodeBytes(bytes, charset.split("*")[0]);
    last = (match.index ?? 0) + match[0].length;
  }
  return result + plain(joined.slice(last));
}

function plain(binary: string): string {
  // eslint-disable-next-line no-control-regex
  return /[^\x00-\x7f]/.test(binary) ? decodeBytes(bytesOf(binary), "utf-8") : binary;
}

interface Part {
  headers: MailHeader[];
  body: string; // binary string (one char per byte)
}

function splitPart(binary: string): Part {
  const match = /\r?\n\r?\n/.exec(binary);
  const head = match ? binary.slice(0, match.index) : binary;
  const body = match ? binary.slice(match.index + match[0].length) : "";
  const headers: MailHeader[] = [];
  for (const line of head.split(/\r?\n/)) {
    if (/^[ \t]/.test(line) && headers.length > 0) {
      headers[headers.length - 1].value += ` ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(":");
    if (colon > 0) headers.push({ name: line.slice(0, colon).trim(), value: line.slice(colon + 1).trim() });
  }
  return { headers, body };
}

function header(part: Part, name: string): string {
  return part.headers.find((h) => h.name.toLowerCase() === name)?.value ?? "";
}

interface ContentType {
  type: string;
  params: Record<string, string>;
}

function contentType(value: string): ContentType {
  const [type, ...rest] = value.split(";");
  const params: Record<string, string> = {};
  for (const piece of rest) {
    const equals = piece.indexOf("=");
    if (equals < 0) continue;
    const name = piece.slice(0, equals).trim().toLowerCase();
    params[name] = piece.slice(equals + 1).trim().replace(/^"(.*)"$/, "$1");
  }
  return { type: (type || "text/plain").trim().toLowerCase(), params };
}

function bodyBytes(part: Part): Uint8Array {
  const encoding = header(part, "content-transfer-encoding").toLowerCase();
  if (encoding === "base64") return fromBase64(part.body);
  if (encoding === "quoted-printable") return fromQuotedPrintable(part.body);
  return bytesOf(part.body);
}

function htmlText(html: string): string {
  const document = new DOMParser().parseFromString(html, "text/html");
  for (const element of document.querySelectorAll("script, style, head")) element.remove();
  for (const element of document.querySelectorAll("br")) element.replaceWith("\n");
  for (const element of document.querySelectorAll("p, div, tr, li, h1, h2, h3, h4, table")) element.append("\n");
  return (document.body?.textContent ?? "").replace(/[ \t]+\n/g, "\n").replace(/\n{3,}/g, "\n\n").trim();
}

interface Found {
  plain: string | null;
  html: string | null;
  attachments: string[];
}

function walk(part: Part, found: Found, depth: number): void {
  const type = contentType(header(part, "content-type"));
  const disposition = header(part, "content-disposition").toLowerCase();
  if (type.type.startsWith("multipart/") && type.params.boundary && depth < 8) {
    const boundary = `--${type.params.boundary}`;
    const pieces = part.body.split(boundary).slice(1);
    for (const piece of pieces) {
      if (piece.startsWith("--")) break;
      walk(splitPart(piece.replace(/^[ \t]*\r?\n/, "")), found, depth + 1);
    }
    return;
  }
  if (type.type === "message/rfc822" && depth < 8) {
    const inner = splitPart(binaryOf(bodyBytes(part)));
    walk(inner, found, depth + 1);
    return;
  }
  const attachment = disposition.startsWith("attachment");
  if (!attachment && type.type === "text/plain" && found.plain === null) {
    found.plain = decodeBytes(bodyBytes(part), type.params.charset);
    return;
  }
  if (!attachment && type.type === "text/html" && found.html === null) {
    found.html = decodeBytes(bodyBytes(part), type.params.charset);
    return;
  }
  const name = /filename\*?="?([^";]+)"?/i.exec(header(part, "content-disposition"))?.[1] ?? type.params.name;
  found.attachments.push(name ? decodeHeader(name) : type.type);
}

/** Reads a whole mail from its bytes. */
export function readMail(bytes: Uint8Array): ReadMail {
  const top = splitPart(binaryOf(bytes));
  const found: Found = { plain: null, html: null, attachments: [] };
  walk(top, found, 0);
  const text = found.plain ?? (found.html !== null ? htmlText(found.html) : "");
  return {
    headers: top.headers.map((h) => ({ name: h.name, value: decodeHeader(h.value) })),
    from: decodeHeader(header(top, "from")),
    to: decodeHeader(header(top, "to")),
    subject: decodeHeader(header(top, "subject")),
    date: decodeHeader(header(top, "date")),
    text: text.replace(/\r\n/g, "\n"),
    fromHtml: found.plain === null && found.html !== null,
    attachments: found.attachments,
  };
}

/** The mail's source as text (what a mail program's "show original" shows). */
export function sourceText(bytes: Uint8Array): string {
  return decodeBytes(bytes, "utf-8").replace(/\r\n/g, "\n");
}
