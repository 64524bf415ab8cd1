// A parse mask as the editor holds it (rows of fields), and back to the API's ParseMask.
import { t } from "../../lib/i18n";
import { senderAddress } from "./labels";
import { MASK_FIELDS, TIME_FIELDS, type ParseMaskBody } from "./types";

export interface FieldRow {
  id: number;
  field: string;
  pattern: string;
  format: string;
}

export interface MaskDraft {
  name: string;
  kind: "order" | "shipment";
  timezone: string | null;
  from: string;
  subject: string;
  rows: FieldRow[];
  itemsOn: boolean;
  itemsStart: string;
  itemsEnd: string;
  itemsLine: string;
}

let rowCounter = 0;
export function newRow(field: string, pattern = "", format = ""): FieldRow {
  return { id: ++rowCounter, field, pattern, format };
}

export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export function draftFromMask(mask: ParseMaskBody): MaskDraft {
  const rows = Object.entries(mask.fields).map(([field, spec]) =>
    typeof spec === "string" ? newRow(field, spec) : newRow(field, spec.pattern, spec.format ?? ""),
  );
  if (!rows.some((row) => row.field === "order_id")) rows.unshift(newRow("order_id"));
  return {
    name: mask.name,
    kind: mask.kind ?? "order",
    timezone: mask.timezone ?? null,
    from: mask.match?.from ?? "",
    subject: mask.match?.subject_contains ?? "",
    rows,
    itemsOn: Boolean(mask.items),
    itemsStart: mask.items?.start ?? "",
    itemsEnd: mask.items?.end ?? "",
    itemsLine: mask.items?.line ?? "",
  };
}

/** A first draft for a mail no mask reads yet: named after the sender's domain, for that sender. */
export function draftForMail(sender: string | null | undefined, taken: readonly string[]): MaskDraft {
  const address = senderAddress(sender);
  const domain = address.includes("@") ? address.slice(address.indexOf("@") + 1).toLowerCase() : "";
  let name = (domain.split(".")[0] ?? "").replace(/[^A-Za-z0-9_.-]/g, "").replace(/^[^A-Za-z0-9]+/, "").slice(0, 60);
  if (!name) name = "mask";
  let unique = name;
  for (let n = 2; taken.includes(unique); n++) unique = `${name}-${n}`;
  return {
    name: unique,
    kind: "order",
    timezone: null,
    from: domain ? `@${domain}` : "",
    subject: "",
    rows: ["order_id", "ordered_at", "customer.name", "customer.email", "total"].map((field) => newRow(field)),
    itemsOn: false,
    itemsStart: "",
    itemsEnd: "",
    itemsLine: "",
  };
}

export function blankDraft(): MaskDraft {
  return { ...draftForMail(null, []), name: "" };
}

/** Problems the editor can tell before asking the API (the API checks everything again). */
export interface DraftProblems {
  name?: string;
  rows: Record<number, string>;
  itemsLine?: string;
  itemsStart?: string;
}

export function checkDraft(draft: MaskDraft): DraftProblems | null {
  const problems: DraftProblems = { rows: {} };
  let any = false;
  if (!NAME_PATTERN.test(draft.name)) {
    problems.name = t("receptions.mask_name_invalid");
    any = true;
  }
  for (const row of draft.rows) {
    const blank = row.pattern.trim() === "";
    if (blank && row.field !== "order_id") continue;
    const count = (row.pattern.match(/\{value\}/g) ?? []).length;
    if (blank) problems.rows[row.id] = t("receptions.mask_order_id_required");
    else if (count !== 1) problems.rows[row.id] = t("receptions.mask_needs_value");
    if (problems.rows[row.id]) any = true;
  }
  if (draft.itemsOn) {
    if (!draft.itemsStart.trim()) {
      problems.itemsStart = t("receptions.mask_items_start_required");
      any = true;
    }
    if (!/\{(name|sku)\}/.test(draft.itemsLine)) {
      problems.itemsLine = t("receptions.mask_items_line_invalid");
      any = true;
    }
  }
  return any ? problems : null;
}

export function maskFromDraft(draft: MaskDraft): ParseMaskBody {
  const fields: ParseMaskBody["fields"] = {};
  for (const row of draft.rows) {
    const pattern = row.pattern.trim();
    if (!pattern) continue;
    const format = row.format.trim();
    fields[row.field] = TIME_FIELDS.includes(row.field) && format ? { pattern, format } : pattern;
  }
  const match: NonNullable<ParseMaskBody["match"]> = {};
  if (draft.from.trim()) match.from = draft.from.trim();
  if (draft.subject.trim()) match.subject_contains = draft.subject.trim();
  const mask: ParseMaskBody = { name: draft.name.trim(), kind: draft.kind, match, fields };
  if (draft.timezone) mask.timezone = draft.timezone;
  if (draft.itemsOn) {
    mask.items = { start: draft.itemsStart.trim(), line: draft.itemsLine.trim() };
    if (draft.itemsEnd.trim()) mask.items.end = draft.itemsEnd.trim();
  }
  return mask;
}

export function unusedField(rows: readonly FieldRow[]): string | null {
  return MASK_FIELDS.find((field) => !rows.some((row) => row.field === field)) ?? null;
}
