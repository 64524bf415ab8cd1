// One mail: what it says as it will be (or was) sent, when and how, what happened to it, and the
// operator's actions: stop, reschedule, edit (manager+) a pending mail; resend or drop an unknown one.
import { useEffect, useState } from "preact/hooks";
import type { components } from "../../api/schema";
import { ErrorBox, Loading, PageHeader, useAction, useConfirm, useDocument } from "../../components/ui";
import { success } from "../../components/notices";
import { allowed, api, shopPath } from "../../lib/api";
import { formatDateTime, pick, t } from "../../lib/i18n";
import { href } from "../../lib/router";
import {
  fromLocalInput,
  keyFor,
  orderIdOf,
  reasonLabel,
  settled,
  StatusBadge,
  toLocalInput,
  transportLabel,
  useScenarios,
  useShopZone,
  type Delivery,
} from "./common";
import { DeliveryEditor } from "./DeliveryEditor";
import { DeliveryHistory } from "./DeliveryHistory";
import { listLink } from "./DeliveryList";

export type MailPreview = components["schemas"]["MailPreview"];
/** ``actions``: what operators did to this mail, oldest first. */
type Detail = components["schemas"]["DeliveryDetail"];

const ONE = "/api/shops/{shop_id}/deliveries/{delivery_id}";

/** A mail that was not and will not be sent: its text is what it would have been. */
const NOT_SENT = new Set(["cancelled", "skipped", "failed"]);

/** The mail card's title says what the text is: sent, to be sent, or never sent (and why). */
function mailTitle(status: string): string {
  if (status === "sent") return "deliveries.mail_sent";
  if (NOT_SENT.has(status)) return `deliveries.mail_not_sent_${status}`;
  return "deliveries.mail_as_sent";
}

