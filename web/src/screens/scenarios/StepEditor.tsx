// One step of the scenario: its timing, template (or A/B variants) and purposes, with the lint's
// findings for it right underneath. Editable for managers; a plain description for everyone else.
import { Field } from "../../components/ui";
import { InputField, NumberField } from "../../components/fields";
import { t } from "../../lib/i18n";
import { whenText } from "./Timeline";
import {
  afterQuietHours,
  clock,
  PURPOSES,
  startVariants,
  type Finding,
  type LocalProblem,
  type Purpose,
  type ShopSettings,
  type StepDraft,
  type TemplateSummary,
  type Trigger,
} from "./model";
import { Findings, TemplateSelect, templateLabel } from "./parts";
import { splitFindings, VariantsEditor, VariantsView } from "./Variants";

function hourOptionLabel(hour: number, quiet: ShopSettings["quiet_hours"]): string {
  const moved = afterQuietHours(0, hour, quiet);
  return moved ? t("scenarios.hour_option_quiet", { time: clock(hour * 60) }) : clock(hour * 60);
}

interface StepProps {
  index: number;
  count: number;
  step: StepDraft;
  trigger: Trigger;
  shop: ShopSettings | null;
  templates: TemplateSummary[];
  findings: Finding[];
  problems: LocalProblem[];
  onChange: (next: StepDraft) => void;
  onMove: (by: -1 | 1) => void;
  onRemove: () => void;
}

