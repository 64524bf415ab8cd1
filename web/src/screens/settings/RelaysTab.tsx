// SMTPリレー: mail to some recipient domains (楽天あんしんメルアド) goes through the mall's relay
// with the shop's credentials. Credentials are write-only: the page shows only 設定済み / 未設定 and
// offers to replace them; they are never read back.
import { useEffect, useRef, useState } from "preact/hooks";
import { Badge, ErrorBox, useDocument } from "../../components/ui";
import { success, useSave } from "../../components/notices";
import { actionsColumn, useRemoval } from "../../components/rows";
import { ListTable } from "../../components/table";
import { allowed, del, put, shopPath } from "../../lib/api";
import { t } from "../../lib/i18n";
import { NumberField, TextField } from "../../components/fields";
import { TabSection } from "./form";
import { OPS, type RelayEdit, type RelayView } from "./types";

const NAME = /^[a-z0-9][a-z0-9-]{0,39}$/;

export function RelaysTab(props: { shop: string }) {
  const list = useDocument<{ items: RelayView[] }>(shopPath(props.shop, "/relays"));
  const [editing, setEditing] = useState<RelayView | "new" | null>(null);
  const removal = useRemoval();
  const canEdit = allowed("PUT", OPS.relay);
  const canDelete = allowed("DELETE", OPS.relay);

  const remove = (relay: RelayView) =>
    removal.remove({
      confirm: {
        title: t("settings.relay_delete_title", { name: relay.name }),
        body: <p>{t("settings.relay_delete_body")}</p>,
        confirmLabel: t("common.delete"),
      },
      run: async () => {
        await del(shopPath(props.shop, `/relays/${encodeURIComponent(relay.name)}`));
        await list.reload();
      },
      done: t("settings.relay_deleted", { name: relay.name }),
    });

  const items = list.data?.items ?? [];
  return (
    <TabSection
      id="set-relays-title"
      title={t("settings.tab_relays")}
      lead={t("settings.relays_lead")}
      add={canEdit && editing === null && { label: t("settings.relay_add"), onClick: () => setEditing("new") }}
    >
      {editing !== null && (
        <RelayForm
          key={editing === "new" ? "" : editing.name}
          shop={props.shop}
          relay={editing === "new" ? null : editing}
          taken={items.map((r) => r.name)}
          onDone={async (saved) => {
            setEditing(null);
            if (saved) await list.reload();
          }}
        />
      )}
      <ListTable
        list={list}
        rows={items}
        empty={t("settings.relays_empty")}
        rowKey={(relay) => relay.name}
        columns={[
          { title: t("settings.relay_name"), cellClass: "mono", cell: (relay) => relay.name },
          {
            title: t("settings.relay_server"),
            cellClass: "mono",
            cell: (relay) => (
              <>
                {relay.host}:{relay.port}
              </>
            ),
          },
          {
            title: t("settings.relay_domains"),
            cell: (relay) => (
              <ul class="set-plain">
                {relay.domains.map((domain) => (
                  <li key={domain} class="mono">{domain}</li>
                ))}
              </ul>
            ),
          },
          {
            title: t("settings.relay_mail_from"),
            cellClass: "mono",
            cell: (relay) => relay.mail_from ?? <span class="muted">{t("settings.relay_mail_from_default")}</span>,
          },
          {
            title: t("settings.relay_credentials"),
            cell: (relay) =>
              relay.credentials_set ? (
                <Badge tone="ok">{t("settings.credentials_set")}</Badge>
              ) : (
                <Badge tone="warn">{t("settings.credentials_unset")}</Badge>
              ),
          },
          (canEdit || canDelete) &&
            actionsColumn((relay: RelayView) => ({
              edit: canEdit ? { label: t("settings.relay_edit_named", { name: relay.name }), onClick: () => setEditing(relay) } : undefined,
              remove: canDelete ? { label: t("settings.relay_delete_named", { name: relay.name }), onClick: () => void remove(relay) } : undefined,
            })),
        ]}
      />
      {removal.dialog}
    </TabSection>
  );
}

