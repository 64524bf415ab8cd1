// Where each field of the order is written in the mail: one row per field (a pattern with {value},
// a date format for the times); the order id is always read.
import { t } from "../../lib/i18n";
import { fieldLabel } from "./labels";
import { newRow, unusedField, type FieldRow } from "./maskDraft";
import type { DraftProps } from "./MaskItemsFields";
import { MASK_FIELDS, TIME_FIELDS } from "./types";

export function MaskFieldRows(props: DraftProps) {
  const { draft, problems } = props;
  const changeRow = (id: number, patch: Partial<FieldRow>) =>
    props.onChange({ rows: draft.rows.map((row) => (row.id === id ? { ...row, ...patch } : row)) });
  const addRow = () => {
    const field = unusedField(draft.rows);
    if (field) props.onChange({ rows: [...draft.rows, newRow(field)] });
  };

  return (
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
                  onClick={() => props.onChange({ rows: draft.rows.filter((other) => other.id !== row.id) })}
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
  );
}
