// A step's A/B variants (issue #15): 2 to 4 wordings, each a template and a weight (its share of
// the step's mails), with the lint's findings about each right underneath. Editable, or read only.
import { InputField, NumberField } from "../../components/fields";
import { t } from "../../lib/i18n";
import {
  MAX_VARIANTS,
  MAX_WEIGHT,
  MIN_VARIANTS,
  nextVariant,
  sharesOf,
  type Finding,
  type LocalProblem,
  type TemplateSummary,
  type VariantDraft,
} from "./model";
import { Findings, TemplateSelect, templateLabel } from "./parts";

/** The findings about a variant of the step (by id); the rest are the step's own. */
export function splitFindings(findings: Finding[], variants: VariantDraft[] | null): { own: Finding[]; of: (id: string) => Finding[] } {
  const ids = new Set((variants ?? []).map((variant) => variant.id));
  return {
    own: findings.filter((finding) => !finding.variant || !ids.has(finding.variant)),
    of: (id) => findings.filter((finding) => finding.variant === id),
  };
}

function severityClass(findings: Finding[]): string {
  if (findings.some((finding) => finding.severity === "error")) return " variant-error";
  return findings.length ? " variant-warning" : "";
}

export function VariantsEditor(props: {
  /** The step's place (1-based), for the remove buttons' names. */
  step: number;
  variants: VariantDraft[];
  templates: TemplateSummary[];
  findingsOf: (id: string) => Finding[];
  /** The step's problems (those of a variant carry its key). */
  problems: LocalProblem[];
  onChange: (variants: VariantDraft[]) => void;
}) {
  const { variants, templates, onChange } = props;
  const shares = sharesOf(variants);
  const set = (index: number, patch: Partial<VariantDraft>) =>
    onChange(variants.map((variant, at) => (at === index ? { ...variant, ...patch } : variant)));
  return (
    <fieldset class="variants" data-testid="variants">
      <legend>{t("scenarios.variants")}</legend>
      <p class="hint">{t("scenarios.ab_test_hint")}</p>
      {variants.map((variant, index) => {
        const problem = (field: string) => {
          const found = props.problems.find((item) => item.variant === variant.key && item.field === field);
          return found ? t(found.key) : undefined;
        };
        const findings = props.findingsOf(variant.id);
        const share = shares[index];
        return (
          <fieldset key={variant.key} class={`variant${severityClass(findings)}`}>
            <legend>{t("scenarios.variant_legend", { n: index + 1 })}</legend>
            <div class="variant-grid">
              <InputField
                label={t("scenarios.variant_id")}
                error={problem("id")}
                class="mono"
                value={variant.id}
                maxLength={40}
                autoComplete="off"
                spellcheck={false}
                onInput={(id) => set(index, { id })}
              />
              <TemplateSelect
                label={t("scenarios.variant_template")}
                value={variant.template}
                templates={templates}
                error={problem("template")}
                onChange={(template) => set(index, { template })}
              />
              <NumberField
                label={t("scenarios.variant_weight")}
                error={problem("weight")}
                hint={share === null ? undefined : t("scenarios.variant_share", { n: share })}
                min={1}
                max={MAX_WEIGHT}
                value={variant.weight}
                onInput={(weight) => set(index, { weight })}
              />
              <button
                type="button"
                class="button button-small button-quiet step-remove variant-remove"
                disabled={variants.length <= MIN_VARIANTS}
                aria-label={t("scenarios.remove_variant_label", { step: props.step, n: index + 1 })}
                onClick={() => onChange(variants.filter((_, at) => at !== index))}
              >
                {t("scenarios.remove_variant")}
              </button>
            </div>
            <Findings findings={findings} />
          </fieldset>
        );
      })}
      <div class="row">
        <button
          type="button"
          class="button button-small"
          disabled={variants.length >= MAX_VARIANTS}
          onClick={() => onChange([...variants, nextVariant(variants, templates)])}
        >
          ＋ {t("scenarios.add_variant")}
        </button>
        {variants.length >= MAX_VARIANTS && <span class="muted small">{t("scenarios.max_variants", { n: MAX_VARIANTS })}</span>}
      </div>
    </fieldset>
  );
}

/** The variants for someone who may only look: each one's template and weight, and its findings. */
export function VariantsView(props: { variants: VariantDraft[]; templates: TemplateSummary[]; findingsOf: (id: string) => Finding[] }) {
  const shares = sharesOf(props.variants);
  return (
    <ul class="variant-list">
      {props.variants.map((variant, index) => (
        <li key={variant.key}>
          {t("scenarios.variant_text", { id: variant.id, template: templateLabel(variant.template, props.templates), weight: variant.weight })}
          {shares[index] !== null && <span class="muted small"> {t("scenarios.variant_share", { n: shares[index] ?? 0 })}</span>}
          <Findings findings={props.findingsOf(variant.id)} />
        </li>
      ))}
    </ul>
  );
}
