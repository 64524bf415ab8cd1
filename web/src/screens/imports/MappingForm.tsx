// The column mapping of an "any CSV" import: for each order field the API takes, the file's
// column(s) holding it (several columns are joined with a space, e.g. 姓 + 名).
import { Field } from "../../components/ui";
import { t } from "../../lib/i18n";
import { FIELDS, MAX_JOINED, type Delimiter, type Encoding, type Header, type Mapping, type MappedField } from "./csv";

export interface MappingOptions {
  encoding: Encoding | "";
  delimiter: Delimiter | "";
  dateFormat: string;
  source: string;
}

const REQUIRED: readonly MappedField[] = ["order_id"];
/** Shown first; the others fold away until one is used. */
const MAIN_FIELDS: readonly MappedField[] = [
  "order_id",
  "ordered_at",
  "shipped_at",
  "customer_name",
  "customer_email",
  "item_sku",
  "item_name",
  "quantity",
  "unit_price",
  "total",
];
const OTHER_FIELDS = FIELDS.filter((field) => !MAIN_FIELDS.includes(field));
/** Fields a file often splits over several columns (姓 + 名, 注文日 + 注文時間, 住所1 + 住所2). */
const JOINABLE: readonly MappedField[] = [
  "ordered_at",
  "shipped_at",
  "customer_name",
  "customer_name_kana",
  "customer_phone",
  "ship_to_name",
  "ship_to_postal_code",
  "ship_to_address",
  "item_name",
];

export function MappingForm(props: {
  header: Header;
  mapping: Mapping;
  options: MappingOptions;
  onMapping: (mapping: Mapping) => void;
  onOptions: (options: MappingOptions) => void;
}) {
  const { header, mapping } = props;
  const otherMapped = OTHER_FIELDS.filter((field) => mapping[field]?.some(Boolean)).length;

  return (
    <fieldset class="im-mapping">
      <legend>{t("imports.mapping_title")}</legend>
      <p class="hint im-mapping-hint">{t("imports.mapping_hint", { n: header.columns.length })}</p>
      <div class="im-options">
        <Field label={t("imports.encoding")} hint={t("imports.encoding_detected", { encoding: encodingName(header.encoding) })}>
          {(id, describedBy) => (
            <select
              id={id}
              aria-describedby={describedBy}
              value={props.options.encoding}
              onChange={(e) => props.onOptions({ ...props.options, encoding: e.currentTarget.value as Encoding | "" })}
            >
              <option value="">{t("imports.auto")}</option>
              <option value="utf-8">UTF-8</option>
              <option value="cp932">Shift_JIS (CP932)</option>
              <option value="euc-jp">EUC-JP</option>
              <option value="utf-16">UTF-16</option>
            </select>
          )}
        </Field>
        <Field label={t("imports.delimiter")}>
          {(id) => (
            <select
              id={id}
              value={props.options.delimiter}
              onChange={(e) => props.onOptions({ ...props.options, delimiter: e.currentTarget.value as Delimiter | "" })}
            >
              <option value="">{t("imports.auto")}</option>
              <option value=",">{t("imports.delimiter_comma")}</option>
              <option value={"\t"}>{t("imports.delimiter_tab")}</option>
              <option value=";">{t("imports.delimiter_semicolon")}</option>
            </select>
          )}
        </Field>
        <Field label={t("imports.date_format")} hint={t("imports.date_format_hint")}>
          {(id, describedBy) => (
            <input
              id={id}
              class="mono"
              maxLength={64}
              placeholder="%Y/%m/%d %H:%M"
              aria-describedby={describedBy}
              value={props.options.dateFormat}
              onInput={(e) => props.onOptions({ ...props.options, dateFormat: e.currentTarget.value })}
            />
          )}
        </Field>
        <Field label={t("imports.source")} hint={t("imports.source_hint")}>
          {(id, describedBy) => (
            <input
              id={id}
              maxLength={70}
              aria-describedby={describedBy}
              value={props.options.source}
              onInput={(e) => props.onOptions({ ...props.options, source: e.currentTarget.value })}
            />
          )}
        </Field>
      </div>
      <MapTable fields={MAIN_FIELDS} header={header} mapping={mapping} onMapping={props.onMapping} />
      <details class="im-more" open={otherMapped > 0}>
        <summary>
          {t("imports.more_fields")}
          {otherMapped > 0 && <span class="muted small"> {t("imports.more_fields_mapped", { n: otherMapped })}</span>}
        </summary>
        <MapTable fields={OTHER_FIELDS} header={header} mapping={mapping} onMapping={props.onMapping} />
      </details>
    </fieldset>
  );
}

