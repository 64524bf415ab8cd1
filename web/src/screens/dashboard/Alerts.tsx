// What needs a person: mails whose sending is in doubt ("unknown": resend or drop them on the
// deliveries screen) and received mails that could not be read (often a parse mask to add).
import { formatDateTime, t } from "../../lib/i18n";
import { href } from "../../lib/router";
import { entryMessage } from "../receptions/labels";
import type { DashboardData } from "./types";

export function Alerts(props: { shop: string; data: DashboardData; zone: string }) {
  const { shop, data, zone } = props;
  if (data.unknown === 0 && data.failed_receptions === 0) {
    return (
      <p class="ok-box dashboard-all-clear" data-testid="all-clear">
        {t("dashboard.all_clear")}
      </p>
    );
  }
  return (
    <div class="dashboard-alerts">
      {data.unknown > 0 && (
        <section class="dash-alert dash-alert-warn" aria-labelledby="alert-unknown-title" data-testid="alert-unknown">
          <h2 id="alert-unknown-title">{t("dashboard.unknown_title", { n: data.unknown })}</h2>
          <p>{t("dashboard.unknown_body")}</p>
          <ul class="dash-alert-list">
            {data.latest_unknown.map((delivery) => (
              <li key={delivery.id}>
                <span class="dash-alert-when">{formatDateTime(delivery.send_at, zone)}</span>
                <span>{delivery.customer_email ?? t("dashboard.no_address")}</span>
                <span class="muted small">
                  {delivery.scenario_id} / {delivery.step_id}
                </span>
              </li>
            ))}
          </ul>
          <a class="button" href={`${href(shop, "deliveries")}?status=unknown`}>
            {t("dashboard.unknown_link")}
          </a>
        </section>
      )}
      {data.failed_receptions > 0 && (
        <section class="dash-alert dash-alert-bad" aria-labelledby="alert-failed-title" data-testid="alert-failed">
          <h2 id="alert-failed-title">{t("dashboard.failed_title", { n: data.failed_receptions })}</h2>
          <p>{t("dashboard.failed_body")}</p>
          <ul class="dash-alert-list">
            {data.latest_failed_receptions.map((entry) => (
              <li key={`${entry.s3_key}@${entry.received_at}`}>
                <span class="dash-alert-when">{formatDateTime(entry.received_at, zone)}</span>
                <a href={href(shop, "receptions", "mail", entry.s3_key)}>
                  {entry.subject || t("dashboard.no_subject")}
                </a>
                <span class="muted small dash-alert-reason" title={entryMessage(entry)}>
                  {entryMessage(entry)}
                </span>
              </li>
            ))}
          </ul>
          <a class="button" href={`${href(shop, "receptions")}?result=failed`}>
            {t("dashboard.failed_link")}
          </a>
        </section>
      )}
    </div>
  );
}
