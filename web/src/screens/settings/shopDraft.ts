// The shop form's draft (form text, so a half-typed number is not lost), to and from the API's
// Shop, and its checks.
import { t } from "../../lib/i18n";
import { isMailAddress } from "../../lib/mailAddress";
import { TIME, type Shop } from "./types";

export interface Draft {
  name: string;
  timezone: string;
  senderName: string;
  senderAddress: string;
  compliance: Shop["compliance"];
  quiet: boolean;
  quietStart: string;
  quietEnd: string;
  window: string;
  maxDays: string;
  attributionDays: string;
  /** The shop's frequency_cap of advertising mails (issue #16): off, or capMails in capDays days. */
  cap: boolean;
  capMails: string;
  capDays: string;
  defaultTransit: string;
  transit: { key: string; days: string }[];
  signature: string;
  company: string;
  address: string;
  contact: string;
  baseUrl: string;
  mailto: string;
  reviewUrl: string;
}

export const hhmm = (time: string) => time.slice(0, 5);
/** The frequency cap the form offers when it is turned on (2 advertising mails in 7 days). */
export const DEFAULT_CAP = { mails: 2, days: 7 } as const;
/** okaeri.models.shop.FrequencyCap's bounds. */
export const CAP_LIMITS = { mails: { min: 1, max: 50 }, days: { min: 1, max: 90 } } as const;

export function draftOf(shop: Shop): Draft {
  const { default: fallback = 1, ...byPrefecture } = shop.transit_days;
  return {
    name: shop.name,
    timezone: shop.timezone,
    senderName: shop.sender.name ?? "",
    senderAddress: shop.sender.address,
    compliance: shop.compliance,
    quiet: shop.quiet_hours !== null,
    quietStart: hhmm(shop.quiet_hours?.start ?? "21:00"),
    quietEnd: hhmm(shop.quiet_hours?.end ?? "08:00"),
    window: String(shop.flexible_window_minutes),
    maxDays: String(shop.max_window_days),
    attributionDays: String(shop.attribution_days),
    cap: shop.frequency_cap !== null,
    capMails: String(shop.frequency_cap?.mails ?? DEFAULT_CAP.mails),
    capDays: String(shop.frequency_cap?.days ?? DEFAULT_CAP.days),
    defaultTransit: String(fallback),
    transit: Object.entries(byPrefecture).map(([key, days]) => ({ key, days: String(days) })),
    signature: shop.signature,
    company: shop.legal?.company ?? "",
    address: shop.legal?.address ?? "",
    contact: shop.legal?.contact ?? "",
    baseUrl: shop.links.public_base_url ?? "",
    mailto: shop.links.unsubscribe_mailto ?? "",
    reviewUrl: shop.review_url ?? "",
  };
}

export function shopOf(draft: Draft, base: Shop): Shop {
  const transit: Record<string, number> = { default: Number(draft.defaultTransit) };
  for (const row of draft.transit) if (row.key.trim()) transit[row.key.trim()] = Number(row.days);
  const legal = draft.company.trim() || draft.address.trim() || draft.contact.trim();
  return {
    ...base,
    name: draft.name.trim(),
    timezone: draft.timezone,
    sender: { address: draft.senderAddress.trim(), name: draft.senderName.trim() || null },
    compliance: draft.compliance,
    quiet_hours: draft.quiet ? { start: draft.quietStart, end: draft.quietEnd } : null,
    flexible_window_minutes: Number(draft.window),
    max_window_days: Number(draft.maxDays),
    attribution_days: Number(draft.attributionDays),
    frequency_cap: draft.cap ? { mails: Number(draft.capMails), days: Number(draft.capDays) } : null,
    transit_days: transit,
    signature: draft.signature,
    legal: legal ? { company: draft.company.trim(), address: draft.address.trim(), contact: draft.contact.trim() } : null,
    links: { ...base.links, public_base_url: draft.baseUrl.trim() || null, unsubscribe_mailto: draft.mailto.trim() || null },
    review_url: draft.reviewUrl.trim() || null,
  };
}

function whole(value: string, min: number, max: number): boolean {
  const number = Number(value);
  return value.trim() !== "" && Number.isInteger(number) && number >= min && number <= max;
}

export function validate(draft: Draft): Record<string, string> {
  const errors: Record<string, string> = {};
  if (!draft.name.trim()) errors.name = t("settings.error_required");
  if (!isMailAddress(draft.senderAddress.trim())) errors.senderAddress = t("settings.error_address");
  if (draft.quiet) {
    if (!TIME.test(draft.quietStart)) errors.quietStart = t("settings.error_time");
    if (!TIME.test(draft.quietEnd)) errors.quietEnd = t("settings.error_time");
    if (!errors.quietStart && draft.quietStart === draft.quietEnd) errors.quietEnd = t("settings.error_quiet_same");
  }
  if (!whole(draft.window, 0, 1440)) errors.window = t("settings.error_range", { min: 0, max: 1440 });
  if (!whole(draft.maxDays, 1, 365)) errors.maxDays = t("settings.error_range", { min: 1, max: 365 });
  if (!whole(draft.attributionDays, 1, 30)) errors.attributionDays = t("settings.error_range", { min: 1, max: 30 });
  if (draft.cap) {
    const { mails, days } = CAP_LIMITS;
    if (!whole(draft.capMails, mails.min, mails.max)) errors.capMails = t("settings.error_range", mails);
    if (!whole(draft.capDays, days.min, days.max)) errors.capDays = t("settings.error_range", days);
  }
  if (!whole(draft.defaultTransit, 0, 30)) errors.defaultTransit = t("settings.error_range", { min: 0, max: 30 });
  const seen = new Set<string>();
  draft.transit.forEach((row, index) => {
    const key = row.key.trim();
    if (!key) errors[`transitKey${index}`] = t("settings.error_required");
    else if (seen.has(key) || key === "default") errors[`transitKey${index}`] = t("settings.error_duplicate");
    seen.add(key);
    if (!whole(row.days, 0, 30)) errors[`transitDays${index}`] = t("settings.error_range", { min: 0, max: 30 });
  });
  const legal = [draft.company, draft.address, draft.contact].map((v) => v.trim());
  if (legal.some(Boolean)) {
    if (!legal[0]) errors.company = t("settings.error_legal");
    if (!legal[1]) errors.address = t("settings.error_legal");
    if (!legal[2]) errors.contact = t("settings.error_legal");
  }
  if (draft.baseUrl.trim() && !/^https?:\/\//.test(draft.baseUrl.trim())) errors.baseUrl = t("settings.error_url");
  if (draft.reviewUrl.trim() && !/^https?:\/\//.test(draft.reviewUrl.trim())) errors.reviewUrl = t("settings.error_url");
  return errors;
}

export function zones(current: string): string[] {
  const known = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
  return known.includes(current) ? known : [current, ...known];
}
