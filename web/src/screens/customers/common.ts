// The customers screen's shapes (the API's OpenAPI document, src/api/schema.d.ts) and labels.
import type { components } from "../../api/schema";
import { t } from "../../lib/i18n";

export type CustomerRecord = components["schemas"]["CustomerRecord"];
export type Suppression = components["schemas"]["Suppression"];

/** What the API writes over erased personal data. */
export const ERASED = "[erased]";

export function displayName(customer: CustomerRecord): string {
  if (customer.name === ERASED || customer.email === ERASED) return t("customers.erased_name");
  return customer.name || t("customers.no_name");
}

const REASONS = new Set(["bounce", "complaint", "unsubscribe", "manual"]);

export function suppressionLabel(reason: string): string {
  return REASONS.has(reason) ? t(`customers.suppression_${reason}`) : reason;
}
