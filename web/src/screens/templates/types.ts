// The template shapes of the admin API (/api/openapi.json: Template, TemplateSaveAnswer,
// VersionInfo, TemplatePreview, TestSendAnswer).

export interface Template {
  id: string;
  name: string;
  version: number;
  subject: string;
  text: string;
  html: string | null;
  mobile_text: string | null;
}

export interface PoolCount {
  pool: string;
  free: number;
  used: number;
}

export interface Finding {
  step: string | null;
  rule: string;
  severity: "error" | "warning";
  message_ja: string;
  message_en: string;
}

export interface SaveAnswer {
  id: string;
  version: number;
  changed: boolean;
  pools: PoolCount[];
  findings: Finding[];
  message_ja: string;
  message_en: string;
}

export interface VersionInfo {
  version: number;
  name: string;
  current: boolean;
}

export interface MailVariant {
  to: string;
  mobile: boolean;
  charset: string;
  subject: string;
  text: string;
  html: string | null;
  headers: { name: string; value: string }[];
}

export interface SampleOrder {
  order_id: string;
  customer: { name: string | null };
  source: string;
}

export interface PreviewAnswer {
  template_id: string;
  version: number | null;
  advertising: boolean;
  pools: string[];
  order: SampleOrder;
  pc: MailVariant;
  mobile: MailVariant;
}

export interface TestSendAnswer {
  template_id: string;
  version: number;
  to: string;
  subject: string;
  mobile: boolean;
  message_id: string;
}

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
