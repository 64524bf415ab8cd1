// The reception log (受信ログ): every mail the shop received and what became of it; a mail's own
// page (the mail as received, "parse again", a parse mask made from it); and the parse masks.
//   #/<shop>/receptions[?result=failed]   the log
//   #/<shop>/receptions/mail/<key>        one received mail
//   #/<shop>/receptions/masks[/<name>|/new]  the parse masks
import { useEffect } from "preact/hooks";
import { Table } from "../components/table";
import { SelectField } from "../components/fields";
import { Empty, ErrorBox, MoreButton, PageHeader, usePaged } from "../components/ui";
import { shopPath } from "../lib/api";
import { formatDateTime, t, useLang } from "../lib/i18n";
import { href, navigate } from "../lib/router";
import type { ScreenProps } from "../lib/types";
import { remember, useShopZone } from "./receptions/data";
import { entryMessage, kindLabel, ResultBadge } from "./receptions/labels";
import { MaskList, MaskPage } from "./receptions/MaskList";
import { ReceptionDetail } from "./receptions/ReceptionDetail";
import { RESULTS, shownOrderId, type ReceptionEntry, type ReceptionResult } from "./receptions/types";
import "../styles/receptions.css";

export function Receptions(props: ScreenProps) {
  useLang();
  const { shop, route } = props;
  const [first, second] = route.rest;
  if (first === "mail" && second) return <ReceptionDetail key={second} shop={shop} mailKey={second} />;
  if (first === "masks" && second) return <MaskPage key={second} shop={shop} name={second} />;
  const tab = first === "masks" ? "masks" : "log";
  return (
    <>
      <PageHeader title={t("nav.receptions")} lead={t("receptions.lead")} />
      {/* role="navigation" on a div: the shell's menu is the page's one <nav> */}
      <div class="tabs" role="navigation" aria-label={t("receptions.tabs")}>
        <a href={href(shop, "receptions")} aria-current={tab === "log" ? "page" : undefined}>
          {t("receptions.tab_log")}
        </a>
        <a href={href(shop, "receptions", "masks")} aria-current={tab === "masks" ? "page" : undefined}>
          {t("receptions.tab_masks")}
        </a>
      </div>
      {tab === "log" ? <ReceptionLog shop={shop} query={route.query} /> : <MaskList shop={shop} />}
    </>
  );
}

function isResult(value: string | null): value is ReceptionResult {
  return value !== null && (RESULTS as readonly string[]).includes(value);
}

function ReceptionLog(props: { shop: string; query: URLSearchParams }) {
  const { shop } = props;
  const wanted = props.query.get("result");
  const result = isResult(wanted) ? wanted : "";
  const zone = useShopZone(shop);
  const log = usePaged<ReceptionEntry>(shopPath(shop, "/receptions"), { result }, 50);
  useEffect(() => remember(log.items), [log.items]);
  const choose = (next: string) =>
    navigate(next ? `${href(shop, "receptions")}?result=${next}` : href(shop, "receptions"));
  return (
    <section aria-labelledby="reception-log-title">
      <h2 id="reception-log-title" class="visually-hidden">
        {t("receptions.tab_log")}
      </h2>
      <div class="filters reception-filters">
        <SelectField
          label={t("receptions.filter_result")}
          value={result}
          any={t("receptions.filter_all")}
          options={RESULTS}
          optionLabel={(name) => t(`receptions.result_${name}`)}
          onChange={choose}
        />
        <div class="reception-refresh">
          <button type="button" class="button" disabled={log.loading} onClick={() => void log.reload()}>
            {t("receptions.refresh")}
          </button>
        </div>
      </div>
      {log.error !== null && <ErrorBox error={log.error} />}
      {log.items.length === 0 && !log.loading && log.error === null && (
        <Empty>{result ? t("common.empty") : t("receptions.empty")}</Empty>
      )}
      {log.items.length > 0 && (
        <Table
          class="reception-table"
          caption={t("receptions.tab_log")}
          rows={log.items}
          rowKey={(entry) => `${entry.s3_key}@${entry.received_at}`}
          rowLink={(entry) => href(shop, "receptions", "mail", entry.s3_key)}
          columns={[
            { title: t("receptions.col_received"), cellClass: "reception-when", cell: (entry) => formatDateTime(entry.received_at, zone) },
            { title: t("receptions.col_result"), cell: (entry) => <ResultBadge result={entry.result} /> },
            {
              title: t("receptions.col_mail"),
              cellClass: "reception-mail",
              cell: (entry) => (
                <>
                  <a href={href(shop, "receptions", "mail", entry.s3_key)}>{entry.subject || t("receptions.no_subject")}</a>
                  <div class="muted small">{entry.sender || "—"}</div>
                </>
              ),
            },
            { title: t("receptions.col_outcome"), cellClass: "reception-outcome", cell: (entry) => <Outcome entry={entry} /> },
          ]}
        />
      )}
      <MoreButton hasMore={log.hasMore} loading={log.loading} onMore={() => void log.more()} />
    </section>
  );
}

function Outcome(props: { entry: ReceptionEntry }) {
  const { entry } = props;
  if (entry.order_key) {
    const id = shownOrderId(entry);
    return (
      <span>
        <span class="muted small">{kindLabel(entry.kind) || t("receptions.kind_order")}</span>{" "}
        <span class="mono">{id}</span>
      </span>
    );
  }
  const message = entryMessage(entry);
  return (
    <span>
      {message || "—"}
      {entry.reason && <span class="reason-code mono small"> ({entry.reason})</span>}
    </span>
  );
}
