// The dashboard: what needs a person now (mails in doubt, mails that could not be read), then the
// shop's last days at a glance (orders and mails per day, mails waiting) and each step's results.
import { PeriodControls, periodOf, periodText, type Periods } from "../components/period";
import { ErrorBox, Loading, PageHeader, useDocument } from "../components/ui";
import { shopPath } from "../lib/api";
import { formatNumber, t, useLang } from "../lib/i18n";
import { href } from "../lib/router";
import type { ScreenProps } from "../lib/types";
import { Alerts } from "./dashboard/Alerts";
import { DayChart } from "./dashboard/DayChart";
import { StepTable } from "./dashboard/StepTable";
import type { DashboardData } from "./dashboard/types";
import { useShopZone } from "./receptions/data";
import "../styles/dashboard.css";

const PERIODS: Periods = { screen: "dashboard", choices: [7, 30, 90], fallback: 30 };

export function Dashboard(props: ScreenProps) {
  useLang();
  const { shop, route } = props;
  const days = periodOf(route.query, PERIODS);
  const zone = useShopZone(shop);
  const board = useDocument<DashboardData>(shopPath(shop, "/dashboard"), { days });
  const data = board.data;
  const orders = data?.days.reduce((sum, d) => sum + d.orders, 0) ?? 0;
  const sent = data?.days.reduce((sum, d) => sum + d.sent, 0) ?? 0;
  const today = data?.days[data.days.length - 1];

  return (
    <div class="dashboard">
      <PageHeader
        title={t("nav.dashboard")}
        lead={data ? periodText(data.day_from, data.day_to) : undefined}
        actions={
          <PeriodControls shop={shop} periods={PERIODS} days={days} loading={board.loading} onRefresh={() => void board.reload()} />
        }
      />
      {board.error !== null && <ErrorBox error={board.error} />}
      {!data && board.loading && <Loading />}
      {data && (
        <>
          <Alerts shop={shop} data={data} zone={zone} />
          <section aria-label={t("dashboard.figures")} class="dashboard-stats">
            <Stat
              label={t("dashboard.orders_in", { n: days })}
              value={orders}
              testId="stat-orders"
              note={t("dashboard.today_orders", { n: formatNumber(today?.orders ?? 0) })}
            />
            <Stat
              label={t("dashboard.sent_in", { n: days })}
              value={sent}
              testId="stat-sent"
              note={t("dashboard.today_sent", { n: formatNumber(today?.sent ?? 0) })}
            />
            <Stat
              label={t("dashboard.waiting")}
              value={data.waiting}
              testId="stat-waiting"
              link={{ to: `${href(shop, "deliveries")}?status=scheduled`, text: t("dashboard.waiting_link") }}
            />
            <Stat
              label={t("dashboard.unknown")}
              value={data.unknown}
              testId="stat-unknown"
              tone={data.unknown > 0 ? "warn" : undefined}
              link={{ to: `${href(shop, "deliveries")}?status=unknown`, text: t("dashboard.unknown_link_short") }}
            />
          </section>
          <section class="card" aria-labelledby="day-chart-title">
            <h2 id="day-chart-title">{t("dashboard.chart_title")}</h2>
            <DayChart days={data.days} />
          </section>
          <section class="card" aria-labelledby="steps-title">
            <h2 id="steps-title">{t("dashboard.steps_title")}</h2>
            <p class="muted small">{t("dashboard.steps_lead", { n: days })}</p>
            <StepTable shop={shop} steps={data.steps} />
          </section>
        </>
      )}
    </div>
  );
}

function Stat(props: {
  label: string;
  value: number;
  testId: string;
  tone?: "warn";
  note?: string;
  link?: { to: string; text: string };
}) {
  return (
    <div class={`stat${props.tone ? ` stat-${props.tone}` : ""}`} data-testid={props.testId}>
      <div class="stat-label">{props.label}</div>
      <div class="stat-value">{formatNumber(props.value)}</div>
      {props.note && <div class="stat-note small muted">{props.note}</div>}
      {props.link && (
        <a class="stat-link small" href={props.link.to}>
          {props.link.text}
        </a>
      )}
    </div>
  );
}
