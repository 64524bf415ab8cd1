// Words and badges shared by the reception screens (and the dashboard's alert list).
import { Badge } from "../../components/ui";
import { pick, t } from "../../lib/i18n";
import type { ReceptionEntry, ReceptionResult } from "./types";

const TONES: Record<ReceptionResult, "ok" | "warn" | "bad" | "muted" | "info"> = {
  parsed: "ok",
  duplicate: "muted",
  not_an_order: "info",
  failed: "bad",
  refused: "warn",
};

export function ResultBadge(props: { result: ReceptionResult }) {
  return <Badge tone={TONES[props.result]}>{t(`receptions.result_${props.result}`)}</Badge>;
}

export function kindLabel(kind: string | null | undefined): string {
  return kind ? t(`receptions.kind_${kind}`) : "";
}

export function fieldLabel(field: string): string {
  return t(`receptions.field_${field.replace(".", "_")}`);
}

/** `rakuten#400123-…` → the shop's order number and where it came from. */
export function splitOrderKey(key: string): { source: string; id: string } {
  const at = key.indexOf("#");
  return at < 0 ? { source: "", id: key } : { source: key.slice(0, at), id: key.slice(at + 1) };
}

/** What the API said about a mail it did not make an order of, in the page's language. */
export function entryMessage(entry: Pick<ReceptionEntry, "message_ja" | "message_en">): string {
  return pick(entry.message_ja, entry.message_en);
}

/** The sender's address without its display name. */
export function senderAddress(sender: string | null | undefined): string {
  if (!sender) return "";
  const angle = /<([^>]+)>/.exec(sender);
  return (angle ? angle[1] : sender).trim();
}
