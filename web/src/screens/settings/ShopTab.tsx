// ショップ: the Shop document (GET/PUT /settings). A manager edits it as one form and saves the
// whole document (with undo); staff reads it. The cutoff and ship lead time live in the calendar.
import { useMemo, useState } from "preact/hooks";
import { ApplyNote } from "../../components/ApplyNote";
import { ErrorBox, Field, Loading, useDocument } from "../../components/ui";
import { failure, success } from "../../components/notices";
import { allowed, put, shopPath } from "../../lib/api";
import { t } from "../../lib/i18n";
import { href } from "../../lib/router";
import { ReadRows, TextField } from "./form";
import { OPS, TIME, type Shop } from "./types";

const PREFECTURES = [
  "北海道", "青森県", "岩手県", "宮城県", "秋田県", "山形県", "福島県", "茨城県", "栃木県", "群馬県",
  "埼玉県", "千葉県", "東京都", "神奈川県", "新潟県", "富山県", "石川県", "福井県", "山梨県", "長野県",
  "岐阜県", "静岡県", "愛知県", "三重県", "滋賀県", "京都府", "大阪府", "兵庫県", "奈良県", "和歌山県",
  "鳥取県", "島根県", "岡山県", "広島県", "山口県", "徳島県", "香川県", "愛媛県", "高知県", "福岡県",
  "佐賀県", "長崎県", "熊本県", "大分県", "宮崎県", "鹿児島県", "沖縄県",
];
const ADDRESS = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const COMPLIANCE: Shop["compliance"][] = ["rakuten", "yahoo", "none"];

interface Draft {
  name: string;
  timezone: string;
  senderName: string;
  senderAddress: string;
  compliance: Shop["compliance"];
  quiet: boolean;
  quietStart: string;
  quietEnd: string;
  window: string;
  maxDays: string;
  defaultTransit: string;
  transit: { key: string; days: string }[];
  signature: string;
  company: string;
  address: string;
  contact: string;
  baseUrl: string;
  mailto: string;
  reviewUrl: string;
}

const hhmm = (time: string) => time.slice(0, 5);

function draftOf(shop: Shop): Draft {
  const { default: fallback = 1, ...byPrefecture } = shop.transit_days;
  return {
    name: shop.name,
    timezone: shop.timezone,
    senderName: shop.sender.name ?? "",
    senderAddress: shop.sender.address,
    compliance: shop.compliance,
    quiet: shop.quiet_hours !== null,
    quietStart: hhmm(shop.quiet_hours?.start ?? "21:00"),
    quietEnd: hhmm(shop.quiet_hours?.end ?? "08:00"),
    window: String(shop.flexible_window_minutes),
    maxDays: String(shop.max_window_days),
    defaultTransit: String(fallback),
    transit: Object.entries(byPrefecture).map(([key, days]) => ({ key, days: String(days) })),
    signature: shop.signature,
    company: shop.legal?.company ?? "",
    address: shop.legal?.address ?? "",
    contact: shop.legal?.contact ?? "",
    baseUrl: shop.links.public_base_url ?? "",
    mailto: shop.links.unsubscribe_mailto ?? "",
    reviewUrl: shop.review_url ?? "",
  };
}

function shopOf(draft: Draft, base: Shop): Shop {
  const transit: Record<string, number> = { default: Number(draft.defaultTransit) };
  for (const row of draft.transit) if (row.key.trim()) transit[row.key.trim()] = Number(row.days);
  const legal = draft.company.trim() || draft.address.trim() || draft.contact.trim();
  return {
    ...base,
    name: draft.name.trim(),
    timezone: draft.timezone,
    sender: { address: draft.senderAddress.trim(), name: draft.senderName.trim() || null },
    compliance: draft.compliance,
    quiet_hours: draft.quiet ? { start: draft.quietStart, end: draft.quietEnd } : null,
    flexible_window_minutes: Number(draft.window),
    max_window_days: Number(draft.maxDays),
    transit_days: transit,
    signature: draft.signature,
    legal: legal ? { company: draft.company.trim(), address: draft.address.trim(), contact: draft.contact.trim() } : null,
    links: { ...base.links, public_base_url: draft.baseUrl.trim() || null, unsubscribe_mailto: draft.mailto.trim() || null },
    review_url: draft.reviewUrl.trim() || null,
  };
}

