// The template's content card: its id (when creating), its name, its parts (given as children) and
// the save bar.
import type { ComponentChildren } from "preact";
import { ApplyNote } from "../../components/ApplyNote";
import { Field } from "../../components/ui";
import { t } from "../../lib/i18n";

export function ContentCard(props: {
  creating: boolean;
  canSave: boolean;
  busy: boolean;
  dirty: boolean;
  id: string;
  name: string;
  idProblem?: string;
  onChange: (part: "id" | "name", value: string) => void;
  onSubmit: () => void;
  children: ComponentChildren;
}) {
  return (
    <section class="card" aria-labelledby="tpl-content-title">
      <div class="row">
        <h2 id="tpl-content-title">{t("templates.content")}</h2>
        <span class="spacer" />
        <button
          type="button"
          class="button button-small tpl-jump"
          onClick={() => document.getElementById("tpl-preview")?.scrollIntoView({ block: "start" })}
        >
          {t("templates.jump_preview")}
        </button>
      </div>
      {props.creating && (
        <Field label={t("templates.id")} hint={t("templates.id_hint")} error={props.idProblem}>
          {(id, describedBy) => (
            <input
              id={id}
              class="mono"
              value={props.id}
              autoComplete="off"
              spellcheck={false}
              maxLength={40}
              aria-describedby={describedBy}
              aria-invalid={props.idProblem ? true : undefined}
              onInput={(event) => props.onChange("id", event.currentTarget.value.trim())}
            />
          )}
        </Field>
      )}
      <Field label={t("templates.name")} hint={t("templates.name_hint")}>
        {(id, describedBy) => (
          <input
            id={id}
            value={props.name}
            readOnly={!props.canSave}
            aria-describedby={describedBy}
            onInput={(event) => props.onChange("name", event.currentTarget.value)}
          />
        )}
      </Field>
      {props.children}
      {props.canSave && (
        <div class="tpl-save-bar">
          <button
            type="button"
            class="button button-primary"
            disabled={props.busy || (!props.creating && !props.dirty)}
            onClick={props.onSubmit}
          >
            {props.busy ? t("templates.saving") : props.creating ? t("templates.create") : t("templates.save")}
          </button>
          <span class="small muted" role="status">
            {props.creating ? t("templates.create_note") : props.dirty ? t("templates.unsaved") : t("templates.no_changes")}
          </span>
          <ApplyNote />
        </div>
      )}
    </section>
  );
}
