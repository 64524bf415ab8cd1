// Customers whose name or address contains the search text (kept in the hash: `?q=`).
import type { ComponentChildren } from "preact";
import { PagedTable } from "../../components/table";
import { Field, PageHeader, usePaged } from "../../components/ui";
import { shopPath } from "../../lib/api";
import { t } from "../../lib/i18n";
import { useDraft } from "../../lib/draft";
import { href, navigate } from "../../lib/router";
import { customerColumns } from "./columns";
import type { CustomerRecord } from "./common";

export function CustomerList(props: { shop: string; query: URLSearchParams; tabs: ComponentChildren }) {
  const q = props.query.get("q") ?? "";
  const [draft, setDraft] = useDraft(q, q);
  const search = (text: string) => {
    const value = text.trim();
    navigate(value ? `${href(props.shop, "customers")}?q=${encodeURIComponent(value)}` : href(props.shop, "customers"));
  };

  return (
    <>
      <PageHeader title={t("nav.customers")} lead={t("customers.lead")} />
      {props.tabs}
      <form
        class="cu-search"
        role="search"
        aria-label={t("customers.search_label")}
        onSubmit={(event) => {
          event.preventDefault();
          search(draft);
        }}
      >
        <Field label={t("customers.search_q")}>
          {(id) => (
            <input
              id={id}
              type="search"
              maxLength={100}
              value={draft}
              placeholder={t("customers.search_placeholder")}
              onInput={(e) => setDraft(e.currentTarget.value)}
            />
          )}
        </Field>
        <div class="row cu-search-buttons">
          <button type="submit" class="button button-primary">
            {t("common.search")}
          </button>
          {q && (
            <button type="button" class="button" onClick={() => search("")}>
              {t("common.clear")}
            </button>
          )}
        </div>
      </form>

      {/* keyed by the search: a page answered late for an earlier search never shows */}
      <Results key={q} shop={props.shop} q={q} />
    </>
  );
}

function Results(props: { shop: string; q: string }) {
  const { q } = props;
  const list = usePaged<CustomerRecord>(shopPath(props.shop, "/customers"), { q });
  const link = (customer: CustomerRecord) => href(props.shop, "customers", customer.customer_id);
  return (
    <PagedTable
      list={list}
      empty={t(q ? "customers.none_found" : "customers.none_yet")}
      class="cu-table" caption={t("customers.table_caption")} labelled
      rowKey={(customer) => customer.customer_id} rowLink={link}
      columns={customerColumns(link)}
    />
  );
}
