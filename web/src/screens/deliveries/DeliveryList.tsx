// The list of mails, latest send time first, with the filters the API takes. The filters live in
// the hash query: a search is a link (the dashboard links to `?status=unknown`), back/forward work.
import { PagedTable, type Column } from "../../components/table";
import { SelectField } from "../../components/fields";
import { Field, PageHeader, usePaged } from "../../components/ui";
import { shopPath } from "../../lib/api";
import { t } from "../../lib/i18n";
import { useDraft } from "../../lib/draft";
import { href, navigate } from "../../lib/router";
import { deliveryColumns } from "./columns";
import {
  STATUSES,
  useScenarios,
  useShopZone,
  useTemplateNames,
  type DeliveryRow,
} from "./common";

const FILTERS = ["q", "from", "to", "status", "scenario"] as const;
type Filter = (typeof FILTERS)[number];
type Filters = Record<Filter, string>;

function filtersOf(query: URLSearchParams): Filters {
  return Object.fromEntries(FILTERS.map((name) => [name, query.get(name) ?? ""])) as Filters;
}

/** `#/<shop>/deliveries?…` with the non-empty filters. */
export function listLink(shop: string, filters: Partial<Filters>): string {
  const params = new URLSearchParams();
  for (const name of FILTERS) {
    const value = filters[name]?.trim();
    if (value) params.set(name, value);
  }
  const text = params.toString();
  return text ? `${href(shop, "deliveries")}?${text}` : href(shop, "deliveries");
}

export function detailLink(shop: string, id: string, query?: URLSearchParams): string {
  const text = query?.toString() ?? "";
  return text ? `${href(shop, "deliveries", id)}?${text}` : href(shop, "deliveries", id);
}

export function DeliveryList(props: { shop: string; query: URLSearchParams }) {
  const applied = filtersOf(props.query);
  const appliedKey = JSON.stringify(applied);
  const [draft, setDraft] = useDraft<Filters>(applied, appliedKey);
  const zone = useShopZone(props.shop);
  const scenarios = useScenarios(props.shop);
  const scenarioName = (id: string) => scenarios.find((scenario) => scenario.id === id)?.name || id;
  const filtered = FILTERS.some((name) => applied[name]);

  const apply = (next: Filters) => navigate(listLink(props.shop, next));
  const change = (name: Filter, value: string, now = false) => {
    const next = { ...draft, [name]: value };
    setDraft(next);
    if (now) apply(next);
  };

  return (
    <>
      <PageHeader title={t("nav.deliveries")} lead={t("deliveries.lead")} />
      <form
        class="filters dl-filters"
        role="search"
        aria-label={t("deliveries.search_label")}
        onSubmit={(event) => {
          event.preventDefault();
          apply(draft);
        }}
      >
        <div class="dl-filter-q">
          <Field label={t("deliveries.filter_q")}>
            {(id) => (
              <input
                id={id}
                type="search"
                value={draft.q}
                maxLength={100}
                placeholder={t("deliveries.filter_q_placeholder")}
                onInput={(e) => change("q", e.currentTarget.value)}
              />
            )}
          </Field>
        </div>
        <Field label={t("deliveries.filter_from")}>
          {(id) => (
            <input id={id} type="date" value={draft.from} onChange={(e) => change("from", e.currentTarget.value, true)} />
          )}
        </Field>
        <Field label={t("deliveries.filter_to")}>
          {(id) => <input id={id} type="date" value={draft.to} onChange={(e) => change("to", e.currentTarget.value, true)} />}
        </Field>
        <SelectField
          label={t("deliveries.filter_status")}
          value={draft.status}
          any={t("deliveries.filter_all")}
          options={STATUSES}
          optionLabel={(status) => t(`deliveries.status_${status}`)}
          onChange={(status) => change("status", status, true)}
        />
        <Field label={t("deliveries.filter_scenario")}>
          {(id) => (
            <select id={id} value={draft.scenario} onChange={(e) => change("scenario", e.currentTarget.value, true)}>
              <option value="">{t("deliveries.filter_all")}</option>
              {scenarios.map((scenario) => (
                <option key={scenario.id} value={scenario.id}>
                  {scenario.name || scenario.id}
                </option>
              ))}
              {draft.scenario && !scenarios.some((s) => s.id === draft.scenario) && (
                <option value={draft.scenario}>{draft.scenario}</option>
              )}
            </select>
          )}
        </Field>
        <div class="row dl-filter-buttons">
          <button type="submit" class="button button-primary">
            {t("common.search")}
          </button>
          {filtered && (
            <a class="button" href={listLink(props.shop, {})}>
              {t("common.clear")}
            </a>
          )}
        </div>
      </form>

      {/* keyed by the search: a page answered late for an earlier search never shows */}
      <Results key={appliedKey} shop={props.shop} query={props.query} filters={applied} filtered={filtered} zone={zone} scenarioName={scenarioName} />
    </>
  );
}

function Results(props: {
  shop: string;
  query: URLSearchParams;
  filters: Filters;
  filtered: boolean;
  zone: string;
  scenarioName: (id: string) => string;
}) {
  const { zone, scenarioName, filtered } = props;
  const templateName = useTemplateNames(props.shop);
  const list = usePaged<DeliveryRow>(shopPath(props.shop, "/deliveries"), props.filters);
  const link = (delivery: DeliveryRow) => detailLink(props.shop, delivery.id, props.query);
  const { when, status, scenario, order } = deliveryColumns<DeliveryRow>({ link, zone, scenarioName, templateName, whenClass: "dl-when", reasons: true });
  const customer: Column<DeliveryRow> = {
    title: t("deliveries.col_customer"),
    cellClass: "dl-customer",
    cell: (delivery) => (
      <>
        {/* the name first: a Rakuten buyer's address is a masked relay address */}
        {delivery.customer_name && <span class="dl-customer-name">{delivery.customer_name}</span>}
        <span class={delivery.customer_name ? "muted small dl-customer-email" : undefined}>
          {delivery.customer_email || <span class="muted">{t("deliveries.no_address")}</span>}
        </span>
      </>
    ),
  };
  return (
    <PagedTable
      list={list}
      empty={t(filtered ? "deliveries.none_found" : "deliveries.none_yet")}
      class="dl-table" caption={t("deliveries.table_caption")} labelled
      rowKey={(delivery) => delivery.id} rowLink={link}
      columns={[when, status, customer, scenario, order]}
    />
  );
}
