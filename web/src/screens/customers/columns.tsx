// The columns a list of customers shows (the search and the segments): who, their orders, what
// they spent, their last order, whether they are mailed.
import type { Column } from "../../components/table";
import { Badge } from "../../components/ui";
import { formatNumber, t } from "../../lib/i18n";
import { displayName, type CustomerRecord } from "./common";

export function customerColumns(link: (customer: CustomerRecord) => string): Column<CustomerRecord>[] {
  return [
    {
      title: t("customers.col_name"),
      cell: (customer) => (
        <a href={link(customer)} class="cu-name">
          {displayName(customer)}
        </a>
      ),
    },
    { title: t("customers.col_email"), cellClass: "cu-email", cell: (customer) => customer.email },
    { title: t("customers.col_orders"), class: "num", testId: "cu-orders", cell: (customer) => formatNumber(customer.order_count) },
    {
      title: t("customers.col_spent"),
      class: "num",
      testId: "cu-spent",
      cell: (customer) => t("customers.yen", { n: formatNumber(customer.total_spent ?? 0) }),
    },
    {
      title: t("customers.col_last_order"),
      testId: "cu-last-order",
      cell: (customer) => customer.last_order_day ?? "—",
    },
    {
      title: t("customers.col_state"),
      cell: (customer) =>
        customer.unsubscribed_at ? (
          <Badge tone="warn">{t("customers.state_unsubscribed")}</Badge>
        ) : (
          <Badge tone="ok">{t("customers.state_subscribed")}</Badge>
        ),
    },
  ];
}
