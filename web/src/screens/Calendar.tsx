// 営業日カレンダー: the shop's business days for a year. Twelve month grids with the public
// holidays by name; a manager clicks a day to close or open it (with undo) and edits the weekly
// rules, cutoff and ship lead time. The sample ship date (what an order placed now would get)
// follows every change.
import { useMemo, useState } from "preact/hooks";
import { ErrorBox, Loading, PageHeader, useAction, useDocument } from "../components/ui";
import { success } from "../components/notices";
import { allowed, post, put, shopPath } from "../lib/api";
import { formatDateTime, t, useLang } from "../lib/i18n";
import { href } from "../lib/router";
import type { ScreenProps } from "../lib/types";
import { hhmm, isoDay, localDate, longDate, shortDate } from "./calendar/dates";
import { dayView, MonthGrid, stateLabel, type DayKind, type DayView } from "./calendar/MonthGrid";
import { RulesForm, RulesView } from "./calendar/RulesForm";
import type { CalendarDay, CalendarRules, CalendarYear, DayState, SampleShipDate } from "./calendar/types";
import "../styles/calendar.css";

const DAYS_PATH = "/api/shops/{shop_id}/calendar/days";
const RULES_PATH = "/api/shops/{shop_id}/calendar";
const MIN_YEAR = 2000;
const MAX_YEAR = 2099;

function requestedYear(rest: string[]): number | undefined {
  const year = Number(rest[0]);
  return Number.isInteger(year) && year >= MIN_YEAR && year <= MAX_YEAR ? year : undefined;
}

function rulesOf(calendar: CalendarYear): CalendarRules {
  return {
    closed_weekdays: calendar.closed_weekdays,
    closed_on_public_holidays: calendar.closed_on_public_holidays,
    cutoff: hhmm(calendar.cutoff),
    ship_lead_business_days: calendar.ship_lead_business_days,
  };
}

