// The plan for a sample order: POST scenarios/{id}/preview with the saved version (or the one
// being viewed), optionally at another order time or as the customer's N-th order.
import { useState } from "preact/hooks";
import { Table } from "../../components/table";
import { ErrorBox } from "../../components/ui";
import { InputField, NumberField } from "../../components/fields";
import { post } from "../../lib/api";
import { formatNumber, lang, t } from "../../lib/i18n";
import { scenariosPath, type PlanPreview, type ShopSettings } from "./model";

/** "2026-12-01T10:00" in the shop's zone → ISO 8601 with that zone's offset at that moment. */
export function zonedIso(local: string, zone: string): string {
  const guess = new Date(`${local}:00Z`);
  const part = new Intl.DateTimeFormat("en-US", { timeZone: zone, timeZoneName: "longOffset" })
    .formatToParts(guess)
    .find((item) => item.type === "timeZoneName")?.value;
  const offset = part && part !== "GMT" ? part.replace("GMT", "") : "+00:00";
  return `${local}:00${offset}`;
}

export function formatWhen(iso: string, zone: string): string {
  return new Intl.DateTimeFormat(lang() === "en" ? "en-GB" : "ja-JP", {
    timeZone: zone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    weekday: "short",
    hour: "2-digit",
    minute: "2-digit",
  }).format(new Date(iso));
}

export function formatDay(day: string): string {
  return new Intl.DateTimeFormat(lang() === "en" ? "en-GB" : "ja-JP", {
    timeZone: "UTC",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    weekday: "short",
  }).format(new Date(`${day}T00:00:00Z`));
}

/** Calendar days from `day` (YYYY-MM-DD) to the local date of `iso` in `zone`. */
function daysAfter(day: string, iso: string, zone: string): number {
  const local = new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit" }).format(
    new Date(iso),
  );
  return Math.round((Date.parse(`${local}T00:00:00Z`) - Date.parse(`${day}T00:00:00Z`)) / 86_400_000);
}

const SKIP_REASONS = new Set(["past", "beyond_max_window"]);
const skipReason = (reason: string) => (SKIP_REASONS.has(reason) ? t(`scenarios.skip_${reason}`) : reason);

interface Props {
  shop: string;
  scenarioId: string;
  /** The version the plan is for (the saved one, or the old one being viewed). */
  version: number;
  settings: ShopSettings | null;
  /** The draft differs from the saved version: say the plan is for the saved one. */
  unsaved: boolean;
  /** A win-back (trigger lapsed) of this many days: no order starts it, so no sample order plans it. */
  lapsedDays?: number | null;
}

