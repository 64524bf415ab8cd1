// The settings API's shapes, from its OpenAPI document (src/api/schema.d.ts).
import type { components } from "../../api/schema";

/** ``attribution_days``: an order within this many days after a mail is credited to it (issue #15). */
export type Shop = components["schemas"]["Shop-Output"];
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
