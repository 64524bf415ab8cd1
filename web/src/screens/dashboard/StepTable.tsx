// Each scenario step's results over the period: sent, delivered, bounced, complaints, unsubscribes
// (and opens and clicks when the shop tracks them), with the rates a shop watches.
import { Table, type Column } from "../../components/table";
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
  const first = (row: StepFigures, index: number) => index === 0 || sorted[index - 1].scenario_id !== row.scenario_id;
  const tracked = steps.some((row) => row.opened > 0 || row.clicked > 0);
  const counters: Counter[] = ["sent", "delivered", "bounced", "complained", "unsubscribed", ...(tracked ? (["opened", "clicked"] as const) : [])];
  return (
    <>
      {scenarios.error !== null && <ErrorBox error={scenarios.error} />}
      <Table
        class="step-table"
        caption={t("dashboard.steps_title")}
        rows={sorted}
        rowKey={(row) => `${row.scenario_id}/${row.step_id}`}
        rowAttrs={(row, index) => ({ class: first(row, index) ? "step-first" : undefined })}
        columns={[
          {
            title: t("dashboard.scenario"),
            cell: (row, index) => {
              const name = byId.get(row.scenario_id)?.name || row.scenario_id;
              return first(row, index) ? <a href={href(shop, "scenarios", row.scenario_id)}>{name}</a> : <span class="visually-hidden">{name}</span>;
            },
          },
          { title: t("dashboard.step"), cellClass: "mono", cell: (row) => row.step_id },
          ...counters.map(
            (name): Column<StepFigures> => ({
              title: t(`dashboard.counter_${name}`),
              class: "num",
              cellClass: (row) => `num${(name === "bounced" || name === "complained") && row[name] > 0 ? " figure-warn" : ""}`,
              cell: (row) => {
                const value = row[name];
                const rate = RATED.includes(name) ? percent(value, row.sent) : "";
                return (
                  <>
                    {formatNumber(value)}
                    {rate && value > 0 && <span class="step-rate"> ({rate})</span>}
                  </>
                );
              },
            }),
          ),
        ]}
      />
    </>
  );
}
