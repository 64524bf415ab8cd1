// From the shop's orders to the repeat orders a scenario brought: the orders of the period, the runs
// the scenario started (those that got its mails, and beside them the held-out runs), and the runs
// whose customer ordered again within the scenario's repeat window, with the rate of each group.
import { formatNumber, formatPercent, t } from "../../lib/i18n";
import type { Groups, Rates, ScenarioResult } from "./types";

function GroupFigures(props: { counts: Groups; rates?: Rates; holdout: boolean }) {
  const groups: (keyof Groups)[] = props.holdout ? ["mailed", "held_out"] : ["mailed"];
  return (
    <dl class="funnel-groups">
      {groups.map((group) => (
        <div key={group} class={`funnel-group funnel-${group}`}>
          <dt>{t(`results.group_${group}`)}</dt>
          <dd>
            <span class="funnel-value">{formatNumber(props.counts[group])}</span>
            {props.rates && props.rates[group] !== null && <span class="funnel-rate">{formatPercent(props.rates[group])}</span>}
          </dd>
        </div>
      ))}
    </dl>
  );
}

export function Funnel(props: { orders: number; result: ScenarioResult }) {
  const { result } = props;
  // a scenario without a holdout now may still have held-out runs from before in the period
  const holdout = result.holdout_percent > 0 || result.runs.held_out > 0;
  return (
    <ol class="funnel" aria-label={t("results.funnel")} data-testid="funnel">
      <li class="funnel-stage">
        <span class="funnel-title">{t("results.stage_orders")}</span>
        <span class="funnel-value">{formatNumber(props.orders)}</span>
      </li>
      <li class="funnel-stage">
        <span class="funnel-title">{t("results.stage_runs")}</span>
        <GroupFigures counts={result.runs} holdout={holdout} />
      </li>
      <li class="funnel-stage">
        <span class="funnel-title">{t("results.stage_repeated", { n: result.repeat_days })}</span>
        <GroupFigures counts={result.repeated} rates={result.repeat_rate} holdout={holdout} />
      </li>
    </ol>
  );
}
