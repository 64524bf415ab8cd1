// One scenario's results: how it measures (its holdout and repeat window), the funnel from the
// shop's orders to repeat orders, what the mails add (the lift), what its mails earned, and each
// step's figures with its A/B test.
import { Badge } from "../../components/ui";
import { formatNumber, formatYen, t } from "../../lib/i18n";
import { href } from "../../lib/router";
import { StatusBadge } from "../scenarios/actions";
import { Funnel } from "./Funnel";
import { Lift } from "./Lift";
import { AbTest, StepTable } from "./StepResults";
import type { ResultsData, ScenarioResult, StepResult, VariantResult } from "./types";

export function ScenarioCard(props: {
  shop: string;
  data: ResultsData;
  result: ScenarioResult;
  templateName: (id: string) => string | null;
  /** Keeps a step's winning variant; absent when the signed-in role may not. */
  onPromote?: (step: StepResult, variant: VariantResult) => void;
  busy: boolean;
}) {
  const { shop, data, result } = props;
  const titleId = `result-${result.scenario_id}`;
  const tested = result.steps.filter((step) => step.variants.length > 0);
  return (
    <section class="card result-card" aria-labelledby={titleId} data-testid={`result-${result.scenario_id}`}>
      <div class="card-head">
        <h2 id={titleId}>
          <a href={href(shop, "scenarios", result.scenario_id)}>{result.name || result.scenario_id}</a>
        </h2>
        <StatusBadge active={result.active} />
      </div>
      <p class="small muted result-setup">
        {result.holdout_percent > 0 ? (
          <>
            <Badge tone="info">{t("results.holdout_badge", { n: result.holdout_percent })}</Badge>{" "}
            {t(`results.holdout_scope_${result.holdout_scope}`)}
          </>
        ) : (
          t("results.holdout_none")
        )}
      </p>
      <div class="result-overview">
        <Funnel orders={data.orders} result={result} />
        <Lift result={result} method={data.lift_method} />
      </div>
      <p class="result-earned" data-testid="earned">
        {t("results.earned", { orders: formatNumber(result.converted), revenue: formatYen(result.revenue) })}
      </p>
      <h3>{t("results.steps_title")}</h3>
      <StepTable steps={result.steps} />
      {tested.map((step) => (
        <AbTest
          key={step.step_id}
          step={step}
          method={data.ab_method}
          templateName={props.templateName}
          busy={props.busy}
          onPromote={props.onPromote && ((variant) => props.onPromote?.(step, variant))}
        />
      ))}
    </section>
  );
}
