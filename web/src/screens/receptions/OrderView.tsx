// An order as the API gives it: what a mask read (a try) or what was stored (a parsed mail).
import { Badge, ErrorBox, Loading, useDocument } from "../../components/ui";
import { shopPath } from "../../lib/api";
import { formatDateTime, formatNumber, t } from "../../lib/i18n";
import { href } from "../../lib/router";
import { ReasonText, statusTone } from "../deliveries/common";
import { Conversions } from "../deliveries/Conversions";
import { kindLabel } from "./labels";
import { PlanChanges } from "./PlanChanges";
import type { Order, OrderDetail } from "./types";

function yen(value: number | null): string {
  return value === null ? "—" : t("receptions.yen", { amount: formatNumber(value) });
}

/** The fields read from a mail, as a list (empty ones shown as "—" so a missing field is seen). */
export function OrderFields(props: { order: Order; zone: string }) {
  const { order, zone } = props;
  const shipTo = [order.ship_to.postal_code, order.ship_to.prefecture, order.ship_to.address].filter(Boolean).join(" ");
  const rows: [string, string][] = [
    [t("receptions.field_order_id"), order.order_id],
    [t("receptions.order_kind"), kindLabel(order.kind)],
    [t("receptions.field_ordered_at"), formatDateTime(order.ordered_at, zone)],
    [t("receptions.field_customer_name"), order.customer.name ?? "—"],
    [t("receptions.field_customer_email"), order.customer.email ?? "—"],
    [t("receptions.field_customer_phone"), order.customer.phone ?? "—"],
    [t("receptions.field_ship_to_name"), order.ship_to.name ?? "—"],
    [t("receptions.field_ship_to_address"), shipTo || "—"],
    [t("receptions.field_payment_method"), order.payment_method ?? "—"],
    [t("receptions.field_total"), yen(order.total)],
  ];
  if (order.kind === "shipment" || order.shipped_at || order.tracking_number) {
    rows.push([t("receptions.field_shipped_at"), order.shipped_at ?? "—"]);
    rows.push([t("receptions.field_carrier"), order.carrier ?? "—"]);
    rows.push([t("receptions.field_tracking_number"), order.tracking_number ?? "—"]);
  }
  return (
    <div class="order-fields">
      <dl class="mail-facts">
        {rows.map(([label, value]) => (
          <div key={label} class="mail-fact">
            <dt>{label}</dt>
            <dd class={value === "—" ? "muted" : undefined}>{value}</dd>
          </div>
        ))}
      </dl>
      <h4 class="order-items-title">{t("receptions.items", { n: order.items.length })}</h4>
      {order.items.length === 0 ? (
        <p class="muted small">{t("receptions.items_none")}</p>
      ) : (
        <ul class="order-items">
          {order.items.map((item, index) => (
            <li key={index}>
              <span>{item.name ?? item.sku ?? "—"}</span>
              {item.sku && item.name && <span class="muted small mono"> {item.sku}</span>}
              <span class="muted small">
                {" "}
                × {item.quantity}
                {item.unit_price !== null && ` / ${yen(item.unit_price)}`}
              </span>
            </li>
          ))}
        </ul>
      )}
      {!order.customer.email && order.kind === "order" && (
        <p class="warn-box small">{t("receptions.no_email_warning")}</p>
      )}
    </div>
  );
}

/** A stored order (from a parsed mail) and the mails planned for it. */
export function StoredOrder(props: { shop: string; orderKey: string; zone: string }) {
  const { shop, orderKey, zone } = props;
  const detail = useDocument<OrderDetail>(shopPath(shop, `/orders/${encodeURIComponent(orderKey)}`));
  if (detail.error) return <ErrorBox error={detail.error} />;
  if (!detail.data) return <Loading />;
  const { order, deliveries } = detail.data;
  const planned = deliveries.filter((delivery) => delivery.status !== "skipped" && delivery.status !== "cancelled");
  return (
    <div>
      <OrderFields order={order.order} zone={zone} />
      <h4 class="order-items-title">{t("receptions.planned_mails", { n: planned.length })}</h4>
      {deliveries.length === 0 ? (
        <p class="muted small">{t("receptions.planned_none")}</p>
      ) : (
        <ul class="planned-mails">
          {deliveries.map((delivery) => (
            <li key={delivery.id}>
              <Badge tone={statusTone(delivery.status)}>{t(`receptions.status_${delivery.status}`)}</Badge>{" "}
              <span>{formatDateTime(delivery.send_at, zone)}</span>{" "}
              <span class="muted small">
                {delivery.scenario_id} / {delivery.step_id}
                {delivery.variant && ` · ${t("deliveries.variant_short", { v: delivery.variant })}`}
              </span>
              {delivery.reason && (
                <>
                  {" — "}
                  <ReasonText reason={delivery.reason} class="small planned-reason" />
                </>
              )}
              <Conversions delivery={delivery} compact />
            </li>
          ))}
        </ul>
      )}
      <PlanChanges changes={detail.data.plan_changes ?? []} deliveries={deliveries} zone={zone} />
      {order.customer_id && (
        <p class="small">
          <a href={href(shop, "customers", order.customer_id)}>{t("receptions.open_customer")}</a>
        </p>
      )}
    </div>
  );
}
