// An upload with progress. `fetch` reports no upload progress, so this one request goes through
// XMLHttpRequest, with the same contract as lib/api.ts: the bearer token, an Idempotency-Key,
// errors as ApiError with the API's bilingual message, and a 401 ending the session.
import { ApiError, type ErrorBody } from "../../lib/api";
import { currentSession, expire } from "../../lib/auth";

export interface UploadOptions {
  data: Blob | string;
  contentType: string;
  idempotencyKey: string;
  /** Bytes sent so far and in all; then `onSent()` once the whole body is out (the API works). */
  onProgress?: (sent: number, total: number) => void;
  onSent?: () => void;
}

const NETWORK: ErrorBody = {
  code: "network",
  message_ja: "サーバーに接続できませんでした。通信環境を確認してもう一度お試しください。",
  message_en: "Could not reach the server. Check the connection and try again.",
  details: [],
};

export function upload<T>(path: string, options: UploadOptions): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open("POST", path);
    request.setRequestHeader("Accept", "application/json");
    request.setRequestHeader("Content-Type", options.contentType);
    request.setRequestHeader("Idempotency-Key", options.idempotencyKey);
    const token = currentSession()?.idToken;
    if (token) request.setRequestHeader("Authorization", `Bearer ${token}`);
    request.upload.onprogress = (event) => {
      if (event.lengthComputable) options.onProgress?.(event.loaded, event.total);
    };
    request.upload.onload = () => options.onSent?.();
    request.onerror = () => reject(new ApiError(0, NETWORK));
    request.ontimeout = () => reject(new ApiError(0, NETWORK));
    request.onload = () => {
      const parsed = parse(request.responseText);
      if (request.status >= 200 && request.status < 300) {
        resolve(parsed as T);
        return;
      }
      if (request.status === 401 && token) expire();
      reject(
        new ApiError(
          request.status,
          parsed?.error ?? {
            code: `http_${request.status}`,
            message_ja: `エラーが発生しました (HTTP ${request.status})`,
            message_en: parsed?.message ?? `The request failed (HTTP ${request.status})`,
            details: [],
          },
        ),
      );
    };
    request.send(options.data);
  });
}

function parse(text: string): { error?: ErrorBody; message?: string } | null {
  try {
    return JSON.parse(text) as { error?: ErrorBody; message?: string } | null;
  } catch {
    return null;
  }
}
