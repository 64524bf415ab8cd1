// The settings API's shapes, from its OpenAPI document (src/api/schema.d.ts).
import type { components } from "../../api/schema";

/** ``attribution_days`` (issue #15): declared here until the backend's Shop reaches schema.d.ts.
 * TODO(#15): `make api-types`, then Shop is the schema's again. */
export type Shop = components["schemas"]["Shop-Output"] & { attribution_days?: number };

/** An order within this many days after a mail is credited to it, when the shop does not say. */
export const DEFAULT_ATTRIBUTION_DAYS = 7;
export type RelayView = components["schemas"]["RelayView"];
export type RelayEdit = components["schemas"]["RelayEdit"];
export type PoolCount = components["schemas"]["PoolCount"];
export type SkipReason = components["schemas"]["SkippedCode"]["reason"];
export type PoolLoadAnswer = components["schemas"]["PoolLoadAnswer"];
export type ParseMask = components["schemas"]["ParseMask-Output"];
/** A mask as the page writes it (PUT …/masks/{name}): fields with a default may be left out. */
export type ParseMaskBody = components["schemas"]["ParseMask-Input"];
export type ShopifyIntegration = components["schemas"]["ShopifyIntegration"];
export type RoleName = components["schemas"]["RoleChange"]["role"];
export type ShopOperator = components["schemas"]["ShopOperator"];

export const ROLES: RoleName[] = ["owner", "manager", "staff"];

/** The OpenAPI templates `allowed()` is asked about. */
export const OPS = {
  settings: "/api/shops/{shop_id}/settings",
  relays: "/api/shops/{shop_id}/relays",
  relay: "/api/shops/{shop_id}/relays/{name}",
  coupons: "/api/shops/{shop_id}/coupons",
  pool: "/api/shops/{shop_id}/coupons/{pool}",
  masks: "/api/shops/{shop_id}/masks",
  mask: "/api/shops/{shop_id}/masks/{name}",
  shopify: "/api/shops/{shop_id}/integrations/shopify",
  users: "/api/shops/{shop_id}/users",
  userRole: "/api/shops/{shop_id}/users/{username}/role",
  user: "/api/shops/{shop_id}/users/{username}",
} as const;

export const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;