function whole(value: string, min: number, max: number): boolean {
  const number = Number(value);
  return value.trim() !== "" && Number.isInteger(number) && number >= min && number <= max;
}

function validate(draft: Draft): Record<string, string> {
  const errors: Record<string, string> = {};
  if (!draft.name.trim()) errors.name = t("settings.error_required");
  if (!ADDRESS.test(draft.senderAddress.trim())) errors.senderAddress = t("settings.error_address");
  if (draft.quiet) {
    if (!TIME.test(draft.quietStart)) errors.quietStart = t("settings.error_time");
    if (!TIME.test(draft.quietEnd)) errors.quietEnd = t("settings.error_time");
    if (!errors.quietStart && draft.quietStart === draft.quietEnd) errors.quietEnd = t("settings.error_quiet_same");
  }
  if (!whole(draft.window, 0, 1440)) errors.window = t("settings.error_range", { min: 0, max: 1440 });
  if (!whole(draft.maxDays, 1, 365)) errors.maxDays = t("settings.error_range", { min: 1, max: 365 });
  if (!whole(draft.defaultTransit, 0, 30)) errors.defaultTransit = t("settings.error_range", { min: 0, max: 30 });
  const seen = new Set<string>();
  draft.transit.forEach((row, index) => {
    const key = row.key.trim();
    if (!key) errors[`transitKey${index}`] = t("settings.error_required");
    else if (seen.has(key) || key === "default") errors[`transitKey${index}`] = t("settings.error_duplicate");
    seen.add(key);
    if (!whole(row.days, 0, 30)) errors[`transitDays${index}`] = t("settings.error_range", { min: 0, max: 30 });
  });
  const legal = [draft.company, draft.address, draft.contact].map((v) => v.trim());
  if (legal.some(Boolean)) {
    if (!legal[0]) errors.company = t("settings.error_legal");
    if (!legal[1]) errors.address = t("settings.error_legal");
    if (!legal[2]) errors.contact = t("settings.error_legal");
  }
  if (draft.baseUrl.trim() && !/^https?:\/\//.test(draft.baseUrl.trim())) errors.baseUrl = t("settings.error_url");
  if (draft.reviewUrl.trim() && !/^https?:\/\//.test(draft.reviewUrl.trim())) errors.reviewUrl = t("settings.error_url");
  return errors;
}

function zones(current: string): string[] {
  const known = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
  return known.includes(current) ? known : [current, ...known];
}

export function ShopTab(props: { shop: string }) {
  const path = shopPath(props.shop, "/settings");
  const document = useDocument<Shop>(path);
  if (!document.data) return document.error ? <ErrorBox error={document.error} /> : <Loading />;
  const canEdit = allowed("PUT", OPS.settings);
  return canEdit ? (
    <ShopForm key={JSON.stringify(document.data)} shopId={props.shop} path={path} shop={document.data} onSaved={document.setData} />
  ) : (
    <ShopView shopId={props.shop} shop={document.data} />
  );
}

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

function complianceLabel(value: Shop["compliance"]): string {
  return t(`settings.compliance_${value}`);
}

function CalendarNote(props: { shopId: string; shop: Shop }) {
  return (
    <p class="info-box set-calendar-note">
      {t("settings.calendar_note", { cutoff: hhmm(props.shop.cutoff), n: props.shop.ship_lead_business_days })}{" "}
      <a href={href(props.shopId, "calendar")}>{t("settings.calendar_link")}</a>
    </p>
  );
}

function ShopView(props: { shopId: string; shop: Shop }) {
  const { shop } = props;
  const { default: fallback = 1, ...byPrefecture } = shop.transit_days;
  return (
    <div class="set-sections">
      <p class="info-box">{t("settings.read_only")}</p>
      <section class="card">
        <h2>{t("settings.section_basic")}</h2>
        <ReadRows
          rows={[
            [t("settings.shop_name"), shop.name],
            [t("settings.shop_id"), <span class="mono">{shop.id}</span>],
            [t("settings.timezone"), shop.timezone],
            [t("settings.sender_name"), shop.sender.name ?? ""],
            [t("settings.sender_address"), shop.sender.address],
          ]}
        />
      </section>
      <section class="card">
        <h2>{t("settings.section_sending")}</h2>
        <ReadRows
          rows={[
            [t("settings.compliance"), complianceLabel(shop.compliance)],
            [
              t("settings.quiet_hours"),
              shop.quiet_hours
                ? t("settings.quiet_value", { start: hhmm(shop.quiet_hours.start), end: hhmm(shop.quiet_hours.end) })
                : t("settings.quiet_none"),
            ],
            [t("settings.flexible_window"), t("settings.minutes", { n: shop.flexible_window_minutes })],
            [t("settings.max_window"), t("settings.days", { n: shop.max_window_days })],
            [
              t("settings.transit_days"),
              [
                t("settings.transit_default_value", { n: fallback }),
                ...Object.entries(byPrefecture).map(([key, days]) => `${key}: ${t("settings.days", { n: days })}`),
              ].join(t("settings.list_separator")),
            ],
          ]}
        />
        <CalendarNote shopId={props.shopId} shop={shop} />
      </section>
      <section class="card">
        <h2>{t("settings.section_footer")}</h2>
        <ReadRows
          rows={[
            [t("settings.signature"), shop.signature ? <pre class="set-pre">{shop.signature}</pre> : ""],
            [t("settings.legal_company"), shop.legal?.company ?? ""],
            [t("settings.legal_address"), shop.legal?.address ?? ""],
            [t("settings.legal_contact"), shop.legal?.contact ?? ""],
            [t("settings.public_base_url"), shop.links.public_base_url ?? ""],
            [t("settings.unsubscribe_mailto"), shop.links.unsubscribe_mailto ?? ""],
            [t("settings.review_url"), shop.review_url ?? ""],
          ]}
        />
      </section>
    </div>
  );
}

function ShopForm(props: { shopId: string; path: string; shop: Shop; onSaved: (shop: Shop) => void }) {
  const initial = useMemo(() => draftOf(props.shop), [props.shop]);
  const [draft, setDraft] = useState<Draft>(initial);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [serverError, setServerError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const dirty = JSON.stringify(draft) !== JSON.stringify(initial);
  const set = <K extends keyof Draft>(key: K) => (value: Draft[K]) => setDraft((d) => ({ ...d, [key]: value }));
  const timeZones = useMemo(() => zones(props.shop.timezone), [props.shop.timezone]);

  const save = async () => {
    const found = validate(draft);
    setErrors(found);
    setServerError(null);
    if (Object.keys(found).length) {
      requestAnimationFrame(() => document.querySelector<HTMLElement>(".set-form [aria-invalid='true']")?.focus());
      return;
    }
    const before = props.shop;
    setBusy(true);
    try {
      const after = await put<Shop>(props.path, shopOf(draft, before));
      props.onSaved(after);
      success(t("settings.shop_saved"), async () => {
        props.onSaved(await put<Shop>(props.path, before));
        success(t("settings.shop_restored"));
      });
    } catch (error) {
      setServerError(error);
      failure(error);
    } finally {
      setBusy(false);
    }
  };

  const transitRow = (index: number, change: Partial<{ key: string; days: string }>) =>
    setDraft((d) => ({ ...d, transit: d.transit.map((row, i) => (i === index ? { ...row, ...change } : row)) }));

  return (
    <form
      class="set-form set-sections"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        void save();
      }}
    >
      <section class="card">
        <h2>{t("settings.section_basic")}</h2>
        <div class="grid grid-2">
          <TextField label={t("settings.shop_name")} value={draft.name} onInput={set("name")} error={errors.name} required hint={t("settings.shop_name_hint")} />
          <Field label={t("settings.timezone")} hint={t("settings.timezone_hint")}>
            {(id, describedBy) => (
              <select id={id} value={draft.timezone} aria-describedby={describedBy} onChange={(e) => set("timezone")(e.currentTarget.value)}>
                {timeZones.map((zone) => (
                  <option key={zone} value={zone}>
                    {zone}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <TextField label={t("settings.sender_name")} value={draft.senderName} onInput={set("senderName")} hint={t("settings.sender_name_hint")} />
          <TextField
            label={t("settings.sender_address")}
            type="email"
            inputMode="email"
            value={draft.senderAddress}
            onInput={set("senderAddress")}
            error={errors.senderAddress}
            required
            hint={t("settings.sender_address_hint")}
          />
        </div>
      </section>

      <section class="card">
        <h2>{t("settings.section_sending")}</h2>
        <div class="grid grid-2">
          <Field label={t("settings.compliance")} hint={t(`settings.compliance_hint_${draft.compliance}`)}>
            {(id, describedBy) => (
              <select
                id={id}
                value={draft.compliance}
                aria-describedby={describedBy}
                onChange={(e) => set("compliance")(e.currentTarget.value as Shop["compliance"])}
              >
                {COMPLIANCE.map((value) => (
                  <option key={value} value={value}>
                    {complianceLabel(value)}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <div />
        </div>
        <fieldset class="set-quiet">
          <legend>{t("settings.quiet_hours")}</legend>
          <label class="check">
            <input type="checkbox" checked={draft.quiet} onChange={(e) => set("quiet")(e.currentTarget.checked)} />
            {t("settings.quiet_enabled")}
          </label>
          {draft.quiet && (
            <div class="set-inline">
              <TextField
                label={t("settings.quiet_start")}
                value={draft.quietStart}
                onInput={set("quietStart")}
                error={errors.quietStart}
                placeholder="21:00"
                inputMode="numeric"
                maxLength={5}
              />
              <span class="set-inline-sep" aria-hidden="true">〜</span>
              <TextField
                label={t("settings.quiet_end")}
                value={draft.quietEnd}
                onInput={set("quietEnd")}
                error={errors.quietEnd}
                placeholder="08:00"
                inputMode="numeric"
                maxLength={5}
              />
            </div>
          )}
          <p class="hint">{t("settings.quiet_hint")}</p>
        </fieldset>
        <div class="grid grid-2">
          <TextField
            label={t("settings.flexible_window")}
            type="number"
            inputMode="numeric"
            min={0}
            max={1440}
            value={draft.window}
            onInput={set("window")}
            error={errors.window}
            hint={t("settings.flexible_window_hint")}
          />
          <TextField
            label={t("settings.max_window")}
            type="number"
            inputMode="numeric"
            min={1}
            max={365}
            value={draft.maxDays}
            onInput={set("maxDays")}
            error={errors.maxDays}
            hint={t("settings.max_window_hint")}
          />
        </div>
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
        <CalendarNote shopId={props.shopId} shop={props.shop} />
      </section>

      <section class="card">
        <h2>{t("settings.section_footer")}</h2>
        <Field label={t("settings.signature")} hint={t("settings.signature_hint")}>
          {(id, describedBy) => (
            <textarea id={id} rows={4} value={draft.signature} aria-describedby={describedBy} onInput={(e) => set("signature")(e.currentTarget.value)} />
          )}
        </Field>
        <fieldset>
          <legend>{t("settings.legal")}</legend>
          <p class="hint set-fieldset-hint">{t("settings.legal_hint")}</p>
          <div class="grid grid-2">
            <TextField label={t("settings.legal_company")} value={draft.company} onInput={set("company")} error={errors.company} autoComplete="organization" />
            <TextField label={t("settings.legal_contact")} value={draft.contact} onInput={set("contact")} error={errors.contact} />
          </div>
          <TextField label={t("settings.legal_address")} value={draft.address} onInput={set("address")} error={errors.address} autoComplete="street-address" />
        </fieldset>
        <div class="grid grid-2">
          <TextField
            label={t("settings.unsubscribe_mailto")}
            value={draft.mailto}
            onInput={set("mailto")}
            hint={t("settings.unsubscribe_mailto_hint")}
            inputMode="email"
          />
          <TextField
            label={t("settings.public_base_url")}
            type="url"
            inputMode="url"
            value={draft.baseUrl}
            onInput={set("baseUrl")}
            error={errors.baseUrl}
            hint={t("settings.public_base_url_hint")}
          />
          <TextField
            label={t("settings.review_url")}
            type="url"
            inputMode="url"
            value={draft.reviewUrl}
            onInput={set("reviewUrl")}
            error={errors.reviewUrl}
            hint={t("settings.review_url_hint")}
          />
        </div>
      </section>

      {serverError ? <ErrorBox error={serverError} /> : null}
      <div class={`set-savebar${dirty ? " set-savebar-dirty" : ""}`}>
        <span class="muted small" aria-live="polite">
          {dirty ? t("settings.unsaved") : t("settings.no_changes")}
        </span>
        <ApplyNote />
        <span class="spacer" />
        {dirty && (
          <button
            type="button"
            class="button"
            onClick={() => {
              setDraft(initial);
              setErrors({});
              setServerError(null);
            }}
          >
            {t("settings.discard")}
          </button>
        )}
        <button type="submit" class="button button-primary" disabled={busy || !dirty}>
          {t("common.save")}
        </button>
      </div>
    </form>
  );
}
