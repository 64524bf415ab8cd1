// シナリオ: the list (#/<shop>/scenarios), a new one (…/scenarios/new) and the editor
// (…/scenarios/<id>, ?version=N for an old version).
import "../styles/scenarios.css";
import { useEffect } from "preact/hooks";
import { Table } from "../components/table";
import { Empty, ErrorBox, Loading, PageHeader, useDocument } from "../components/ui";
import { t, useLang } from "../lib/i18n";
import { href } from "../lib/router";
import type { ScreenProps } from "../lib/types";
import { onScenariosChanged, permissions, StatusBadge, useScenarioActions } from "./scenarios/actions";
import { ScenarioEditor } from "./scenarios/ScenarioEditor";
import { scenariosPath, type Scenario } from "./scenarios/model";

export function Scenarios(props: ScreenProps) {
  useLang();
  const [first] = props.route.rest;
  if (first === "new") return <ScenarioEditor key="new" shop={props.shop} scenarioId={null} version={null} />;
  if (first) {
    const version = Number(props.route.query.get("version")) || null;
    return <ScenarioEditor key={`${first}@${version ?? "current"}`} shop={props.shop} scenarioId={first} version={version} />;
  }
  return <ScenarioList shop={props.shop} />;
}

const TRIGGER_ORDER = { ordered: 0, shipped: 1, delivered: 2, lapsed: 3 } as const;

function ScenarioList(props: { shop: string }) {
  const { shop } = props;
  const { data, error, loading, reload } = useDocument<Scenario[]>(scenariosPath(shop));
  const can = permissions();
  const { busy, setActive, remove, dialog } = useScenarioActions(shop, () => undefined);
  useEffect(() => onScenariosChanged(() => void reload()), [reload]);
  const scenarios = [...(data ?? [])].sort(
    (a, b) =>
      Number(b.active) - Number(a.active) ||
      TRIGGER_ORDER[a.trigger] - TRIGGER_ORDER[b.trigger] ||
      b.priority - a.priority ||
      a.name.localeCompare(b.name),
  );
  return (
    <>
      <PageHeader
        title={t("nav.scenarios")}
        lead={t("scenarios.list_lead")}
        actions={
          can.create && (
            <a class="button button-primary" href={href(shop, "scenarios", "new")}>
              ＋ {t("scenarios.create")}
            </a>
          )
        }
      />
      {error !== null && <ErrorBox error={error} />}
      {loading && !data && <Loading />}
      {data && scenarios.length === 0 && (
        <Empty>
          {t("scenarios.empty")} {can.create && <a href={href(shop, "scenarios", "new")}>{t("scenarios.create")}</a>}
        </Empty>
      )}
      {scenarios.length > 0 && (
        <Table
          class="scenario-table"
          caption={t("scenarios.list_caption")}
          labelled
          rows={scenarios}
          rowKey={(scenario) => scenario.id}
          rowAttrs={(scenario) => ({ "data-testid": `scenario-${scenario.id}` })}
          columns={[
            {
              title: t("scenarios.name"),
              unlabelled: true,
              cellClass: "scenario-title",
              cell: (scenario) => (
                <>
                  <a class="scenario-name" href={href(shop, "scenarios", scenario.id)}>
                    {scenario.name}
                  </a>
                  <span class="block mono small muted">{scenario.id}</span>
                </>
              ),
            },
            { title: t("scenarios.status"), cell: (scenario) => <StatusBadge active={scenario.active} /> },
            { title: t("scenarios.trigger"), cell: (scenario) => t(`scenarios.trigger_short_${scenario.trigger}`, { n: scenario.lapsed_days ?? "" }) },
            {
              title: t("scenarios.cond_sources"),
              testId: "scenario-sources",
              cell: (scenario) =>
                scenario.conditions.sources?.length ? (
                  <span class="mono small">{scenario.conditions.sources.join(", ")}</span>
                ) : (
                  <span class="muted small">{t("scenarios.sources_all")}</span>
                ),
            },
            {
              title: t("scenarios.steps"),
              cell: (scenario) => (
                <>
                  <span class="step-days">
                    {scenario.steps
                      .map((step) => (step.immediate ? t("scenarios.immediate_short") : t("scenarios.day_tick", { n: step.offset_days ?? 0 })))
                      .join(" → ")}
                  </span>
                  <span class="block small muted">{t("scenarios.steps_count", { n: scenario.steps.length })}</span>
                </>
              ),
            },
            { title: t("scenarios.priority"), class: "num", cell: (scenario) => scenario.priority },
            { title: t("scenarios.version"), class: "num", cell: (scenario) => t("scenarios.version_n", { v: scenario.version }) },
            (can.toggle || can.remove) && {
              title: t("scenarios.actions"),
              hiddenTitle: true,
              class: "actions",
              cell: (scenario) => (
                <div class="row-actions">
                  {can.toggle && (
                    <button
                      type="button"
                      class="button button-small"
                      disabled={busy}
                      aria-label={t(scenario.active ? "scenarios.deactivate_label" : "scenarios.activate_label", { name: scenario.name })}
                      onClick={() => void setActive(scenario, !scenario.active)}
                    >
                      {t(scenario.active ? "scenarios.deactivate" : "scenarios.activate")}
                    </button>
                  )}
                  {can.remove && !scenario.active && (
                    <button
                      type="button"
                      class="button button-small button-quiet danger-text"
                      disabled={busy}
                      aria-label={t("scenarios.delete_label", { name: scenario.name })}
                      onClick={() => void remove(scenario)}
                    >
                      {t("common.delete")}
                    </button>
                  )}
                </div>
              ),
            },
          ]}
        />
      )}
      <p class="muted small list-foot">{t("scenarios.list_foot")}</p>
      {dialog}
    </>
  );
}