export function DeliveryDetail(props: { shop: string; id: string; query: URLSearchParams }) {
  const path = shopPath(props.shop, `/deliveries/${encodeURIComponent(props.id)}`);
  const doc = useDocument<Detail>(path);
  const zone = useShopZone(props.shop);
  const scenarios = useScenarios(props.shop);
  const { ask, dialog } = useConfirm();
  const action = useAction();
  const [editing, setEditing] = useState(false);
  const [when, setWhen] = useState("");
  const [historyVersion, setHistoryVersion] = useState(0);
  const delivery = doc.data?.delivery;
  useEffect(() => {
    if (delivery) setWhen(toLocalInput(delivery.send_at, zone));
  }, [delivery?.send_at, zone]); // eslint-disable-line react-hooks/exhaustive-deps

  const back = listLink(props.shop, Object.fromEntries(props.query.entries()));
  const backLink = (
    <a class="button" href={back}>
      ← {t("deliveries.back")}
    </a>
  );
  if (doc.error) {
    return (
      <>
        <PageHeader title={t("deliveries.detail_title")} actions={backLink} />
        <ErrorBox error={doc.error} />
      </>
    );
  }
  if (!doc.data || !delivery) {
    return (
      <>
        <PageHeader title={t("deliveries.detail_title")} actions={backLink} />
        <Loading />
      </>
    );
  }
  const { mail, problem } = doc.data;
  // Staff may act on a mail; the checks keep the page right should the API's roles change.
  const pending = delivery.status === "scheduled" && allowed("POST", `${ONE}/stop`);
  const movable = allowed("POST", `${ONE}/reschedule`);
  const unknown = delivery.status === "unknown" && allowed("POST", `${ONE}/resend`);
  const mayEdit = delivery.status === "scheduled" && allowed("PATCH", ONE);
  const edited = delivery.edited_subject !== null || delivery.edited_text !== null;
  const scenarioName = scenarios.find((s) => s.id === delivery.scenario_id)?.name || delivery.scenario_id;

  /** One write on this delivery with its retry-safe key; the page then shows the answer. */
  const write = async (method: string, suffix: string, body?: unknown): Promise<Delivery> => {
    const what = `${method} ${path}${suffix} ${JSON.stringify(body ?? null)}`;
    const answer = await api<Delivery>(method, `${path}${suffix}`, { body: body ?? {}, idempotencyKey: keyFor(what) });
    settled(what);
    await doc.reload();
    setHistoryVersion((n) => n + 1);
    return answer;
  };

  const reschedule = async (event: Event) => {
    event.preventDefault();
    const target = fromLocalInput(when, zone);
    if (!target) return;
    const shown = formatDateTime(target, zone);
    const ok = await ask({
      title: t("deliveries.reschedule_title"),
      body: <p>{t("deliveries.reschedule_body", { from: formatDateTime(delivery.send_at, zone), to: shown })}</p>,
      confirmLabel: t("deliveries.reschedule_confirm"),
    });
    if (!ok) return;
    const was = delivery.send_at;
    await action.run(async () => {
      await write("POST", "/reschedule", { send_at: target });
      success(t("deliveries.rescheduled", { when: shown }), async () => {
        await write("POST", "/reschedule", { send_at: was });
        success(t("deliveries.reschedule_undone", { when: formatDateTime(was, zone) }));
      });
    });
  };

  const stop = async () => {
    const ok = await ask({
      title: t("deliveries.stop_title"),
      body: (
        <>
          <p>{t("deliveries.stop_body", { when: formatDateTime(delivery.send_at, zone), to: delivery.customer_email ?? "—" })}</p>
          <p class="warn-box">{t("deliveries.stop_final")}</p>
        </>
      ),
      confirmLabel: t("deliveries.stop_confirm"),
      danger: true,
    });
    if (!ok) return;
    await action.run(async () => {
      await write("POST", "/stop");
      success(t("deliveries.stopped"));
    });
  };

  const resend = async () => {
    const ok = await ask({
      title: t("deliveries.resend_title"),
      body: (
        <>
          <p>{t("deliveries.resend_body")}</p>
          <p class="warn-box">{t("deliveries.resend_warning")}</p>
        </>
      ),
      confirmLabel: t("deliveries.resend_confirm"),
    });
    if (!ok) return;
    await action.run(async () => {
      await write("POST", "/resend");
      success(t("deliveries.resent"));
    });
  };

  const drop = async () => {
    const ok = await ask({
      title: t("deliveries.drop_title"),
      body: (
        <>
          <p>{t("deliveries.drop_body")}</p>
          <p class="warn-box">{t("deliveries.drop_final")}</p>
        </>
      ),
      confirmLabel: t("deliveries.drop_confirm"),
      danger: true,
    });
    if (!ok) return;
    await action.run(async () => {
      await write("POST", "/drop");
      success(t("deliveries.dropped"));
    });
  };

  const saveEdit = async (changes: { subject: string | null; text: string | null }) => {
    const before = { subject: delivery.edited_subject, text: delivery.edited_text };
    const done = await action.run(async () => {
      await write("PATCH", "", changes);
      return true;
    });
    if (!done) return false;
    success(t(changes.subject === null && changes.text === null ? "deliveries.edit_reverted" : "deliveries.edited"), async () => {
      await write("PATCH", "", before);
      success(t("deliveries.edit_undone"));
    });
    return true;
  };

  const revert = async () => {
    const ok = await ask({
      title: t("deliveries.revert_title"),
      body: <p>{t("deliveries.revert_body")}</p>,
      confirmLabel: t("deliveries.revert_confirm"),
    });
    if (ok) await saveEdit({ subject: null, text: null });
  };

  return (
    <>
      <PageHeader
        title={mail?.subject || t("deliveries.detail_title")}
        lead={t("deliveries.detail_lead", { scenario: scenarioName, step: delivery.step_id })}
        actions={backLink}
      />
      <div class="dl-detail">
        <section class="card dl-mail" aria-labelledby="dl-mail-title">
          <div class="row">
            <h2 id="dl-mail-title">{t(mailTitle(delivery.status))}</h2>
            <span class="spacer" />
            {edited && <span class="badge badge-warn">{t("deliveries.edited_badge")}</span>}
            {mail?.mobile && <span class="badge badge-info">{t("deliveries.mobile_badge")}</span>}
          </div>
          {problem && (
            <div class="warn-box" role="status">
              <p>{t("deliveries.problem")}</p>
              <p>{pick(problem.message_ja, problem.message_en)}</p>
            </div>
          )}
          {delivery.edited_text !== null && (
            <p class="warn-box" role="note" data-testid="text-only-notice">
              {t("deliveries.text_only_notice")}
            </p>
          )}
          {mail && <MailView mail={mail} />}
          {editing && mayEdit && (
            <DeliveryEditor
              shop={props.shop}
              delivery={delivery}
              busy={action.busy}
              onCancel={() => setEditing(false)}
              onSave={async (changes) => {
                if (await saveEdit(changes)) setEditing(false);
              }}
            />
          )}
        </section>

        <aside class="dl-side">
          <section class="card" aria-labelledby="dl-info-title">
            <h2 id="dl-info-title">{t("deliveries.info_title")}</h2>
            <dl class="dl-facts">
              <dt>{t("deliveries.col_status")}</dt>
              <dd>
                <StatusBadge status={delivery.status} />
                {delivery.reason && <span class="muted small dl-reason">{reasonLabel(delivery.reason)}</span>}
              </dd>
              <dt>{t(delivery.sent_at ? "deliveries.sent_at" : NOT_SENT.has(delivery.status) ? "deliveries.send_at_was" : "deliveries.send_at")}</dt>
              <dd data-testid="send-at">{formatDateTime(delivery.sent_at ?? delivery.send_at, zone)}</dd>
              {!mail && (
                <>
                  <dt>{t("deliveries.to")}</dt>
                  <dd class="dl-break">{delivery.customer_email || t("deliveries.no_address")}</dd>
                </>
              )}
              <dt>{t("deliveries.transport")}</dt>
              <dd>
                {delivery.transport ? (
                  transportLabel(delivery.transport)
                ) : (
                  <span class="muted" data-testid="transport">
                    {t(NOT_SENT.has(delivery.status) ? "deliveries.transport_none" : "deliveries.transport_pending")}
                  </span>
                )}
              </dd>
              <dt>{t("deliveries.col_scenario")}</dt>
              <dd>
                {scenarioName} <span class="muted small">· {delivery.step_id}</span>
              </dd>
              <dt>{t("deliveries.template")}</dt>
              <dd>
                {delivery.template_id}
                {delivery.template_version !== null && (
                  <span class="muted small"> {t("deliveries.version", { n: delivery.template_version })}</span>
                )}
              </dd>
              <dt>{t("deliveries.col_order")}</dt>
              <dd class="mono small dl-break">{orderIdOf(delivery.order_key)}</dd>
              {delivery.ship_date && (
                <>
                  <dt>{t("deliveries.ship_date")}</dt>
                  <dd>{delivery.ship_date}</dd>
                </>
              )}
              {delivery.customer_id && (
                <>
                  <dt>{t("deliveries.customer")}</dt>
                  <dd>
                    <a href={href(props.shop, "customers", delivery.customer_id)}>{t("deliveries.open_customer")}</a>
                  </dd>
                </>
              )}
            </dl>
          </section>

          {(pending || unknown) && (
            <section class="card" aria-labelledby="dl-actions-title">
              <h2 id="dl-actions-title">{t("deliveries.actions_title")}</h2>
              {pending && (
                <>
                  {movable && (
                    <form class="dl-reschedule" onSubmit={reschedule}>
                      <label for="dl-when">{t("deliveries.new_send_at")}</label>
                      <div class="dl-reschedule-row">
                        <input
                          id="dl-when"
                          type="datetime-local"
                          required
                          value={when}
                          aria-describedby="dl-when-hint"
                          onInput={(e) => setWhen(e.currentTarget.value)}
                        />
                        <button type="submit" class="button button-primary" disabled={action.busy || !when}>
                          {t("deliveries.reschedule")}
                        </button>
                      </div>
                      <p class="hint" id="dl-when-hint">
                        {t("deliveries.zone_hint", { zone })}
                      </p>
                    </form>
                  )}
                  <div class="dl-action-row">
                    {mayEdit && !editing && (
                      <button type="button" class="button" disabled={action.busy} onClick={() => setEditing(true)}>
                        {t("deliveries.edit")}
                      </button>
                    )}
                    {mayEdit && edited && (
                      <button type="button" class="button" disabled={action.busy} onClick={revert}>
                        {t("deliveries.revert")}
                      </button>
                    )}
                    <button type="button" class="button button-danger" disabled={action.busy} onClick={stop}>
                      {t("deliveries.stop")}
                    </button>
                  </div>
                  {!mayEdit && <p class="muted small">{t("deliveries.edit_needs_manager")}</p>}
                </>
              )}
              {unknown && (
                <>
                  <p class="small">{t("deliveries.unknown_explain")}</p>
                  <div class="dl-action-row">
                    <button type="button" class="button button-primary" disabled={action.busy} onClick={resend}>
                      {t("deliveries.resend")}
                    </button>
                    <button type="button" class="button button-danger" disabled={action.busy} onClick={drop}>
                      {t("deliveries.drop")}
                    </button>
                  </div>
                </>
              )}
            </section>
          )}

          <DeliveryHistory
            shop={props.shop}
            delivery={delivery}
            actions={doc.data?.actions ?? []}
            zone={zone}
            version={historyVersion}
          />
        </aside>
      </div>
      {dialog}
    </>
  );
}

