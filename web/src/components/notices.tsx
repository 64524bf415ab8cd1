// Success and error messages for every action: a polite live region (screen readers announce
// them), each with an optional undo button.
import { useEffect, useState } from "preact/hooks";
import { ApiError } from "../lib/api";
import { t } from "../lib/i18n";

export interface Notice {
  id: number;
  kind: "success" | "error";
  text: string;
  details?: string[];
  undo?: () => void | Promise<void>;
}

let nextId = 1;
let notices: Notice[] = [];
const listeners = new Set<(list: Notice[]) => void>();

function publish(list: Notice[]): void {
  notices = list;
  for (const listener of listeners) listener(list);
}

export function dismiss(id: number): void {
  publish(notices.filter((notice) => notice.id !== id));
}

export function notify(kind: Notice["kind"], text: string, options: { details?: string[]; undo?: Notice["undo"] } = {}): void {
  const notice = { id: nextId++, kind, text, ...options };
  publish([...notices.slice(-3), notice]);
  setTimeout(() => dismiss(notice.id), kind === "error" ? 15_000 : options.undo ? 10_000 : 5_000);
}

export const success = (text: string, undo?: Notice["undo"]) => notify("success", text, { undo });

/** An error from any call, in the page's language (ApiError carries the API's own message). */
export function failure(error: unknown): void {
  if (error instanceof ApiError) notify("error", error.text, { details: error.body.details });
  else notify("error", t("common.unexpected_error"), { details: [String(error)] });
}

/**
 * A form's save: `busy` while the work of `save` goes on; what it fails with is kept in
 * `serverError` (for the form's ErrorBox) and shown as a notice.
 */
export function useSave() {
  const [busy, setBusy] = useState(false);
  const [serverError, setServerError] = useState<unknown>(null);
  const save = async (work: () => Promise<void>): Promise<void> => {
    setServerError(null);
    setBusy(true);
    try {
      await work();
    } catch (error) {
      setServerError(error);
      failure(error);
    } finally {
      setBusy(false);
    }
  };
  return { busy, serverError, setServerError, save };
}

export function Notices() {
  const [list, setList] = useState(notices);
  useEffect(() => {
    listeners.add(setList);
    return () => listeners.delete(setList);
  }, []);
  return (
    <div class="notices" role="status" aria-live="polite">
      {list.map((notice) => (
        <div key={notice.id} class={`notice notice-${notice.kind}`} data-testid={`notice-${notice.kind}`}>
          <div class="notice-text">
            {notice.text}
            {notice.details && notice.details.length > 0 && (
              <ul class="notice-details">
                {notice.details.map((detail) => (
                  <li key={detail}>{detail}</li>
                ))}
              </ul>
            )}
          </div>
          {notice.undo && (
            <button
              type="button"
              class="button-link"
              onClick={async () => {
                dismiss(notice.id);
                try {
                  await notice.undo?.();
                } catch (error) {
                  failure(error);
                }
              }}
            >
              {t("common.undo")}
            </button>
          )}
          <button type="button" class="notice-close" aria-label={t("common.close")} onClick={() => dismiss(notice.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
