// One mail's facts: its status (and why), when it goes or went, to whom and how, its scenario and
// template version, its A/B variant and holdout, the orders credited to it, its order and customer.
import { formatDateTime, t } from "../../lib/i18n";
import { href } from "../../lib/router";
import { orderIdOf, ReasonText, StatusBadge, transportLabel, type Delivery } from "./common";
import { Conversions, conversionsOf } from "./Conversions";

/** A mail that was not and will not be sent: its text is what it would have been. */
export const NOT_SENT = new Set(["cancelled", "skipped", "failed"]);

export function DeliveryFacts(props: {
  shop: string;
  delivery: Delivery;
  zone: string;
  scenarioName: string;
  /** the address, when no mail is shown (the mail's card names it otherwise) */
  withAddress: boolean;
}) {
  const { delivery, zone, scenarioName } = props;
  return (
    <section class="card" aria-labelledby="dl-info-title">
      <h2 id="dl-info-title">{t("deliveries.info_title")}</h2>
      <dl class="dl-facts">
        <dt>{t("deliveries.col_status")}</dt>
        <dd>
          <StatusBadge status={delivery.status} />
          <ReasonText reason={delivery.reason} class="muted small dl-reason" />
        </dd>
        <dt>{t(delivery.sent_at ? "deliveries.sent_at" : NOT_SENT.has(delivery.status) ? "deliveries.send_at_was" : "deliveries.send_at")}</dt>
        <dd data-testid="send-at">{formatDateTime(delivery.sent_at ?? delivery.send_at, zone)}</dd>
        {props.withAddress && (
          <>
            <dt>{t("deliveries.to")}</dt>
            <dd class="dl-break">{delivery.customer_email || t("deliveries.no_address")}</dd>
          </>
        )}
        <dt>{t("deliveries.transport")}</dt>
        <dd>
          {delivery.transport ? (
            transportLabel(delivery.transport)
          ) : (
            <span class="muted" data-testid="transport">
              {t(NOT_SENT.has(delivery.status) ? "deliveries.transport_none" : "deliveries.transport_pending")}
            </span>
          )}
        </dd>
        <dt>{t("deliveries.col_scenario")}</dt>
        <dd>
          {scenarioName} <span class="muted small">· {delivery.step_id}</span>
        </dd>
        <dt>{t("deliveries.template")}</dt>
        <dd>
          {delivery.template_id}
          {delivery.template_version !== null && (
            <span class="muted small"> {t("deliveries.version", { n: delivery.template_version })}</span>
          )}
        </dd>
        {delivery.variant && (
          <>
            <dt>{t("deliveries.variant")}</dt>
            <dd data-testid="variant">{t("deliveries.variant_value", { v: delivery.variant })}</dd>
          </>
        )}
        {delivery.held_out && (
          <>
            <dt>{t("deliveries.held_out")}</dt>
            <dd data-testid="held-out">{t("deliveries.held_out_value")}</dd>
          </>
        )}
        {(delivery.status === "sent" || conversionsOf(delivery).length > 0) && (
          <>
            <dt>{t("deliveries.conversions")}</dt>
            <dd>
              <Conversions delivery={delivery} />
            </dd>
          </>
        )}
        <dt>{t("deliveries.col_order")}</dt>
        <dd class="mono small dl-break">{orderIdOf(delivery.order_key)}</dd>
        {delivery.ship_date && (
          <>
            <dt>{t("deliveries.ship_date")}</dt>
            <dd>{delivery.ship_date}</dd>
          </>
        )}
        {delivery.customer_id && (
          <>
            <dt>{t("deliveries.customer")}</dt>
            <dd>
              <a href={href(props.shop, "customers", delivery.customer_id)}>{t("deliveries.open_customer")}</a>
            </dd>
          </>
        )}
      </dl>
    </section>
  );
}
