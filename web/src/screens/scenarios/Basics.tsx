// The scenario's own settings (name, trigger, priority, repeat policy) and which orders it takes
// (conditions): editable for managers, a plain description for everyone else.
import { Field } from "../../components/ui";
import { TextField } from "../settings/form";
import { formatNumber, t } from "../../lib/i18n";
import {
  REPEAT_POLICIES,
  TRIGGERS,
  type ConditionsDraft,
  type Draft,
  type LocalProblem,
  type RepeatPolicy,
  type Trigger,
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

export function BasicsEditor(props: EditProps) {
  const { draft, problems } = props;
  const set = (patch: Partial<Draft>) => props.onChange({ ...draft, ...patch });
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
      <Field label={t("scenarios.trigger")} hint={t(`scenarios.trigger_hint_${draft.trigger}`)}>
        {(id, describedBy) => (
          <select
            id={id}
            value={draft.trigger}
            aria-describedby={describedBy}
            onChange={(e) => set({ trigger: e.currentTarget.value as Trigger })}
          >
            {TRIGGERS.map((trigger) => (
              <option key={trigger} value={trigger}>
                {t(`scenarios.trigger_${trigger}`)}
              </option>
            ))}
          </select>
        )}
      </Field>
      <div class="grid grid-2 basics-pair">
        <TextField
          label={t("scenarios.priority")}
          hint={t("scenarios.priority_hint")}
          error={problemOf(problems, "priority")}
          type="number"
          inputMode="numeric"
          value={draft.priority}
          onInput={(priority) => set({ priority })}
        />
        <Field label={t("scenarios.repeat_policy")} hint={t(`scenarios.repeat_hint_${draft.repeat_policy}`)}>
          {(id, describedBy) => (
            <select
              id={id}
              value={draft.repeat_policy}
              aria-describedby={describedBy}
              onChange={(e) => set({ repeat_policy: e.currentTarget.value as RepeatPolicy })}
            >
              {REPEAT_POLICIES.map((policy) => (
                <option key={policy} value={policy}>
                  {t(`scenarios.repeat_${policy}`)}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
    </section>
  );
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
        <TextField
          label={t("scenarios.cond_min_total")}
          error={problemOf(problems, "min_total")}
          type="number"
          inputMode="numeric"
          min={0}
          value={c.min_total}
          placeholder={t("scenarios.cond_any")}
          onInput={(min_total) => set({ min_total })}
        />
        <TextField
          label={t("scenarios.cond_min_order_count")}
          hint={t("scenarios.cond_min_order_count_hint")}
          error={problemOf(problems, "min_order_count")}
          type="number"
          inputMode="numeric"
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
          <dd>{t(`scenarios.trigger_${draft.trigger}`)}</dd>
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