/** The mail's text and HTML (the HTML in a sandboxed frame: no script, no same origin). */
export function MailView(props: { mail: MailPreview }) {
  const [tab, setTab] = useState<"text" | "html">(props.mail.html ? "html" : "text");
  const tabs: ("text" | "html")[] = props.mail.html ? ["html", "text"] : ["text"];
  return (
    <div class="dl-mailview">
      <dl class="dl-headers">
        <dt>{t("deliveries.to")}</dt>
        <dd class="dl-break">{props.mail.to}</dd>
        <dt>{t("deliveries.subject")}</dt>
        <dd class="dl-subject">{props.mail.subject}</dd>
      </dl>
      {tabs.length > 1 && (
        <div class="tabs" role="tablist" aria-label={t("deliveries.body_tabs")}>
          {tabs.map((name) => (
            <button
              key={name}
              type="button"
              role="tab"
              id={`dl-tab-${name}`}
              aria-selected={tab === name}
              aria-controls={`dl-panel-${name}`}
              tabIndex={tab === name ? 0 : -1}
              onClick={() => setTab(name)}
              onKeyDown={(event) => {
                if (event.key === "ArrowLeft" || event.key === "ArrowRight") {
                  const next = tabs[(tabs.indexOf(name) + 1) % tabs.length];
                  setTab(next);
                  document.getElementById(`dl-tab-${next}`)?.focus();
                }
              }}
            >
              {t(`deliveries.tab_${name}`)}
            </button>
          ))}
        </div>
      )}
      {tab === "html" && props.mail.html ? (
        <div role="tabpanel" id="dl-panel-html" aria-labelledby="dl-tab-html">
          <iframe class="preview-frame" title={t("deliveries.html_frame")} sandbox="" srcdoc={props.mail.html} />
        </div>
      ) : (
        <div role={tabs.length > 1 ? "tabpanel" : undefined} id="dl-panel-text" aria-labelledby={tabs.length > 1 ? "dl-tab-text" : undefined}>
          <pre class="dl-text" aria-label={t("deliveries.tab_text")}>
            {props.mail.text}
          </pre>
        </div>
      )}
    </div>
  );
}

