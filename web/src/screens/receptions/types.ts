// The API's shapes the reception log, the mail view and the mask editor use (see /api/openapi.json).

export type ReceptionResult = "parsed" | "duplicate" | "not_an_order" | "failed" | "refused";
export const RESULTS: readonly ReceptionResult[] = ["parsed", "duplicate", "not_an_order", "failed", "refused"];

export interface ReceptionEntry {
  shop_id: string;
  s3_key: string;
  received_at: string;
  result: ReceptionResult;
  reason: string | null;
  message_ja: string | null;
  message_en: string | null;
  order_key: string | null;
  /** The order id as the mall wrote it (order_key holds the normalised one, for lookups). */
  order_id?: string | null;
  kind: string | null;
  sender: string | null;
  subject: string | null;
  /** When the mail was last read again ("parse again"); its earlier readings, oldest first. */
  read_again_at?: string | null;
  history?: ReceptionAttempt[];
}

export interface ReceptionAttempt {
  at: string;
  result: ReceptionResult;
  reason: string | null;
  message_ja: string | null;
  message_en: string | null;
  order_key: string | null;
  order_id?: string | null;
}

/** The order id to show: as the mall wrote it, else the one in the key. */
export const shownOrderId = (entry: { order_key: string | null; order_id?: string | null }): string =>
  entry.order_id || (entry.order_key ? entry.order_key.slice(entry.order_key.indexOf("#") + 1) : "");

export interface MaskField {
  pattern: string;
  format?: string | null;
}

export interface ParseMask {
  name: string;
  kind?: "order" | "shipment";
  timezone?: string | null;
  match?: { from?: string | null; subject_contains?: string | null };
  fields: Record<string, string | MaskField>;
  items?: { start: string; end?: string | null; line: string } | null;
}

export interface Item {
  sku: string | null;
  name: string | null;
  quantity: number;
  unit_price: number | null;
}

export interface Order {
  source: string;
  kind: string;
  order_id: string;
  ordered_at: string | null;
  customer: { name: string | null; name_kana: string | null; email: string | null; phone: string | null };
  ship_to: { name: string | null; postal_code: string | null; prefecture: string | null; address: string | null };
  items: Item[];
  payment_method: string | null;
  shipping_method: string | null;
  total: number | null;
  currency: string;
  is_gift: boolean | null;
  shipped_at: string | null;
  carrier: string | null;
  tracking_number: string | null;
}

export interface MaskTryAnswer {
  ok: boolean;
  used_mask: boolean;
  order: Order | null;
  reason: string | null;
  message_ja: string | null;
  message_en: string | null;
}

export interface PlannedMail {
  id: string;
  scenario_id: string;
  step_id: string;
  send_at: string;
  status: string;
  /** Why a mail was skipped or stopped (a step whose time had gone when the order came, …). */
  reason?: string | null;
  customer_email: string | null;
}

/** One re-planning of one mail (okaeri.models.PlanChange): better order data came. */
export interface PlanChange {
  at: string;
  delivery_id: string;
  /** moved: same run, another time; superseded: cancelled for another scenario (or none);
   * replaces: planned in place of a superseded run. */
  change: "moved" | "superseded" | "replaces";
  reason: "order_arrived" | "shipment" | "delivered";
  scenario_from: string | null;
  scenario_to: string | null;
  send_at_from: string | null;
  send_at_to: string | null;
}

export interface OrderDetail {
  order: {
    order: Order;
    customer_id: string | null;
    status: string;
    received_at: string;
  };
  deliveries: PlannedMail[];
  /** Oldest first; absent from an older API. */
  plan_changes?: PlanChange[];
}

/** The fields a mask can read, in the order the editor offers them. */
export const MASK_FIELDS = [
  "order_id",
  "ordered_at",
  "customer.name",
  "customer.name_kana",
  "customer.email",
  "customer.phone",
  "ship_to.name",
  "ship_to.postal_code",
  "ship_to.prefecture",
  "ship_to.address",
  "payment_method",
  "shipping_method",
  "total",
  "shipped_at",
  "carrier",
  "tracking_number",
] as const;

export const TIME_FIELDS: readonly string[] = ["ordered_at", "shipped_at"];
