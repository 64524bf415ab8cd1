// Each step of a scenario over the period: mails sent, mails held out, mails stopped because the
// customer ordered again or reached the shop's frequency cap (issue #16), the orders credited to its
// mails and their revenue, revenue per mail and conversion rate. A step with A/B variants follows
// with its test: each variant's figures, the verdict, and (who may edit scenarios) the button that
// keeps the winner.
import { Table, type Column } from "../../components/table";
import { Badge } from "../../components/ui";
import { formatNumber, formatPercent, formatYen, t } from "../../lib/i18n";
import type { StepResult, VariantResult } from "./types";

type Figures = Pick<StepResult, "sent" | "converted" | "revenue" | "conversion_rate">;

/** A row's own columns, then sent, converted, revenue and CVR, with more after sent and after revenue. */
function figureColumns<T extends Figures>(parts: { own: Column<T>[]; afterSent?: Column<T>[]; afterRevenue?: Column<T>[] }): Column<T>[] {
  return [
    ...parts.own,
    { title: t("results.col_sent"), class: "num", cell: (row) => formatNumber(row.sent) },
    ...(parts.afterSent ?? []),
    { title: t("results.col_converted"), class: "num", cell: (row) => formatNumber(row.converted) },
    { title: t("results.col_revenue"), class: "num", cell: (row) => formatYen(row.revenue) },
    ...(parts.afterRevenue ?? []),
    { title: t("results.col_cvr"), class: "num", testId: "cvr", cell: (row) => formatPercent(row.conversion_rate) },
  ];
}

export function StepTable(props: { steps: StepResult[] }) {
  const stopped = props.steps.some((step) => step.reordered > 0 || step.frequency_capped > 0);
  return (
    <>
      <Table
        class="result-steps"
        caption={t("results.steps_caption")}
        rows={props.steps}
        rowKey={(step) => step.step_id}
        rowAttrs={(step) => ({ "data-testid": `step-${step.step_id}` })}
        columns={figureColumns<StepResult>({
          own: [
            {
              title: t("results.col_step"),
              cell: (step) => (
                <>
                  <span class="mono">{step.step_id}</span>
                  <span class="block muted small">
                    {step.purposes.map((purpose) => t(`scenarios.purpose_${purpose}`)).join(t("scenarios.list_separator"))}
                  </span>
                </>
              ),
            },
          ],
          afterSent: [
            { title: t("results.col_held_out"), class: "num", cell: (step) => formatNumber(step.held_out) },
            // mails a rule kept from going out (issue #16): the customer ordered again, or the cap was reached
            { title: t("results.col_reordered"), class: "num", testId: "reordered", cell: (step) => formatNumber(step.reordered) },
            {
              title: t("results.col_frequency_capped"),
              class: "num",
              testId: "frequency-capped",
              cell: (step) => formatNumber(step.frequency_capped),
            },
          ],
          afterRevenue: [
            {
              title: t("results.col_revenue_per_mail"),
              class: "num",
              cell: (step) => (step.revenue_per_mail === null ? "—" : formatYen(step.revenue_per_mail)),
            },
          ],
        })}
      />
      {stopped && (
        <p class="small muted result-skips-note" data-testid="skips-note">
          {t("results.skips_note")}
        </p>
      )}
    </>
  );
}

function verdictText(step: StepResult): string {
  const ab = step.ab;
  if (!ab) return "";
  if (ab.verdict === "winner" && ab.winner) return t("results.ab_winner", { v: ab.winner });
  if (ab.verdict === "too_few") return t("results.ab_too_few", { n: formatNumber(ab.min_sample) });
  return t("results.ab_undecided");
}

/** The share a weight gives its variant: 1 of 1+1 → "50%" ("—" for a variant the step no longer has). */
function share(variant: VariantResult, variants: VariantResult[]): string {
  const total = variants.reduce((sum, item) => sum + (item.weight ?? 0), 0);
  return variant.weight !== null && total > 0 ? `${Math.round((variant.weight / total) * 100)}%` : "—";
}

export function AbTest(props: {
  step: StepResult;
  method: string;
  templateName: (id: string) => string | null;
  /** Keeps the winner; absent when the signed-in role may not. */
  onPromote?: (variant: VariantResult) => void;
  busy: boolean;
}) {
  const { step } = props;
  const ab = step.ab;
  const winner = ab?.verdict === "winner" ? step.variants.find((variant) => variant.variant === ab.winner) : undefined;
  // variants counted in the period that the step no longer has (after a promotion) have no template
  const testing = step.variants.some((variant) => variant.template !== null);
  const titleId = `ab-${step.step_id}`;
  return (
    <section class="ab-test" aria-labelledby={titleId} data-testid={`ab-${step.step_id}`}>
      <h4 id={titleId}>{t("results.ab_title", { step: step.step_id })}</h4>
      <Table
        class="result-variants"
        caption={t("results.ab_title", { step: step.step_id })}
        rows={step.variants}
        rowKey={(variant) => variant.variant}
        rowAttrs={(variant) => ({
          class: variant === winner ? "ab-winner" : undefined,
          "data-testid": `variant-${variant.variant}`,
        })}
        columns={figureColumns<VariantResult>({
          own: [
            {
              title: t("results.col_variant"),
              cell: (variant) => (
                <>
                  <strong class="mono">{variant.variant}</strong>
                  {variant === winner && (
                    <>
                      {" "}
                      <Badge tone="ok">{t("results.winner_badge")}</Badge>
                    </>
                  )}
                  {variant.template && (
                  <span class="block muted small">{props.templateName(variant.template) ?? variant.template}</span>
                )}
                </>
              ),
            },
            { title: t("results.col_share"), class: "num", cell: (variant) => share(variant, step.variants) },
          ],
        })}
      />
      <div class="ab-verdict row">
        <p class={`ab-verdict-text ab-verdict-${ab?.verdict ?? "none"}`} data-testid="ab-verdict">
          {verdictText(step)}
          {ab?.p_value !== null && ab?.p_value !== undefined && (
            <span class="muted small"> {t("results.p_value", { p: ab.p_value < 0.001 ? "< 0.001" : ab.p_value.toFixed(3) })}</span>
          )}
        </p>
        <span class="spacer" />
        {winner?.template && props.onPromote && (
          <button type="button" class="button button-primary" disabled={props.busy} onClick={() => props.onPromote?.(winner)}>
            {t("results.promote")}
          </button>
        )}
      </div>
      {!testing && <p class="small muted ab-note">{t("results.ab_ended")}</p>}
      <p class="small muted ab-note">{t("results.method", { method: props.method })}</p>
    </section>
  );
}
