// The scenario's steps: each with the live lint's findings next to it; editable (add, move, remove,
// change: a step's template follows the step) or read only.
import { ErrorBox } from "../../components/ui";
import { t } from "../../lib/i18n";
import { defaultTemplate, followStep } from "./defaultTemplate";
import { LintStatus } from "./editorBars";
import {
  MAX_STEPS,
  newStep,
  templatesOf,
  type Draft,
  type Finding,
  type LocalProblem,
  type ShopSettings,
  type StepDraft,
  type TemplateSummary,
} from "./model";
import { Findings } from "./parts";
import { StepEditor, StepView } from "./StepEditor";

export function StepsCard(props: {
  draft: Draft;
  editable: boolean;
  shop: ShopSettings | null;
  templates: TemplateSummary[];
  findings: Finding[];
  /** findings about no step on screen */
  general: Finding[];
  problems: LocalProblem[];
  lint: { checking: boolean; error: unknown };
  errors: number;
  warnings: number;
  blocked: boolean;
  onChange: (draft: Draft) => void;
}) {
  const { draft, onChange } = props;
  const updateStep = (index: number, next: StepDraft) => {
    const used = draft.steps.filter((_, i) => i !== index).flatMap(templatesOf);
    const others = { previous: draft.steps[index - 1]?.template, used };
    const followed = followStep(next, draft.steps[index], props.templates, draft.trigger, others);
    onChange({ ...draft, steps: draft.steps.map((step, i) => (i === index ? followed : step)) });
  };
  const moveStep = (index: number, by: -1 | 1) => {
    const steps = [...draft.steps];
    const [moved] = steps.splice(index, 1);
    steps.splice(index + by, 0, moved);
    onChange({ ...draft, steps });
  };
  const removeStep = (index: number) => onChange({ ...draft, steps: draft.steps.filter((_, i) => i !== index) });
  const addStep = () => {
    const last = draft.steps[draft.steps.length - 1];
    let n = draft.steps.length + 1;
    while (draft.steps.some((step) => step.id === `step${n}`)) n += 1;
    const step = newStep(n, "", last);
    const others = { previous: last?.template, used: draft.steps.flatMap(templatesOf) };
    step.template = defaultTemplate(props.templates, step, draft.trigger, others);
    onChange({ ...draft, steps: [...draft.steps, step] });
  };

  return (
    <section class="card" aria-labelledby="steps-heading">
      <div class="card-head">
        <h2 id="steps-heading">{t("scenarios.steps_title", { n: draft.steps.length, max: MAX_STEPS })}</h2>
        <LintStatus checking={props.lint.checking} errors={props.errors} warnings={props.warnings} blocked={props.blocked} />
      </div>
      {props.lint.error !== null && <ErrorBox error={props.lint.error} />}
      <Findings findings={props.general} />
      <div class="steps">
        {draft.steps.map((step, index) => {
          const mine = props.findings.filter((finding: Finding) => finding.step === step.id);
          return props.editable ? (
            <StepEditor
              key={step.key}
              index={index}
              count={draft.steps.length}
              step={step}
              trigger={draft.trigger}
              shop={props.shop}
              templates={props.templates}
              findings={mine}
              problems={props.problems.filter((problem) => problem.step === step.key)}
              onChange={(next) => updateStep(index, next)}
              onMove={(by) => moveStep(index, by)}
              onRemove={() => removeStep(index)}
            />
          ) : (
            <StepView key={step.key} index={index} step={step} trigger={draft.trigger} shop={props.shop} templates={props.templates} findings={mine} />
          );
        })}
      </div>
      {props.editable && (
        <div class="row">
          <button type="button" class="button" disabled={draft.steps.length >= MAX_STEPS} onClick={addStep}>
            ＋ {t("scenarios.add_step")}
          </button>
          {draft.steps.length >= MAX_STEPS && <span class="muted small">{t("scenarios.max_steps", { n: MAX_STEPS })}</span>}
        </div>
      )}
    </section>
  );
}
