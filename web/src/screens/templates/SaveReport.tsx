// What a save said beyond "saved": the compliance findings of the scenarios that use the template,
// and the coupon pools it draws from (how many codes are left).
import { Badge } from "../../components/ui";
import { pick, t } from "../../lib/i18n";
import type { SaveAnswer } from "./types";

export type Report = Pick<SaveAnswer, "pools" | "findings">;

export function SaveReport(props: { report: Report }) {
  const { pools, findings } = props.report;
  if (pools.length === 0 && findings.length === 0) return null;
  return (
    <div class={findings.length > 0 ? "warn-box" : "info-box"} data-testid="save-report">
      {findings.length > 0 && (
        <>
          <p>
            <strong>{t("templates.findings_title")}</strong>
          </p>
          <ul>
            {findings.map((finding) => (
              <li key={`${finding.step}-${finding.rule}`}>
                {finding.severity === "error" ? <Badge tone="bad">{t("templates.finding_error")}</Badge> : null}{" "}
                {finding.step ? `${t("templates.finding_step", { step: finding.step })} ` : ""}
                {pick(finding.message_ja, finding.message_en)}
              </li>
            ))}
          </ul>
        </>
      )}
      {pools.length > 0 && (
        <ul class="tpl-pool-list">
          {pools.map((pool) => (
            <li key={pool.pool}>
              {t("templates.pool_left", { pool: pool.pool, free: pool.free, used: pool.used })}
              {pool.free === 0 && (
                <>
                  {" "}
                  <Badge tone="bad">{t("templates.pool_empty")}</Badge>
                </>
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

