// Where the mail lists the items: between a start line and an optional end line, each line read
// with a pattern of {name}, {sku}, {unit_price}, {quantity}.
import { Field } from "../../components/ui";
import { t } from "../../lib/i18n";
import type { DraftProblems, MaskDraft } from "./maskDraft";

/** The editor's draft, its problems, and a change to it. */
export interface DraftProps {
  draft: MaskDraft;
  problems: DraftProblems | null;
  onChange: (patch: Partial<MaskDraft>) => void;
}

export function MaskItemsFields(props: DraftProps) {
  const { draft, problems } = props;
  return (
    <fieldset>
      <legend>{t("receptions.mask_items")}</legend>
      <label class="check">
        <input type="checkbox" checked={draft.itemsOn} onChange={(e) => props.onChange({ itemsOn: e.currentTarget.checked })} />
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
                  onInput={(e) => props.onChange({ itemsStart: e.currentTarget.value })}
                />
              )}
            </Field>
            <Field label={t("receptions.mask_items_end")} hint={t("receptions.mask_items_end_hint")}>
              {(id, describedBy) => (
                <input
                  id={id}
                  value={draft.itemsEnd}
                  aria-describedby={describedBy}
                  onInput={(e) => props.onChange({ itemsEnd: e.currentTarget.value })}
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
                onInput={(e) => props.onChange({ itemsLine: e.currentTarget.value })}
              />
            )}
          </Field>
        </div>
      )}
    </fieldset>
  );
}
