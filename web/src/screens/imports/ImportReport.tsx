// What an import did: rows read, orders taken (new / updated / already known), rows refused with
// their line and reason; when it stopped early, the way to take the rest.
import type { components } from "../../api/schema";
import { Table } from "../../components/table";
import { Badge } from "../../components/ui";
import { formatNumber, pick, t } from "../../lib/i18n";
import { orderIdOf } from "../deliveries/common";

export type RefusedRow = components["schemas"]["RefusedRow"];
export type ImportReportData = components["schemas"]["ImportReport"];

const REASONS = new Set(["missing_field", "bad_date", "bad_number", "bad_email", "bad_value", "other_row_refused"]);

export function ImportReport(props: {
  report: ImportReportData;
  fileName: string;
  busy: boolean;
  onContinue?: () => void;
}) {
  const { report } = props;
  return (
    <section class="card im-report" aria-labelledby="im-report-title">
      <div class="row">
        <h2 id="im-report-title">{t("imports.report_title")}</h2>
        <span class="spacer" />
        {report.complete ? (
          <Badge tone={report.refused_rows ? "warn" : "ok"}>
            {t(report.refused_rows ? "imports.done_with_refusals" : "imports.done")}
          </Badge>
        ) : (
          <Badge tone="warn">{t("imports.partial")}</Badge>
        )}
      </div>
      <p class="muted small">
        {t("imports.report_file", { name: props.fileName, source: report.source })}
        <span class="mono"> {report.import_id}</span>
      </p>
      {!report.complete && (
        <div class="warn-box im-continue" role="status">
          <p>{t("imports.incomplete", { n: formatNumber(report.orders_left) })}</p>
          {props.onContinue && (
            <button type="button" class="button button-primary" disabled={props.busy} onClick={props.onContinue}>
              {t("imports.continue")}
            </button>
          )}
        </div>
      )}
      <div class="grid grid-4 im-stats">
        <Stat label={t("imports.stat_rows")} value={report.rows} />
        <Stat label={t("imports.stat_taken")} value={report.orders_taken} tone="ok" />
        <Stat label={t("imports.stat_refused")} value={report.refused_rows} tone={report.refused_rows ? "bad" : undefined} />
        <div class="stat im-breakdown">
          <div class="stat-label">{t("imports.stat_breakdown")}</div>
          <ul>
            <li>{t("imports.stat_new", { n: formatNumber(report.orders_new) })}</li>
            <li>{t("imports.stat_updated", { n: formatNumber(report.orders_updated) })}</li>
            <li>{t("imports.stat_known", { n: formatNumber(report.orders_known) })}</li>
          </ul>
        </div>
      </div>

      {report.refused.length > 0 && (
        <>
          <h3>{t("imports.refused_title")}</h3>
          <p class="hint">{t("imports.refused_hint")}</p>
          <Table
            class="im-refused"
            caption={t("imports.refused_title")}
            labelled
            rows={report.refused}
            rowKey={(row) => `${row.line}-${row.reason}`}
            columns={[
              { title: t("imports.col_line"), class: "num", cell: (row) => t("imports.line", { n: row.line }) },
              { title: t("imports.col_order"), cellClass: "mono small", cell: (row) => row.order_id ?? "—" },
              {
                title: t("imports.col_reason"),
                cell: (row) => <Badge tone="bad">{REASONS.has(row.reason) ? t(`imports.reason_${row.reason}`) : row.reason}</Badge>,
              },
              { title: t("imports.col_detail"), cell: (row) => pick(row.message_ja, row.message_en) },
            ]}
          />
          {report.refused_rows > report.refused.length && (
            <p class="muted small">{t("imports.refused_more", { shown: report.refused.length, n: formatNumber(report.refused_rows) })}</p>
          )}
        </>
      )}

      {report.orders.length > 0 && (
        <details class="im-orders" open={report.orders.length <= 20}>
          <summary>{t("imports.orders_title", { n: formatNumber(report.orders_taken) })}</summary>
          <ul>
            {report.orders.map((key) => (
              <li key={key} class="mono small">
                {orderIdOf(key)}
              </li>
            ))}
          </ul>
          {report.orders_taken > report.orders.length && <p class="muted small">{t("imports.orders_more", { shown: report.orders.length })}</p>}
        </details>
      )}
    </section>
  );
}

function Stat(props: { label: string; value: number; tone?: "ok" | "bad" }) {
  return (
    <div class={`stat${props.tone ? ` im-stat-${props.tone}` : ""}`}>
      <div class="stat-label">{props.label}</div>
      <div class="stat-value">{formatNumber(props.value)}</div>
    </div>
  );
}
