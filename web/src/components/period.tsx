// The period a screen of figures covers (the dashboard, the results): the last N days, N from a
// short list, kept in the address (?days=N; the default leaves it out) so a period is a plain link.
// The controls: the period's select, "refresh", and whatever else the screen adds (an export).
import type { ComponentChildren } from "preact";
import { t } from "../lib/i18n";
import { href, navigate } from "../lib/router";
import { Field } from "./ui";

export interface Periods {
  /** The screen's route name (its address is href(shop, screen)). */
  screen: string;
  choices: readonly number[];
  fallback: number;
}

/** The period the address asks for, when it is one of the choices; else the default. */
export function periodOf(query: URLSearchParams, periods: Periods): number {
  const wanted = Number(query.get("days"));
  return periods.choices.includes(wanted) ? wanted : periods.fallback;
}

/** "集計期間：2026/11/03 〜 2026/12/02" from the API's day_from and day_to (YYYY-MM-DD). */
export function periodText(from: string, to: string): string {
  return t("common.period", { from: from.replaceAll("-", "/"), to: to.replaceAll("-", "/") });
}

export function PeriodControls(props: {
  shop: string;
  periods: Periods;
  days: number;
  loading: boolean;
  onRefresh: () => void;
  children?: ComponentChildren;
}) {
  const { shop, periods } = props;
  const base = href(shop, periods.screen);
  return (
    <div class="period-controls">
      <Field label={t("common.period_label")}>
        {(id) => (
          <select
            id={id}
            value={String(props.days)}
            onChange={(e) => {
              const next = Number(e.currentTarget.value);
              navigate(next === periods.fallback ? base : `${base}?days=${next}`);
            }}
          >
            {periods.choices.map((n) => (
              <option key={n} value={String(n)}>
                {t("common.last_days", { n })}
              </option>
            ))}
          </select>
        )}
      </Field>
      <button type="button" class="button" disabled={props.loading} onClick={props.onRefresh}>
        {t("common.refresh")}
      </button>
      {props.children}
    </div>
  );
}
