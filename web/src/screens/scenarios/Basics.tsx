// The scenario's own settings (name, trigger, priority, repeat policy), how its results are measured
// (holdout, repeat window) and which orders it takes (conditions): editable for managers, a plain
// description for everyone else.
import { Field } from "../../components/ui";
import { NumberField, SelectField } from "../../components/fields";
import { formatNumber, t } from "../../lib/i18n";
import { href } from "../../lib/router";
import {
  HOLDOUT_SCOPES,
  MAX_HOLDOUT_PERCENT,
  MAX_LAPSED_DAYS,
  MIN_LAPSED_DAYS,
  REPEAT_POLICIES,
  STOP_ON_REORDER,
  TRIGGERS,
  type ConditionsDraft,
  type Draft,
  type LocalProblem,
  type Tristate,
} from "./model";

interface EditProps {
  draft: Draft;
  creating: boolean;
  problems: LocalProblem[];
  onChange: (next: Draft) => void;
}

function problemOf(problems: LocalProblem[], field: string): string | undefined {
  const found = problems.find((problem) => problem.step === null && problem.field === field);
  return found ? t(found.key) : undefined;
}

/**
 * A setting chosen from a list: its options are `scenarios.<words>_<value>`, the chosen one's hint
 * `scenarios.<words>_hint_<value>`.
 */
function Choice<K extends "trigger" | "repeat_policy" | "holdout_scope" | "stop_on_reorder">(props: {
  draft: Draft;
  name: K;
  label: string;
  options: readonly Draft[K][];
  words: string;
  /** What the hint's {placeholders} read. */
  params?: Record<string, string | number>;
  onChange: (next: Draft) => void;
}) {
  const { draft, name, words } = props;
  return (
    <SelectField
      label={props.label}
      hint={t(`scenarios.${words}_hint_${draft[name]}`, props.params)}
      value={draft[name]}
      options={props.options}
      optionLabel={(value) => t(`scenarios.${words}_${value}`)}
      onChange={(value) => props.onChange({ ...draft, [name]: value })}
    />
  );
}

export function BasicsEditor(props: EditProps) {
  const { draft, problems } = props;
  const set = (patch: Partial<Draft>) => props.onChange({ ...draft, ...patch });
  const choice = <K extends "trigger" | "repeat_policy" | "stop_on_reorder">(name: K, label: string, options: readonly Draft[K][], words: string) => (
    <Choice
      draft={draft}
      name={name}
      label={label}
      options={options}
      words={words}
      params={{ n: draft.lapsed_days.trim() || "N" }}
      onChange={props.onChange}
    />
  );
  return (
    <section class="card" aria-labelledby="basics-title">
      <h2 id="basics-title">{t("scenarios.basics")}</h2>
      <Field label={t("scenarios.name")} error={problemOf(problems, "name")}>
        {(id, describedBy) => (
          <input
            id={id}
            value={draft.name}
            maxLength={200}
            aria-describedby={describedBy}
            onInput={(e) => set({ name: e.currentTarget.value })}
          />
        )}
      </Field>
      {props.creating && (
        <Field label={t("scenarios.id")} hint={t("scenarios.id_hint")} error={problemOf(problems, "id")}>
          {(id, describedBy) => (
            <input
              id={id}
              class="mono"
              value={draft.id}
              maxLength={40}
              autoComplete="off"
              spellcheck={false}
              aria-describedby={describedBy}
              onInput={(e) => set({ id: e.currentTarget.value })}
            />
          )}
        </Field>
      )}
      {draft.trigger === "lapsed" ? (
        <div class="grid grid-2 basics-pair">
          {choice("trigger", t("scenarios.trigger"), TRIGGERS, "trigger")}
          <NumberField
            label={t("scenarios.lapsed_days")}
            autoComplete="off"
            hint={t("scenarios.lapsed_days_hint", { min: MIN_LAPSED_DAYS, max: MAX_LAPSED_DAYS })}
            error={problemOf(problems, "lapsed_days")}
            min={MIN_LAPSED_DAYS}
            max={MAX_LAPSED_DAYS}
            value={draft.lapsed_days}
            onInput={(lapsed_days) => set({ lapsed_days })}
          />
        </div>
      ) : (
        choice("trigger", t("scenarios.trigger"), TRIGGERS, "trigger")
      )}
      <div class="grid grid-2 basics-pair">
        <NumberField
          label={t("scenarios.priority")}
          autoComplete="off"
          hint={t("scenarios.priority_hint")}
          error={problemOf(problems, "priority")}
          value={draft.priority}
          onInput={(priority) => set({ priority })}
        />
        {choice("repeat_policy", t("scenarios.repeat_policy"), REPEAT_POLICIES, "repeat")}
      </div>
      {choice("stop_on_reorder", t("scenarios.stop_on_reorder"), STOP_ON_REORDER, "stop_on_reorder")}
    </section>
  );
}

