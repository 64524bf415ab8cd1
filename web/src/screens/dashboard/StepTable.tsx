// Each scenario step's results over the period: sent, delivered, bounced, complaints, unsubscribes
// (and opens and clicks when the shop tracks them), with the rates a shop watches.
import { ErrorBox, useDocument } from "../../components/ui";
import { shopPath } from "../../lib/api";
import { formatNumber, t } from "../../lib/i18n";
import { href } from "../../lib/router";
import type { ScenarioSummary, StepFigures } from "./types";

type Counter = "sent" | "delivered" | "bounced" | "complained" | "unsubscribed" | "opened" | "clicked";
const RATED: readonly Counter[] = ["bounced", "complained", "unsubscribed", "opened", "clicked"];

function percent(part: number, whole: number): string {
  if (whole === 0) return "";
  const value = (part / whole) * 100;
  return `${value < 10 && value > 0 ? value.toFixed(1) : Math.round(value)}%`;
}

export function StepTable(props: { shop: string; steps: StepFigures[] }) {
  const { shop, steps } = props;
  const scenarios = useDocument<ScenarioSummary[]>(shopPath(shop, "/scenarios"));
  if (steps.length === 0) return <p class="empty">{t("dashboard.steps_empty")}</p>;
  const byId = new Map((scenarios.data ?? []).map((s) => [s.id, s]));
  const order = (row: StepFigures) => {
    const scenario = byId.get(row.scenario_id);
    const index = scenario?.steps.findIndex((step) => step.id === row.step_id) ?? -1;
    return index < 0 ? 999 : index;
  };
  const sorted = [...steps].sort((a, b) =>
    a.scenario_id === b.scenario_id ? order(a) - order(b) || a.step_id.localeCompare(b.step_id) : a.scenario_id.localeCompare(b.scenario_id),
  );
  const tracked = steps.some((row) => row.opened > 0 || row.clicked > 0);
  const counters: Counter[] = ["sent", "delivered", "bounced", "complained", "unsubscribed", ...(tracked ? (["opened", "clicked"] as const) : [])];
  return (
    <>
      {scenarios.error !== null && <ErrorBox error={scenarios.error} />}
      <div class="table-wrap">
        <table class="step-table">
          <caption class="visually-hidden">{t("dashboard.steps_title")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("dashboard.scenario")}</th>
              <th scope="col">{t("dashboard.step")}</th>
              {counters.map((name) => (
                <th key={name} scope="col" class="num">
                  {t(`dashboard.counter_${name}`)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {sorted.map((row, index) => {
              const scenario = byId.get(row.scenario_id);
              const first = index === 0 || sorted[index - 1].scenario_id !== row.scenario_id;
              return (
                <tr key={`${row.scenario_id}/${row.step_id}`} class={first ? "step-first" : undefined}>
                  <td>
                    {first ? (
                      <a href={href(shop, "scenarios", row.scenario_id)}>{scenario?.name || row.scenario_id}</a>
                    ) : (
                      <span class="visually-hidden">{scenario?.name || row.scenario_id}</span>
                    )}
                  </td>
                  <td class="mono">{row.step_id}</td>
                  {counters.map((name) => {
                    const value = row[name];
                    const rate = RATED.includes(name) ? percent(value, row.sent) : "";
                    const warn = (name === "bounced" || name === "complained") && value > 0;
                    return (
                      <td key={name} class={`num${warn ? " figure-warn" : ""}`}>
                        {formatNumber(value)}
                        {rate && value > 0 && <span class="step-rate"> ({rate})</span>}
                      </td>
                    );
                  })}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </>
  );
}
