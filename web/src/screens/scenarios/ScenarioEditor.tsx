// The scenario editor: the timeline, the scenario's settings and conditions, its steps with the
// live lint's findings next to each, a plan for a sample order, the versions. Saving makes a new
// version (PUT …?base_version=N: a concurrent save is a 409, not a silent overwrite); creating
// makes a stopped scenario that the operator starts when it looks right.
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { ApplyNote } from "../../components/ApplyNote";
import { notify, success } from "../../components/notices";
import { ErrorBox, Loading, PageHeader, useAction, useDocument } from "../../components/ui";
import { api, newIdempotencyKey, post, shopPath } from "../../lib/api";
import { pick, t, useLang } from "../../lib/i18n";
import { href, navigate } from "../../lib/router";
import { permissions, StatusBadge, useScenarioActions } from "./actions";
import { BasicsEditor, BasicsView, ConditionsEditor } from "./Basics";
import { defaultTemplate, followStep } from "./defaultTemplate";
import {
  contentOf,
  fromDraft,
  MAX_STEPS,
  newDraft,
  newStep,
  scenariosPath,
  toDraft,
  type Draft,
  type Finding,
  type SaveAnswer,
  type Scenario,
  type ShopSettings,
  type StepDraft,
  type TemplateSummary,
  type VersionInfo,
} from "./model";
import { PreviewCard } from "./PreviewCard";
import { Findings, StepEditor, StepView } from "./StepEditor";
import { Timeline } from "./Timeline";
import { useLint } from "./useLint";
import { versionHref, VersionsCard } from "./VersionsCard";

/** An old version's content handed to the current version's editor ("edit from this version"). */
let restoring: { id: string; draft: Draft; from: number } | null = null;

interface Props {
  shop: string;
  /** null: a new scenario. */
  scenarioId: string | null;
  /** An old version to look at (read-only); null: the current one. */
  version: number | null;
}

const LINT_IDENTITY_FIELDS = new Set(["id", "name"]);