function RelayForm(props: { shop: string; relay: RelayView | null; taken: string[]; onDone: (saved: boolean) => void }) {
  const form = useRef<HTMLFormElement>(null);
  useEffect(() => {
    form.current?.scrollIntoView({ block: "nearest" });
    form.current?.querySelector<HTMLElement>("input, textarea")?.focus();
  }, []);
  const existing = props.relay;
  const [name, setName] = useState(existing?.name ?? "");
  const [host, setHost] = useState(existing?.host ?? "");
  const [port, setPort] = useState(String(existing?.port ?? 587));
  const [domains, setDomains] = useState((existing?.domains ?? []).join(", "));
  const [mailFrom, setMailFrom] = useState(existing?.mail_from ?? "");
  const [replace, setReplace] = useState(!existing?.credentials_set);
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const { busy, serverError, save: saving } = useSave();

  const save = async () => {
    const found: Record<string, string> = {};
    if (!existing) {
      if (!NAME.test(name)) found.name = t("settings.relay_name_error");
      else if (props.taken.includes(name)) found.name = t("settings.relay_name_taken");
    }
    if (!host.trim()) found.host = t("settings.error_required");
    const portNumber = Number(port);
    if (!Number.isInteger(portNumber) || portNumber < 1 || portNumber > 65535) found.port = t("settings.error_range", { min: 1, max: 65535 });
    const domainList = domains.split(/[\s,、]+/).map((d) => d.trim()).filter(Boolean);
    if (domainList.length === 0) found.domains = t("settings.error_required");
    if (replace && (!username || !password)) found.credentials = t("settings.credentials_both");
    setErrors(found);
    if (Object.keys(found).length) return;
    const body: RelayEdit = { host: host.trim(), port: portNumber, domains: domainList, mail_from: mailFrom.trim() || null };
    if (replace) {
      body.username = username;
      body.password = password;
    }
    const relayName = existing?.name ?? name;
    await saving(async () => {
      await put(shopPath(props.shop, `/relays/${encodeURIComponent(relayName)}`), body);
      setPassword("");
      setUsername("");
      success(t("settings.relay_saved", { name: relayName }));
      props.onDone(true);
    });
  };

  return (
    <form
      ref={form}
      class="card set-subform"
      aria-labelledby="set-relay-form-title"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        void save();
      }}
    >
      <h3 id="set-relay-form-title">
        {existing ? t("settings.relay_edit_title", { name: existing.name }) : t("settings.relay_new_title")}
      </h3>
      <div class="grid grid-2">
        {!existing && (
          <TextField
            label={t("settings.relay_name")}
            value={name}
            onInput={setName}
            error={errors.name}
            placeholder="rakuten"
            hint={t("settings.relay_name_hint")}
            required
          />
        )}
        <TextField label={t("settings.relay_host")} value={host} onInput={setHost} error={errors.host} placeholder="sub.fw.rakuten.ne.jp" required />
        <NumberField
          label={t("settings.relay_port")}
          autoComplete="off"
          min={1}
          max={65535}
          value={port}
          onInput={setPort}
          error={errors.port}
        />
        <TextField
          label={t("settings.relay_mail_from")}
          value={mailFrom}
          onInput={setMailFrom}
          inputMode="email"
          hint={t("settings.relay_mail_from_hint")}
        />
      </div>
      <TextField
        label={t("settings.relay_domains")}
        value={domains}
        onInput={setDomains}
        error={errors.domains}
        placeholder="*.fw.rakuten.ne.jp"
        hint={t("settings.relay_domains_hint")}
      />
      <fieldset>
        <legend>{t("settings.relay_credentials")}</legend>
        {existing?.credentials_set && (
          <div class="row set-cred-state">
            <Badge tone="ok">{t("settings.credentials_set")}</Badge>
            <span class="muted small">{t("settings.credentials_hidden")}</span>
            <label class="check">
              <input type="checkbox" checked={replace} onChange={(e) => setReplace(e.currentTarget.checked)} />
              {t("settings.credentials_replace")}
            </label>
          </div>
        )}
        {replace && (
          <div class="grid grid-2">
            <TextField label={t("settings.relay_username")} value={username} onInput={setUsername} autoComplete="off" name="relay-username" />
            <TextField
              label={t("settings.relay_password")}
              type="password"
              value={password}
              onInput={setPassword}
              autoComplete="new-password"
              name="relay-password"
            />
          </div>
        )}
        {errors.credentials && <p class="field-error">{errors.credentials}</p>}
        <p class="hint">{t("settings.credentials_hint")}</p>
      </fieldset>
      {serverError ? <ErrorBox error={serverError} /> : null}
      <div class="row">
        <button type="submit" class="button button-primary" disabled={busy}>
          {t("common.save")}
        </button>
        <button type="button" class="button" onClick={() => props.onDone(false)}>
          {t("common.cancel")}
        </button>
      </div>
    </form>
  );
}
