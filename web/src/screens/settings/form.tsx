// Small pieces shared by the settings tabs: a tab's section and heading, and a read-only row list.
import type { ComponentChildren } from "preact";

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
