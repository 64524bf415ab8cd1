// Editing one pending mail (manager+): its subject and/or text, starting from the operator's earlier
// edit or the pinned template version (with its placeholders, filled in when the mail is sent).
import { useEffect, useRef, useState } from "preact/hooks";
import type { components } from "../../api/schema";
import { ErrorBox, Field, Loading } from "../../components/ui";
import { success } from "../../components/notices";
import { get, shopPath } from "../../lib/api";
import { t } from "../../lib/i18n";
import type { Delivery } from "./common";

/** The pinned template version; its HTML part: an edited text replaces it (the mail goes as text only). */
type TemplateSource = Pick<components["schemas"]["Template-Output"], "subject" | "text" | "html">;

export function DeliveryEditor(props: {
  shop: string;
  delivery: Delivery;
  busy: boolean;
  onCancel: () => void;
  onSave: (changes: { subject: string | null; text: string | null }) => Promise<void>;
}) {
  const { delivery } = props;
  const [template, setTemplate] = useState<TemplateSource | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [subject, setSubject] = useState("");
  const [text, setText] = useState("");
  const subjectRef = useRef<HTMLInputElement>(null);
  useEffect(() => {
    get<TemplateSource>(shopPath(props.shop, `/templates/${encodeURIComponent(delivery.template_id)}`), {
      version: delivery.template_version ?? undefined,
    })
      .then((source) => {
        setTemplate(source);
        setSubject(delivery.edited_subject ?? source.subject);
        setText(delivery.edited_text ?? source.text);
        requestAnimationFrame(() => subjectRef.current?.focus());
      })
      .catch(setError);
  }, [props.shop, delivery.id]); // eslint-disable-line react-hooks/exhaustive-deps

  const submit = async (event: Event) => {
    event.preventDefault();
    if (!template) return;
    const changes = {
      subject: subject === template.subject ? null : subject,
      text: text === template.text ? null : text,
    };
    if (changes.subject === delivery.edited_subject && changes.text === delivery.edited_text) {
      success(t("deliveries.edit_nothing"));
      props.onCancel();
      return;
    }
    await props.onSave(changes);
  };

  return (
    <form class="dl-editor" onSubmit={submit} aria-labelledby="dl-editor-title">
      <h3 id="dl-editor-title">{t("deliveries.edit_title")}</h3>
      {error ? <ErrorBox error={error} /> : null}
      {!template && !error && <Loading />}
      {template && (
        <>
          <p class="hint">{t("deliveries.edit_hint")}</p>
          {template.html ? (
            <p class="warn-box" role="note" data-testid="html-dropped-warning">
              {t("deliveries.edit_html_warning")}
            </p>
          ) : null}
          <Field label={t("deliveries.subject")}>
            {(id) => (
              <input id={id} ref={subjectRef} required maxLength={200} value={subject} onInput={(e) => setSubject(e.currentTarget.value)} />
            )}
          </Field>
          <Field label={t("deliveries.body")} hint={text !== template.text && template.html ? t("deliveries.edit_text_hint") : undefined}>
            {(id, describedBy) => (
              <textarea
                id={id}
                required
                maxLength={20000}
                rows={14}
                value={text}
                aria-describedby={describedBy}
                onInput={(e) => setText(e.currentTarget.value)}
              />
            )}
          </Field>
          <div class="dl-action-row">
            <button type="submit" class="button button-primary" disabled={props.busy}>
              {t("common.save")}
            </button>
            <button type="button" class="button" onClick={props.onCancel}>
              {t("common.cancel")}
            </button>
          </div>
        </>
      )}
    </form>
  );
}
