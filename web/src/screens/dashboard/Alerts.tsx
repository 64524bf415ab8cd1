// What needs a person: mails whose sending is in doubt ("unknown": resend or drop them on the
// deliveries screen), received mails that could not be read (often a parse mask to add), and hours
// ahead whose planned mails the SES send rate cannot send within the shop's window (ask AWS for a
// higher rate before the sale).
import { formatDateTime, formatNumber, t } from "../../lib/i18n";
import { href } from "../../lib/router";
import { entryMessage } from "../receptions/labels";
import type { DashboardData } from "./types";

type SlowHour = DashboardData["slow_hours"][number];

/** "about 2 hours" from 90 minutes on, else "about 45 minutes". */
function duration(minutes: number): string {
  return minutes >= 90
    ? t("dashboard.pace_hours", { n: formatNumber(Math.round(minutes / 60)) })
    : t("dashboard.pace_minutes", { n: formatNumber(minutes) });
}

function PaceAlert(props: { hours: SlowHour[]; zone: string }) {
  const { hours, zone } = props;
  const first = hours[0];
  return (
    <section class="dash-alert dash-alert-warn" aria-labelledby="alert-pace-title" data-testid="alert-pace">
      <h2 id="alert-pace-title">{t("dashboard.pace_title", { n: hours.length })}</h2>
      <ul class="dash-alert-list">
        {hours.map((slow) => (
          <li key={slow.hour}>
            <span class="dash-alert-when">{formatDateTime(slow.hour, zone)}</span>
            <span>{t("dashboard.pace_planned", { n: formatNumber(slow.planned) })}</span>
            <strong>{t("dashboard.pace_hour", { duration: duration(slow.minutes_needed) })}</strong>
          </li>
        ))}
      </ul>
      <p>{t("dashboard.pace_body", { rate: formatNumber(first.send_rate), window: first.window_minutes })}</p>
    </section>
  );
}

export function Alerts(props: { shop: string; data: DashboardData; zone: string }) {
  const { shop, data, zone } = props;
  const slow = data.slow_hours ?? [];
  if (data.unknown === 0 && data.failed_receptions === 0 && slow.length === 0) {
    return (
      <p class="ok-box dashboard-all-clear" data-testid="all-clear">
        {t("dashboard.all_clear")}
      </p>
    );
  }
  return (
    <div class="dashboard-alerts">
      {slow.length > 0 && <PaceAlert hours={slow} zone={zone} />}
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
