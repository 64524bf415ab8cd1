// The parse mask editor (manager and up): which mails, where each field is written, the item lines;
// "try" runs it on a mail without saving (the received one, or a pasted one); "save" stores it.
import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import { notify, success, failure } from "../../components/notices";
import { ErrorBox, Field, useConfirm } from "../../components/ui";
import { del, post, put, shopPath } from "../../lib/api";
import { t } from "../../lib/i18n";
import { checkDraft, maskFromDraft, type DraftProblems, type MaskDraft } from "./maskDraft";
import { MaskFieldRows } from "./MaskFieldRows";
import { MaskItemsFields } from "./MaskItemsFields";
import { TryAnswer } from "./TryAnswer";
import type { MaskTryAnswer, ParseMask, ParseMaskBody } from "./types";

export interface MaskEditorProps {
  shop: string;
  zone: string;
  initial: MaskDraft;
  /** The saved mask being edited (null: a new one). */
  original: string | null;
  masks: readonly ParseMask[];
  /** Try on this received mail; without it the editor asks for a mail's text. */
  receptionKey?: string;
  /** After a save (and after its undo): the masks changed. */
  onChanged: (saved: ParseMask | null) => void;
  /** Shown under the editor once the mask is saved (e.g. "parse this mail again"). */
  afterSave?: (mask: ParseMask) => ComponentChildren;
}

export function MaskEditor(props: MaskEditorProps) {
  const { shop, zone, masks } = props;
  const [draft, setDraft] = useState<MaskDraft>(props.initial);
  const [problems, setProblems] = useState<DraftProblems | null>(null);
  const [mailText, setMailText] = useState("");
  const [mailError, setMailError] = useState<string | undefined>();
  const [answer, setAnswer] = useState<MaskTryAnswer | null>(null);
  const [tryError, setTryError] = useState<unknown>(null);
  const [saveError, setSaveError] = useState<unknown>(null);
  const [saved, setSaved] = useState<ParseMask | null>(null);
  const [busy, setBusy] = useState<"try" | "save" | null>(null);
  const { ask, dialog } = useConfirm();

  const change = (patch: Partial<MaskDraft>) => {
    setDraft((previous) => ({ ...previous, ...patch }));
    setSaved(null);
  };

  const checked = (): ParseMaskBody | null => {
    const found = checkDraft(draft);
    setProblems(found);
    if (found) {
      notify("error", t("receptions.mask_fix_first"));
      return null;
    }
    return maskFromDraft(draft);
  };

  const tryIt = async () => {
    const mask = checked();
    if (!mask) return;
    if (!props.receptionKey && !mailText.trim()) {
      setMailError(t("receptions.try_mail_required"));
      return;
    }
    setMailError(undefined);
    setBusy("try");
    try {
      const body = props.receptionKey ? { mask, reception_key: props.receptionKey } : { mask, mail: mailText };
      const result = await post<MaskTryAnswer>(shopPath(shop, "/masks/try"), body);
      setAnswer(result);
      setTryError(null);
      if (result.ok) success(result.used_mask ? t("receptions.try_ok") : t("receptions.try_ok_builtin"));
      else notify("error", t("receptions.try_failed"));
    } catch (error) {
      setAnswer(null);
      setTryError(error);
      failure(error);
    } finally {
      setBusy(null);
    }
  };

  const save = async () => {
    const mask = checked();
    if (!mask) return;
    const previous = masks.find((m) => m.name === mask.name) ?? null;
    if (previous && mask.name !== props.original) {
      const overwrite = await ask({
        title: t("receptions.mask_overwrite_title", { name: mask.name }),
        body: <p>{t("receptions.mask_overwrite_body")}</p>,
        confirmLabel: t("receptions.mask_overwrite"),
        danger: true,
      });
      if (!overwrite) return;
    }
    setBusy("save");
    const path = shopPath(shop, `/masks/${encodeURIComponent(mask.name)}`);
    try {
      const stored = await put<ParseMask>(path, mask);
      setSaved(stored);
      setSaveError(null);
      props.onChanged(stored);
      success(t("receptions.mask_saved", { name: stored.name }), async () => {
        if (previous) await put(path, previous);
        else await del(path);
        setSaved(null);
        props.onChanged(null);
        success(t("receptions.mask_save_undone", { name: stored.name }));
      });
    } catch (error) {
      setSaveError(error);
      failure(error);
    } finally {
      setBusy(null);
    }
  };

  return (
    <form
      class="mask-editor"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        void save();
      }}
    >
      <div class="mask-grid">
        <Field label={t("receptions.mask_name")} hint={t("receptions.mask_name_hint")} error={problems?.name}>
          {(id, describedBy) => (
            <input
              id={id}
              class="mono"
              value={draft.name}
              aria-describedby={describedBy}
              aria-invalid={problems?.name ? true : undefined}
              autoComplete="off"
              spellcheck={false}
              onInput={(e) => change({ name: e.currentTarget.value })}
            />
          )}
        </Field>
        <Field label={t("receptions.mask_kind")}>
          {(id) => (
            <select
              id={id}
              value={draft.kind}
              onChange={(e) => change({ kind: e.currentTarget.value === "shipment" ? "shipment" : "order" })}
            >
              <option value="order">{t("receptions.mask_kind_order")}</option>
              <option value="shipment">{t("receptions.mask_kind_shipment")}</option>
            </select>
          )}
        </Field>
      </div>

      <fieldset>
        <legend>{t("receptions.mask_match")}</legend>
        <div class="mask-grid">
          <Field label={t("receptions.mask_from")} hint={t("receptions.mask_from_hint")}>
            {(id, describedBy) => (
              <input
                id={id}
                value={draft.from}
                aria-describedby={describedBy}
                autoComplete="off"
                onInput={(e) => change({ from: e.currentTarget.value })}
              />
            )}
          </Field>
          <Field label={t("receptions.mask_subject")} hint={t("receptions.mask_subject_hint")}>
            {(id, describedBy) => (
              <input
                id={id}
                value={draft.subject}
                aria-describedby={describedBy}
                autoComplete="off"
                onInput={(e) => change({ subject: e.currentTarget.value })}
              />
            )}
          </Field>
        </div>
      </fieldset>

      <MaskFieldRows draft={draft} problems={problems} onChange={change} />

      <MaskItemsFields draft={draft} problems={problems} onChange={change} />

      {!props.receptionKey && (
        <Field label={t("receptions.try_mail")} hint={t("receptions.try_mail_hint")} error={mailError}>
          {(id, describedBy) => (
            <textarea
              id={id}
              class="mono"
              rows={8}
              value={mailText}
              aria-describedby={describedBy}
              onInput={(e) => setMailText(e.currentTarget.value)}
            />
          )}
        </Field>
      )}

      <div class="row mask-actions">
        <button type="button" class="button" disabled={busy !== null} onClick={() => void tryIt()}>
          {busy === "try" ? t("receptions.trying") : props.receptionKey ? t("receptions.try_this_mail") : t("receptions.try")}
        </button>
        <button type="submit" class="button button-primary" disabled={busy !== null}>
          {busy === "save" ? t("receptions.saving") : t("receptions.mask_save")}
        </button>
      </div>
      {saveError !== null && <ErrorBox error={saveError} />}

      <div class="try-result" aria-live="polite">
        {tryError !== null && <ErrorBox error={tryError} />}
        {answer && <TryAnswer answer={answer} zone={zone} />}
      </div>
      {saved && props.afterSave?.(saved)}
      {dialog}
    </form>
  );
}
