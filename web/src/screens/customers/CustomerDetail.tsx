// One customer: who they are, whether they may be mailed, their orders and mails; stop mailing them
// (manager+) or erase their personal data (owner; typed confirmation with their address).
import type { components } from "../../api/schema";
import { Badge, ErrorBox, Loading, PageHeader, useConfirmedAction, useDocument } from "../../components/ui";
import { success } from "../../components/notices";
import type { Me } from "../../lib/types";
import { allowed, api, shopPath } from "../../lib/api";
import { formatDateTime, formatNumber, t } from "../../lib/i18n";
import { href } from "../../lib/router";
import { Table } from "../../components/table";
import { keyFor, settled, useScenarios, useTemplateNames, useShopZone } from "../deliveries/common";
import { deliveryColumns } from "../deliveries/columns";
import { displayName, ERASED, suppressionLabel } from "./common";

type Detail = components["schemas"]["CustomerDetail"];
type ErasureResult = components["schemas"]["ErasureResult"];

const ONE = "/api/shops/{shop_id}/customers/{customer_id}";

export function CustomerDetail(props: { shop: string; id: string; me: Me }) {
  const path = shopPath(props.shop, `/customers/${encodeURIComponent(props.id)}`);
  const doc = useDocument<Detail>(path);
  const zone = useShopZone(props.shop);
  const scenarios = useScenarios(props.shop);
  const templateName = useTemplateNames(props.shop);
  const action = useConfirmedAction();
  const backLink = (
    <a class="button" href={href(props.shop, "customers")}>
      ← {t("customers.back")}
    </a>
  );
  if (doc.error || !doc.data) {
    return (
      <>
        <PageHeader title={t("customers.detail_title")} actions={backLink} />
        {doc.error ? <ErrorBox error={doc.error} /> : <Loading />}
      </>
    );
  }
  const { customer, erased, suppression, orders, deliveries } = doc.data;
  const mayUnsubscribe = !erased && allowed("POST", `${ONE}/unsubscribe`);
  const mayErase = !erased && allowed("POST", `${ONE}/erase`);
  const scenarioName = (id: string) => scenarios.find((s) => s.id === id)?.name || id;
  const mailLink = (delivery: { id: string }) => href(props.shop, "deliveries", delivery.id);
  const mails = deliveryColumns({ link: mailLink, zone, scenarioName, templateName, reasons: true });

  const unsubscribe = async () => {
    await action.confirmThen(
      {
        title: t("customers.unsubscribe_title"),
        body: <p>{t("customers.unsubscribe_body", { email: customer.email })}</p>,
        warning: t("customers.unsubscribe_final"),
        confirmLabel: t("customers.unsubscribe_confirm"),
        danger: true,
      },
      async () => {
        const what = `unsubscribe ${path}`;
        await api("POST", `${path}/unsubscribe`, { body: {}, idempotencyKey: keyFor(what) });
        settled(what);
        await doc.reload();
        success(t("customers.unsubscribed"));
      },
    );
  };

  const erase = async () => {
    await action.confirmThen(
      {
        title: t("customers.erase_title"),
        body: (
          <>
            <p>{t("customers.erase_body", { name: displayName(customer) })}</p>
            <ul class="cu-erase-list">
              <li>{t("customers.erase_point_orders")}</li>
              <li>{t("customers.erase_point_mails")}</li>
              <li>{t("customers.erase_point_kept")}</li>
            </ul>
          </>
        ),
        warning: t("customers.erase_final"),
        confirmLabel: t("customers.erase_confirm"),
        danger: true,
        typed: customer.email,
      },
      async () => {
        const what = `erase ${path}`;
        const result = await api<ErasureResult>("POST", `${path}/erase`, {
          body: { confirm: customer.email },
          idempotencyKey: keyFor(what),
        });
        settled(what);
        await doc.reload();
        success(
          result.already
            ? t("customers.erased_already")
            : t("customers.erased", { orders: result.orders_redacted, mails: result.deliveries_cancelled }),
        );
      },
    );
  };

  return (
    <>
      <PageHeader title={displayName(customer)} lead={erased ? t("customers.erased_lead") : undefined} actions={backLink} />
      <div class="cu-detail">
        <section class="card" aria-labelledby="cu-profile-title">
          <h2 id="cu-profile-title">{t("customers.profile_title")}</h2>
          <dl class="cu-facts">
            <dt>{t("customers.col_email")}</dt>
            <dd class="cu-email">{customer.email === ERASED ? t("customers.erased_value") : customer.email}</dd>
            <dt>{t("customers.col_orders")}</dt>
            <dd data-testid="cu-order-count">{t("customers.order_count", { n: formatNumber(customer.order_count) })}</dd>
            <dt>{t("customers.col_spent")}</dt>
            <dd data-testid="cu-total-spent">{t("customers.yen", { n: formatNumber(customer.total_spent ?? 0) })}</dd>
            <dt>{t("customers.first_order")}</dt>
            <dd data-testid="cu-first-order">{formatDateTime(customer.first_order_at, zone)}</dd>
            <dt>{t("customers.last_order")}</dt>
            <dd data-testid="cu-last-order">{formatDateTime(customer.last_order_at, zone)}</dd>
            <dt>{t("customers.col_state")}</dt>
            <dd>
              {erased ? (
                <Badge tone="muted">{t("customers.state_erased")}</Badge>
              ) : suppression || customer.unsubscribed_at ? (
                <Badge tone="warn">{t("customers.state_unsubscribed")}</Badge>
              ) : (
                <Badge tone="ok">{t("customers.state_subscribed")}</Badge>
              )}
              {suppression && <span class="muted small cu-why">{suppressionLabel(suppression)}</span>}
              {customer.unsubscribed_at && (
                <span class="muted small cu-why">
                  {t("customers.unsubscribed_at", { when: formatDateTime(customer.unsubscribed_at, zone) })}
                </span>
              )}
            </dd>
          </dl>
        </section>
        {(mayUnsubscribe || mayErase) && (
          <section class="card" aria-labelledby="cu-actions-title">
            <h2 id="cu-actions-title">{t("customers.actions_title")}</h2>
            {mayUnsubscribe && !suppression && (
              <div class="cu-action">
                <button type="button" class="button" disabled={action.busy} onClick={unsubscribe}>
                  {t("customers.unsubscribe")}
                </button>
                <p class="hint">{t("customers.unsubscribe_hint")}</p>
              </div>
            )}
            {mayErase && (
              <div class="cu-action">
                <button type="button" class="button button-danger" disabled={action.busy} onClick={erase}>
                  {t("customers.erase")}
                </button>
                <p class="hint">{t("customers.erase_hint")}</p>
              </div>
            )}
          </section>
        )}
      </div>

      <section class="cu-section" aria-labelledby="cu-orders-title">
        <h2 id="cu-orders-title">{t("customers.orders_title", { n: orders.length })}</h2>
        {orders.length === 0 ? (
          <p class="empty">{t("customers.no_orders")}</p>
        ) : (
          <Table
            class="cu-table"
            labelled
            rows={orders}
            rowKey={(record) => `${record.order.source}#${record.order.order_id}`}
            columns={[
              {
                title: t("customers.col_order"),
                cell: (record) => (
                  <span>
                    <span class="mono small">{record.order.order_id}</span>
                    <span class="muted small cu-source"> {t("customers.source", { source: record.order.source })}</span>
                    {record.status === "cancelled" && <Badge tone="bad">{t("customers.order_cancelled")}</Badge>}
                  </span>
                ),
              },
              { title: t("customers.col_ordered_at"), cell: (record) => formatDateTime(record.order.ordered_at, zone) },
              {
                title: t("customers.col_items"),
                cell: (record) =>
                  record.order.items.length === 0
                    ? "—"
                    : record.order.items.map((item) => `${item.name ?? item.sku ?? "—"} × ${item.quantity}`).join("、"),
              },
              {
                title: t("customers.col_total"),
                class: "num",
                cell: (record) => (record.order.total === null ? "—" : t("customers.yen", { n: formatNumber(record.order.total) })),
              },
              {
                title: t("customers.col_shipped"),
                cell: (record) =>
                  record.order.shipped_at ? record.order.shipped_at.slice(0, 10) : <span class="muted">{t("customers.not_shipped")}</span>,
              },
            ]}
          />
        )}
      </section>

      <section class="cu-section" aria-labelledby="cu-mails-title">
        <h2 id="cu-mails-title">{t("customers.mails_title", { n: deliveries.length })}</h2>
        {deliveries.length === 0 ? (
          <p class="empty">{t("customers.no_mails")}</p>
        ) : (
          <Table
            class="cu-table"
            labelled
            rows={[...deliveries].sort((a, b) => Date.parse(b.sent_at ?? b.send_at) - Date.parse(a.sent_at ?? a.send_at))}
            rowKey={(delivery) => delivery.id}
            rowLink={mailLink}
            columns={[mails.when, mails.status, mails.scenario, mails.order]}
          />
        )}
      </section>
      {action.dialog}
    </>
  );
}
