// お客様: search customers, see one's orders and mails, stop mailing them (manager), erase their
// personal data (owner, typed confirmation); segments (count, list, CSV export) and the suppression
// list as further tabs.
import "../styles/customers.css";
import { t } from "../lib/i18n";
import { href } from "../lib/router";
import type { ScreenProps } from "../lib/types";
import { CustomerDetail } from "./customers/CustomerDetail";
import { CustomerList } from "./customers/CustomerList";
import { SegmentList } from "./customers/SegmentList";
import { SuppressionList } from "./customers/SuppressionList";

export function Customers(props: ScreenProps) {
  const id = props.route.rest[0];
  if (id) return <CustomerDetail key={id} shop={props.shop} id={id} me={props.me} />;
  const asked = props.route.query.get("tab");
  const tab: Tab = asked === "suppressions" || asked === "segments" ? asked : "customers";
  const tabs = <Tabs shop={props.shop} current={tab} />;
  if (tab === "segments") return <SegmentList shop={props.shop} query={props.route.query} tabs={tabs} />;
  if (tab === "suppressions") return <SuppressionList shop={props.shop} me={props.me} tabs={tabs} />;
  return <CustomerList shop={props.shop} query={props.route.query} tabs={tabs} />;
}

type Tab = "customers" | "segments" | "suppressions";

function Tabs(props: { shop: string; current: Tab }) {
  const base = href(props.shop, "customers");
  const link = (tab: Tab) => (tab === "customers" ? base : `${base}?tab=${tab}`);
  return (
    <div class="tabs" role="navigation" aria-label={t("customers.tabs")}>
      {(["customers", "segments", "suppressions"] as const).map((tab) => (
        <a key={tab} href={link(tab)} aria-current={props.current === tab ? "page" : undefined}>
          {t(`customers.tab_${tab}`)}
        </a>
      ))}
    </div>
  );
}
