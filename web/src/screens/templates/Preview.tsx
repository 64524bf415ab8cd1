// The live preview: the template (as edited) rendered by the API for the sample order, PC and
// mobile, text and HTML. The HTML runs in a sandboxed frame with no permission at all
// (sandbox="": no script, no same origin, no forms, no navigation of the page).
import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError, post, shopPath } from "../../lib/api";
import { t } from "../../lib/i18n";
import { Badge } from "../../components/ui";
import { advertisingValue, type Advertising, type MailVariant, type PreviewAnswer, type Template } from "./types";

const DEBOUNCE_MS = 400;

export interface PreviewState {
  preview: PreviewAnswer | null;
  error: unknown;
  pending: boolean;
}

/** Asks the API for a preview of `template` once the typing pauses; the last answer wins. */
export function usePreview(
  shop: string,
  template: Template | null,
  advertising: Advertising,
  orderCount: number,
): PreviewState {
  const [state, setState] = useState<PreviewState>({ preview: null, error: null, pending: template !== null });
  const sequence = useRef(0);
  const first = useRef(true);
  const key = JSON.stringify([template, advertising, orderCount]);
  useEffect(() => {
    const mine = ++sequence.current;
    if (!template) {
      setState((previous) => ({ ...previous, error: null, pending: false }));
      return;
    }
    setState((previous) => ({ ...previous, pending: true }));
    const delay = first.current ? 0 : DEBOUNCE_MS;
    first.current = false;
    const timer = setTimeout(() => {
      post<PreviewAnswer>(shopPath(shop, "/templates/preview"), {
        template,
        advertising: advertisingValue(advertising),
        order_count: orderCount,
      }).then(
        (preview) => {
          if (mine === sequence.current) setState({ preview, error: null, pending: false });
        },
        (error: unknown) => {
          if (mine === sequence.current) setState((previous) => ({ ...previous, error, pending: false }));
        },
      );
    }, delay);
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [shop, key]);
  return state;
}

type Device = "pc" | "mobile";
type Format = "text" | "html";

export function Preview(props: { state: PreviewState; waiting: boolean; options?: ComponentChildren }) {
  const { preview, error, pending } = props.state;
  const [device, setDevice] = useState<Device>("pc");
  const [format, setFormat] = useState<Format>("html");
  const variant: MailVariant | null = preview ? preview[device] : null;
  const hasHtml = Boolean(variant?.html);
  const shown: Format = hasHtml ? format : "text";
  return (
    <section class="card tpl-preview" id="tpl-preview" aria-labelledby="tpl-preview-title">
      <div class="row tpl-preview-head">
        <h2 id="tpl-preview-title">{t("templates.preview")}</h2>
        <span class="spacer" />
        <span class="small muted" role="status" data-testid="preview-status">
          {pending ? t("templates.preview_updating") : ""}
        </span>
      </div>
      <div class="row tpl-preview-switches">
        <div class="tpl-segmented" role="group" aria-label={t("templates.preview_device")}>
          <button type="button" aria-pressed={device === "pc"} onClick={() => setDevice("pc")}>
            {t("templates.device_pc")}
          </button>
          <button type="button" aria-pressed={device === "mobile"} onClick={() => setDevice("mobile")}>
            {t("templates.device_mobile")}
          </button>
        </div>
        <div class="tpl-segmented" role="group" aria-label={t("templates.preview_format")}>
          <button type="button" aria-pressed={shown === "text"} onClick={() => setFormat("text")}>
            {t("templates.format_text")}
          </button>
          <button
            type="button"
            aria-pressed={shown === "html"}
            disabled={!hasHtml}
            onClick={() => setFormat("html")}
          >
            {t("templates.format_html")}
          </button>
        </div>
      </div>
      {props.options}
      {error !== null && error !== undefined && <RenderError error={error} />}
      {props.waiting && <p class="empty">{t("templates.preview_waiting")}</p>}
      {!props.waiting && preview && variant && (
        <div class={`tpl-preview-body${error ? " tpl-preview-stale" : ""}`} aria-busy={pending}>
          {error ? <p class="small muted">{t("templates.preview_stale")}</p> : null}
          <dl class="tpl-mail-head">
            <dt>{t("templates.mail_subject")}</dt>
            <dd data-testid="preview-subject">{variant.subject}</dd>
            <dt>{t("templates.mail_to")}</dt>
            <dd>
              {variant.to} <span class="muted small">({variant.charset})</span>
            </dd>
            <dt>{t("templates.mail_order")}</dt>
            <dd>
              {t("templates.sample_order", {
                order: preview.order.order_id,
                name: preview.order.customer.name ?? "—",
              })}
            </dd>
          </dl>
          <div class="row tpl-preview-badges">
            {preview.advertising ? (
              <Badge tone="warn">{t("templates.advertising_on")}</Badge>
            ) : (
              <Badge>{t("templates.advertising_off")}</Badge>
            )}
            {device === "mobile" && <Badge tone="info">{t("templates.mobile_text_only")}</Badge>}
            {device === "pc" && !hasHtml && <Badge>{t("templates.no_html")}</Badge>}
            {preview.pools.map((pool) => (
              <Badge key={pool} tone="info">
                {t("templates.uses_pool", { pool })}
              </Badge>
            ))}
          </div>
          <div class={device === "mobile" ? "tpl-phone-frame" : "tpl-pc-frame"}>
            {shown === "html" && variant.html ? (
              <iframe
                class="preview-frame tpl-mail-frame"
                sandbox=""
                srcdoc={variant.html}
                title={t("templates.html_frame_title")}
              />
            ) : (
              <pre class="tpl-mail-text" data-testid="preview-text" tabIndex={0} aria-label={t("templates.text_body_label")}>
                {variant.text}
              </pre>
            )}
          </div>
          <details class="tpl-mail-headers">
            <summary>{t("templates.headers")}</summary>
            <div class="table-wrap">
              <table>
                <tbody>
                  {variant.headers.map((header) => (
                    <tr key={header.name}>
                      <th scope="row">{header.name}</th>
                      <td class="mono small">{header.value}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </details>
        </div>
      )}
    </section>
  );
}

/** The API's render error (syntax, unknown tag …), in the page's language, with its code. */
export function RenderError(props: { error: unknown }) {
  const error = props.error;
  if (!(error instanceof ApiError)) {
    return (
      <div class="error-box" role="alert">
        <p>{t("common.unexpected_error")}</p>
      </div>
    );
  }
  const code = error.body.code;
  const known = ["unknown_tag", "syntax", "sandbox", "too_large", "too_slow", "invalid_request"].includes(code);
  return (
    <div class="error-box tpl-render-error" role="alert" data-testid="tpl-render-error">
      <p class="tpl-render-error-title">{known ? t(`templates.error_${code}`) : t("templates.error_render")}</p>
      <p>{error.text}</p>
      {code === "invalid_request" && error.body.details.length > 0 && (
        <ul>
          {error.body.details.map((detail) => (
            <li key={detail}>{detail}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