export function PreviewCard(props: Props) {
  const zone = props.settings?.timezone ?? "Asia/Tokyo";
  const [orderedAt, setOrderedAt] = useState("");
  const [orderCount, setOrderCount] = useState("");
  const [plan, setPlan] = useState<PlanPreview | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const run = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const body: Record<string, unknown> = { version: props.version };
      if (orderedAt) body.now = zonedIso(orderedAt, zone);
      if (orderCount.trim()) body.order_count = Number(orderCount);
      setPlan(await post<PlanPreview>(scenariosPath(props.shop, props.scenarioId, "preview"), body));
    } catch (caught) {
      setPlan(null);
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  if (props.lapsedDays) {
    return (
      <section class="card" aria-labelledby="preview-title">
        <h2 id="preview-title">{t("scenarios.preview")}</h2>
        <p class="muted small" data-testid="preview-lapsed">
          {t("scenarios.preview_lapsed", { n: props.lapsedDays })}
        </p>
      </section>
    );
  }
  return (
    <section class="card" aria-labelledby="preview-title">
      <h2 id="preview-title">{t("scenarios.preview")}</h2>
      <p class="muted small">{t("scenarios.preview_lead", { v: props.version })}</p>
      {props.unsaved && <p class="warn-box small">{t("scenarios.preview_unsaved", { v: props.version })}</p>}
      <form class="preview-form" onSubmit={run}>
        <InputField
          label={t("scenarios.preview_ordered_at")}
          hint={t("scenarios.preview_ordered_at_hint")}
          type="datetime-local"
          value={orderedAt}
          onInput={setOrderedAt}
        />
        <NumberField
          label={t("scenarios.preview_order_count")}
          hint={t("scenarios.preview_order_count_hint")}
          min={1}
          value={orderCount}
          onInput={setOrderCount}
        />
        <div class="preview-submit">
          <button type="submit" class="button" disabled={busy}>
            {busy ? t("common.loading") : t("scenarios.preview_run")}
          </button>
        </div>
      </form>
      {error !== null && <ErrorBox error={error} />}
      {plan && (
        <div class="plan" aria-live="polite">
          <dl class="facts">
            <div>
              <dt>{t("scenarios.preview_order")}</dt>
              <dd>
                <span class="mono">{plan.order.order_id}</span>
                <span class="block small muted">
                  {t("scenarios.preview_order_text", {
                    at: plan.order.ordered_at ? formatWhen(plan.order.ordered_at, zone) : "—",
                    name: plan.order.customer.name ?? "—",
                    pref: plan.order.ship_to.prefecture ?? "—",
                    source: plan.order.source,
                    total: plan.order.total === null ? "—" : formatNumber(plan.order.total),
                    n: plan.order_count,
                  })}
                </span>
              </dd>
            </div>
            <div>
              <dt>{t("scenarios.preview_ship_date")}</dt>
              <dd data-testid="plan-ship-date">{plan.ship_date ? formatDay(plan.ship_date) : "—"}</dd>
            </div>
          </dl>
          {!plan.matches && <p class="warn-box">{t("scenarios.preview_no_match")}</p>}
          {plan.matches && <Selection plan={plan} />}
          {plan.deliveries.length > 0 && (
            <Table
              caption={t("scenarios.preview_table")}
              rows={plan.deliveries}
              rowKey={(delivery) => delivery.step}
              columns={[
                { title: t("scenarios.preview_step"), cellClass: "mono", cell: (delivery) => delivery.step },
                {
                  title: t("scenarios.preview_send_at"),
                  cell: (delivery) => (delivery.send_at === "now" ? t("scenarios.preview_at_once") : formatWhen(delivery.send_at, zone)),
                },
                {
                  title: t("scenarios.preview_days_ship"),
                  class: "num",
                  cell: (delivery) =>
                    delivery.send_at !== "now" && plan.ship_date
                      ? t("scenarios.days_value", { n: daysAfter(plan.ship_date, delivery.send_at, zone) })
                      : "—",
                },
              ]}
            />
          )}
          {plan.skipped.length > 0 && (
            <div class="warn-box">
              <p>{t("scenarios.preview_skipped")}</p>
              <ul>
                {plan.skipped.map((skip) => (
                  <li key={skip.step}>
                    <span class="mono">{skip.step}</span>: {skipReason(skip.reason)}
                  </li>
                ))}
              </ul>
            </div>
          )}
        </div>
      )}
    </section>
  );
}

/** Why real orders like the sample would (not) get this scenario: a stopped scenario is never
 * chosen, whatever its priority; an active one can lose to a higher priority or, on a tie, to the
 * scenario listed first. */
function Selection({ plan }: { plan: PlanPreview }) {
  if (!plan.active) {
    return (
      <p class="info-box" data-testid="plan-selection">
        {t("scenarios.preview_not_active")}
        {plan.selected && plan.selected !== plan.scenario && (
          <span class="block small">{t("scenarios.preview_not_active_instead", { id: plan.selected })}</span>
        )}
      </p>
    );
  }
  if (plan.selected === null || plan.selected === plan.scenario) return null;
  const theirs = plan.selected_priority ?? 0;
  return (
    <p class="info-box" data-testid="plan-selection">
      {theirs > plan.priority
        ? t("scenarios.preview_other_selected", { id: plan.selected, theirs, ours: plan.priority })
        : t("scenarios.preview_other_selected_tie", { id: plan.selected, theirs })}
    </p>
  );
}
