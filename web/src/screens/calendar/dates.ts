// Calendar dates as ISO strings (YYYY-MM-DD): arithmetic in UTC so no local zone moves a day.
import { lang } from "../../lib/i18n";

export function toDate(iso: string): Date {
  return new Date(`${iso.slice(0, 10)}T00:00:00Z`);
}

export function isoOf(date: Date): string {
  return date.toISOString().slice(0, 10);
}

export function addDays(iso: string, days: number): string {
  const date = toDate(iso);
  date.setUTCDate(date.getUTCDate() + days);
  return isoOf(date);
}

/** 0 = Sunday … 6 = Saturday. */
export function weekdayIndex(iso: string): number {
  return toDate(iso).getUTCDay();
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

export function isoDay(year: number, month: number, day: number): string {
  return `${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}

/** "2026年12月1日(火)" / "Tue, 1 December 2026". */
export function longDate(iso: string): string {
  return new Intl.DateTimeFormat(lang() === "en" ? "en-GB" : "ja-JP", {
    timeZone: "UTC",
    year: "numeric",
    month: "long",
    day: "numeric",
    weekday: "short",
  }).format(toDate(iso));
}

/** "12月1日(火)" / "Tue 1 Dec". */
export function shortDate(iso: string): string {
  const english = lang() === "en";
  return new Intl.DateTimeFormat(english ? "en-GB" : "ja-JP", {
    timeZone: "UTC",
    month: english ? "short" : "long",
    day: "numeric",
    weekday: "short",
  }).format(toDate(iso));
}

/** "1日(火)" / "Tue 1": a day within a month already named. */
export function dayOfMonth(iso: string): string {
  const english = lang() === "en";
  return new Intl.DateTimeFormat(english ? "en-GB" : "ja-JP", {
    timeZone: "UTC",
    day: "numeric",
    weekday: "short",
  }).format(toDate(iso));
}

/** "12月" / "December". */
export function monthName(year: number, month: number): string {
  return new Intl.DateTimeFormat(lang() === "en" ? "en-GB" : "ja-JP", { timeZone: "UTC", month: "long" }).format(
    toDate(isoDay(year, month, 1)),
  );
}

/** The local date (YYYY-MM-DD) of an instant in a time zone. */
export function localDate(instant: string, zone: string): string {
  const parts = new Intl.DateTimeFormat("en-CA", {
    timeZone: zone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).formatToParts(new Date(instant));
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
  return `${part("year")}-${part("month")}-${part("day")}`;
}

/** "12:00:00" → "12:00". */
export function hhmm(time: string): string {
  return time.slice(0, 5);
}