/** How the scenario's results are measured (issue #15): the held-out share and the repeat window. */
export function MeasureEditor(props: EditProps & { shop: string }) {
  const { draft, problems } = props;
  const set = (patch: Partial<Draft>) => props.onChange({ ...draft, ...patch });
  return (
    <section class="card" aria-labelledby="measure-title">
      <h2 id="measure-title">{t("scenarios.measure")}</h2>
      <p class="muted small">
        {t("scenarios.measure_lead")} <a href={href(props.shop, "results")}>{t("scenarios.measure_results_link")}</a>
      </p>
      <div class="grid grid-3 measure-grid">
        <NumberField
          label={t("scenarios.holdout_percent")}
          autoComplete="off"
          hint={t("scenarios.holdout_percent_hint", { max: MAX_HOLDOUT_PERCENT })}
          error={problemOf(problems, "holdout_percent")}
          min={0}
          max={MAX_HOLDOUT_PERCENT}
          value={draft.holdout_percent}
          onInput={(holdout_percent) => set({ holdout_percent })}
        />
        <Choice
          draft={draft}
          name="holdout_scope"
          label={t("scenarios.holdout_scope")}
          options={HOLDOUT_SCOPES}
          words="holdout_scope"
          onChange={props.onChange}
        />
        <NumberField
          label={t("scenarios.repeat_days")}
          autoComplete="off"
          hint={t("scenarios.repeat_days_hint")}
          error={problemOf(problems, "repeat_days")}
          min={1}
          max={365}
          value={draft.repeat_days}
          onInput={(repeat_days) => set({ repeat_days })}
        />
      </div>
    </section>
  );
}

/** The holdout in words: "10%（広告のメールだけ送らない）", or none. */
export function holdoutText(draft: Pick<Draft, "holdout_percent" | "holdout_scope">): string {
  return Number(draft.holdout_percent) > 0
    ? t(`scenarios.holdout_text_${draft.holdout_scope}`, { n: draft.holdout_percent })
    : t("scenarios.holdout_none");
}

const LIST_FIELDS = ["sources", "skus", "payment_methods", "prefectures"] as const;

export function ConditionsEditor(props: EditProps) {
  const { draft, problems } = props;
  const c = draft.conditions;
  const set = (patch: Partial<ConditionsDraft>) => props.onChange({ ...draft, conditions: { ...c, ...patch } });
  const tristate = (field: "first_order" | "gift") => (
    <Field label={t(`scenarios.cond_${field}`)}>
      {(id) => (
        <select id={id} value={c[field]} onChange={(e) => set({ [field]: e.currentTarget.value as Tristate })}>
          <option value="">{t("scenarios.cond_any")}</option>
          <option value="true">{t(`scenarios.cond_${field}_true`)}</option>
          <option value="false">{t(`scenarios.cond_${field}_false`)}</option>
        </select>
      )}
    </Field>
  );
  return (
    <section class="card" aria-labelledby="conditions-title">
      <h2 id="conditions-title">{t("scenarios.conditions")}</h2>
      <p class="muted small">{t("scenarios.conditions_lead")}</p>
      <div class="grid grid-2 conditions-grid">
        {LIST_FIELDS.map((field) => (
          <Field key={field} label={t(`scenarios.cond_${field}`)} hint={t(`scenarios.cond_${field}_hint`)}>
            {(id, describedBy) => (
              <input
                id={id}
                value={c[field]}
                aria-describedby={describedBy}
                placeholder={t("scenarios.cond_any")}
                onInput={(e) => set({ [field]: e.currentTarget.value })}
              />
            )}
          </Field>
        ))}
        {tristate("first_order")}
        {tristate("gift")}
        <NumberField
          label={t("scenarios.cond_min_total")}
          autoComplete="off"
          error={problemOf(problems, "min_total")}
          min={0}
          value={c.min_total}
          placeholder={t("scenarios.cond_any")}
          onInput={(min_total) => set({ min_total })}
        />
        <NumberField
          label={t("scenarios.cond_min_order_count")}
          autoComplete="off"
          hint={t("scenarios.cond_min_order_count_hint")}
          error={problemOf(problems, "min_order_count")}
          min={1}
          value={c.min_order_count}
          placeholder={t("scenarios.cond_any")}
          onInput={(min_order_count) => set({ min_order_count })}
        />
      </div>
    </section>
  );
}

