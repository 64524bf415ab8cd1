// Shopify連携: the order webhook's address and topics to register in Shopify, and the signing
// secret (write-only: only whether it is set is ever shown). The owner sets, replaces or removes it.
import { useState } from "preact/hooks";
import { Badge, ErrorBox, Loading, useConfirm, useDocument } from "../../components/ui";
import { failure, success } from "../../components/notices";
import { allowed, del, put, shopPath } from "../../lib/api";
import { t } from "../../lib/i18n";
import { TextField } from "../../components/fields";
import { TabSection } from "./form";
import { OPS, type ShopifyIntegration } from "./types";

export function ShopifyTab(props: { shop: string }) {
  const path = shopPath(props.shop, "/integrations/shopify");
  const state = useDocument<ShopifyIntegration>(path);
  const [secret, setSecret] = useState("");
  const [replacing, setReplacing] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const { ask, dialog } = useConfirm();
  const canSet = allowed("PUT", OPS.shopify);
  const canRemove = allowed("DELETE", OPS.shopify);

  if (!state.data) return state.error ? <ErrorBox error={state.error} /> : <Loading />;
  const data = state.data;
  const url = `${location.origin}${data.webhook_url_path}`;

  const save = async () => {
    if (secret.length < 8 || secret.length > 256) {
      setError(t("settings.shopify_secret_error"));
      return;
    }
    setError(undefined);
    setBusy(true);
    try {
      state.setData(await put<ShopifyIntegration>(path, { secret }));
      setSecret("");
      setReplacing(false);
      success(t("settings.shopify_saved"));
    } catch (caught) {
      failure(caught);
    } finally {
      setBusy(false);
    }
  };

  const remove = async () => {
    const ok = await ask({
      title: t("settings.shopify_remove_title"),
      body: <p>{t("settings.shopify_remove_body")}</p>,
      confirmLabel: t("settings.shopify_remove"),
      danger: true,
    });
    if (!ok) return;
    try {
      state.setData(await del<ShopifyIntegration>(path));
      success(t("settings.shopify_removed"));
    } catch (caught) {
      failure(caught);
    }
  };

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(url);
      success(t("settings.copied"));
    } catch (caught) {
      failure(caught);
    }
  };

  const showForm = canSet && (!data.secret_set || replacing);
  return (
    <TabSection id="set-shopify-title" title={t("settings.tab_shopify")} lead={t("settings.shopify_lead")}>
      <div class="grid grid-2">
        <section class="card" aria-labelledby="set-shopify-hook">
          <h3 id="set-shopify-hook">{t("settings.shopify_webhook")}</h3>
          <p class="small muted">{t("settings.shopify_webhook_hint")}</p>
          <div class="set-copy">
            <code class="set-url" data-testid="shopify-url">{url}</code>
            <button type="button" class="button button-small" onClick={() => void copy()}>
              {t("settings.copy")}
            </button>
          </div>
          <h4 class="set-subhead">{t("settings.shopify_topics")}</h4>
          <ul class="set-topics">
            {data.topics.map((topic) => (
              <li key={topic}>
                <code>{topic}</code>
              </li>
            ))}
          </ul>
          <p class="small muted">{t("settings.shopify_format")}</p>
        </section>
        <section class="card" aria-labelledby="set-shopify-secret">
          <h3 id="set-shopify-secret">{t("settings.shopify_secret")}</h3>
          <p class="row">
            <span>{t("settings.shopify_status")}:</span>
            {data.secret_set ? (
              <Badge tone="ok">{t("settings.credentials_set")}</Badge>
            ) : (
              <Badge tone="warn">{t("settings.credentials_unset")}</Badge>
            )}
          </p>
          <p class="small muted">{data.secret_set ? t("settings.shopify_secret_set_hint") : t("settings.shopify_secret_unset_hint")}</p>
          {showForm && (
            <form
              noValidate
              onSubmit={(event) => {
                event.preventDefault();
                void save();
              }}
            >
              <TextField
                label={data.secret_set ? t("settings.shopify_secret_new") : t("settings.shopify_secret")}
                type="password"
                value={secret}
                onInput={setSecret}
                error={error}
                autoComplete="new-password"
                hint={t("settings.shopify_secret_hint")}
                name="shopify-secret"
              />
              <div class="row">
                <button type="submit" class="button button-primary" disabled={busy}>
                  {t("common.save")}
                </button>
                {replacing && (
                  <button
                    type="button"
                    class="button"
                    onClick={() => {
                      setReplacing(false);
                      setSecret("");
                      setError(undefined);
                    }}
                  >
                    {t("common.cancel")}
                  </button>
                )}
              </div>
            </form>
          )}
          {data.secret_set && !replacing && (canSet || canRemove) && (
            <div class="row">
              {canSet && (
                <button type="button" class="button" onClick={() => setReplacing(true)}>
                  {t("settings.replace")}
                </button>
              )}
              {canRemove && (
                <button type="button" class="button" onClick={() => void remove()}>
                  {t("settings.shopify_remove")}
                </button>
              )}
            </div>
          )}
          {!canSet && <p class="small muted">{t("settings.owner_only")}</p>}
        </section>
      </div>
      {dialog}
    </TabSection>
  );
}
