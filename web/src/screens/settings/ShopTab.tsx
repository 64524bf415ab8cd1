// ショップ: the Shop document (GET/PUT /settings). A manager edits it as one form and saves the
// whole document (with undo); staff reads it. The cutoff and ship lead time live in the calendar.
import { useMemo, useState } from "preact/hooks";
import { ApplyNote } from "../../components/ApplyNote";
import { ErrorBox, Field, Loading, useDocument } from "../../components/ui";
import { success, useSave } from "../../components/notices";
import { allowed, put, shopPath } from "../../lib/api";
import { t } from "../../lib/i18n";
import { NumberField, TextField, TimeField } from "../../components/fields";
import { CAP_LIMITS, draftOf, shopOf, validate, zones, type Draft } from "./shopDraft";
import { CalendarNote, complianceLabel, ShopView } from "./ShopView";
import { TransitTable } from "./TransitTable";
import { OPS, type Shop } from "./types";

const COMPLIANCE: Shop["compliance"][] = ["rakuten", "yahoo", "none"];

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

function ShopForm(props: { shopId: string; path: string; shop: Shop; onSaved: (shop: Shop) => void }) {
  const initial = useMemo(() => draftOf(props.shop), [props.shop]);
  const [draft, setDraft] = useState<Draft>(initial);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const { busy, serverError, setServerError, save: saving } = useSave();
  const dirty = JSON.stringify(draft) !== JSON.stringify(initial);
  const set = <K extends keyof Draft>(key: K) => (value: Draft[K]) => setDraft((d) => ({ ...d, [key]: value }));
  /** A whole number of the draft, with its label and hint (settings.<words>, settings.<words>_hint). */
  const whole = (key: "window" | "maxDays" | "attributionDays" | "capDays" | "capMails", words: string, min: number, max: number) => (
    <NumberField
      label={t(`settings.${words}`)}
      autoComplete="off"
      min={min}
      max={max}
      value={draft[key]}
      onInput={set(key)}
      error={errors[key]}
      hint={t(`settings.${words}_hint`)}
    />
  );
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
    await saving(async () => {
      const after = await put<Shop>(props.path, shopOf(draft, before));
      props.onSaved(after);
      success(t("settings.shop_saved"), async () => {
        props.onSaved(await put<Shop>(props.path, before));
        success(t("settings.shop_restored"));
      });
    });
  };

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
              <TimeField
                label={t("settings.quiet_start")}
                value={draft.quietStart}
                onInput={set("quietStart")}
                error={errors.quietStart}
                placeholder="21:00"
              />
              <span class="set-inline-sep" aria-hidden="true">〜</span>
              <TimeField
                label={t("settings.quiet_end")}
                value={draft.quietEnd}
                onInput={set("quietEnd")}
                error={errors.quietEnd}
                placeholder="08:00"
              />
            </div>
          )}
          <p class="hint">{t("settings.quiet_hint")}</p>
        </fieldset>
        <fieldset class="set-cap" data-testid="frequency-cap">
          <legend>{t("settings.frequency_cap")}</legend>
          <label class="check">
            <input type="checkbox" checked={draft.cap} onChange={(e) => set("cap")(e.currentTarget.checked)} />
            {t("settings.frequency_cap_enabled")}
          </label>
          {draft.cap && (
            <div class="set-inline">
              {whole("capDays", "frequency_cap_days", CAP_LIMITS.days.min, CAP_LIMITS.days.max)}
              <span class="set-inline-sep">{t("settings.frequency_cap_days_unit")}</span>
              {whole("capMails", "frequency_cap_mails", CAP_LIMITS.mails.min, CAP_LIMITS.mails.max)}
              <span class="set-inline-sep">{t("settings.frequency_cap_mails_unit")}</span>
            </div>
          )}
          <p class="hint">{t("settings.frequency_cap_hint")}</p>
        </fieldset>
        <div class="grid grid-2">
          {whole("window", "flexible_window", 0, 1440)}
          {whole("maxDays", "max_window", 1, 365)}
        </div>
        <TransitTable draft={draft} errors={errors} setDraft={setDraft} />
        <CalendarNote shopId={props.shopId} shop={props.shop} />
      </section>

      <section class="card">
        <h2>{t("settings.section_results")}</h2>
        <div class="grid grid-2">
          {whole("attributionDays", "attribution_days", 1, 30)}
        </div>
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
