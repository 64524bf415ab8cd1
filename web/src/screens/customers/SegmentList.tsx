// セグメント: customers by their orders (first-time, repeat, loyal ≥ N), their last order (recent
// within D days, lapsed for D days), source, prefecture and SKU bought — the count, the list, and
// the CSV export (UTF-8 with BOM, or CP932 for Excel; manager+, audited) for R-Mail or a postal DM.
// The segment lives in the hash (?tab=segments&orders=…), so a segment can be bookmarked.
import type { ComponentChildren } from "preact";
import { success } from "../../components/notices";
import { PagedTable } from "../../components/table";
import { ErrorBox, Field, PageHeader, useAction, useDocument, usePaged } from "../../components/ui";
import { allowed, download, shopPath, type Query } from "../../lib/api";
import { useDraft } from "../../lib/draft";
import { formatNumber, t } from "../../lib/i18n";
import { PREFECTURES } from "../../lib/prefectures";
import { href, navigate } from "../../lib/router";
import type { components } from "../../api/schema";
import { customerColumns } from "./columns";
import type { CustomerRecord } from "./common";

type SegmentCount = components["schemas"]["SegmentCount"];
type Orders = "any" | "first" | "repeat" | "loyal";
type LastOrder = "any" | "recent" | "lapsed";

interface Segment {
  orders: Orders;
  min_orders: string;
  last_order: LastOrder;
  days: string;
  source: string;
  prefecture: string;
  sku: string;
}

const SOURCES = ["rakuten", "yahoo", "amazon", "shopify", "makeshop", "colorme", "futureshop", "ec-cube", "base", "stores", "csv", "api"];
const EXPORT = "/api/shops/{shop_id}/segments.csv";
const DEFAULT_MIN_ORDERS = "3";
const DEFAULT_DAYS: Record<LastOrder, string> = { any: "", recent: "30", lapsed: "90" };

function pick<T extends string>(value: string | null, choices: readonly T[]): T {
  return choices.includes(value as T) ? (value as T) : choices[0];
}

function segmentOf(query: URLSearchParams): Segment {
  const orders = pick(query.get("orders"), ["any", "first", "repeat", "loyal"] as const);
  const lastOrder = pick(query.get("last_order"), ["any", "recent", "lapsed"] as const);
  return {
    orders,
    min_orders: orders === "loyal" ? query.get("min_orders") || DEFAULT_MIN_ORDERS : "",
    last_order: lastOrder,
    days: lastOrder === "any" ? "" : query.get("days") || DEFAULT_DAYS[lastOrder],
    source: query.get("source") ?? "",
    prefecture: query.get("prefecture") ?? "",
    sku: query.get("sku") ?? "",
  };
}

/** The segment as the API's query (what is not set is left out). */
function apiQuery(segment: Segment): Query {
  return {
    orders: segment.orders === "any" ? undefined : segment.orders,
    min_orders: segment.orders === "loyal" ? segment.min_orders : undefined,
    last_order: segment.last_order === "any" ? undefined : segment.last_order,
    days: segment.last_order === "any" ? undefined : segment.days,
    source: segment.source.trim() || undefined,
    prefecture: segment.prefecture.trim() || undefined,
    sku: segment.sku.trim() || undefined,
  };
}

function hashOf(shop: string, segment: Segment): string {
  const params = new URLSearchParams({ tab: "segments" });
  for (const [name, value] of Object.entries(apiQuery(segment))) if (value) params.set(name, String(value));
  return `${href(shop, "customers")}?${params.toString()}`;
}

