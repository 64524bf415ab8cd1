// One month as a wall calendar (Sunday first). A manager's days are toggle buttons
// (aria-pressed = closed) with one tab stop for the whole year: the arrow keys move between days.
import type { JSX } from "preact";
import { t } from "../../lib/i18n";
import { addDays, dayOfMonth, daysInMonth, isoDay, longDate, monthName, weekdayIndex } from "./dates";
import type { CalendarDay } from "./types";
import { COLUMNS } from "./types";

export type DayKind = "open" | "open-date" | "weekday" | "holiday" | "closed-date";

export interface DayView {
  date: string;
  open: boolean;
  kind: DayKind;
  holiday: string | null;
}

/** What a date is: the API lists only closed days and open overrides; every other day is open. */
export function dayView(date: string, days: Map<string, CalendarDay>, holidays: Map<string, string>): DayView {
  const entry = days.get(date);
  const holiday = entry?.holiday ?? holidays.get(date) ?? null;
  if (!entry) return { date, open: true, kind: "open", holiday };
  if (entry.open) return { date, open: true, kind: "open-date", holiday };
  const kind: DayKind = entry.reasons.includes("closed_date")
    ? "closed-date"
    : entry.reasons.includes("holiday")
      ? "holiday"
      : "weekday";
  return { date, open: false, kind, holiday };
}

export function stateLabel(kind: DayKind): string {
  return t(`calendar.state_${kind.replace("-", "_")}`);
}

export function dayLabel(view: DayView, marks: { today: boolean; ship: boolean }): string {
  const parts = [longDate(view.date), stateLabel(view.kind)];
  if (view.holiday) parts.push(view.holiday);
  if (marks.today) parts.push(t("calendar.today"));
  if (marks.ship) parts.push(t("calendar.sample_ship_mark"));
  return parts.join(t("calendar.separator"));
}

export interface MonthProps {
  year: number;
  month: number; // 1…12
  view: (date: string) => DayView;
  today: string;
  ship: string;
  /** Present when the user may open and close days. */
  onToggle?: (day: DayView) => void;
  focusDate: string;
  onFocusDate: (date: string) => void;
  pending: string | null;
}

const KEY_STEPS: Record<string, number> = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -7, ArrowDown: 7 };

export function MonthGrid(props: MonthProps) {
  const { year, month } = props;
  const first = isoDay(year, month, 1);
  const count = daysInMonth(year, month);
  const cells: (string | null)[] = Array.from({ length: weekdayIndex(first) }, () => null);
  for (let day = 1; day <= count; day++) cells.push(isoDay(year, month, day));
  while (cells.length % 7) cells.push(null);
  const weeks: (string | null)[][] = [];
  for (let i = 0; i < cells.length; i += 7) weeks.push(cells.slice(i, i + 7));
  const headingId = `cal-m-${year}-${month}`;

  const notes = cells
    .filter((date): date is string => date !== null)
    .map((date) => props.view(date))
    .filter((day) => day.holiday || day.kind === "closed-date" || day.kind === "open-date");

  const onKey = (event: JSX.TargetedKeyboardEvent<HTMLButtonElement>, date: string) => {
    const step = KEY_STEPS[event.key];
    if (step === undefined) return;
    const next = addDays(date, step);
    const target = document.querySelector<HTMLButtonElement>(`button[data-date="${next}"]`);
    if (!target) return;
    event.preventDefault();
    props.onFocusDate(next);
    target.focus();
  };

  return (
    <section class="cal-month" aria-labelledby={headingId}>
      <h3 id={headingId}>{monthName(year, month)}</h3>
      <table class="cal-table">
        <thead>
          <tr>
            {COLUMNS.map((weekday) => (
              <th key={weekday} scope="col" class={`cal-wd cal-wd-${weekday}`} abbr={t(`calendar.weekday_long_${weekday}`)}>
                {t(`calendar.weekday_${weekday}`)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {weeks.map((week, w) => (
            <tr key={w}>
              {week.map((date, c) => {
                if (!date) return <td key={c} />;
                const day = props.view(date);
                const marks = { today: date === props.today, ship: date === props.ship };
                const label = dayLabel(day, marks);
                const classes = [
                  "cal-day",
                  `cal-${day.kind}`,
                  day.holiday ? "cal-is-holiday" : "",
                  marks.today ? "cal-is-today" : "",
                  marks.ship ? "cal-is-ship" : "",
                  COLUMNS[c] === "sun" ? "cal-is-sun" : COLUMNS[c] === "sat" ? "cal-is-sat" : "",
                ]
                  .filter(Boolean)
                  .join(" ");
                const number = Number(date.slice(8, 10));
                return (
                  <td key={date}>
                    {props.onToggle ? (
                      <button
                        type="button"
                        class={classes}
                        data-date={date}
                        aria-pressed={!day.open}
                        aria-label={label}
                        aria-busy={props.pending === date}
                        title={label}
                        tabIndex={date === props.focusDate ? 0 : -1}
                        onClick={() => {
                          props.onFocusDate(date);
                          props.onToggle?.(day);
                        }}
                        onKeyDown={(event) => onKey(event, date)}
                      >
                        {number}
                      </button>
                    ) : (
                      <span class={classes} title={label}>
                        <span aria-hidden="true">{number}</span>
                        <span class="visually-hidden">{label}</span>
                      </span>
                    )}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
      {notes.length > 0 && (
        <ul class="cal-notes">
          {notes.map((day) => (
            <li key={day.date} class={`cal-note cal-note-${day.kind}${day.holiday ? " cal-note-holiday" : ""}`}>
              <span class="cal-note-date">{dayOfMonth(day.date)}</span>{" "}
              <span class="cal-note-text">
                {[
                day.holiday,
                day.kind === "closed-date" || day.kind === "open-date" ? stateLabel(day.kind) : null,
              ]
                  .filter(Boolean)
                  .join(t("calendar.separator"))}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
