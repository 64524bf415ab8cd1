// The customers screen's shapes and labels.
import { t } from "../../lib/i18n";

export interface CustomerRecord {
  shop_id: string;
  customer_id: string;
  email: string;
  name: string | null;
  order_count: number;
  unsubscribed_at: string | null;
}

export interface Suppression {
  address: string;
  reason: string;
  at: string;
  delivery_id: string | null;
}

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
