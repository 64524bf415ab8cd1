// The step editor's small parts, shared by a step and its A/B variants: the lint's findings, and
// the select of the shop's templates (with the current one kept even when it no longer exists).
import { Field } from "../../components/ui";
import { pick, t } from "../../lib/i18n";
import type { Finding, TemplateSummary } from "./model";

export function Findings(props: { findings: Finding[]; id?: string }) {
  if (props.findings.length === 0) return null;
  return (
    <ul class="findings" id={props.id}>
      {props.findings.map((finding, index) => (
        <li key={`${finding.rule}-${index}`} class={`finding finding-${finding.severity}`}>
          <span class={`badge badge-${finding.severity === "error" ? "bad" : "warn"}`}>
            {t(finding.severity === "error" ? "scenarios.severity_error" : "scenarios.severity_warning")}
          </span>
          <span class="finding-text">
            {pick(finding.message_ja, finding.message_en)}
            <span class="finding-rule mono">{finding.rule}</span>
          </span>
        </li>
      ))}
    </ul>
  );
}

/** "ライクメール（like）", or that the template is missing. */
export function templateLabel(id: string, templates: TemplateSummary[]): string {
  const template = templates.find((item) => item.id === id);
  return template ? `${template.name}（${template.id}）` : t("scenarios.template_missing", { id });
}

export function TemplateSelect(props: {
  label: string;
  value: string;
  templates: TemplateSummary[];
  error?: string;
  onChange: (template: string) => void;
}) {
  const { value, templates } = props;
  const known = templates.some((template) => template.id === value);
  return (
    <Field label={props.label} error={props.error}>
      {(id, describedBy) => (
        <select id={id} value={value} aria-describedby={describedBy} onChange={(e) => props.onChange(e.currentTarget.value)}>
          {!known && <option value={value}>{templateLabel(value, templates)}</option>}
          {templates.map((template) => (
            <option key={template.id} value={template.id}>
              {template.name}（{template.id}）
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}
