// The orders credited to a mail (issue #15: its buyer ordered within the shop's attribution window
// after it): each order's id, its total and how long after the send; a cancelled order's credit
// was taken back, and it says so.
import { Badge } from "../../components/ui";
import { formatNumber, formatYen, t } from "../../lib/i18n";
import type { Conversion, Delivery } from "./common";

/** The mail's credited orders, first ordered first. */
export function conversionsOf(delivery: Delivery): Conversion[] {
  return Object.values(delivery.conversions).sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
}

/** "送信の 5.2 時間後" (whole hours from 10 on; "within an hour" below 1). */
export function hoursAfter(hours: number): string {
  if (hours < 1) return t("deliveries.conversion_within_hour");
  return t("deliveries.conversion_hours", { n: hours < 10 ? hours.toFixed(1) : formatNumber(Math.round(hours)) });
}

export function Conversions(props: { delivery: Delivery; compact?: boolean }) {
  const list = conversionsOf(props.delivery);
  if (list.length === 0) return props.compact ? null : <span class="muted">{t("deliveries.conversions_none")}</span>;
  return (
    <ul class={`conversions${props.compact ? " conversions-compact" : ""}`} data-testid="conversions">
      {list.map((conversion) => (
        <li key={conversion.order_key} class={conversion.cancelled ? "conversion-cancelled" : undefined}>
          <span class="mono small">{t("deliveries.conversion_order", { id: conversion.order_id })}</span>{" "}
          <strong>{formatYen(conversion.total)}</strong> <span class="muted small">{hoursAfter(conversion.hours)}</span>
          {conversion.cancelled && (
            <>
              {" "}
              <Badge>{t("deliveries.conversion_cancelled")}</Badge>
            </>
          )}
        </li>
      ))}
    </ul>
  );
}
