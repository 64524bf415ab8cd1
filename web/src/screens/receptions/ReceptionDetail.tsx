// One received mail: what became of it, the mail itself, and — for a mail no reader understood —
// a parse mask made from it, tried on it, saved, and the mail parsed again.
import { useEffect, useState } from "preact/hooks";
import { failure, notify, success } from "../../components/notices";
import { ErrorBox, Field, Loading, PageHeader, useDocument } from "../../components/ui";
import { allowed, newIdempotencyKey, post, shopPath } from "../../lib/api";
import { formatDateTime, t } from "../../lib/i18n";
import { href } from "../../lib/router";
import { fetchRawMail, findEntry, remember, remembered, useShopZone } from "./data";
import { entryMessage, kindLabel, ResultBadge, senderAddress } from "./labels";
import { MailView } from "./MailView";
import { MaskEditor } from "./MaskEditor";
import { draftForMail, draftFromMask } from "./maskDraft";
import { StoredOrder } from "./OrderView";
import { shownOrderId, type ParseMask, type ReceptionEntry } from "./types";

const MASKS_PUT = "/api/shops/{shop_id}/masks/{name}";
const REPARSE = "/api/shops/{shop_id}/receptions/reparse";
/** Mails a mask may be for: not read (failed), or not taken for an order (not_an_order, refused). */
const MASKABLE = new Set(["failed", "not_an_order", "refused"]);

