// The admin API, same origin: JSON in and out, the ID token as a bearer, errors as ApiError with
// the API's bilingual message. A 401 ends the session (the token expired or was revoked).
import { currentSession, expire, ROLE_RANK, type Role } from "./auth";

/** The signed-in user's role in the shop on screen (a role belongs to a shop: /api/me says which). */
let shopRole: Role | null = null;

export function setShopRole(role: Role | null): void {
  shopRole = role;
}
import { pick } from "./i18n";

export interface ErrorBody {
  code: string;
  message_ja: string;
  message_en: string;
  details: string[];
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ErrorBody,
  ) {
    super(body.message_en);
  }

  /** The message in the page's language, with the details the API gave. */
  get text(): string {
    return pick(this.body.message_ja, this.body.message_en);
  }
}

export type Query = Record<string, string | number | boolean | null | undefined>;

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  /** Sent as is (CSV uploads): the body is not JSON-encoded. */
  raw?: { data: BodyInit; contentType: string };
  idempotencyKey?: string;
  accept?: string;
  /** The answer's bytes as an ArrayBuffer, whatever its type (e.g. a mail that is not UTF-8). */
  bytes?: boolean;
}

export function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== "") params.set(name, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

async function send(method: string, path: string, options: RequestOptions): Promise<Response> {
  const headers: Record<string, string> = { Accept: options.accept ?? "application/json" };
  const token = currentSession()?.idToken;
  if (token) headers.Authorization = `Bearer ${token}`;
  if (options.idempotencyKey) headers["Idempotency-Key"] = options.idempotencyKey;
  let body: BodyInit | undefined;
  if (options.raw) {
    body = options.raw.data;
    headers["Content-Type"] = options.raw.contentType;
  } else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers["Content-Type"] = "application/json";
  }
  let answer: Response;
  try {
    answer = await fetch(withQuery(path, options.query), { method, headers, body });
  } catch {
    throw new ApiError(0, {
      code: "network",
      message_ja: "サーバーに接続できませんでした。通信環境を確認してもう一度お試しください。",
      message_en: "Could not reach the server. Check the connection and try again.",
      details: [],
    });
  }
  if (answer.ok) return answer;
  const document = (await answer.json().catch(() => null)) as { error?: ErrorBody; message?: string } | null;
  if (answer.status === 401 && token) expire();
  const error = document?.error ?? {
    code: `http_${answer.status}`,
    message_ja: `エラーが発生しました (HTTP ${answer.status})`,
    message_en: document?.message ?? `The request failed (HTTP ${answer.status})`,
    details: [],
  };
  throw new ApiError(answer.status, error);
}

export async function api<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const answer = await send(method, path, options);
  if (answer.status === 204) return undefined as T;
  if (options.bytes) return (await answer.arrayBuffer()) as T;
  const type = answer.headers.get("content-type") ?? "";
  return (type.includes("json") ? await answer.json() : await answer.text()) as T;
}

/** The file name an answer's Content-Disposition gives (filename*=UTF-8'' first), or null. */
function fileNameOf(disposition: string | null): string | null {
  if (!disposition) return null;
  const encoded = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(disposition);
  if (encoded) {
    try {
      return decodeURIComponent(encoded[1].trim());
    } catch {
      // a malformed name: the plain one, or the caller's
    }
  }
  const plain = /filename\s*=\s*"?([^";]+)"?/i.exec(disposition);
  return plain ? plain[1].trim() : null;
}

/**
 * A file the API makes (a CSV export), saved by the browser: fetched with the bearer token like
 * every call (a plain link would carry none), its bytes kept as they are (a BOM stays), then handed
 * to a Blob link. Its name is the answer's Content-Disposition's, else `fallbackName`. The answer's
 * headers come back (an export says there how many rows it wrote).
 */
export async function download(path: string, query: Query, fallbackName: string): Promise<Headers> {
  const answer = await send("GET", path, { query, accept: "text/csv, */*" });
  const url = URL.createObjectURL(await answer.blob());
  const link = document.createElement("a");
  link.href = url;
  link.download = fileNameOf(answer.headers.get("content-disposition")) ?? fallbackName;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  return answer.headers;
}

export const get = <T>(path: string, query?: Query) => api<T>("GET", path, { query });
export const post = <T>(path: string, body?: unknown, options: RequestOptions = {}) =>
  api<T>("POST", path, { ...options, body });
export const put = <T>(path: string, body?: unknown) => api<T>("PUT", path, { body });
export const patch = <T>(path: string, body?: unknown) => api<T>("PATCH", path, { body });
export const del = <T>(path: string) => api<T>("DELETE", path);

/** A fresh key for a retry-safe write (the API replays the answer for the same key). */
export function newIdempotencyKey(): string {
  return crypto.randomUUID();
}

export function shopPath(shop: string, rest = ""): string {
  return `/api/shops/${encodeURIComponent(shop)}${rest}`;
}

// --- who may call what: read from the API's own OpenAPI document (x-okaeri-role) ---------------

const roles = new Map<string, Role>();
let loaded: Promise<void> | null = null;

export function loadPermissions(): Promise<void> {
  loaded ??= fetch("/api/openapi.json")
    .then((answer) => answer.json())
    .then((document: { paths: Record<string, Record<string, { "x-okaeri-role"?: Role }>> }) => {
      for (const [path, operations] of Object.entries(document.paths)) {
        for (const [method, operation] of Object.entries(operations)) {
          const role = operation["x-okaeri-role"];
          if (role) roles.set(`${method.toUpperCase()} ${path}`, role);
        }
      }
    })
    .catch(() => {
      loaded = null;
    });
  return loaded;
}

/**
 * Whether the signed-in user's role in the shop on screen may call an operation, e.g.
 * `allowed("PUT", "/api/shops/{shop_id}/scenarios/{scenario_id}")`. Unknown operations: no.
 */
export function allowed(method: string, template: string): boolean {
  const needed = roles.get(`${method.toUpperCase()} ${template}`);
  const role = currentSession() ? shopRole : null;
  if (!needed || !role) return false;
  return ROLE_RANK[role] >= ROLE_RANK[needed];
}
