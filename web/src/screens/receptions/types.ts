// The API's shapes the reception log, the mail view and the mask editor use: its OpenAPI document
// (src/api/schema.d.ts).
import fields from "../../api/fields.json";
import type { components } from "../../api/schema";

export type ReceptionResult = components["schemas"]["ReceptionEntry"]["result"];
export const RESULTS: readonly ReceptionResult[] = ["parsed", "duplicate", "not_an_order", "failed", "refused"];

/** ``order_id``: as the mall wrote it (``order_key`` holds the normalised one, for lookups);
 * ``read_again_at``: when the mail was last read again ("parse again"); ``history``: its earlier
 * readings, oldest first. */
export type ReceptionEntry = components["schemas"]["ReceptionEntry"];
export type ReceptionAttempt = components["schemas"]["ReceptionAttempt"];

/** The order id to show: as the mall wrote it, else the one in the key. */
export const shownOrderId = (entry: { order_key?: string | null; order_id?: string | null }): string =>
  entry.order_id || (entry.order_key ? entry.order_key.slice(entry.order_key.indexOf("#") + 1) : "");

export type MaskField = components["schemas"]["MaskField-Output"];
export type ParseMask = components["schemas"]["ParseMask-Output"];
/** A mask as the page writes it (PUT …/masks/{name}): fields with a default may be left out. */
export type ParseMaskBody = components["schemas"]["ParseMask-Input"];
export type Item = components["schemas"]["Item-Output"];
export type Order = components["schemas"]["Order-Output"];
export type MaskTryAnswer = components["schemas"]["MaskTryAnswer"];
/** One planned mail of an order; ``reason``: why it was skipped or stopped. */
export type PlannedMail = components["schemas"]["Delivery"];
/** One re-planning of one mail (okaeri.models.PlanChange): better order data came. ``change``:
 * moved (same run, another time), superseded (cancelled for another scenario, or none), replaces
 * (planned in place of a superseded run). */
export type PlanChange = components["schemas"]["PlanChange"];
export type OrderDetail = components["schemas"]["OrderDetail"];

/** The fields a mask can read, in the order the editor offers them, and those that take a date
 * format: the API's lists (``okaeri.parsing.mask``). */
export const MASK_FIELDS: readonly string[] = fields.mask_fields;
export const TIME_FIELDS: readonly string[] = fields.mask_time_fields;
