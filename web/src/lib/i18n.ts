// Message catalogs: one JSON file per area and language (messages/ja/<area>.json,
// messages/en/<area>.json); a key is "<area>.<name>". Japanese is the default; the choice is kept
// in localStorage. `t("<area>.<name>", { n: 3 })` fills "{n}".
import { useEffect, useState } from "preact/hooks";

export type Lang = "ja" | "en";
export const LANGS: readonly Lang[] = ["ja", "en"];
const STORAGE_KEY = "okaeri.lang";

type Catalog = Record<string, string>;
const files = import.meta.glob<Catalog>("../messages/*/*.json", { eager: true, import: "default" });

function load(): Record<Lang, Catalog> {
  const catalogs: Record<Lang, Catalog> = { ja: {}, en: {} };
  for (const [path, messages] of Object.entries(files)) {
    const match = /messages\/(ja|en)\/([\w-]+)\.json$/.exec(path);
    if (!match) continue;
    const [, lang, area] = match;
    for (const [name, text] of Object.entries(messages)) catalogs[lang as Lang][`${area}.${name}`] = text;
  }
  return catalogs;
}

const catalogs = load();

function initialLang(): Lang {
  const saved = globalThis.localStorage?.getItem(STORAGE_KEY);
  return saved === "en" ? "en" : "ja";
}

let current: Lang = initialLang();
const listeners = new Set<(lang: Lang) => void>();
document.documentElement.lang = current;

export function lang(): Lang {
  return current;
}

export function setLang(next: Lang): void {
  current = next;
  localStorage.setItem(STORAGE_KEY, next);
  document.documentElement.lang = next;
  for (const listener of listeners) listener(next);
}

/** Re-renders the calling component when the language changes; returns the language. */
export function useLang(): Lang {
  const [value, setValue] = useState(current);
  useEffect(() => {
    listeners.add(setValue);
    return () => listeners.delete(setValue);
  }, []);
  return value;
}

export function t(key: string, params: Record<string, string | number> = {}): string {
  const text = catalogs[current][key] ?? catalogs.ja[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

/** A bilingual pair from the API (`message_ja` / `message_en`, `label_ja` …) in the current language. */
export function pick(ja: string | null | undefined, en: string | null | undefined): string {
  return (current === "en" ? en || ja : ja || en) ?? "";
}

export function formatDateTime(iso: string | null | undefined, zone = "Asia/Tokyo"): string {
  if (!iso) return "—";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(current === "en" ? "en-GB" : "ja-JP", {
    timeZone: zone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
  }).format(date);
}

export function formatNumber(value: number): string {
  return new Intl.NumberFormat(current === "en" ? "en-US" : "ja-JP").format(value);
}

/** An amount of yen: "¥550,000" (a fraction only below ¥10: "¥2.5"). */
export function formatYen(value: number): string {
  const digits = Math.abs(value) < 10 && !Number.isInteger(value) ? 1 : 0;
  const text = new Intl.NumberFormat(current === "en" ? "en-US" : "ja-JP", { maximumFractionDigits: digits, minimumFractionDigits: digits }).format(
    digits ? value : Math.round(value),
  );
  return `¥${text}`;
}

/** A share as a percentage: 0.0625 → "6.3%" (null: "—"). */
export function formatPercent(value: number | null | undefined, digits = 1): string {
  if (value === null || value === undefined) return "—";
  return `${(value * 100).toFixed(digits)}%`;
}

export function catalogKeys(lang: Lang): string[] {
  return Object.keys(catalogs[lang]).sort();
}
