// What happened to one mail: the send log's entries for it (the API has no per-mail history, so the
// latest 200 entries of the shop's send log are searched) and what the delivery itself records.
import { useEffect, useState } from "preact/hooks";
import type { components } from "../../api/schema";
import { get, shopPath } from "../../lib/api";
import { formatDateTime, t } from "../../lib/i18n";
import { reasonLabel, statusLabel, transportLabel, type Delivery } from "./common";

type SendLogEntry = components["schemas"]["SendLogEntry"];

interface HistoryEvent {
  at: string | null;
  what: string;
  detail?: string;
  testid?: string;
}

/** An operator's action on the mail (the API reads them from the audit log). */
export type OperatorAction = components["schemas"]["OperatorAction"];

const ACTIONS = new Set(["stop", "reschedule", "edit", "resend", "drop"]);

/** Who did what, and from what to what, in the page's language. */
function actionEvent(action: OperatorAction, zone: string): HistoryEvent {
  const by = action.by ?? t("deliveries.action_someone");
  const what = ACTIONS.has(action.action) ? t(`deliveries.action_${action.action}`, { by }) : `${action.action} (${by})`;
  let detail = "";
  if (action.action === "reschedule" && action.was && action.to) {
    detail = t("deliveries.action_moved", { from: formatDateTime(action.was, zone), to: formatDateTime(action.to, zone) });
  } else if (action.action === "edit") {
    const fields = action.fields.map((field) => t(`deliveries.${field === "text" ? "body" : "subject"}`)).join("・");
    detail = action.fields.includes("subject")
      ? t("deliveries.action_edited_subject", {
          fields,
          from: action.was ?? t("deliveries.action_template_subject"),
          to: action.to ?? t("deliveries.action_template_subject"),
        })
      : t("deliveries.action_edited", { fields });
  }
  return { at: action.at, what, detail, testid: "operator-action" };
}

const SCANNED = 200;
const LOGGED = new Set(["sent", "ambiguous", "skipped", "failed"]);

export function DeliveryHistory(props: {
  shop: string;
  delivery: Delivery;
  actions: OperatorAction[];
  zone: string;
  version: number;
}) {
  const { delivery } = props;
  const [log, setLog] = useState<SendLogEntry[] | null>(null);
  useEffect(() => {
    let live = true;
    get<{ items: SendLogEntry[] }>(shopPath(props.shop, "/sends"), { limit: SCANNED })
      .then((page) => live && setLog(page.items.filter((entry) => entry.delivery_id === delivery.id)))
      .catch(() => live && setLog([]));
    return () => {
      live = false;
    };
  }, [props.shop, delivery.id, props.version]);

  const events: HistoryEvent[] = (log ?? []).map((entry) => ({
    at: entry.at,
    what: LOGGED.has(entry.status) ? t(`deliveries.log_${entry.status}`) : entry.status,
    detail: [entry.transport && transportLabel(entry.transport), reasonLabel(entry.reason)].filter(Boolean).join(" · "),
  }));
  events.push(...props.actions.map((action) => actionEvent(action, props.zone)));
  const sentAt = delivery.sent_at ? Date.parse(delivery.sent_at) : null;
  if (delivery.sent_at && !events.some((event) => event.at && Date.parse(event.at) === sentAt)) {
    events.push({ at: delivery.sent_at, what: t("deliveries.log_sent"), detail: transportLabel(delivery.transport) });
  }
  events.sort((a, b) => Date.parse(a.at ?? "") - Date.parse(b.at ?? ""));
  const now: HistoryEvent = {
    at: delivery.status === "scheduled" ? delivery.send_at : null,
    what: statusLabel(delivery.status),
    detail: [
      delivery.status === "scheduled" ? t("deliveries.history_planned") : "",
      reasonLabel(delivery.reason),
      delivery.attempts > 0 ? t("deliveries.attempts", { n: delivery.attempts }) : "",
      delivery.edited_subject !== null || delivery.edited_text !== null ? t("deliveries.edited_badge") : "",
    ]
      .filter(Boolean)
      .join(" · "),
  };

  return (
    <section class="card" aria-labelledby="dl-history-title">
      <h2 id="dl-history-title">{t("deliveries.history_title")}</h2>
      <ol class="dl-history">
        {events.map((event, index) => (
          <li key={`${event.at}-${index}`} data-testid={event.testid}>
            <span class="dl-history-when">{formatDateTime(event.at, props.zone)}</span>
            <span class="dl-history-what">{event.what}</span>
            {event.detail && <span class="muted small">{event.detail}</span>}
          </li>
        ))}
        <li class="dl-history-now">
          <span class="dl-history-when">{now.at ? formatDateTime(now.at, props.zone) : t("deliveries.history_now")}</span>
          <span class="dl-history-what">{now.what}</span>
          {now.detail && <span class="muted small">{now.detail}</span>}
        </li>
      </ol>
      {delivery.message_id && (
        <p class="muted small dl-break">
          {t("deliveries.message_id")}: <span class="mono">{delivery.message_id}</span>
        </p>
      )}
    </section>
  );
}
