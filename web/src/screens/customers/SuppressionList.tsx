// 配信停止リスト: addresses no mail goes to (bounces, complaints, opt-outs, manual entries).
// A manager adds and lifts manual entries; lifting any other kind needs an owner.
import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import { PagedTable } from "../../components/table";
import { PageHeader, useConfirmedAction, usePaged } from "../../components/ui";
import { success } from "../../components/notices";
import { allowed, api, del, shopPath } from "../../lib/api";
import { formatDateTime, t } from "../../lib/i18n";
import type { Me } from "../../lib/types";
import { href } from "../../lib/router";
import { keyFor, settled, useShopZone } from "../deliveries/common";
import { suppressionLabel, type Suppression } from "./common";

const LIST = "/api/shops/{shop_id}/suppressions";

export function SuppressionList(props: { shop: string; me: Me; tabs: ComponentChildren }) {
  const list = usePaged<Suppression>(shopPath(props.shop, "/suppressions"));
  const zone = useShopZone(props.shop);
  const action = useConfirmedAction();
  const [address, setAddress] = useState("");
  const mayAdd = allowed("POST", LIST);
  const mayLift = (entry: Suppression) =>
    allowed("DELETE", `${LIST}/{address}`) && (entry.reason === "manual" || props.me.role === "owner");

  const add = async (value: string) => {
    const what = `suppress ${props.shop} ${value}`;
    const answer = await api<{ added: boolean }>("POST", shopPath(props.shop, "/suppressions"), {
      body: { address: value, reason: "manual" },
      idempotencyKey: keyFor(what),
    });
    settled(what);
    await list.reload();
    return answer;
  };
  const lift = async (value: string) => {
    await del(shopPath(props.shop, `/suppressions/${encodeURIComponent(value)}`));
    await list.reload();
  };

  const submit = async (event: Event) => {
    event.preventDefault();
    const value = address.trim();
    if (!value) return;
    await action.run(async () => {
      const answer = await add(value);
      setAddress("");
      if (answer.added) {
        success(t("customers.suppressed", { address: value }), async () => {
          await lift(value);
          success(t("customers.lifted", { address: value }));
        });
      } else {
        success(t("customers.suppressed_already", { address: value }));
      }
    });
  };

  const remove = async (entry: Suppression) => {
    await action.confirmThen(
      {
        title: t("customers.lift_title"),
        body: <p>{t("customers.lift_body", { address: entry.address, reason: suppressionLabel(entry.reason) })}</p>,
        warning: entry.reason !== "manual" && t("customers.lift_warning"),
        confirmLabel: t("customers.lift_confirm"),
        danger: true,
      },
      async () => {
        await lift(entry.address);
        // Undo puts a manual entry back; another reason (a bounce, an opt-out) cannot be recreated.
        success(
          t("customers.lifted", { address: entry.address }),
          entry.reason === "manual"
            ? async () => {
                await add(entry.address);
                success(t("customers.suppressed", { address: entry.address }));
              }
            : undefined,
        );
      },
    );
  };

  return (
    <>
      <PageHeader title={t("nav.customers")} lead={t("customers.suppressions_lead")} />
      {props.tabs}
      {mayAdd && (
        <form class="cu-add" onSubmit={submit} aria-label={t("customers.suppress_form")}>
          <label for="cu-suppress">{t("customers.suppress_address")}</label>
          <div class="cu-add-row">
            <input
              id="cu-suppress"
              type="email"
              required
              maxLength={254}
              autoComplete="off"
              value={address}
              aria-describedby="cu-suppress-hint"
              onInput={(e) => setAddress(e.currentTarget.value)}
            />
            <button type="submit" class="button button-primary" disabled={action.busy}>
              {t("customers.suppress")}
            </button>
          </div>
          <p class="hint" id="cu-suppress-hint">
            {t("customers.suppress_hint")}
          </p>
        </form>
      )}
      <PagedTable
        list={list}
        empty={t("customers.no_suppressions")}
        class="cu-table"
        caption={t("customers.tab_suppressions")}
        labelled
        rowKey={(entry) => entry.address}
        columns={[
          { title: t("customers.col_email"), cellClass: "cu-email", cell: (entry) => entry.address },
          {
            title: t("customers.col_reason"),
            cell: (entry) => (
              <>
                {suppressionLabel(entry.reason)}
                {entry.delivery_id && (
                  <>
                    {" "}
                    <a class="small" href={href(props.shop, "deliveries", entry.delivery_id)}>
                      {t("customers.after_mail")}
                    </a>
                  </>
                )}
              </>
            ),
          },
          { title: t("customers.col_since"), cell: (entry) => formatDateTime(entry.at, zone) },
          {
            title: t("customers.actions_title"),
            hiddenTitle: true,
            cellClass: "actions",
            cell: (entry) =>
              mayLift(entry) && (
                <button
                  type="button"
                  class="button button-small"
                  disabled={action.busy}
                  aria-label={t("customers.lift_label", { address: entry.address })}
                  onClick={() => remove(entry)}
                >
                  {t("customers.lift")}
                </button>
              ),
          },
        ]}
      />
      {action.dialog}
    </>
  );
}
