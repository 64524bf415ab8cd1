// The scenario editor's bars and notes: the way back to the list, the notice on an old version, the
// save bar (state, lint, discard, save) and the lint's status over the steps.
import { ApplyNote } from "../../components/ApplyNote";
import { t } from "../../lib/i18n";
import { href } from "../../lib/router";
import { versionHref } from "./VersionsCard";

export function BackLink(props: { shop: string }) {
  return (
    <p class="back-link">
      <a href={href(props.shop, "scenarios")}>← {t("scenarios.back")}</a>
    </p>
  );
}

/** An old version is on screen: to the current one, or (who may edit) edit starting from this one. */
export function OldVersionBox(props: {
  shop: string;
  scenarioId: string;
  version: number;
  current: number;
  canEdit: boolean;
  onEditFromThis: () => void;
}) {
  return (
    <div class="info-box old-version">
      <p>{t("scenarios.old_version", { v: props.version, current: props.current })}</p>
      <div class="row">
        <a class="button button-small" href={versionHref(props.shop, props.scenarioId)}>
          {t("scenarios.to_current")}
        </a>
        {props.canEdit && (
          <button type="button" class="button button-small" onClick={props.onEditFromThis}>
            {t("scenarios.edit_from_this", { v: props.version })}
          </button>
        )}
      </div>
    </div>
  );
}

export function EditorBar(props: {
  creating: boolean;
  dirty: boolean;
  saving: boolean;
  checking: boolean;
  errors: number;
  blocked: boolean;
  onDiscard: () => void;
  onSave: () => void;
}) {
  return (
    <div class="editor-bar" role="region" aria-label={t("scenarios.editor_bar")}>
      <p class="editor-state" role="status">
        <span class={props.dirty ? "dot dot-dirty" : "dot"} aria-hidden="true" />
        {props.creating ? t("scenarios.state_new") : props.dirty ? t("scenarios.state_dirty") : t("scenarios.state_clean")}
        <span class="editor-lint">
          {props.checking ? t("scenarios.lint_checking") : props.errors ? t("scenarios.lint_errors", { n: props.errors }) : ""}
        </span>
      </p>
      <ApplyNote />
      <div class="editor-buttons">
        {props.dirty && !props.creating && (
          <button type="button" class="button" onClick={props.onDiscard} disabled={props.saving}>
            {t("scenarios.discard")}
          </button>
        )}
        <button
          type="button"
          class="button button-primary"
          disabled={props.saving || !props.dirty || props.errors > 0 || props.blocked}
          onClick={props.onSave}
        >
          {props.saving ? t("scenarios.saving") : props.creating ? t("scenarios.create_save") : t("scenarios.save")}
        </button>
      </div>
    </div>
  );
}

export function LintStatus(props: { checking: boolean; errors: number; warnings: number; blocked: boolean }) {
  let text: string;
  let tone = "muted";
  if (props.blocked) text = t("scenarios.lint_blocked");
  else if (props.checking) text = t("scenarios.lint_checking");
  else if (props.errors || props.warnings) {
    text = t("scenarios.lint_found", { errors: props.errors, warnings: props.warnings });
    tone = props.errors ? "bad" : "warn";
  } else {
    text = t("scenarios.lint_ok");
    tone = "ok";
  }
  return (
    <p class={`lint-status lint-status-${tone}`} role="status" aria-live="polite">
      {text}
    </p>
  );
}
