// The scenario editor: the timeline, the scenario's settings, conditions and measuring (holdout,
// repeat window), its steps with the live lint's findings next to each, a plan for a sample order,
// the versions. Saving makes a new version (PUT …?base_version=N: a concurrent save is a 409, not a
// silent overwrite); creating makes a stopped scenario that the operator starts when it looks right.
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { notify, success } from "../../components/notices";
import { ErrorBox, Loading, PageHeader, useAction, useDocument } from "../../components/ui";
import { api, newIdempotencyKey, post, shopPath } from "../../lib/api";
import { lang, pick, t, useLang } from "../../lib/i18n";
import { href, navigate } from "../../lib/router";
import { permissions, StatusBadge, useScenarioActions } from "./actions";
import { BasicsEditor, BasicsView, ConditionsEditor, MeasureEditor } from "./Basics";
import {
  contentOf,
  fromDraft,
  newDraft,
  scenariosPath,
  toDraft,
  type Draft,
  type Profile,
  type SaveAnswer,
  type Scenario,
  type ShopSettings,
  type TemplateSummary,
  type VersionInfo,
  withTrigger,
} from "./model";
import { BackLink, EditorBar, OldVersionBox } from "./editorBars";
import { PreviewCard } from "./PreviewCard";
import { StepsCard } from "./StepsCard";
import { Timeline } from "./Timeline";
import { useLint } from "./useLint";
import { versionHref, VersionsCard } from "./VersionsCard";

/** "楽天市場のルール、ショップの上限でチェック": every profile the lint checked the scenario under. */
export function checkedUnder(profiles: readonly Profile[]): string {
  const names = profiles.map((profile) => t(`scenarios.profile_name_${profile}`));
  return t("scenarios.profiles_checked", { names: new Intl.ListFormat(lang(), { type: "conjunction" }).format(names) });
}

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
  /** The basics changed: another trigger may bring a new scenario another step 1 (a win-back's coupon). */
  const changeBasics = (next: Draft) =>
    setDraft(next.trigger === draft.trigger ? next : withTrigger({ ...next, trigger: draft.trigger }, next.trigger, templateList, creating));
  const shopSettings = settings.data;
  // The profiles the scenario is checked under are the lint's (the malls its sources can reach),
  // not the shop's setting alone; until the lint has answered, the shop's own.
  const profiles: Profile[] = lint.profiles ?? [shopSettings?.compliance ?? (lint.profile as Profile | null) ?? "none"];
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
        <OldVersionBox
          shop={shop}
          scenarioId={scenario!.id}
          version={props.version ?? 0}
          current={current ?? 0}
          canEdit={can.edit}
          onEditFromThis={editFromThis}
        />
      )}
      {!can.edit && !creating && <p class="info-box small">{t("scenarios.read_only")}</p>}
      {savedNote && (
        <div class="ok-box" role="status" data-testid="saved-note">
          {savedNote}
        </div>
      )}
      {restoredFrom !== null && <p class="warn-box">{t("scenarios.restored_from", { v: restoredFrom })}</p>}
      {editable && (
        <EditorBar
          creating={creating}
          dirty={dirty}
          saving={saving}
          checking={lint.checking}
          errors={errors}
          blocked={blocking.length > 0}
          onDiscard={discard}
          onSave={() => void save()}
        />
      )}

      <section class="card" aria-labelledby="timeline-heading">
        <div class="card-head">
          <h2 id="timeline-heading">{t("scenarios.timeline")}</h2>
          <span class="badge badge-info" data-testid="checked-under" title={t("scenarios.profiles_hint")}>
            {checkedUnder(profiles)}
          </span>
        </div>
        <Timeline
          steps={steps}
          trigger={built.scenario.trigger}
          shop={shopSettings}
          profiles={profiles}
          findings={findings}
          templateNames={Object.fromEntries((templates.data ?? []).map((template) => [template.id, template.name]))}
        />
        {settings.error !== null && <ErrorBox error={settings.error} />}
      </section>

      {editable ? (
        <div class="grid grid-2 editor-grid">
          <BasicsEditor draft={draft} creating={creating} problems={shown} onChange={changeBasics} />
          <ConditionsEditor draft={draft} creating={creating} problems={shown} onChange={setDraft} />
        </div>
      ) : (
        <BasicsView draft={draft} />
      )}
      {editable && <MeasureEditor draft={draft} creating={creating} problems={shown} shop={shop} onChange={setDraft} />}

      <StepsCard
        draft={draft}
        editable={editable}
        shop={shopSettings}
        templates={templateList}
        findings={findings}
        general={general}
        problems={shown}
        lint={lint}
        errors={errors}
        warnings={warnings}
        blocked={blocking.length > 0}
        onChange={setDraft}
      />

      {!creating && scenario && (
        <div class="grid grid-2 editor-grid">
          <PreviewCard
            shop={shop}
            scenarioId={scenario.id}
            version={scenario.version}
            settings={shopSettings}
            unsaved={dirty}
            lapsedDays={scenario.trigger === "lapsed" ? scenario.lapsed_days : null}
          />
          <VersionsCard shop={shop} scenarioId={scenario.id} versions={versions.data} error={versions.error} showing={scenario.version} />
        </div>
      )}
      {dialog}
    </div>
  );
}
