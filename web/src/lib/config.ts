// Where and how to sign in: the admin function's /config.json (same origin).
import type { components } from "../api/schema";

export type ClientConfig = components["schemas"]["ClientConfig"];

let cached: Promise<ClientConfig> | null = null;

export function clientConfig(): Promise<ClientConfig> {
  cached ??= fetch("/config.json", { headers: { Accept: "application/json" } }).then(async (answer) => {
    if (!answer.ok) throw new Error(`/config.json: HTTP ${answer.status}`);
    return (await answer.json()) as ClientConfig;
  });
  return cached;
}
