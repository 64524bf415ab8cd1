// Small building blocks every screen uses: page header, loading and error states, fields,
// a confirmation dialog (native <dialog>, focus trapped by the browser), badges, and paged lists.
import type { ComponentChildren, JSX } from "preact";
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { ApiError, get, type Query } from "../lib/api";
import { t } from "../lib/i18n";
import { failure } from "./notices";

export function PageHeader(props: { title: string; lead?: string; actions?: ComponentChildren }) {
  useEffect(() => {
    document.title = `${props.title} — Okaeri`;
  }, [props.title]);
  return (
    <header class="page-header">
      <div>
        <h1>{props.title}</h1>
        {props.lead && <p class="lead">{props.lead}</p>}
      </div>
      {props.actions && <div class="page-actions">{props.actions}</div>}
    </header>
  );
}

export function Loading() {
  return (
    <p class="loading" role="status">
      {t("common.loading")}
    </p>
  );
}

export function ErrorBox(props: { error: unknown }) {
  const text = props.error instanceof ApiError ? props.error.text : String(props.error);
  const details = props.error instanceof ApiError ? props.error.body.details : [];
  return (
    <div class="error-box" role="alert">
      <p>{text}</p>
      {details.length > 0 && (
        <ul>
          {details.map((detail) => (
            <li key={detail}>{detail}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function Empty(props: { children: ComponentChildren }) {
  return <p class="empty">{props.children}</p>;
}

export function Badge(props: { tone?: "ok" | "warn" | "bad" | "muted" | "info"; children: ComponentChildren }) {
  return <span class={`badge badge-${props.tone ?? "muted"}`}>{props.children}</span>;
}

let fieldCounter = 0;
/** A labelled control: the label is tied to the control by id; a hint and an error are described-by. */
export function Field(props: {
  label: string;
  hint?: string;
  error?: string;
  children: (id: string, describedBy: string | undefined) => ComponentChildren;
}) {
  const id = useRef(`f${++fieldCounter}`).current;
  const describedBy = [props.hint && `${id}-hint`, props.error && `${id}-error`].filter(Boolean).join(" ") || undefined;
  return (
    <div class={`field${props.error ? " field-invalid" : ""}`}>
      <label for={id}>{props.label}</label>
      {props.children(id, describedBy)}
      {props.hint && (
        <p class="hint" id={`${id}-hint`}>
          {props.hint}
        </p>
      )}
      {props.error && (
        <p class="field-error" id={`${id}-error`}>
          {props.error}
        </p>
      )}
    </div>
  );
}

export interface ConfirmOptions {
  title: string;
  body?: ComponentChildren;
  /** A warning under the body (a warn-box). */
  warning?: ComponentChildren;
  confirmLabel: string;
  danger?: boolean;
  /** The user must type this text before the button is enabled (erasure). */
  typed?: string;
}

/** A confirmation dialog; `ask()` resolves true when confirmed. Render `dialog` once in the screen. */
export function useConfirm(): { ask: (options: ConfirmOptions) => Promise<boolean>; dialog: JSX.Element } {
  const ref = useRef<HTMLDialogElement>(null);
  const [options, setOptions] = useState<ConfirmOptions | null>(null);
  const [typed, setTyped] = useState("");
  const resolver = useRef<((ok: boolean) => void) | null>(null);
  const ask = useCallback((next: ConfirmOptions) => {
    setOptions(next);
    setTyped("");
    return new Promise<boolean>((resolve) => {
      resolver.current = resolve;
      requestAnimationFrame(() => ref.current?.showModal());
    });
  }, []);
  const close = (ok: boolean) => {
    ref.current?.close();
    resolver.current?.(ok);
    resolver.current = null;
  };
  const blocked = options?.typed !== undefined && typed !== options.typed;
  const dialog = (
    <dialog ref={ref} class="dialog" aria-labelledby="confirm-title" onCancel={() => close(false)}>
      {options && (
        <form
          method="dialog"
          onSubmit={(event) => {
            event.preventDefault();
            if (!blocked) close(true);
          }}
        >
          <h2 id="confirm-title">{options.title}</h2>
          <div class="dialog-body">
            {options.body}
            {options.warning && <p class="warn-box">{options.warning}</p>}
          </div>
          {options.typed !== undefined && (
            <Field label={t("common.type_to_confirm", { text: options.typed })}>
              {(id) => (
                <input id={id} value={typed} autoComplete="off" onInput={(e) => setTyped(e.currentTarget.value)} />
              )}
            </Field>
          )}
          <div class="dialog-actions">
            <button type="button" class="button" onClick={() => close(false)}>
              {t("common.cancel")}
            </button>
            <button type="submit" class={`button ${options.danger ? "button-danger" : "button-primary"}`} disabled={blocked}>
              {options.confirmLabel}
            </button>
          </div>
        </form>
      )}
    </dialog>
  );
  return { ask, dialog };
}

export interface PageOf<T> {
  items: T[];
  next_cursor: string | null;
}

/**
 * A paged list: the first page of `path` with `query`, then "more" appends the next one.
 * Changing `path` or `query` starts over. `reload()` reads the first page again.
 */
export function usePaged<T>(path: string | null, query: Query = {}, limit = 50) {
  const [items, setItems] = useState<T[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const key = JSON.stringify([path, query, limit]);
  const latest = useRef(0); // only the newest request may fill the list (a slow old search must not)
  const fetchPage = useCallback(
    async (from: string | null, append: boolean) => {
      if (!path) return;
      const request = ++latest.current;
      setLoading(true);
      setError(null);
      try {
        const page = await get<PageOf<T>>(path, { ...query, limit, cursor: from });
        if (request !== latest.current) return;
        setItems((previous) => (append ? [...previous, ...page.items] : page.items));
        setCursor(page.next_cursor);
      } catch (caught) {
        if (request === latest.current) setError(caught);
      } finally {
        if (request === latest.current) setLoading(false);
      }
    },
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [key],
  );
  useEffect(() => {
    void fetchPage(null, false);
  }, [fetchPage]);
  return {
    items,
    loading,
    error,
    hasMore: cursor !== null,
    more: () => fetchPage(cursor, true),
    reload: () => fetchPage(null, false),
  };
}

export function MoreButton(props: { hasMore: boolean; loading: boolean; onMore: () => void }) {
  if (!props.hasMore) return null;
  return (
    <div class="more">
      <button type="button" class="button" disabled={props.loading} onClick={props.onMore}>
        {props.loading ? t("common.loading") : t("common.more")}
      </button>
    </div>
  );
}

/** Loads one document; `reload()` reads it again. */
export function useDocument<T>(path: string | null, query?: Query) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const key = JSON.stringify([path, query]);
  const load = useCallback(async () => {
    if (!path) return;
    setLoading(true);
    setError(null);
    try {
      setData(await get<T>(path, query));
    } catch (caught) {
      setError(caught);
    } finally {
      setLoading(false);
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);
  useEffect(() => {
    void load();
  }, [load]);
  return { data, error, loading, reload: load, setData };
}

/** Runs an action with a busy flag; errors become an error notice. Returns the action's result. */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const run = useCallback(async <R,>(action: () => Promise<R>): Promise<R | undefined> => {
    setBusy(true);
    try {
      return await action();
    } catch (error) {
      failure(error);
      return undefined;
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, run };
}

/**
 * A confirmation dialog and a busy flag together: `confirmThen(options, work)` asks, then runs
 * `work` as useAction does. Render `dialog` once in the screen.
 */
export function useConfirmedAction() {
  const { ask, dialog } = useConfirm();
  const { busy, run } = useAction();
  const confirmThen = async (options: ConfirmOptions, work: () => Promise<unknown>) => {
    if (await ask(options)) await run(work);
  };
  return { ask, dialog, busy, run, confirmThen };
}
