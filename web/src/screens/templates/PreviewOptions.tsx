// What the preview is rendered for: whether the mail counts as advertising (as the shop's scenarios
// use the template, or forced either way) and how many orders the sample customer has made.
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
      <Field label={t("templates.order_count")}>
        {(id) => (
          <input
            id={id}
            type="number"
            min={1}
            max={100000}
            inputMode="numeric"
            value={props.orderCount}
            onInput={(event) => {
              const value = Number(event.currentTarget.value);
              if (Number.isInteger(value) && value >= 1 && value <= 100000) props.onOrderCount(value);
            }}
          />
        )}
      </Field>
    </div>
  );
}
