// お客様: search customers, see one's orders and mails, stop mailing them (manager), erase their
// personal data (owner, typed confirmation); the suppression list as a second tab.
import "../styles/customers.css";
import { t } from "../lib/i18n";
import { href } from "../lib/router";
import type { ScreenProps } from "../lib/types";
import { CustomerDetail } from "./customers/CustomerDetail";
import { CustomerList } from "./customers/CustomerList";
import { SuppressionList } from "./customers/SuppressionList";

export function Customers(props: ScreenProps) {
  const id = props.route.rest[0];
  if (id) return <CustomerDetail key={id} shop={props.shop} id={id} me={props.me} />;
  const tab = props.route.query.get("tab") === "suppressions" ? "suppressions" : "customers";
  return (
    <>
      {tab === "customers" ? (
        <CustomerList shop={props.shop} query={props.route.query} tabs={<Tabs shop={props.shop} current={tab} />} />
      ) : (
        <SuppressionList shop={props.shop} me={props.me} tabs={<Tabs shop={props.shop} current={tab} />} />
      )}
    </>
  );
}

function Tabs(props: { shop: string; current: "customers" | "suppressions" }) {
  return (
    <div class="tabs" role="navigation" aria-label={t("customers.tabs")}>
      <a href={href(props.shop, "customers")} aria-current={props.current === "customers" ? "page" : undefined}>
        {t("customers.tab_customers")}
      </a>
      <a
        href={`${href(props.shop, "customers")}?tab=suppressions`}
        aria-current={props.current === "suppressions" ? "page" : undefined}
      >
        {t("customers.tab_suppressions")}
      </a>
    </div>
  );
}
