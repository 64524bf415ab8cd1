// The parse mask editor (manager and up): which mails, where each field is written, the item lines;
// "try" runs it on a mail without saving (the received one, or a pasted one); "save" stores it.
import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import { notify, success, failure } from "../../components/notices";
import { ErrorBox, Field, useConfirm } from "../../components/ui";
import { del, post, put, shopPath } from "../../lib/api";
import { pick, t } from "../../lib/i18n";
import { fieldLabel } from "./labels";
import {
  checkDraft,
  maskFromDraft,
  newRow,
  unusedField,
  type DraftProblems,
  type FieldRow,
  type MaskDraft,
} from "./maskDraft";
import { OrderFields } from "./OrderView";
import { MASK_FIELDS, TIME_FIELDS, type MaskTryAnswer, type ParseMask, type ParseMaskBody } from "./types";

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
  const changeRow = (id: number, patch: Partial<FieldRow>) =>
    change({ rows: draft.rows.map((row) => (row.id === id ? { ...row, ...patch } : row)) });
  const addRow = () => {
    const field = unusedField(draft.rows);
    if (field) change({ rows: [...draft.rows, newRow(field)] });
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

      <fieldset>
        <legend>{t("receptions.mask_fields")}</legend>
        <p class="hint mask-hint">{t("receptions.mask_fields_hint")}</p>
        <div class="mask-rows">
          <div class="mask-row mask-row-head" aria-hidden="true">
            <span>{t("receptions.mask_col_field")}</span>
            <span>{t("receptions.mask_col_pattern")}</span>
            <span />
          </div>
          {draft.rows.map((row, index) => {
            const label = fieldLabel(row.field);
            const error = problems?.rows[row.id];
            const errorId = `mask-row-error-${row.id}`;
            return (
              <div key={row.id} class={`mask-row${error ? " field-invalid" : ""}`}>
                <select
                  aria-label={t("receptions.mask_row_field", { n: index + 1 })}
                  value={row.field}
                  onChange={(e) => changeRow(row.id, { field: e.currentTarget.value })}
                >
                  {MASK_FIELDS.filter(
                    (field) => field === row.field || !draft.rows.some((other) => other.field === field),
                  ).map((field) => (
                    <option key={field} value={field}>
                      {fieldLabel(field)}
                    </option>
                  ))}
                </select>
                <input
                  class="mono"
                  aria-label={t("receptions.mask_row_pattern", { field: label })}
                  aria-describedby={error ? errorId : undefined}
                  aria-invalid={error ? true : undefined}
                  placeholder={t("receptions.mask_pattern_placeholder")}
                  value={row.pattern}
                  autoComplete="off"
                  spellcheck={false}
                  onInput={(e) => changeRow(row.id, { pattern: e.currentTarget.value })}
                />
                {row.field === "order_id" ? (
                  <span class="mask-row-none" />
                ) : (
                  <button
                    type="button"
                    class="button button-small button-quiet mask-row-remove"
                    aria-label={t("receptions.mask_row_remove", { field: label })}
                    title={t("receptions.mask_row_remove", { field: label })}
                    onClick={() => change({ rows: draft.rows.filter((other) => other.id !== row.id) })}
                  >
                    ×
                  </button>
                )}
                {TIME_FIELDS.includes(row.field) && (
                  <div class="mask-format">
                    <span aria-hidden="true">{t("receptions.mask_col_format")}</span>
                    <input
                      class="mono"
                      aria-label={t("receptions.mask_row_format", { field: label })}
                      placeholder="%Y年%m月%d日 %H:%M"
                      value={row.format}
                      autoComplete="off"
                      spellcheck={false}
                      onInput={(e) => changeRow(row.id, { format: e.currentTarget.value })}
                    />
                  </div>
                )}
                {error && (
                  <p class="field-error mask-row-error" id={errorId}>
                    {error}
                  </p>
                )}
              </div>
            );
          })}
        </div>
        {unusedField(draft.rows) && (
          <button type="button" class="button button-small" onClick={addRow}>
            {t("receptions.mask_add_row")}
          </button>
        )}
      </fieldset>

      <fieldset>
        <legend>{t("receptions.mask_items")}</legend>
        <label class="check">
          <input type="checkbox" checked={draft.itemsOn} onChange={(e) => change({ itemsOn: e.currentTarget.checked })} />
          {t("receptions.mask_items_on")}
        </label>
        {draft.itemsOn && (
          <div class="mask-items">
            <div class="mask-grid">
              <Field label={t("receptions.mask_items_start")} hint={t("receptions.mask_items_start_hint")} error={problems?.itemsStart}>
                {(id, describedBy) => (
                  <input
                    id={id}
                    value={draft.itemsStart}
                    aria-describedby={describedBy}
                    onInput={(e) => change({ itemsStart: e.currentTarget.value })}
                  />
                )}
              </Field>
              <Field label={t("receptions.mask_items_end")} hint={t("receptions.mask_items_end_hint")}>
                {(id, describedBy) => (
                  <input
                    id={id}
                    value={draft.itemsEnd}
                    aria-describedby={describedBy}
                    onInput={(e) => change({ itemsEnd: e.currentTarget.value })}
                  />
                )}
              </Field>
            </div>
            <Field label={t("receptions.mask_items_line")} hint={t("receptions.mask_items_line_hint")} error={problems?.itemsLine}>
              {(id, describedBy) => (
                <input
                  id={id}
                  class="mono"
                  value={draft.itemsLine}
                  aria-describedby={describedBy}
                  spellcheck={false}
                  placeholder="{name}（{sku}） {unit_price}円 × {quantity}"
                  onInput={(e) => change({ itemsLine: e.currentTarget.value })}
                />
              )}
            </Field>
          </div>
        )}
      </fieldset>

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

function TryAnswer(props: { answer: MaskTryAnswer; zone: string }) {
  const { answer } = props;
  return (
    <section class="card try-card" aria-labelledby="try-title">
      <h3 id="try-title">{t("receptions.try_result")}</h3>
      {answer.ok && answer.used_mask && <p class="ok-box">{t("receptions.try_ok")}</p>}
      {answer.ok && !answer.used_mask && <p class="info-box">{t("receptions.try_ok_builtin")}</p>}
      {!answer.ok && (
        <div class="error-box">
          <p>{t("receptions.try_failed")}</p>
          <p class="small">
            {pick(answer.message_ja, answer.message_en)}
            {answer.reason && <span class="mono"> ({answer.reason})</span>}
          </p>
        </div>
      )}
      {answer.order && <OrderFields order={answer.order} zone={props.zone} />}
    </section>
  );
}
