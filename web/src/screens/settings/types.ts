// The settings API's shapes (see the OpenAPI document: Shop, RelayView, PoolCount, ParseMask, …).
export interface Shop {
  id: string;
  name: string;
  timezone: string;
  sender: { address: string; name?: string | null };
  compliance: "rakuten" | "yahoo" | "none";
  calendar: Record<string, unknown>;
  cutoff: string;
  ship_lead_business_days: number;
  quiet_hours: { start: string; end: string } | null;
  flexible_window_minutes: number;
  max_window_days: number;
  transit_days: Record<string, number>;
  signature: string;
  legal: { company: string; address: string; contact: string } | null;
  links: { public_base_url?: string | null; unsubscribe_mailto?: string | null };
  review_url: string | null;
}

export interface RelayView {
  name: string;
  host: string;
  port: number;
  domains: string[];
  mail_from: string | null;
  credentials_set: boolean;
}

export interface RelayEdit {
  host: string;
  port: number;
  domains: string[];
  mail_from: string | null;
  username?: string;
  password?: string;
}

export interface PoolCount {
  pool: string;
  free: number;
  used: number;
}

export type SkipReason = "too_long" | "has_space" | "not_printable" | "duplicate" | "used";

export interface PoolLoadAnswer extends PoolCount {
  loaded: number;
  skipped: { code: string; reason: SkipReason }[];
}

export interface ParseMask {
  name: string;
  kind?: "order" | "shipment";
  timezone?: string | null;
  match?: { from?: string | null; subject_contains?: string | null };
  fields: Record<string, string | { pattern: string; format?: string | null }>;
  items?: { start: string; end?: string | null; line: string } | null;
}

export interface ShopifyIntegration {
  secret_set: boolean;
  webhook_url_path: string;
  topics: string[];
}

export type RoleName = "owner" | "manager" | "staff";

export interface ShopOperator {
  username: string;
  email: string;
  role: string | null;
  enabled: boolean;
  status: string;
}

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