/** Conditions in words: only the ones given; "すべての注文" when none. */
export function conditionLines(c: ConditionsDraft): string[] {
  const lines: string[] = [];
  for (const field of LIST_FIELDS) {
    if (c[field].trim()) lines.push(`${t(`scenarios.cond_${field}`)}: ${c[field]}`);
  }
  if (c.first_order) lines.push(t(`scenarios.cond_first_order_${c.first_order}`));
  if (c.gift) lines.push(t(`scenarios.cond_gift_${c.gift}`));
  if (c.min_total.trim()) lines.push(t("scenarios.cond_min_total_text", { n: formatNumber(Number(c.min_total)) }));
  if (c.min_order_count.trim()) lines.push(t("scenarios.cond_min_order_count_text", { n: c.min_order_count }));
  return lines;
}

export function BasicsView(props: { draft: Draft }) {
  const { draft } = props;
  const lines = conditionLines(draft.conditions);
  return (
    <section class="card" aria-labelledby="basics-title">
      <h2 id="basics-title">{t("scenarios.basics")}</h2>
      <dl class="facts">
        <div>
          <dt>{t("scenarios.trigger")}</dt>
          <dd>
            {draft.trigger === "lapsed" ? t("scenarios.trigger_lapsed_text", { n: draft.lapsed_days }) : t(`scenarios.trigger_${draft.trigger}`)}
            {draft.trigger === "lapsed" && (
              <span class="muted small block">{t("scenarios.trigger_hint_lapsed", { n: draft.lapsed_days })}</span>
            )}
          </dd>
        </div>
        <div>
          <dt>{t("scenarios.priority")}</dt>
          <dd>{draft.priority}</dd>
        </div>
        <div>
          <dt>{t("scenarios.repeat_policy")}</dt>
          <dd>
            {t(`scenarios.repeat_${draft.repeat_policy}`)}
            <span class="muted small block">{t(`scenarios.repeat_hint_${draft.repeat_policy}`)}</span>
          </dd>
        </div>
        <div>
          <dt>{t("scenarios.stop_on_reorder")}</dt>
          <dd>
            {t(`scenarios.stop_on_reorder_${draft.stop_on_reorder}`)}
            <span class="muted small block">{t(`scenarios.stop_on_reorder_hint_${draft.stop_on_reorder}`)}</span>
          </dd>
        </div>
        <div>
          <dt>{t("scenarios.holdout_percent")}</dt>
          <dd>{holdoutText(draft)}</dd>
        </div>
        <div>
          <dt>{t("scenarios.repeat_days")}</dt>
          <dd>{t("scenarios.repeat_days_text", { n: draft.repeat_days })}</dd>
        </div>
        <div>
          <dt>{t("scenarios.conditions")}</dt>
          <dd>
            {lines.length === 0 ? (
              t("scenarios.cond_all_orders")
            ) : (
              <ul class="plain-list">
                {lines.map((line) => (
                  <li key={line}>{line}</li>
                ))}
              </ul>
            )}
          </dd>
        </div>
      </dl>
    </section>
  );
}
