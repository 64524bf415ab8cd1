// One mail: what it says as it will be (or was) sent, when and how, what happened to it, and the
// operator's actions: stop, reschedule, edit (manager+) a pending mail; resend or drop an unknown one.
import { useEffect, useState } from "preact/hooks";
import type { components } from "../../api/schema";
import { ErrorBox, Loading, PageHeader, useAction, useConfirm, useDocument } from "../../components/ui";
import { success } from "../../components/notices";
import { allowed, api, shopPath } from "../../lib/api";
import { formatDateTime, pick, t } from "../../lib/i18n";
import {
  fromLocalInput,
  keyFor,
  settled,
  toLocalInput,
  useScenarios,
  useShopZone,
  type Delivery,
} from "./common";
import { DeliveryActions } from "./DeliveryActions";
import { DeliveryEditor } from "./DeliveryEditor";
import { DeliveryFacts, NOT_SENT } from "./DeliveryFacts";
import { DeliveryHistory } from "./DeliveryHistory";
import { listLink } from "./DeliveryList";
import { MailView } from "./MailBody";

/** ``actions``: what operators did to this mail, oldest first. */
type Detail = components["schemas"]["DeliveryDetail"];

const ONE = "/api/shops/{shop_id}/deliveries/{delivery_id}";


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
          <DeliveryFacts shop={props.shop} delivery={delivery} zone={zone} scenarioName={scenarioName} withAddress={!mail} />

          {(pending || unknown) && (
            <DeliveryActions
              pending={pending}
              unknown={unknown}
              movable={movable}
              mayEdit={mayEdit}
              edited={edited}
              editing={editing}
              busy={action.busy}
              when={when}
              zone={zone}
              onWhen={setWhen}
              onReschedule={reschedule}
              onEdit={() => setEditing(true)}
              onRevert={revert}
              onStop={stop}
              onResend={resend}
              onDrop={drop}
            />
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