function MapTable(props: {
  fields: readonly MappedField[];
  header: Header;
  mapping: Mapping;
  onMapping: (mapping: Mapping) => void;
}) {
  const { header, mapping } = props;
  const setColumns = (field: MappedField, columns: string[]) => {
    const next = { ...mapping };
    if (columns.some(Boolean)) next[field] = columns;
    else delete next[field];
    props.onMapping(next);
  };
  const sampleOf = (column: string) => header.sample[header.columns.indexOf(column)] ?? "";
  return (
      <div class="table-wrap">
        <table class="im-map-table">
          <thead>
            <tr>
              <th scope="col">{t("imports.map_field")}</th>
              <th scope="col">{t("imports.map_column")}</th>
            </tr>
          </thead>
          <tbody>
            {props.fields.map((field) => {
              const columns = mapping[field] ?? [""];
              const label = t(`imports.field_${field}`);
              return (
                <tr key={field}>
                  <th scope="row" id={`im-field-${field}`}>
                    {label}
                    {REQUIRED.includes(field) && <span class="im-required"> {t("imports.required")}</span>}
                    {(field === "ordered_at" || field === "shipped_at") && (
                      <span class="muted small im-field-note">{t("imports.date_needed")}</span>
                    )}
                  </th>
                  <td>
                    {columns.map((column, index) => (
                      <div class="im-map-choice" key={index}>
                        <select
                          aria-label={index === 0 ? label : t("imports.joined_label", { field: label, n: index + 1 })}
                          value={column}
                          onChange={(e) => {
                            const next = [...columns];
                            next[index] = e.currentTarget.value;
                            setColumns(field, next);
                          }}
                        >
                          <option value="">{index === 0 ? t("imports.not_used") : t("imports.choose_column")}</option>
                          {header.columns.map((name) => (
                            <option key={name} value={name}>
                              {name}
                            </option>
                          ))}
                        </select>
                        {index > 0 && (
                          <button
                            type="button"
                            class="button button-small button-quiet"
                            aria-label={t("imports.unjoin_label", { field: label, n: index + 1 })}
                            onClick={() => setColumns(field, columns.filter((_, i) => i !== index))}
                          >
                            ×
                          </button>
                        )}
                        {column && sampleOf(column) && <span class="muted small im-sample">{t("imports.sample", { value: sampleOf(column) })}</span>}
                      </div>
                    ))}
                    {JOINABLE.includes(field) && columns[0] && columns.length < MAX_JOINED && (
                      <button
                        type="button"
                        class="button-link small"
                        aria-label={t("imports.join_label", { field: label })}
                        onClick={() => setColumns(field, [...columns, ""])}
                      >
                        {t("imports.join")}
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
  );
}

export function encodingName(encoding: string): string {
  return (
    { "utf-8": "UTF-8", "utf-8-sig": "UTF-8 (BOM)", cp932: "Shift_JIS (CP932)", shift_jis: "Shift_JIS", "euc-jp": "EUC-JP", "utf-16": "UTF-16" }[encoding] ??
    encoding
  );
}

/** The API's ColumnMapping for this form, or the reason it is not complete yet. */
export function columnMapping(mapping: Mapping, options: MappingOptions): { mapping?: unknown; missing?: string } {
  const columns: Record<string, string | string[]> = {};
  for (const field of FIELDS) {
    const chosen = (mapping[field] ?? []).filter(Boolean);
    if (chosen.length) columns[field] = chosen.length === 1 ? chosen[0] : chosen;
  }
  if (!columns.order_id) return { missing: t("imports.missing_order_id") };
  if (!columns.ordered_at && !columns.shipped_at) return { missing: t("imports.missing_date") };
  return {
    mapping: {
      source: options.source.trim() || "csv",
      columns,
      date_format: options.dateFormat.trim() || null,
      encoding: options.encoding || null,
      delimiter: options.delimiter || null,
    },
  };
}
