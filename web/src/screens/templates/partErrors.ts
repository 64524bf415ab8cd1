// Which part of a template an API error is about, and its message as the part's field shows it.
import { ApiError } from "../../lib/api";
import type { Part } from "./types";

/** Which part an API error is about: "subject: …" (render errors) or "template.subject: …" (validation). */
export function partOf(error: unknown): Part | null {
  if (!(error instanceof ApiError)) return null;
  const rendered = /^(subject|text|html|mobile_text): /.exec(error.body.message_en);
  if (rendered) return rendered[1] as Part;
  for (const detail of error.body.details) {
    const invalid = /^template\.(subject|text|html|mobile_text)\b/.exec(detail);
    if (invalid) return invalid[1] as Part;
  }
  return null;
}

/** The error's message without its "件名（subject）: " prefix (the field already says which part). */
export function fieldMessage(error: ApiError): string {
  const text = error.text;
  const cut = /^[^:：]{1,40}[:：]\s*/.exec(text);
  return cut && error.body.code !== "invalid_request" ? text.slice(cut[0].length) : text;
}
