// The calendar's rules: closed weekdays, public holidays, the order cutoff and the ship lead time.
// A manager edits and saves them (PUT /calendar, with undo); others read them.
import { useState } from "preact/hooks";
import { ApplyNote } from "../../components/ApplyNote";
import { NumberField, TimeField } from "../../components/fields";
import { t } from "../../lib/i18n";
import { hhmm } from "./dates";
import type { CalendarRules, Weekday } from "./types";
import { WEEKDAYS } from "./types";

export function weekdayList(days: Weekday[]): string {
  const sorted = WEEKDAYS.filter((day) => days.includes(day));
  return sorted.length ? sorted.map((day) => t(`calendar.weekday_long_${day}`)).join(t("calendar.list_separator")) : t("calendar.no_closed_weekdays");
}

export function RulesView(props: { rules: CalendarRules }) {
  const { rules } = props;
  return (
    <>
      <dl class="cal-rules-view">
        <dt>{t("calendar.closed_weekdays")}</dt>
        <dd>{weekdayList(rules.closed_weekdays)}</dd>
        <dt>{t("calendar.public_holidays")}</dt>
        <dd>{rules.closed_on_public_holidays ? t("calendar.holidays_closed") : t("calendar.holidays_open")}</dd>
        <dt>{t("calendar.cutoff")}</dt>
        <dd>{hhmm(rules.cutoff)}</dd>
        <dt>{t("calendar.lead_days")}</dt>
        <dd>{t("calendar.lead_days_value", { n: rules.ship_lead_business_days })}</dd>
      </dl>
      <p class="hint cal-rules-note">{t("calendar.rules_read_only")}</p>
    </>
  );
}

export function RulesForm(props: { rules: CalendarRules; busy: boolean; onSave: (rules: CalendarRules) => void }) {
  const [closed, setClosed] = useState<Weekday[]>(props.rules.closed_weekdays);
  const [holidays, setHolidays] = useState(props.rules.closed_on_public_holidays);
  const [cutoff, setCutoff] = useState(hhmm(props.rules.cutoff));
  const [lead, setLead] = useState(String(props.rules.ship_lead_business_days));
  const leadNumber = Number(lead);
  const leadError =
    lead === "" || !Number.isInteger(leadNumber) || leadNumber < 0 || leadNumber > 60 ? t("calendar.lead_days_error") : undefined;
  const cutoffError = /^([01]\d|2[0-3]):[0-5]\d$/.test(cutoff) ? undefined : t("calendar.cutoff_error");
  const allClosed = closed.length === 7;

  return (
    <form
      class="cal-rules"
      onSubmit={(event) => {
        event.preventDefault();
        if (leadError || cutoffError || allClosed) return;
        props.onSave({
          closed_weekdays: WEEKDAYS.filter((day) => closed.includes(day)),
          closed_on_public_holidays: holidays,
          cutoff,
          ship_lead_business_days: leadNumber,
        });
      }}
    >
      <fieldset class="cal-weekdays">
        <legend>{t("calendar.closed_weekdays")}</legend>
        <div class="cal-weekday-checks">
          {WEEKDAYS.map((day) => (
            <label key={day} class={`check cal-weekday-check cal-wd-${day}`}>
              <input
                type="checkbox"
                checked={closed.includes(day)}
                onChange={(event) =>
                  setClosed(event.currentTarget.checked ? [...closed, day] : closed.filter((d) => d !== day))
                }
              />
              <span aria-hidden="true">{t(`calendar.weekday_${day}`)}</span>
              <span class="visually-hidden">{t(`calendar.weekday_long_${day}`)}</span>
            </label>
          ))}
        </div>
        {allClosed && <p class="field-error">{t("calendar.all_closed_error")}</p>}
      </fieldset>
      <label class="check cal-holiday-check">
        <input type="checkbox" checked={holidays} onChange={(event) => setHolidays(event.currentTarget.checked)} />
        {t("calendar.closed_on_holidays")}
      </label>
      <div class="cal-rules-row">
        <TimeField
          label={t("calendar.cutoff")}
          hint={t("calendar.cutoff_hint")}
          error={cutoffError}
          placeholder="12:00"
          required
          value={cutoff}
          onInput={setCutoff}
        />
        <NumberField
          label={t("calendar.lead_days")}
          hint={t("calendar.lead_days_hint")}
          error={leadError}
          min={0}
          max={60}
          required
          value={lead}
          onInput={setLead}
        />
      </div>
      <div class="row">
        <button type="submit" class="button button-primary" disabled={props.busy}>
          {t("calendar.save_rules")}
        </button>
        <ApplyNote />
      </div>
    </form>
  );
}
