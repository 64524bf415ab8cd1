// Customers whose name or address contains the search text (kept in the hash: `?q=`).
import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";
import { Badge, Empty, ErrorBox, Field, Loading, MoreButton, PageHeader, usePaged } from "../../components/ui";
import { shopPath } from "../../lib/api";
import { formatNumber, t } from "../../lib/i18n";
import { href, navigate } from "../../lib/router";
import { displayName, type CustomerRecord } from "./common";

export function CustomerList(props: { shop: string; query: URLSearchParams; tabs: ComponentChildren }) {
  const q = props.query.get("q") ?? "";
  const [draft, setDraft] = useState(q);
  useEffect(() => setDraft(q), [q]);
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
  return (
    <>
        {list.error ? <ErrorBox error={list.error} /> : null}
        {!list.error && list.items.length === 0 && (list.loading ? <Loading /> : <Empty>{t(q ? "customers.none_found" : "customers.none_yet")}</Empty>)}
        {list.items.length > 0 && (
          <div class="table-wrap">
            <table class="cu-table">
              <caption class="visually-hidden">{t("customers.table_caption")}</caption>
              <thead>
                <tr>
                  <th scope="col">{t("customers.col_name")}</th>
                  <th scope="col">{t("customers.col_email")}</th>
                  <th scope="col" class="num">
                    {t("customers.col_orders")}
                  </th>
                  <th scope="col">{t("customers.col_state")}</th>
                </tr>
              </thead>
              <tbody>
                {list.items.map((customer) => {
                  const link = href(props.shop, "customers", customer.customer_id);
                  return (
                    <tr
                      key={customer.customer_id}
                      class="clickable"
                      onClick={(event) => {
                        if (!(event.target as HTMLElement).closest("a")) navigate(link);
                      }}
                    >
                      <td data-label={t("customers.col_name")}>
                        <a href={link} class="cu-name">
                          {displayName(customer)}
                        </a>
                      </td>
                      <td data-label={t("customers.col_email")} class="cu-email">
                        {customer.email}
                      </td>
                      <td data-label={t("customers.col_orders")} class="num">
                        {formatNumber(customer.order_count)}
                      </td>
                      <td data-label={t("customers.col_state")}>
                        {customer.unsubscribed_at ? (
                          <Badge tone="warn">{t("customers.state_unsubscribed")}</Badge>
                        ) : (
                          <Badge tone="ok">{t("customers.state_subscribed")}</Badge>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
        <MoreButton hasMore={list.hasMore} loading={list.loading} onMore={list.more} />
    </>
  );
}
