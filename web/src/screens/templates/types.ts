// The template shapes of the admin API, from its OpenAPI document (src/api/schema.d.ts).
import type { components } from "../../api/schema";

export type Template = components["schemas"]["Template-Output"];
export type PoolCount = components["schemas"]["PoolCount"];
export type Finding = components["schemas"]["Finding"];
export type SaveAnswer = components["schemas"]["TemplateSaveAnswer"];
export type VersionInfo = components["schemas"]["VersionInfo"];
export type MailVariant = components["schemas"]["MailVariant"];
/** The sample order a preview is rendered for. */
export type SampleOrder = components["schemas"]["Order-Output"];
export type PreviewAnswer = components["schemas"]["TemplatePreview"];
export type TestSendAnswer = components["schemas"]["TestSendAnswer"];

/** The editable parts of a template, as the form holds them (empty string = no HTML / mobile text). */
export interface Draft {
  id: string;
  name: string;
  subject: string;
  text: string;
  html: string;
  mobile_text: string;
}

export type Part = "subject" | "text" | "html" | "mobile_text";
export const PARTS: readonly Part[] = ["subject", "text", "html", "mobile_text"];

/** "auto": as the shop's scenarios use the template (the API's default). */
export type Advertising = "auto" | "yes" | "no";

export function advertisingValue(choice: Advertising): boolean | null {
  return choice === "auto" ? null : choice === "yes";
}

export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/;

export function draftOf(template: Template): Draft {
  return {
    id: template.id,
    name: template.name,
    subject: template.subject,
    text: template.text,
    html: template.html ?? "",
    mobile_text: template.mobile_text ?? "",
  };
}

/** The API's Template for a draft (`version` is the one it was edited from; the API numbers saves). */
export function templateOf(draft: Draft, version = 1): Template {
  return {
    id: draft.id,
    name: draft.name,
    version,
    subject: draft.subject,
    text: draft.text,
    html: draft.html.trim() ? draft.html : null,
    mobile_text: draft.mobile_text.trim() ? draft.mobile_text : null,
  };
}

export function sameDraft(a: Draft, b: Draft): boolean {
  return (
    a.id === b.id &&
    a.name === b.name &&
    a.subject === b.subject &&
    a.text === b.text &&
    a.html === b.html &&
    a.mobile_text === b.mobile_text
  );
}
