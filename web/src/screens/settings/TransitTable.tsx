// 配送日数: days in transit by prefecture (a default, then one row per prefecture that differs),
// a table inside the shop form.
import { t } from "../../lib/i18n";
import type { Draft } from "./shopDraft";

const PREFECTURES = [
  "北海道", "青森県", "岩手県", "宮城県", "秋田県", "山形県", "福島県", "茨城県", "栃木県", "群馬県",
  "埼玉県", "千葉県", "東京都", "神奈川県", "新潟県", "富山県", "石川県", "福井県", "山梨県", "長野県",
  "岐阜県", "静岡県", "愛知県", "三重県", "滋賀県", "京都府", "大阪府", "兵庫県", "奈良県", "和歌山県",
  "鳥取県", "島根県", "岡山県", "広島県", "山口県", "徳島県", "香川県", "愛媛県", "高知県", "福岡県",
  "佐賀県", "長崎県", "熊本県", "大分県", "宮崎県", "鹿児島県", "沖縄県",
];

function NumberCell(props: { label: string; value: string; onInput: (value: string) => void; error?: string }) {
  return (
    <>
      <span class="set-days">
        <input
          type="number"
          inputMode="numeric"
          min={0}
          max={30}
          value={props.value}
          aria-label={props.label}
          aria-invalid={props.error ? true : undefined}
          onInput={(e) => props.onInput(e.currentTarget.value)}
        />
        <span aria-hidden="true">{t("settings.days_unit")}</span>
      </span>
      {props.error && <p class="field-error">{props.error}</p>}
    </>
  );
}

export function TransitTable(props: {
  draft: Draft;
  errors: Record<string, string>;
  setDraft: (update: (draft: Draft) => Draft) => void;
}) {
  const { draft, errors, setDraft } = props;
  const set = <K extends keyof Draft>(key: K) => (value: Draft[K]) => setDraft((d) => ({ ...d, [key]: value }));
  const transitRow = (index: number, change: Partial<{ key: string; days: string }>) =>
    setDraft((d) => ({ ...d, transit: d.transit.map((row, i) => (i === index ? { ...row, ...change } : row)) }));

  return (
    <fieldset>
      <legend>{t("settings.transit_days")}</legend>
      <p class="hint set-fieldset-hint">{t("settings.transit_hint")}</p>
      <table class="set-transit">
        <thead>
          <tr>
            <th scope="col">{t("settings.transit_where")}</th>
            <th scope="col">{t("settings.transit_days_col")}</th>
            <th scope="col">
              <span class="visually-hidden">{t("settings.actions")}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <th scope="row" class="set-transit-key">
              {t("settings.transit_default")}
            </th>
            <td>
              <NumberCell
                label={t("settings.transit_days_label", { where: t("settings.transit_default") })}
                value={draft.defaultTransit}
                onInput={set("defaultTransit")}
                error={errors.defaultTransit}
              />
            </td>
            <td />
          </tr>
          {draft.transit.map((row, index) => (
            <tr key={index}>
              <td>
                <input
                  value={row.key}
                  list="set-prefectures"
                  autoComplete="off"
                  aria-label={t("settings.transit_prefecture", { n: index + 1 })}
                  aria-invalid={errors[`transitKey${index}`] ? true : undefined}
                  onInput={(e) => transitRow(index, { key: e.currentTarget.value })}
                />
                {errors[`transitKey${index}`] && <p class="field-error">{errors[`transitKey${index}`]}</p>}
              </td>
              <td>
                <NumberCell
                  label={t("settings.transit_days_label", { where: row.key || t("settings.transit_prefecture", { n: index + 1 }) })}
                  value={row.days}
                  onInput={(days) => transitRow(index, { days })}
                  error={errors[`transitDays${index}`]}
                />
              </td>
              <td>
                <button
                  type="button"
                  class="button button-small"
                  aria-label={t("settings.transit_remove", { where: row.key || String(index + 1) })}
                  onClick={() => setDraft((d) => ({ ...d, transit: d.transit.filter((_, i) => i !== index) }))}
                >
                  {t("common.delete")}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <datalist id="set-prefectures">
        {PREFECTURES.map((name) => (
          <option key={name} value={name} />
        ))}
      </datalist>
      <button
        type="button"
        class="button button-small"
        onClick={() => setDraft((d) => ({ ...d, transit: [...d.transit, { key: "", days: d.defaultTransit }] }))}
      >
        {t("settings.transit_add")}
      </button>
    </fieldset>
  );
}
