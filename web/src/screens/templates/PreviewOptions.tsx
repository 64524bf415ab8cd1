// What the preview is rendered for: whether the mail counts as advertising (as the shop's scenarios
// use the template, or forced either way) and how many orders the sample customer has made.
import { NumberField } from "../../components/fields";
import { Field } from "../../components/ui";
import { t } from "../../lib/i18n";
import type { Advertising } from "./types";

export function PreviewOptions(props: {
  advertising: Advertising;
  orderCount: number;
  onAdvertising: (choice: Advertising) => void;
  onOrderCount: (count: number) => void;
}) {
  return (
    <div class="tpl-preview-options">
      <Field label={t("templates.advertising")}>
        {(id) => (
          <select
            id={id}
            value={props.advertising}
            onChange={(event) => props.onAdvertising(event.currentTarget.value as Advertising)}
          >
            <option value="auto">{t("templates.advertising_auto")}</option>
            <option value="yes">{t("templates.advertising_yes")}</option>
            <option value="no">{t("templates.advertising_no")}</option>
          </select>
        )}
      </Field>
      <NumberField
        label={t("templates.order_count")}
        min={1}
        max={100000}
        value={props.orderCount}
        onInput={(text) => {
          const value = Number(text);
          if (Number.isInteger(value) && value >= 1 && value <= 100000) props.onOrderCount(value);
        }}
      />
    </div>
  );
}
