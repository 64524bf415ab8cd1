// Start, stop and delete a scenario, from the list and from the editor: each ends in a notice,
// stopping and deleting can be undone, deleting asks first (and only a stopped scenario can go).
import { failure, success } from "../../components/notices";
import { Badge, useAction, useConfirm } from "../../components/ui";
import { allowed, del, newIdempotencyKey, post } from "../../lib/api";
import { t } from "../../lib/i18n";
import { scenariosPath, type SaveAnswer, type Scenario, type ScenarioState } from "./model";

const ONE = "/api/shops/{shop_id}/scenarios/{scenario_id}";

export interface Permissions {
  create: boolean;
  edit: boolean;
  toggle: boolean;
  remove: boolean;
  /** Keep an A/B test's winning variant (the results screen). */
  promote: boolean;
}

export function permissions(): Permissions {
  return {
    create: allowed("POST", "/api/shops/{shop_id}/scenarios"),
    edit: allowed("PUT", ONE),
    toggle: allowed("POST", `${ONE}/activate`) && allowed("POST", `${ONE}/deactivate`),
    remove: allowed("DELETE", ONE),
    promote: allowed("POST", `${ONE}/promote`),
  };
}

// Every change is announced, so a list on screen reads again even when the change (an undo) comes
// from a screen that is gone.
const watchers = new Set<() => void>();
export function onScenariosChanged(watcher: () => void): () => void {
  watchers.add(watcher);
  return () => watchers.delete(watcher);
}
function announce(): void {
  for (const watcher of watchers) watcher();
}

/** `changed` runs after every change (and after an undo) so the screen can read again. */
export function useScenarioActions(shop: string, changed: () => void, deleted?: () => void) {
  const { ask, dialog } = useConfirm();
  const { busy, run } = useAction();

  const setActive = async (scenario: Pick<Scenario, "id" | "name">, active: boolean, undoable = true): Promise<boolean> => {
    const state = await run(() =>
      post<ScenarioState>(scenariosPath(shop, scenario.id, active ? "activate" : "deactivate")),
    );
    if (!state) return false;
    changed();
    announce();
    const warnings = state.findings?.filter((finding) => finding.severity === "warning").length ?? 0;
    const text = t(active ? "scenarios.activated" : "scenarios.deactivated", { name: scenario.name });
    success(
      warnings ? `${text} ${t("scenarios.activated_warnings", { n: warnings })}` : text,
      undoable ? () => void setActive(scenario, !active, false) : undefined,
    );
    return true;
  };

  const remove = async (scenario: Scenario): Promise<boolean> => {
    const ok = await ask({
      title: t("scenarios.delete_title", { name: scenario.name }),
      body: (
        <>
          <p>{t("scenarios.delete_body")}</p>
          <p class="muted small">{t("scenarios.delete_body_versions")}</p>
        </>
      ),
      confirmLabel: t("scenarios.delete_confirm"),
      danger: true,
    });
    if (!ok) return false;
    const state = await run(() => del<ScenarioState>(scenariosPath(shop, scenario.id)));
    if (!state) return false;
    (deleted ?? changed)();
    announce();
    success(t("scenarios.deleted", { name: scenario.name }), async () => {
      // The same id may be created again: its version numbers continue.
      try {
        const { version: _version, ...content } = scenario;
        await post<SaveAnswer>(scenariosPath(shop), { ...content, active: false }, { idempotencyKey: newIdempotencyKey() });
        success(t("scenarios.restored", { name: scenario.name }));
      } catch (error) {
        failure(error);
      }
      announce();
    });
    return true;
  };

  return { busy, setActive, remove, dialog };
}

export function StatusBadge(props: { active: boolean }) {
  return <Badge tone={props.active ? "ok" : "muted"}>{t(props.active ? "scenarios.active" : "scenarios.inactive")}</Badge>;
}
