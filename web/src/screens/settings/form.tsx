// Small pieces shared by the settings tabs: a tab's section and heading, a labelled text input and
// a read-only row list.
import type { ComponentChildren } from "preact";
import { Field } from "../../components/ui";

/** A tab: a section named by its heading, the lead under it, and an add button beside it (when given). */
export function TabSection(props: {
  id: string;
  title: string;
  lead: ComponentChildren;
  add?: { label: string; onClick: () => void } | false;
  children: ComponentChildren;
}) {
  return (
    <section aria-labelledby={props.id}>
      <div class="set-head">
        <div>
          <h2 id={props.id}>{props.title}</h2>
          <p class="muted small">{props.lead}</p>
        </div>
        {props.add && (
          <button type="button" class="button button-primary" onClick={props.add.onClick}>
            {props.add.label}
          </button>
        )}
      </div>
      {props.children}
    </section>
  );
}

export function TextField(props: {
  label: string;
  value: string;
  onInput: (value: string) => void;
  hint?: string;
  error?: string;
  type?: string;
  placeholder?: string;
  autoComplete?: string;
  inputMode?: "text" | "numeric" | "email" | "url";
  required?: boolean;
  list?: string;
  min?: number;
  max?: number;
  maxLength?: number;
  name?: string;
}) {
  return (
    <Field label={props.label} hint={props.hint} error={props.error}>
      {(id, describedBy) => (
        <input
          id={id}
          name={props.name}
          type={props.type ?? "text"}
          value={props.value}
          placeholder={props.placeholder}
          autoComplete={props.autoComplete ?? "off"}
          inputMode={props.inputMode}
          required={props.required}
          list={props.list}
          min={props.min}
          max={props.max}
          maxLength={props.maxLength}
          aria-describedby={describedBy}
          aria-invalid={props.error ? true : undefined}
          onInput={(event) => props.onInput(event.currentTarget.value)}
        />
      )}
    </Field>
  );
}

/** A read-only view: label and value rows (what staff sees instead of a form). */
export function ReadRows(props: { rows: [string, ComponentChildren][] }) {
  return (
    <dl class="set-read">
      {props.rows.map(([label, value]) => (
        <div class="set-read-row" key={label}>
          <dt>{label}</dt>
          <dd>{value === "" || value === null || value === undefined ? <span class="muted">—</span> : value}</dd>
        </div>
      ))}
    </dl>
  );
}
