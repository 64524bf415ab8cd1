// What the deliveries, customers and imports screens share: the API's shapes, the shop's time zone
// (times are shown and picked in it), status and reason labels, and retry-safe write keys.
import { useEffect, useState } from "preact/hooks";
import type { components } from "../../api/schema";
import { Badge } from "../../components/ui";
import { get, newIdempotencyKey, shopPath } from "../../lib/api";
import { t } from "../../lib/i18n";

export type DeliveryStatus = components["schemas"]["Delivery"]["status"];
export const STATUSES: readonly DeliveryStatus[] = ["scheduled", "sending", "sent", "failed", "unknown", "cancelled", "skipped"];

/** ``variant``: its step's A/B variant; ``held_out``: its run is in the scenario's comparison group;
 * ``conversions``: the orders credited to it, by order key (issue #15). */
export type Delivery = components["schemas"]["Delivery"];
/** A row of the list: a delivery and the buyer's name (the address may be a masked relay address). */
export type DeliveryRow = components["schemas"]["DeliveryRow"];
/** An order credited to a mail: ``hours`` from the send; ``cancelled``: its credit was taken back. */
export type Conversion = components["schemas"]["Conversion"];

export type ScenarioSummary = Pick<components["schemas"]["Scenario-Output"], "id" | "name" | "active">;

// --- the shop's time zone ----------------------------------------------------------------------

const DEFAULT_ZONE = "Asia/Tokyo";
const zones = new Map<string, Promise<string>>();

/** The shop's IANA time zone (from its settings; Asia/Tokyo until known or when unreadable). */
export function useShopZone(shop: string): string {
  const [zone, setZone] = useState(DEFAULT_ZONE);
  useEffect(() => {
    let cached = zones.get(shop);
    if (!cached) {
      cached = get<{ timezone?: string }>(shopPath(shop, "/settings"))
        .then((settings) => settings.timezone || DEFAULT_ZONE)
        .catch(() => {
          zones.delete(shop);
          return DEFAULT_ZONE;
        });
      zones.set(shop, cached);
    }
    let live = true;
    void cached.then((value) => live && setZone(value));
    return () => {
      live = false;
    };
  }, [shop]);
  return zone;
}

function partsIn(date: Date, zone: string): Record<string, string> {
  const format = new Intl.DateTimeFormat("en-US", {
    timeZone: zone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  });
  return Object.fromEntries(format.formatToParts(date).map((part) => [part.type, part.value]));
}

