// ショップ as staff see it: the Shop document read only, and the note on the calendar (where the
// cutoff and ship lead time are edited), which the form shows too.
import { t } from "../../lib/i18n";
import { href } from "../../lib/router";
import { ReadRows } from "./form";
import { hhmm } from "./shopDraft";
import type { Shop } from "./types";

export function complianceLabel(value: Shop["compliance"]): string {
  return t(`settings.compliance_${value}`);
}

export function CalendarNote(props: { shopId: string; shop: Shop }) {
  return (
    <p class="info-box set-calendar-note">
      {t("settings.calendar_note", { cutoff: hhmm(props.shop.cutoff), n: props.shop.ship_lead_business_days })}{" "}
      <a href={href(props.shopId, "calendar")}>{t("settings.calendar_link")}</a>
    </p>
  );
}

export function ShopView(props: { shopId: string; shop: Shop }) {
  const { shop } = props;
  const { default: fallback = 1, ...byPrefecture } = shop.transit_days;
  return (
    <div class="set-sections">
      <p class="info-box">{t("settings.read_only")}</p>
      <section class="card">
        <h2>{t("settings.section_basic")}</h2>
        <ReadRows
          rows={[
            [t("settings.shop_name"), shop.name],
            [t("settings.shop_id"), <span class="mono">{shop.id}</span>],
            [t("settings.timezone"), shop.timezone],
            [t("settings.sender_name"), shop.sender.name ?? ""],
            [t("settings.sender_address"), shop.sender.address],
          ]}
        />
      </section>
      <section class="card">
        <h2>{t("settings.section_sending")}</h2>
        <ReadRows
          rows={[
            [t("settings.compliance"), complianceLabel(shop.compliance)],
            [
              t("settings.quiet_hours"),
              shop.quiet_hours
                ? t("settings.quiet_value", { start: hhmm(shop.quiet_hours.start), end: hhmm(shop.quiet_hours.end) })
                : t("settings.quiet_none"),
            ],
            [
              t("settings.frequency_cap"),
              shop.frequency_cap
                ? t("settings.frequency_cap_value", { days: shop.frequency_cap.days, mails: shop.frequency_cap.mails })
                : t("settings.frequency_cap_none"),
            ],
            [t("settings.flexible_window"), t("settings.minutes", { n: shop.flexible_window_minutes })],
            [t("settings.max_window"), t("settings.days", { n: shop.max_window_days })],
            [
              t("settings.transit_days"),
              [
                t("settings.transit_default_value", { n: fallback }),
                ...Object.entries(byPrefecture).map(([key, days]) => `${key}: ${t("settings.days", { n: days })}`),
              ].join(t("settings.list_separator")),
            ],
          ]}
        />
        <CalendarNote shopId={props.shopId} shop={shop} />
      </section>
      <section class="card">
        <h2>{t("settings.section_results")}</h2>
        <ReadRows rows={[[t("settings.attribution_days"), t("settings.days", { n: shop.attribution_days })]]} />
      </section>
      <section class="card">
        <h2>{t("settings.section_footer")}</h2>
        <ReadRows
          rows={[
            [t("settings.signature"), shop.signature ? <pre class="set-pre">{shop.signature}</pre> : ""],
            [t("settings.legal_company"), shop.legal?.company ?? ""],
            [t("settings.legal_address"), shop.legal?.address ?? ""],
            [t("settings.legal_contact"), shop.legal?.contact ?? ""],
            [t("settings.public_base_url"), shop.links.public_base_url ?? ""],
            [t("settings.unsubscribe_mailto"), shop.links.unsubscribe_mailto ?? ""],
            [t("settings.review_url"), shop.review_url ?? ""],
          ]}
        />
      </section>
    </div>
  );
}