export function ReceptionDetail(props: { shop: string; mailKey: string }) {
  const { shop, mailKey } = props;
  const zone = useShopZone(shop);
  const [entry, setEntry] = useState<ReceptionEntry | null>(remembered(mailKey) ?? null);
  const [entryState, setEntryState] = useState<"ready" | "looking" | "missing">(entry ? "ready" : "looking");
  const [entryError, setEntryError] = useState<unknown>(null);
  const [raw, setRaw] = useState<Uint8Array | null>(null);
  const [rawError, setRawError] = useState<unknown>(null);
  const [reparsing, setReparsing] = useState(false);
  const [maskOpen, setMaskOpen] = useState(entry?.result === "failed");
  const canEditMasks = allowed("PUT", MASKS_PUT);
  const canReparse = allowed("POST", REPARSE);

  useEffect(() => {
    if (entry) return;
    findEntry(shop, mailKey)
      .then((found) => {
        setEntry(found);
        setEntryState(found ? "ready" : "missing");
        setMaskOpen(found?.result === "failed");
      })
      .catch((error: unknown) => {
        setEntryError(error);
        setEntryState("missing");
      });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [shop, mailKey]);

  useEffect(() => {
    fetchRawMail(shop, mailKey).then(setRaw).catch(setRawError);
  }, [shop, mailKey]);

  const reparse = async () => {
    setReparsing(true);
    try {
      const next = await post<ReceptionEntry>(
        shopPath(shop, "/receptions/reparse"),
        { key: mailKey },
        { idempotencyKey: newIdempotencyKey() },
      );
      remember([next]);
      setEntry(next);
      setEntryState("ready");
      if (next.result === "parsed" && next.order_key) {
        success(t("receptions.reparse_parsed", { order: shownOrderId(next) }));
      } else if (next.result === "parsed" || next.result === "duplicate") {
        success(t(`receptions.reparse_${next.result}`));
      } else {
        notify("error", t("receptions.reparse_not_parsed", { message: entryMessage(next) || t(`receptions.result_${next.result}`) }));
      }
    } catch (error) {
      failure(error);
    } finally {
      setReparsing(false);
    }
  };

  const title = entry?.subject || t("receptions.mail_title");
  const maskable = entry !== null && MASKABLE.has(entry.result);
  const fileName = `${mailKey.split("/").pop() ?? "mail"}.eml`;
  return (
    <div class="reception-detail">
      <p class="reception-back">
        <a href={href(shop, "receptions")}>{t("receptions.back_to_log")}</a>
      </p>
      <PageHeader
        title={title}
        actions={
          canReparse &&
          entry !== null &&
          entry.result !== "parsed" && (
            <button type="button" class="button" disabled={reparsing} onClick={() => void reparse()}>
              {reparsing ? t("receptions.reparsing") : t("receptions.reparse")}
            </button>
          )
        }
      />
      <section class="card" aria-labelledby="reception-summary-title">
        <h2 id="reception-summary-title">{t("receptions.summary")}</h2>
        {entryState === "looking" && <Loading />}
        {entryError !== null && <ErrorBox error={entryError} />}
        {entryState === "missing" && entryError === null && <p class="muted">{t("receptions.entry_not_found")}</p>}
        {entry && <Summary entry={entry} zone={zone} />}
      </section>

      {entry?.order_key && (entry.result === "parsed" || entry.result === "duplicate") && (
        <section class="card" aria-labelledby="reception-order-title">
          <h2 id="reception-order-title">{t("receptions.the_order")}</h2>
          <StoredOrder key={entry.order_key} shop={shop} orderKey={entry.order_key} zone={zone} />
        </section>
      )}

      <div class={maskable && maskOpen && canEditMasks ? "reception-work" : undefined}>
        <section class="card mail-card" aria-labelledby="reception-mail-title">
          <h2 id="reception-mail-title">{t("receptions.the_mail")}</h2>
          <MailView raw={raw} error={rawError} fileName={fileName} />
        </section>
        {entry?.result === "failed" && !canEditMasks && (
          <p class="info-box">{t("receptions.mask_ask_manager")}</p>
        )}
        {entry && maskable && canEditMasks && (
          <MaskSection
            shop={shop}
            zone={zone}
            entry={entry}
            open={maskOpen}
            onOpen={() => setMaskOpen(true)}
            reparse={reparse}
            reparsing={reparsing}
          />
        )}
      </div>
    </div>
  );
}

function Summary(props: { entry: ReceptionEntry; zone: string }) {
  const { entry, zone } = props;
  const message = entryMessage(entry);
  return (
    <>
      <dl class="mail-facts">
        <div class="mail-fact">
          <dt>{t("receptions.col_received")}</dt>
          <dd>{formatDateTime(entry.received_at, zone)}</dd>
        </div>
        <div class="mail-fact">
          <dt>{t("receptions.col_result")}</dt>
          <dd data-testid="reception-result">
            <ResultBadge result={entry.result} />
          </dd>
        </div>
        <div class="mail-fact">
          <dt>{t("receptions.mail_from")}</dt>
          <dd>{entry.sender || "—"}</dd>
        </div>
        {entry.order_key && (
          <div class="mail-fact">
            <dt>{kindLabel(entry.kind) || t("receptions.kind_order")}</dt>
            <dd class="mono" data-testid="reception-order">
              {shownOrderId(entry)}
            </dd>
          </div>
        )}
      </dl>
      {message && (
        <div class={entry.result === "failed" ? "error-box" : "info-box"}>
          <p>
            <strong>{t("receptions.reason")}</strong> {message}
          </p>
          {entry.reason && <p class="small mono reason-code">{entry.reason}</p>}
        </div>
      )}
      {entry.history && entry.history.length > 0 && <History entry={entry} zone={zone} />}
    </>
  );
}

/** The mail's earlier readings (it was read again): when, what each gave, and when the last one was. */
function History(props: { entry: ReceptionEntry; zone: string }) {
  const { entry, zone } = props;
  return (
    <div class="reception-history">
      <h3>{t("receptions.history")}</h3>
      {entry.read_again_at && (
        <p class="small muted">{t("receptions.history_read_again", { at: formatDateTime(entry.read_again_at, zone) })}</p>
      )}
      <ol data-testid="reception-history">
        {(entry.history ?? []).map((attempt, index) => {
          const message = entryMessage(attempt);
          return (
            <li key={index}>
              {formatDateTime(attempt.at, zone)} — <ResultBadge result={attempt.result} />
              {attempt.order_key && <span class="mono"> {shownOrderId(attempt)}</span>}
              {message && <span class="small"> {message}</span>}
            </li>
          );
        })}
      </ol>
    </div>
  );
}

/** Masks for this mail: pick one to edit (or start a new one for the sender), try, save, parse again. */
function MaskSection(props: {
  shop: string;
  zone: string;
  entry: ReceptionEntry;
  open: boolean;
  onOpen: () => void;
  reparse: () => Promise<void>;
  reparsing: boolean;
}) {
  const { shop, entry } = props;
  const masks = useDocument<ParseMask[]>(shopPath(shop, "/masks"));
  const list = masks.data ?? [];
  const [choice, setChoice] = useState<string | null>(null);
  const [generation, setGeneration] = useState(0);
  const address = senderAddress(entry.sender).toLowerCase();
  const guess = list.find((mask) => mask.match?.from && address.includes(mask.match.from.toLowerCase()))?.name ?? "";
  const selected = choice ?? guess;
  const mask = list.find((m) => m.name === selected) ?? null;

  if (!props.open) {
    return (
      <section class="card" aria-labelledby="mask-section-title">
        <h2 id="mask-section-title">{t("receptions.mask_section")}</h2>
        <p class="muted">{t("receptions.mask_section_closed")}</p>
        <button type="button" class="button" onClick={props.onOpen}>
          {t("receptions.mask_open")}
        </button>
      </section>
    );
  }
  return (
    <section class="card mask-card" aria-labelledby="mask-section-title">
      <h2 id="mask-section-title">{t("receptions.mask_section")}</h2>
      <p class="muted small">{t("receptions.mask_section_lead")}</p>
      {masks.error !== null && <ErrorBox error={masks.error} />}
      {masks.loading && !masks.data ? (
        <Loading />
      ) : (
        <>
          {list.length > 0 && (
            <Field label={t("receptions.mask_pick")}>
              {(id) => (
                <select
                  id={id}
                  value={selected}
                  onChange={(e) => {
                    setChoice(e.currentTarget.value);
                    setGeneration((n) => n + 1);
                  }}
                >
                  <option value="">{t("receptions.mask_pick_new")}</option>
                  {list.map((m) => (
                    <option key={m.name} value={m.name}>
                      {m.name}
                    </option>
                  ))}
                </select>
              )}
            </Field>
          )}
          <MaskEditor
            key={generation}
            shop={shop}
            zone={props.zone}
            initial={
              mask
                ? draftFromMask(mask)
                : draftForMail(
                    entry.sender,
                    list.map((m) => m.name),
                  )
            }
            original={mask?.name ?? null}
            masks={list}
            receptionKey={entry.s3_key}
            onChanged={(saved) => {
              if (saved) setChoice(saved.name);
              void masks.reload();
            }}
            afterSave={(saved) => (
              <div class="ok-box after-save">
                <p>{t("receptions.mask_saved_next", { name: saved.name })}</p>
                <button
                  type="button"
                  class="button button-primary"
                  disabled={props.reparsing}
                  onClick={() => void props.reparse()}
                >
                  {props.reparsing ? t("receptions.reparsing") : t("receptions.reparse_this_mail")}
                </button>
              </div>
            )}
          />
        </>
      )}
    </section>
  );
}