export function SegmentList(props: { shop: string; query: URLSearchParams; tabs: ComponentChildren }) {
  const applied = segmentOf(props.query);
  const key = JSON.stringify(applied);
  const [draft, setDraft] = useDraft<Segment>(applied, key);
  const edit = (change: Partial<Segment>) => setDraft({ ...draft, ...change });

  return (
    <>
      <PageHeader title={t("nav.customers")} lead={t("customers.segments_lead")} />
      {props.tabs}
      <form
        class="cu-segment"
        aria-label={t("customers.segment_form")}
        onSubmit={(event) => {
          event.preventDefault();
          navigate(hashOf(props.shop, draft));
        }}
      >
        <Field label={t("customers.segment_orders")}>
          {(id) => (
            <select
              id={id}
              name="orders"
              value={draft.orders}
              onChange={(e) => {
                const orders = e.currentTarget.value as Orders;
                edit({ orders, min_orders: orders === "loyal" ? draft.min_orders || DEFAULT_MIN_ORDERS : "" });
              }}
            >
              <option value="any">{t("customers.orders_any")}</option>
              <option value="first">{t("customers.orders_first")}</option>
              <option value="repeat">{t("customers.orders_repeat")}</option>
              <option value="loyal">{t("customers.orders_loyal")}</option>
            </select>
          )}
        </Field>
        {draft.orders === "loyal" && (
          <Field label={t("customers.segment_min_orders")}>
            {(id) => (
              <input
                id={id}
                name="min_orders"
                type="number"
                inputMode="numeric"
                min={2}
                max={1000}
                required
                value={draft.min_orders}
                onInput={(e) => edit({ min_orders: e.currentTarget.value })}
              />
            )}
          </Field>
        )}
        <Field label={t("customers.segment_last_order")}>
          {(id) => (
            <select
              id={id}
              name="last_order"
              value={draft.last_order}
              onChange={(e) => {
                const lastOrder = e.currentTarget.value as LastOrder;
                edit({ last_order: lastOrder, days: lastOrder === "any" ? "" : draft.days || DEFAULT_DAYS[lastOrder] });
              }}
            >
              <option value="any">{t("customers.last_any")}</option>
              <option value="recent">{t("customers.last_recent")}</option>
              <option value="lapsed">{t("customers.last_lapsed")}</option>
            </select>
          )}
        </Field>
        {draft.last_order !== "any" && (
          <Field label={t("customers.segment_days")} hint={t(`customers.days_hint_${draft.last_order}`)}>
            {(id, describedBy) => (
              <input
                id={id}
                name="days"
                type="number"
                inputMode="numeric"
                min={1}
                max={3650}
                required
                aria-describedby={describedBy}
                value={draft.days}
                onInput={(e) => edit({ days: e.currentTarget.value })}
              />
            )}
          </Field>
        )}
        <Field label={t("customers.segment_source")}>
          {(id) => (
            <>
              <input
                id={id}
                name="source"
                list="cu-sources"
                maxLength={100}
                placeholder={t("customers.segment_any")}
                value={draft.source}
                onInput={(e) => edit({ source: e.currentTarget.value })}
              />
              <datalist id="cu-sources">
                {SOURCES.map((source) => (
                  <option key={source} value={source} />
                ))}
              </datalist>
            </>
          )}
        </Field>
        <Field label={t("customers.segment_prefecture")}>
          {(id) => (
            <select id={id} name="prefecture" value={draft.prefecture} onChange={(e) => edit({ prefecture: e.currentTarget.value })}>
              <option value="">{t("customers.segment_any")}</option>
              {PREFECTURES.map((name) => (
                <option key={name} value={name}>
                  {name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t("customers.segment_sku")}>
          {(id) => (
            <input
              id={id}
              name="sku"
              maxLength={100}
              placeholder={t("customers.segment_sku_placeholder")}
              value={draft.sku}
              onInput={(e) => edit({ sku: e.currentTarget.value })}
            />
          )}
        </Field>
        <div class="row cu-segment-buttons">
          <button type="submit" class="button button-primary">
            {t("customers.segment_apply")}
          </button>
          <button type="button" class="button" onClick={() => navigate(`${href(props.shop, "customers")}?tab=segments`)}>
            {t("common.clear")}
          </button>
        </div>
      </form>

      {/* keyed by the segment: an answer late for an earlier segment never shows */}
      <SegmentResults key={key} shop={props.shop} segment={applied} />
    </>
  );
}

function SegmentResults(props: { shop: string; segment: Segment }) {
  const query = apiQuery(props.segment);
  const count = useDocument<SegmentCount>(shopPath(props.shop, "/segments/count"), query);
  const list = usePaged<CustomerRecord>(shopPath(props.shop, "/segments"), query);
  const exporting = useAction();
  const link = (customer: CustomerRecord) => href(props.shop, "customers", customer.customer_id);
  const mayExport = allowed("GET", EXPORT);

  const exportCsv = (encoding: "utf-8" | "cp932") =>
    void exporting.run(async () => {
      const headers = await download(shopPath(props.shop, "/segments.csv"), { ...query, encoding }, `okaeri-customers-${props.shop}-${encoding}.csv`);
      const rows = Number(headers.get("x-okaeri-rows") ?? 0);
      const replaced = Number(headers.get("x-okaeri-replaced-rows") ?? 0);
      success(
        replaced > 0
          ? t("customers.exported_replaced", { n: formatNumber(rows), replaced: formatNumber(replaced) })
          : t("customers.exported", { n: formatNumber(rows) }),
      );
    });

  return (
    <>
      <section class="cu-segment-summary" aria-live="polite">
        {count.error ? (
          <ErrorBox error={count.error} />
        ) : (
          <p class="cu-count" data-testid="cu-segment-count">
            {count.data
              ? t("customers.segment_count", { n: formatNumber(count.data.count), today: count.data.today })
              : t("customers.segment_counting")}
          </p>
        )}
        {mayExport && (
          <div class="row cu-export">
            <button type="button" class="button" disabled={exporting.busy} onClick={() => exportCsv("utf-8")}>
              {t("customers.export_utf8")}
            </button>
            <button type="button" class="button" disabled={exporting.busy} onClick={() => exportCsv("cp932")}>
              {t("customers.export_cp932")}
            </button>
          </div>
        )}
        {mayExport && <p class="hint">{t("customers.export_hint")}</p>}
      </section>
      <PagedTable
        list={list}
        empty={t("customers.segment_none")}
        class="cu-table"
        testId="cu-segment-table"
        caption={t("customers.segment_caption")}
        labelled
        rowKey={(customer) => customer.customer_id}
        rowLink={link}
        columns={customerColumns(link)}
      />
    </>
  );
}
