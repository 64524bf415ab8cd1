// The columns a list of mails shows, on the deliveries screen and on a customer's page: when, its
// status, its scenario and step, and its order.
import type { Column } from "../../components/table";
import { formatDateTime, t } from "../../lib/i18n";
import { orderIdOf, ReasonText, StatusBadge, StepLabel, type Delivery } from "./common";

export function deliveryColumns<D extends Delivery>(options: {
  link: (delivery: D) => string;
  zone: string;
  scenarioName: (id: string) => string;
  templateName: (id: string) => string | null;
  /** The class of the send time's link. */
  whenClass?: string;
  /** Under a skipped mail's status, why it was skipped. */
  reasons?: boolean;
}): { when: Column<D>; status: Column<D>; scenario: Column<D>; order: Column<D> } {
  const { link, zone, scenarioName, templateName } = options;
  return {
    when: {
      title: t("deliveries.col_send_at"),
      cell: (delivery) => (
        <a href={link(delivery)} class={options.whenClass}>
          {formatDateTime(delivery.sent_at ?? delivery.send_at, zone)}
        </a>
      ),
    },
    status: {
      title: t("deliveries.col_status"),
      cell: (delivery) => (
        <>
          <StatusBadge status={delivery.status} />
          {options.reasons && delivery.status === "skipped" && <ReasonText reason={delivery.reason} class="block muted small dl-reason" />}
        </>
      ),
    },
    scenario: {
      title: t("deliveries.col_scenario"),
      cell: (delivery) => (
        <span>
          {scenarioName(delivery.scenario_id)}
          <StepLabel delivery={delivery} templateName={templateName} />
        </span>
      ),
    },
    order: { title: t("deliveries.col_order"), cellClass: "mono small", cell: (delivery) => orderIdOf(delivery.order_key) },
  };
}