export function ScenarioEditor(props: Props) {
  useLang();
  const { shop, scenarioId } = props;
  const creating = scenarioId === null;
  const can = permissions();
  const loaded = useDocument<Scenario>(
    scenarioId ? scenariosPath(shop, scenarioId) : null,
    props.version ? { version: props.version } : undefined,
  );
  const versions = useDocument<VersionInfo[]>(scenarioId ? scenariosPath(shop, scenarioId, "versions") : null);
  const settings = useDocument<ShopSettings>(shopPath(shop, "/settings"));
  const templates = useDocument<TemplateSummary[]>(shopPath(shop, "/templates"));
  const [draft, setDraft] = useState<Draft | null>(null);
  const [savedNote, setSavedNote] = useState<string | null>(null);
  const [restoredFrom, setRestoredFrom] = useState<number | null>(null);
  const { busy: saving, run } = useAction();
  const draftVersion = useRef<number | null>(null);
  /** Empty name and id are not flagged on a fresh form until a save is tried. */
  const [tried, setTried] = useState(false);

  const scenario = loaded.data;
  const current = versions.data?.find((version) => version.current)?.version ?? null;
  const old = props.version !== null && (current === null || props.version !== current);
  const editable = can.edit && !old && (creating || scenario !== null);

  // The draft starts from what was loaded (or a blank scenario, or an old version being restored).
  useEffect(() => {
    if (creating) {
      if (!draft && templates.data) setDraft(newDraft(templates.data));
      return;
    }
    if (!scenario) return;
    // Starting or stopping reads the scenario again: unsaved edits stay unless the version moved.
    if (draft && draftVersion.current === scenario.version) return;
    draftVersion.current = scenario.version;
    if (restoring && restoring.id === scenario.id && props.version === null) {
      setDraft(restoring.draft);
      setRestoredFrom(restoring.from);
      restoring = null;
    } else {
      setDraft(toDraft(scenario));
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [scenario, templates.data, creating]);

  const baseline = useMemo(() => (scenario ? contentOf(fromDraft(toDraft(scenario), true, 1).scenario) : null), [scenario]);
  const built = draft ? fromDraft(draft, scenario?.active ?? false, scenario?.version ?? 1) : null;
  const dirty = built !== null && (creating || contentOf(built.scenario) !== baseline);
  const blocking = built?.problems.filter((problem) => problem.step !== null || !LINT_IDENTITY_FIELDS.has(problem.field)) ?? [];
  const lintInput =
    built && blocking.length === 0
      ? {
          ...built.scenario,
          id: /^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/.test(built.scenario.id) ? built.scenario.id : "draft",
          name: built.scenario.name || "-",
        }
      : null;
  const lint = useLint(shop, lintInput);
  const findings = lint.findings;
  const errors = findings.filter((finding) => finding.severity === "error").length;
  const warnings = findings.length - errors;
  const shown =
    built?.problems.filter(
      (problem) => tried || problem.step !== null || !LINT_IDENTITY_FIELDS.has(problem.field) || draft?.[problem.field as "id" | "name"].trim(),
    ) ?? [];
  const stepIds = new Set(draft?.steps.map((step) => step.id) ?? []);
  const general = findings.filter((finding) => !finding.step || !stepIds.has(finding.step));
  const { setActive, remove, dialog, busy: acting } = useScenarioActions(
    shop,
    () => {
      void loaded.reload();
      void versions.reload();
    },
    () => navigate(href(shop, "scenarios")),
  );

  const title = creating ? t("scenarios.create_title") : (scenario?.name ?? t("nav.scenarios"));
  const failed = loaded.error;
  if (failed) {
    return (
      <>
        <BackLink shop={shop} />
        <PageHeader title={t("nav.scenarios")} />
        <ErrorBox error={failed} />
      </>
    );
  }
  if (!draft || !built || (!creating && !scenario)) {
    return (
      <>
        <BackLink shop={shop} />
        <Loading />
      </>
    );
  }

  const updateStep = (index: number, next: StepDraft) => {
    const used = draft.steps.filter((_, i) => i !== index).map((step) => step.template);
    const others = { previous: draft.steps[index - 1]?.template, used };
    const followed = followStep(next, draft.steps[index], templates.data ?? [], draft.trigger, others);
    setDraft({ ...draft, steps: draft.steps.map((step, i) => (i === index ? followed : step)) });
  };
  const moveStep = (index: number, by: -1 | 1) => {
    const steps = [...draft.steps];
    const [moved] = steps.splice(index, 1);
    steps.splice(index + by, 0, moved);
    setDraft({ ...draft, steps });
  };
  const removeStep = (index: number) => setDraft({ ...draft, steps: draft.steps.filter((_, i) => i !== index) });
  const addStep = () => {
    const last = draft.steps[draft.steps.length - 1];
    let n = draft.steps.length + 1;
    while (draft.steps.some((step) => step.id === `step${n}`)) n += 1;
    const step = newStep(n, "", last);
    const others = { previous: last?.template, used: draft.steps.map((item) => item.template) };
    step.template = defaultTemplate(templates.data ?? [], step, draft.trigger, others);
    setDraft({ ...draft, steps: [...draft.steps, step] });
  };

  const save = async () => {
    if (built.problems.length) {
      setTried(true);
      notify("error", t("scenarios.fix_first"));
      return;
    }
    if (creating) {
      const answer = await run(() =>
        post<SaveAnswer>(scenariosPath(shop), { ...built.scenario, active: false, version: 1 }, { idempotencyKey: newIdempotencyKey() }),
      );
      if (!answer) return;
      success(t("scenarios.created", { name: built.scenario.name }));
      navigate(href(shop, "scenarios", answer.id));
      return;
    }
    const answer = await run(() =>
      api<SaveAnswer>("PUT", scenariosPath(shop, scenario!.id), {
        query: { base_version: scenario!.version },
        body: built.scenario,
      }),
    );
    if (!answer) return;
    const message = pick(answer.message_ja, answer.message_en);
    if (answer.changed) {
      setSavedNote(`${t("scenarios.saved_version", { v: answer.version })} ${message}`);
      setRestoredFrom(null);
      success(t("scenarios.saved_version", { v: answer.version }));
      void loaded.reload();
      void versions.reload();
    } else {
      success(message);
    }
  };

  const discard = () => {
    setDraft(creating ? newDraft(templates.data ?? []) : toDraft(scenario!));
    setRestoredFrom(null);
  };

  const editFromThis = () => {
    if (!scenario) return;
    restoring = { id: scenario.id, draft: toDraft(scenario), from: scenario.version };
    navigate(versionHref(shop, scenario.id));
  };

  const templateList = templates.data ?? [];
  const shopSettings = settings.data;
  const profile = shopSettings?.compliance ?? lint.profile ?? "none";
  const steps = built.scenario.steps;

  return (
    <div class="scenario-editor">
      <BackLink shop={shop} />
      <PageHeader
        title={title}
        lead={
          creating
            ? t("scenarios.create_lead")
            : t(old ? "scenarios.editor_lead_old" : "scenarios.editor_lead", { id: scenario!.id, v: scenario!.version })
        }
        actions={
          !creating &&
          scenario &&
          !old && (
            <>
              <StatusBadge active={scenario.active} />
              {can.toggle && (
                <button
                  type="button"
                  class={`button${scenario.active ? "" : " button-primary"}`}
                  disabled={acting}
                  onClick={() => void setActive(scenario, !scenario.active)}
                >
                  {t(scenario.active ? "scenarios.deactivate" : "scenarios.activate")}
                </button>
              )}
              {can.remove && !scenario.active && (
                <button type="button" class="button button-quiet danger-text" disabled={acting} onClick={() => void remove(scenario)}>
                  {t("common.delete")}
                </button>
              )}
            </>
          )
        }
      />
      {old && (
        <div class="info-box old-version">
          <p>{t("scenarios.old_version", { v: props.version ?? 0, current: current ?? 0 })}</p>
          <div class="row">
            <a class="button button-small" href={versionHref(shop, scenario!.id)}>
              {t("scenarios.to_current")}
            </a>
            {can.edit && (
              <button type="button" class="button button-small" onClick={editFromThis}>
                {t("scenarios.edit_from_this", { v: props.version ?? 0 })}
              </button>
            )}
          </div>
        </div>
      )}
      {!can.edit && !creating && <p class="info-box small">{t("scenarios.read_only")}</p>}
      {savedNote && (
        <div class="ok-box" role="status" data-testid="saved-note">
          {savedNote}
        </div>
      )}
      {restoredFrom !== null && <p class="warn-box">{t("scenarios.restored_from", { v: restoredFrom })}</p>}
      {editable && (
        <div class="editor-bar" role="region" aria-label={t("scenarios.editor_bar")}>
          <p class="editor-state" role="status">
            <span class={dirty ? "dot dot-dirty" : "dot"} aria-hidden="true" />
            {creating ? t("scenarios.state_new") : dirty ? t("scenarios.state_dirty") : t("scenarios.state_clean")}
            <span class="editor-lint">
              {lint.checking ? t("scenarios.lint_checking") : errors ? t("scenarios.lint_errors", { n: errors }) : ""}
            </span>
          </p>
          <ApplyNote />
          <div class="editor-buttons">
            {dirty && !creating && (
              <button type="button" class="button" onClick={discard} disabled={saving}>
                {t("scenarios.discard")}
              </button>
            )}
            <button
              type="button"
              class="button button-primary"
              disabled={saving || !dirty || errors > 0 || blocking.length > 0}
              onClick={() => void save()}
            >
              {saving ? t("scenarios.saving") : creating ? t("scenarios.create_save") : t("scenarios.save")}
            </button>
          </div>
        </div>
      )}

      <section class="card" aria-labelledby="timeline-heading">
        <div class="card-head">
          <h2 id="timeline-heading">{t("scenarios.timeline")}</h2>
          <span class="badge badge-info">{t(`scenarios.profile_${profile}`)}</span>
        </div>
        <Timeline
          steps={steps}
          trigger={built.scenario.trigger}
          shop={shopSettings}
          findings={findings}
          templateNames={Object.fromEntries((templates.data ?? []).map((template) => [template.id, template.name]))}
        />
        {settings.error !== null && <ErrorBox error={settings.error} />}
      </section>

      {editable ? (
        <div class="grid grid-2 editor-grid">
          <BasicsEditor draft={draft} creating={creating} problems={shown} onChange={setDraft} />
          <ConditionsEditor draft={draft} creating={creating} problems={shown} onChange={setDraft} />
        </div>
      ) : (
        <BasicsView draft={draft} />
      )}

      <section class="card" aria-labelledby="steps-heading">
        <div class="card-head">
          <h2 id="steps-heading">{t("scenarios.steps_title", { n: draft.steps.length, max: MAX_STEPS })}</h2>
          <LintStatus checking={lint.checking} errors={errors} warnings={warnings} blocked={blocking.length > 0} />
        </div>
        {lint.error !== null && <ErrorBox error={lint.error} />}
        <Findings findings={general} />
        <div class="steps">
          {draft.steps.map((step, index) => {
            const mine = findings.filter((finding: Finding) => finding.step === step.id);
            return editable ? (
              <StepEditor
                key={step.key}
                index={index}
                count={draft.steps.length}
                step={step}
                trigger={draft.trigger}
                shop={shopSettings}
                templates={templateList}
                findings={mine}
                problems={shown.filter((problem) => problem.step === step.key)}
                onChange={(next) => updateStep(index, next)}
                onMove={(by) => moveStep(index, by)}
                onRemove={() => removeStep(index)}
              />
            ) : (
              <StepView key={step.key} index={index} step={step} trigger={draft.trigger} shop={shopSettings} templates={templateList} findings={mine} />
            );
          })}
        </div>
        {editable && (
          <div class="row">
            <button type="button" class="button" disabled={draft.steps.length >= MAX_STEPS} onClick={addStep}>
              ＋ {t("scenarios.add_step")}
            </button>
            {draft.steps.length >= MAX_STEPS && <span class="muted small">{t("scenarios.max_steps", { n: MAX_STEPS })}</span>}
          </div>
        )}
      </section>

      {!creating && scenario && (
        <div class="grid grid-2 editor-grid">
          <PreviewCard shop={shop} scenarioId={scenario.id} version={scenario.version} settings={shopSettings} unsaved={dirty} />
          <VersionsCard shop={shop} scenarioId={scenario.id} versions={versions.data} error={versions.error} showing={scenario.version} />
        </div>
      )}
      {dialog}
    </div>
  );
}

function BackLink(props: { shop: string }) {
  return (
    <p class="back-link">
      <a href={href(props.shop, "scenarios")}>← {t("scenarios.back")}</a>
    </p>
  );
}

function LintStatus(props: { checking: boolean; errors: number; warnings: number; blocked: boolean }) {
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
