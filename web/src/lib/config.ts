// Where and how to sign in: the admin function's /config.json (same origin).
export interface ClientConfig {
  region: string;
  user_pool_id: string;
  user_pool_client_id: string;
  cognito_endpoint: string;
  api_base: string;
  /** How soon a saved edit of the shop, a scenario or a template reaches sending (the pipeline's cache). */
  changes_apply_within_seconds?: number;
}

let cached: Promise<ClientConfig> | null = null;

export function clientConfig(): Promise<ClientConfig> {
  cached ??= fetch("/config.json", { headers: { Accept: "application/json" } }).then(async (answer) => {
    if (!answer.ok) throw new Error(`/config.json: HTTP ${answer.status}`);
    return (await answer.json()) as ClientConfig;
  });
  return cached;
}
