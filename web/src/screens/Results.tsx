// 成果: what each scenario's mails earn over the last N days (issue #15). Per scenario a card: the
// funnel from the shop's orders to repeat orders, with the held-out runs beside the mailed ones; the
// lift of the repeat rate with its 95% interval, in plain words; each step's sends, conversions and
// revenue; each A/B test's verdict, and keeping its winner. The same figures export as CSV.
import { success } from "../components/notices";
import { PeriodControls, periodOf, periodText, type Periods } from "../components/period";
import { Empty, ErrorBox, Loading, PageHeader, useConfirmedAction, useDocument } from "../components/ui";
import { download, post, shopPath } from "../lib/api";
import { t, useLang } from "../lib/i18n";
import { href } from "../lib/router";
import type { ScreenProps } from "../lib/types";
import { useTemplateNames } from "./deliveries/common";
import { ScenarioCard } from "./results/ScenarioCard";
import type { PromoteAnswer, ResultsData, ScenarioResult, StepResult, VariantResult } from "./results/types";
import { permissions } from "./scenarios/actions";
import { scenariosPath } from "./scenarios/model";
import "../styles/results.css";

const PERIODS: Periods = { screen: "results", choices: [30, 90, 120, 366], fallback: 90 };

export function Results(props: ScreenProps) {
  useLang();
  const { shop, route } = props;
  const days = periodOf(route.query, PERIODS);
  const results = useDocument<ResultsData>(shopPath(shop, "/results"), { days });
  const templateName = useTemplateNames(shop);
  const action = useConfirmedAction();
  const data = results.data;
  const mayPromote = permissions().promote;

  const exportCsv = () =>
    void action.run(() => download(shopPath(shop, "/results.csv"), { days }, `okaeri-results-${shop}-${days}d.csv`));

  const promote = (result: ScenarioResult, step: StepResult, variant: VariantResult) =>
    void action.confirmThen(
      {
        title: t("results.promote_title", { step: step.step_id, v: variant.variant }),
        body: (
          <>
            <p>
              {t("results.promote_body", {
                scenario: result.name || result.scenario_id,
                step: step.step_id,
                v: variant.variant,
                template: (variant.template && templateName(variant.template)) ?? variant.template ?? "—",
              })}
            </p>
            <p class="muted small">{t("results.promote_body_version")}</p>
          </>
        ),
        confirmLabel: t("results.promote_confirm"),
      },
      async () => {
        const answer = await post<PromoteAnswer>(scenariosPath(shop, result.scenario_id, "promote"), {
          step_id: step.step_id,
          variant: variant.variant,
        });
        success(t("results.promoted", { step: step.step_id, v: variant.variant, version: answer.version }));
        await results.reload();
      },
    );

  return (
    <div class="results">
      <PageHeader
        title={t("nav.results")}
        lead={data ? periodText(data.day_from, data.day_to) : undefined}
        actions={
          <PeriodControls shop={shop} periods={PERIODS} days={days} loading={results.loading} onRefresh={() => void results.reload()}>
            <button type="button" class="button" disabled={action.busy || !data} onClick={exportCsv}>
              {t("results.export_csv")}
            </button>
          </PeriodControls>
        }
      />
      {results.error !== null && <ErrorBox error={results.error} />}
      {!data && results.loading && <Loading />}
      {data && (
        <>
          <p class="info-box small results-lead">
            {t("results.lead", { n: data.attribution_days })}{" "}
            <a href={href(shop, "settings")}>{t("results.lead_settings")}</a>
          </p>
          {data.scenarios.length === 0 && (
            <Empty>
              {t("results.empty")} <a href={href(shop, "scenarios")}>{t("results.empty_link")}</a>
            </Empty>
          )}
          {data.scenarios.map((result) => (
            <ScenarioCard
              key={result.scenario_id}
              shop={shop}
              data={data}
              result={result}
              templateName={templateName}
              busy={action.busy}
              onPromote={mayPromote ? (step, variant) => promote(result, step, variant) : undefined}
            />
          ))}
        </>
      )}
      {action.dialog}
    </div>
  );
}