export function StepEditor(props: StepProps) {
  const { step, index, trigger, shop, templates, findings, problems } = props;
  const quiet = shop?.quiet_hours ?? null;
  const problem = (field: string) => {
    const found = problems.find((item) => item.field === field && item.variant === undefined);
    return found ? t(found.key) : undefined;
  };
  const split = splitFindings(findings, step.variants);
  const set = (patch: Partial<StepDraft>) => props.onChange({ ...step, ...patch });
  const togglePurpose = (purpose: Purpose, on: boolean) =>
    set({ purposes: on ? [...step.purposes, purpose] : step.purposes.filter((item) => item !== purpose) });
  const hour = Number(step.hour);
  const moved = !step.immediate && step.hour !== "" ? afterQuietHours(Number(step.offset_days) || 0, hour, quiet) : null;
  const errors = findings.filter((finding) => finding.severity === "error").length;
  const findingsId = `step-${step.key}-findings`;
  return (
    <fieldset
      class={`step-card${errors ? " step-card-error" : findings.length ? " step-card-warning" : ""}`}
      aria-describedby={findings.length ? findingsId : undefined}
    >
      <legend>
        <span class="step-number" aria-hidden="true">
          {index + 1}
        </span>
        {t("scenarios.step_legend", { n: index + 1 })}
        <span class="visually-hidden">: {step.id}</span>
      </legend>
      <div class="step-grid">
        <InputField
          label={t("scenarios.step_id")}
          hint={t("scenarios.step_id_hint")}
          error={problem("id")}
          class="mono"
          value={step.id}
          maxLength={40}
          autoComplete="off"
          spellcheck={false}
          onInput={(id) => set({ id })}
        />
        <div class="step-template">
          {!step.variants && (
            <TemplateSelect
              label={t("scenarios.step_template")}
              value={step.template}
              templates={templates}
              error={problem("template")}
              onChange={(template) => set({ template })}
            />
          )}
          <label class="check">
            <input
              type="checkbox"
              checked={step.variants !== null}
              onChange={(e) =>
                set(
                  e.currentTarget.checked
                    ? { variants: startVariants(step, templates), templateChosen: true }
                    : { variants: null, template: step.variants?.[0]?.template ?? step.template },
                )
              }
            />
            {t("scenarios.ab_test")}
          </label>
        </div>
        <div class="step-timing">
          {/* "as soon as the order is taken" means nothing to a win-back, which no order starts */}
          {(trigger !== "lapsed" || step.immediate) && (
            <label class="check">
              <input type="checkbox" checked={step.immediate} onChange={(e) => set({ immediate: e.currentTarget.checked })} />
              {t("scenarios.step_immediate")}
            </label>
          )}
          {!step.immediate && (
            <div class="step-when">
              <NumberField
                label={t(`scenarios.step_days_${trigger}`)}
                error={problem("offset_days")}
                min={0}
                max={365}
                class="input-days"
                value={step.offset_days}
                onInput={(offset_days) => set({ offset_days })}
              />
              <Field label={t("scenarios.step_hour")} error={problem("hour")}>
                {(id, describedBy) => (
                  <select id={id} value={step.hour} aria-describedby={describedBy} onChange={(e) => set({ hour: e.currentTarget.value })}>
                    {step.hour === "" && <option value="">—</option>}
                    {Array.from({ length: 24 }, (_, h) => (
                      <option key={h} value={String(h)}>
                        {hourOptionLabel(h, quiet)}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
            </div>
          )}
          <label class="check">
            <input
              type="checkbox"
              checked={step.business_days_only}
              onChange={(e) => set({ business_days_only: e.currentTarget.checked })}
            />
            {t("scenarios.step_business_days_only")}
          </label>
          {moved && (
            <p class="hint">
              {t(moved.day > (Number(step.offset_days) || 0) ? "scenarios.moved_hint_next_day" : "scenarios.moved_hint", {
                time: clock(moved.minutes),
              })}
            </p>
          )}
        </div>
        <fieldset class="purposes">
          <legend>{t("scenarios.step_purposes")}</legend>
          <div class="purpose-list">
            {PURPOSES.map((purpose) => (
              <label key={purpose} class="check">
                <input
                  type="checkbox"
                  checked={step.purposes.includes(purpose)}
                  onChange={(e) => togglePurpose(purpose, e.currentTarget.checked)}
                />
                {t(`scenarios.purpose_${purpose}`)}
              </label>
            ))}
          </div>
          {problem("purposes") && <p class="field-error">{problem("purposes")}</p>}
        </fieldset>
      </div>
      {step.variants && (
        <VariantsEditor
          step={index + 1}
          variants={step.variants}
          templates={templates}
          findingsOf={split.of}
          problems={problems}
          onChange={(variants) => set({ variants })}
        />
      )}
      <Findings findings={split.own} id={findingsId} />
      <div class="step-actions">
        <button
          type="button"
          class="button button-small"
          disabled={index === 0}
          aria-label={t("scenarios.move_up_label", { n: index + 1 })}
          onClick={() => props.onMove(-1)}
        >
          ↑ {t("scenarios.move_up")}
        </button>
        <button
          type="button"
          class="button button-small"
          disabled={index === props.count - 1}
          aria-label={t("scenarios.move_down_label", { n: index + 1 })}
          onClick={() => props.onMove(1)}
        >
          ↓ {t("scenarios.move_down")}
        </button>
        <span class="spacer" />
        <button
          type="button"
          class="button button-small button-quiet step-remove"
          disabled={props.count === 1}
          aria-label={t("scenarios.remove_step_label", { n: index + 1 })}
          onClick={props.onRemove}
        >
          {t("scenarios.remove_step")}
        </button>
      </div>
    </fieldset>
  );
}

/** The same step for someone who may only look. */
export function StepView(props: {
  index: number;
  step: StepDraft;
  trigger: Trigger;
  shop: ShopSettings | null;
  templates: TemplateSummary[];
  findings: Finding[];
}) {
  const { step, index, trigger, shop, templates, findings } = props;
  const quiet = shop?.quiet_hours ?? null;
  const day = Number(step.offset_days) || 0;
  const hour = Number(step.hour) || 0;
  const moved = step.immediate ? null : afterQuietHours(day, hour, quiet);
  const labelId = `step-${step.key}-label`;
  const split = splitFindings(findings, step.variants);
  return (
    <section
      class={`step-card${findings.some((f) => f.severity === "error") ? " step-card-error" : findings.length ? " step-card-warning" : ""}`}
      aria-labelledby={labelId}
    >
      <h3 class="step-title" id={labelId}>
        <span class="step-number" aria-hidden="true">
          {index + 1}
        </span>
        {t("scenarios.step_legend", { n: index + 1 })}
        <span class="mono step-id">{step.id}</span>
      </h3>
      <dl class="step-facts">
        <div>
          <dt>{t("scenarios.step_when")}</dt>
          <dd>
            {step.immediate
              ? t("scenarios.immediate_text")
              : whenText(trigger, day, hour)}
            {moved && (
              <span class="muted small">
                {" "}
                {t(moved.day > day ? "scenarios.summary_moved_next_day" : "scenarios.summary_moved", { time: clock(moved.minutes) })}
              </span>
            )}
            {step.business_days_only && <span class="muted small">{t("scenarios.summary_business_days")}</span>}
          </dd>
        </div>
        <div>
          <dt>{t(step.variants ? "scenarios.variants" : "scenarios.step_template")}</dt>
          <dd>
            {step.variants ? (
              <VariantsView variants={step.variants} templates={templates} findingsOf={split.of} />
            ) : (
              templateLabel(step.template, templates)
            )}
          </dd>
        </div>
        <div>
          <dt>{t("scenarios.step_purposes")}</dt>
          <dd>{step.purposes.map((purpose) => t(`scenarios.purpose_${purpose}`)).join(t("scenarios.list_separator"))}</dd>
        </div>
      </dl>
      <Findings findings={split.own} />
    </section>
  );
}
