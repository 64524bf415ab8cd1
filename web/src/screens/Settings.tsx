// 設定: the shop's settings in tabs (#/<shop>/settings/<tab>): shop, SMTP relays, coupon pools,
// parse masks, Shopify, and (owner only) users and roles. Each tab shows only the controls the
// signed-in role may use; the rest is read-only.
import { PageHeader } from "../components/ui";
import { allowed } from "../lib/api";
import { t, useLang } from "../lib/i18n";
import { href } from "../lib/router";
import type { ScreenProps } from "../lib/types";
import { CouponsTab } from "./settings/CouponsTab";
import { MasksTab } from "./settings/MasksTab";
import { RelaysTab } from "./settings/RelaysTab";
import { ShopifyTab } from "./settings/ShopifyTab";
import { ShopTab } from "./settings/ShopTab";
import { OPS } from "./settings/types";
import { UsersTab } from "./settings/UsersTab";
import "../styles/settings.css";

type TabName = "shop" | "relays" | "coupons" | "masks" | "shopify" | "users";

export function Settings(props: ScreenProps) {
  useLang();
  const { shop } = props;
  const tabs: TabName[] = ["shop", "relays", "coupons", "masks", "shopify"];
  if (allowed("GET", OPS.users)) tabs.push("users");
  const wanted = props.route.rest[0] as TabName | undefined;
  const tab: TabName = wanted && tabs.includes(wanted) ? wanted : "shop";
  const readOnly = !allowed("PUT", OPS.settings);

  return (
    <>
      <PageHeader title={t("nav.settings")} lead={readOnly ? t("settings.lead_read") : t("settings.lead")} />
      <div class="tabs set-tabs" role="navigation" aria-label={t("settings.tabs")}>
        {tabs.map((name) => (
          <a key={name} href={href(shop, "settings", name)} aria-current={name === tab ? "page" : undefined}>
            {t(`settings.tab_${name}`)}
          </a>
        ))}
      </div>
      <div class="set-panel">
        {tab === "shop" && <ShopTab key={shop} shop={shop} />}
        {tab === "relays" && <RelaysTab key={shop} shop={shop} />}
        {tab === "coupons" && <CouponsTab key={shop} shop={shop} />}
        {tab === "masks" && <MasksTab key={shop} shop={shop} />}
        {tab === "shopify" && <ShopifyTab key={shop} shop={shop} />}
        {tab === "users" && <UsersTab key={shop} shop={shop} me={props.me.email} />}
      </div>
    </>
  );
}
