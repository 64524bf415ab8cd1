// Reading what the reception screens need: the raw mail's bytes, the entries seen so far (the API
// has no "one entry" read, so the detail view finds its entry in what the log has shown), and the
// shop's time zone.
import { api, get, shopPath } from "../../lib/api";
import { useDocument } from "../../components/ui";
import type { ReceptionEntry } from "./types";

/** The received mail exactly as stored (bytes: an 8-bit Shift_JIS mail must not go through UTF-8). */
export async function fetchRawMail(shop: string, key: string): Promise<Uint8Array> {
  const path = `${shopPath(shop, "/receptions/raw")}?key=${encodeURIComponent(key)}`;
  return new Uint8Array(await api<ArrayBuffer>("GET", path, { accept: "text/plain, application/json", bytes: true }));
}

const seen = new Map<string, ReceptionEntry>();

/** Remembers entries (the newest per mail key wins). */
export function remember(entries: readonly ReceptionEntry[]): void {
  for (const entry of entries) {
    const known = seen.get(entry.s3_key);
    if (!known || known.received_at <= entry.received_at) seen.set(entry.s3_key, entry);
  }
}

export function remembered(key: string): ReceptionEntry | undefined {
  return seen.get(key);
}

/** Looks for the newest entry of a mail in the log (a few pages), for a detail view opened by link. */
export async function findEntry(shop: string, key: string): Promise<ReceptionEntry | null> {
  let cursor: string | null = null;
  for (let page = 0; page < 5; page++) {
    const answer: { items: ReceptionEntry[]; next_cursor: string | null } = await get(shopPath(shop, "/receptions"), {
      limit: 200,
      cursor,
    });
    remember(answer.items);
    const found = answer.items.find((entry) => entry.s3_key === key);
    if (found) return remembered(key) ?? found;
    if (!answer.next_cursor) return null;
    cursor = answer.next_cursor;
  }
  return null;
}

/** The shop's time zone (its settings), for showing times; Tokyo until known. */
export function useShopZone(shop: string): string {
  const settings = useDocument<{ timezone?: string }>(shopPath(shop, "/settings"));
  return settings.data?.timezone ?? "Asia/Tokyo";
}