/** An instant as a `datetime-local` value (YYYY-MM-DDTHH:mm) on the wall clock of `zone`. */
export function toLocalInput(iso: string, zone: string): string {
  const p = partsIn(new Date(iso), zone);
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`;
}

function offsetOf(instant: number, zone: string): number {
  const p = partsIn(new Date(instant), zone);
  const wall = Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second);
  return wall - Math.floor(instant / 1000) * 1000;
}

/** A `datetime-local` value read on the wall clock of `zone` → an ISO instant (UTC), or null. */
export function fromLocalInput(value: string, zone: string): string | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(value);
  if (!match) return null;
  const wall = Date.UTC(+match[1], +match[2] - 1, +match[3], +match[4], +match[5]);
  let instant = wall - offsetOf(wall, zone);
  instant = wall - offsetOf(instant, zone);
  return new Date(instant).toISOString();
}

// --- labels ------------------------------------------------------------------------------------

const TONES: Record<DeliveryStatus, "ok" | "warn" | "bad" | "muted" | "info"> = {
  scheduled: "info",
  sending: "info",
  sent: "ok",
  failed: "bad",
  unknown: "warn",
  cancelled: "muted",
  skipped: "muted",
};

export function statusLabel(status: string): string {
  return t(`deliveries.status_${status}`);
}

/** A delivery status's badge tone (the deliveries' list and detail, an order's mails). */
export function statusTone(status: string): "ok" | "warn" | "bad" | "muted" | "info" {
  return TONES[status as DeliveryStatus] ?? "muted";
}

export function StatusBadge(props: { status: DeliveryStatus }) {
  return <Badge tone={statusTone(props.status)}>{statusLabel(props.status)}</Badge>;
}

/**
 * Every reason the backend writes on a delivery: okaeri.models.delivery.Skip, REPLANNED, the
 * planner's repeat decisions, the operator's actions, erasure, the sender's throttle. Each reads as
 * `deliveries.reason_<code>` in both catalogs (tests/unit/web/test_delivery_statuses.py holds the
 * list to Skip).
 */
export const REASONS = [
  "past",
  "beyond_max_window",
  "compliance",
  "order_cancelled",
  "suppressed",
  "unsubscribed",
  "relay_missing",
  "order_missing",
  "shop_missing",
  "scenario_missing",
  "no_recipient",
  "holdout",
  "reordered",
  "frequency_cap",
  "replanned",
  "repeat_restart",
  "repeat_once",
  "repeat_active",
  "stopped_by_operator",
  "resent_by_operator",
  "dropped_by_operator",
  "erased",
  "throttled",
  "template_missing",
  "retries_exhausted",
  "send_rejected",
  "send_failed",
  "send_ambiguous",
  "coupon_pool_empty",
  "invalid_address",
  "template_error",
  "render_failed",
  "relay_auth_unsupported",
  "relay_no_starttls",
  "relay_tls_untrusted",
];
const KNOWN_REASONS: ReadonlySet<string> = new Set(REASONS);

/** The mall rules a send checks (okaeri.compliance.check_send), as `compliance:<rule>`: each reads as
 * `deliveries.reason_compliance_<rule, dots as _>`; another rule is named in a general sentence. */
export const COMPLIANCE_RULES = [
  "max_window",
  "ship_date_unknown",
  "rakuten.max_30_days",
  "rakuten.ad_max_21_days",
  "rakuten.ad_needs_transaction",
  "rakuten.review_only",
  "legal_footer",
  "opt_out_missing",
];
const KNOWN_RULES: ReadonlySet<string> = new Set(COMPLIANCE_RULES);
const COMPLIANCE_PREFIX = "compliance:";

/** A delivery's reason code in words (an unknown code is shown as it is). */
export function reasonLabel(reason: string | null | undefined): string {
  if (!reason) return "";
  if (KNOWN_REASONS.has(reason)) return t(`deliveries.reason_${reason}`);
  if (reason.startsWith(COMPLIANCE_PREFIX)) {
    const rule = reason.slice(COMPLIANCE_PREFIX.length);
    return KNOWN_RULES.has(rule)
      ? t(`deliveries.reason_compliance_${rule.replace(/\./g, "_")}`)
      : t("deliveries.reason_compliance_rule", { rule });
  }
  return reason;
}

/** A reason in words, its code beside in small type (the code the API, the logs and support use). */
export function ReasonText(props: { reason: string | null | undefined; class?: string }) {
  if (!props.reason) return null;
  const words = reasonLabel(props.reason);
  return (
    <span class={props.class} data-reason={props.reason}>
      {words}
      {words !== props.reason && <span class="mono small muted reason-code"> ({props.reason})</span>}
    </span>
  );
}

/** `ses` → Amazon SES, `relay:<name>` → the shop's SMTP relay. */
export function transportLabel(transport: string | null | undefined): string {
  if (!transport) return "—";
  if (transport === "ses") return "Amazon SES";
  if (transport.startsWith("relay:")) return t("deliveries.transport_relay", { name: transport.slice(6) });
  return transport;
}

/** The order id as the shop knows it (`rakuten#338361-…` → `338361-…`). */
export function orderIdOf(orderKey: string): string {
  const at = orderKey.indexOf("#");
  return at < 0 ? orderKey : orderKey.slice(at + 1);
}

/** Scenario id → name, for labels (empty until read; staff may read them). */
export function useScenarios(shop: string): ScenarioSummary[] {
  const [list, setList] = useState<ScenarioSummary[]>([]);
  useEffect(() => {
    let live = true;
    get<ScenarioSummary[]>(shopPath(shop, "/scenarios"))
      .then((answer) => live && setList(Array.isArray(answer) ? answer : []))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [shop]);
  return list;
}

/** The shop's templates by id → name: a mail is named by the template it sends, not only its step id. */
export function useTemplateNames(shop: string): (id: string) => string | null {
  const [names, setNames] = useState<Record<string, string>>({});
  useEffect(() => {
    let live = true;
    get<{ id: string; name: string }[]>(shopPath(shop, "/templates"))
      .then(
        (answer) =>
          live && setNames(Object.fromEntries((Array.isArray(answer) ? answer : []).map((row) => [row.id, row.name]))),
      )
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [shop]);
  return (id: string) => names[id] || null;
}

/** "thanks · A/B a · サンキューメール（出荷日）": the step id, its A/B variant, then its template's name when known. */
export function StepLabel(props: { delivery: Delivery; templateName: (id: string) => string | null }) {
  const name = props.templateName(props.delivery.template_id);
  return (
    <span class="muted small">
      {" "}
      · {props.delivery.step_id}
      {props.delivery.variant && <span data-testid="variant"> · {t("deliveries.variant_short", { v: props.delivery.variant })}</span>}
      {name && <span data-testid="template-name"> · {name}</span>}
    </span>
  );
}

// --- retry-safe writes ---------------------------------------------------------------------------

const keys = new Map<string, string>();

/**
 * The Idempotency-Key of one intended write (`what` names the route and body): the same key while
 * it is retried, a fresh one once it succeeded (`settled`), so a later, new action is not replayed.
 */
export function keyFor(what: string): string {
  let key = keys.get(what);
  if (!key) {
    key = newIdempotencyKey();
    keys.set(what, key);
  }
  return key;
}

export function settled(what: string): void {
  keys.delete(what);
}