export function Calendar(props: ScreenProps) {
  useLang();
  const { shop } = props;
  const wanted = requestedYear(props.route.rest);
  const calendar = useDocument<CalendarYear>(shopPath(shop, "/calendar"), wanted ? { year: wanted } : undefined);
  const [sample, setSample] = useState<SampleShipDate | null>(null);
  const [pending, setPending] = useState<string | null>(null);
  const [focus, setFocus] = useState<string | null>(null);
  const rules = useAction();
  const canToggle = allowed("POST", DAYS_PATH);
  const canEditRules = allowed("PUT", RULES_PATH);

  const data = calendar.data;
  const days = useMemo(() => new Map<string, CalendarDay>((data?.days ?? []).map((day) => [day.date, day])), [data]);
  const holidays = useMemo(() => new Map<string, string>((data?.holidays ?? []).map((h) => [h.date, h.name])), [data]);

  if (!data) {
    return (
      <>
        <PageHeader title={t("nav.calendar")} />
        {calendar.error ? <ErrorBox error={calendar.error} /> : <Loading />}
      </>
    );
  }

  const year = data.year;
  const zone = data.timezone;
  const shown = sample ?? data.sample;
  const today = localDate(shown.ordered_at, zone);
  const view = (date: string) => dayView(date, days, holidays);
  const focusDate =
    focus && focus.startsWith(`${year}-`) ? focus : today.startsWith(`${year}-`) ? today : isoDay(year, 1, 1);
  const closedCount = data.days.filter((day) => !day.open).length;
  const daysInYear = (Date.UTC(year + 1, 0, 1) - Date.UTC(year, 0, 1)) / 86_400_000;

  const reload = async () => {
    await calendar.reload();
    setSample(null);
  };

  const setDay = async (date: string, open: boolean, withUndo: boolean) => {
    setPending(date);
    try {
      const state = await post<DayState>(shopPath(shop, "/calendar/days"), { date, open });
      setSample(state.sample);
      await reload();
      const text = t(state.open ? "calendar.opened_day" : "calendar.closed_day", {
        date: shortDate(date),
        ship: shortDate(state.sample.ship_date),
      });
      success(text, withUndo ? () => setDay(date, !open, false) : undefined);
    } finally {
      setPending(null);
    }
  };

  const toggle = (day: DayView) => {
    if (pending) return;
    void rules.run(() => setDay(day.date, !day.open, true));
  };

  const saveRules = (next: CalendarRules) => {
    const before = rulesOf(data);
    void rules.run(async () => {
      await put(shopPath(shop, "/calendar"), next);
      await reload();
      success(t("calendar.rules_saved"), async () => {
        await put(shopPath(shop, "/calendar"), before);
        await reload();
        success(t("calendar.rules_restored"));
      });
    });
  };

  const legend: { kind: DayKind | "today" | "ship" | "holiday-open"; label: string }[] = [
    { kind: "open", label: stateLabel("open") },
    { kind: "weekday", label: stateLabel("weekday") },
    { kind: "holiday", label: stateLabel("holiday") },
    { kind: "closed-date", label: stateLabel("closed-date") },
    { kind: "open-date", label: stateLabel("open-date") },
    { kind: "holiday-open", label: t("calendar.legend_holiday_open") },
    { kind: "today", label: t("calendar.today") },
    { kind: "ship", label: t("calendar.sample_ship_mark") },
  ];

  return (
    <>
      <PageHeader
        title={t("nav.calendar")}
        lead={t(canToggle ? "calendar.lead_edit" : "calendar.lead_read")}
      />

      <div class="cal-top">
        <section class="card cal-sample" aria-labelledby="cal-sample-title" aria-live="polite">
          <h2 id="cal-sample-title">{t("calendar.sample_title")}</h2>
          <p class="cal-sample-ship">
            <span class="cal-sample-label">{t("calendar.sample_ship")}</span>
            <time dateTime={shown.ship_date} data-testid="sample-ship-date">
              {longDate(shown.ship_date)}
            </time>
          </p>
          <ol class="cal-steps">
            <li>
              <span class="cal-step-label">{t("calendar.sample_ordered_at")}</span>
              <span>{formatDateTime(shown.ordered_at, zone)}</span>
            </li>
            <li>
              <span class="cal-step-label">{t("calendar.sample_order_day")}</span>
              <span>{shortDate(shown.order_day)}</span>
            </li>
            <li>
              <span class="cal-step-label">{t("calendar.sample_accept_day")}</span>
              <span>{shortDate(shown.accept_day)}</span>
            </li>
            <li>
              <span class="cal-step-label">{t("calendar.sample_ship_day")}</span>
              <span>{shortDate(shown.ship_date)}</span>
            </li>
          </ol>
          <p class="hint">
            {t("calendar.sample_hint", { cutoff: hhmm(data.cutoff), n: data.ship_lead_business_days })}
          </p>
        </section>

        <section class="card cal-rules-card" aria-labelledby="cal-rules-title">
          <h2 id="cal-rules-title">{t("calendar.rules_title")}</h2>
          {canEditRules ? (
            <RulesForm
              key={JSON.stringify(rulesOf(data))}
              rules={rulesOf(data)}
              busy={rules.busy}
              onSave={saveRules}
            />
          ) : (
            <RulesView rules={rulesOf(data)} />
          )}
        </section>
      </div>

      <section class="cal-year" aria-labelledby="cal-year-title">
        <div class="cal-toolbar">
          <div class="cal-switcher">
            {year > MIN_YEAR && (
              <a class="button" href={href(shop, "calendar", String(year - 1))} aria-label={t("calendar.previous_year", { year: year - 1 })}>
                <span aria-hidden="true">‹</span> {t("calendar.year", { year: year - 1 })}
              </a>
            )}
            <h2 id="cal-year-title" class="cal-year-title">
              {t("calendar.year", { year })}
            </h2>
            {year < MAX_YEAR && (
              <a class="button" href={href(shop, "calendar", String(year + 1))} aria-label={t("calendar.next_year", { year: year + 1 })}>
                {t("calendar.year", { year: year + 1 })} <span aria-hidden="true">›</span>
              </a>
            )}
          </div>
          <p class="cal-count muted small">
            {t("calendar.count", { open: daysInYear - closedCount, closed: closedCount })}
            {calendar.loading && <span class="cal-loading"> · {t("common.loading")}</span>}
          </p>
        </div>

        <ul class="cal-legend" aria-label={t("calendar.legend")}>
          {legend.map((item) => (
            <li key={item.kind}>
              <span class={`cal-swatch cal-swatch-${item.kind}`} aria-hidden="true" />
              {item.label}
            </li>
          ))}
        </ul>
        {canToggle && <p class="hint cal-keys">{t("calendar.keyboard_hint")}</p>}
        {calendar.error ? <ErrorBox error={calendar.error} /> : null}

        <div class="cal-months">
          {Array.from({ length: 12 }, (_, index) => (
            <MonthGrid
              key={`${year}-${index}`}
              year={year}
              month={index + 1}
              view={view}
              today={today}
              ship={shown.ship_date}
              onToggle={canToggle ? toggle : undefined}
              focusDate={focusDate}
              onFocusDate={setFocus}
              pending={pending}
            />
          ))}
        </div>
      </section>
    </>
  );
}
