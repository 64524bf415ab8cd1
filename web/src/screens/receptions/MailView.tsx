// A received mail shown three ways: its text (decoded), its headers, and its source as stored.
import { useEffect, useMemo, useState } from "preact/hooks";
import { ErrorBox, Loading } from "../../components/ui";
import { t } from "../../lib/i18n";
import { readMail, sourceText } from "./mime";

type View = "text" | "headers" | "source";
const VIEWS: readonly View[] = ["text", "headers", "source"];

export function MailView(props: { raw: Uint8Array | null; error: unknown; fileName: string }) {
  const [view, setView] = useState<View>("text");
  const mail = useMemo(() => (props.raw ? readMail(props.raw) : null), [props.raw]);
  const source = useMemo(() => (props.raw && view === "source" ? sourceText(props.raw) : ""), [props.raw, view]);
  const [download, setDownload] = useState<string | null>(null);
  useEffect(() => {
    if (!props.raw) return;
    const url = URL.createObjectURL(new Blob([props.raw as BlobPart], { type: "message/rfc822" }));
    setDownload(url);
    return () => URL.revokeObjectURL(url);
  }, [props.raw]);

  if (props.error) return <ErrorBox error={props.error} />;
  if (!mail) return <Loading />;
  const move = (event: KeyboardEvent, index: number) => {
    const step = event.key === "ArrowRight" ? 1 : event.key === "ArrowLeft" ? -1 : 0;
    if (!step) return;
    event.preventDefault();
    const next = VIEWS[(index + step + VIEWS.length) % VIEWS.length];
    setView(next);
    document.getElementById(`mail-tab-${next}`)?.focus();
  };
  return (
    <div class="mail-view">
      <dl class="mail-headers">
        <dt>{t("receptions.mail_from")}</dt>
        <dd>{mail.from || "—"}</dd>
        <dt>{t("receptions.mail_subject")}</dt>
        <dd>{mail.subject || t("receptions.no_subject")}</dd>
        <dt>{t("receptions.mail_date")}</dt>
        <dd>{mail.date || "—"}</dd>
      </dl>
      <div class="mail-view-bar">
        <div class="tabs mail-tabs" role="tablist" aria-label={t("receptions.mail_views")}>
          {VIEWS.map((name, index) => (
            <button
              key={name}
              id={`mail-tab-${name}`}
              type="button"
              role="tab"
              aria-selected={view === name}
              aria-controls="mail-panel"
              tabIndex={view === name ? 0 : -1}
              onClick={() => setView(name)}
              onKeyDown={(event) => move(event, index)}
            >
              {t(`receptions.mail_view_${name}`)}
            </button>
          ))}
        </div>
      </div>
      <div id="mail-panel" role="tabpanel" aria-labelledby={`mail-tab-${view}`}>
        {view === "text" && (
          <>
            {mail.fromHtml && <p class="hint">{t("receptions.mail_from_html")}</p>}
            <pre class="mail-text" data-testid="mail-text">
              {mail.text || t("receptions.mail_no_text")}
            </pre>
            {mail.attachments.length > 0 && (
              <p class="muted small">{t("receptions.mail_attachments", { names: mail.attachments.join(", ") })}</p>
            )}
          </>
        )}
        {view === "headers" && (
          <div class="table-wrap">
            <table class="mail-header-table">
              <caption class="visually-hidden">{t("receptions.mail_view_headers")}</caption>
              <tbody>
                {mail.headers.map((h, index) => (
                  <tr key={index}>
                    <th scope="row">{h.name}</th>
                    <td>{h.value}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {view === "source" && (
          <pre class="mail-text mono" data-testid="mail-source">
            {source}
          </pre>
        )}
      </div>
      {download && (
        <p class="mail-download">
          <a class="button button-small" href={download} download={props.fileName}>
            {t("receptions.mail_download")}
          </a>
        </p>
      )}
    </div>
  );
}
