// Test send: the saved version, rendered for the sample order, to an address the operator types
// (the API prefixes the subject with [テスト送信 / TEST]). One Idempotency-Key per attempt, so a
// retried request after a network error sends once.
import { useRef, useState } from "preact/hooks";
import { ApiError, post, shopPath, newIdempotencyKey } from "../../lib/api";
import { t } from "../../lib/i18n";
import { isMailAddress } from "../../lib/mailAddress";
import { InputField } from "../../components/fields";
import { useAction } from "../../components/ui";
import { success } from "../../components/notices";
import { advertisingValue, type Advertising, type TestSendAnswer } from "./types";

export function TestSend(props: {
  shop: string;
  templateId: string;
  version: number;
  dirty: boolean;
  advertising: Advertising;
  defaultTo: string;
}) {
  const [to, setTo] = useState(props.defaultTo);
  const [invalid, setInvalid] = useState<string | null>(null);
  const [result, setResult] = useState<TestSendAnswer | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const key = useRef<{ key: string; what: string } | null>(null);
  const { busy, run } = useAction();

  const send = async () => {
    const address = to.trim();
    if (!isMailAddress(address)) {
      setInvalid(t("templates.test_to_invalid"));
      return;
    }
    setInvalid(null);
    setError(null);
    const what = JSON.stringify([address, props.version, props.advertising]);
    if (key.current?.what !== what) key.current = { key: newIdempotencyKey(), what };
    const answer = await run(async () => {
      try {
        return await post<TestSendAnswer>(
          shopPath(props.shop, `/templates/${encodeURIComponent(props.templateId)}/test-send`),
          { to: address, version: props.version, advertising: advertisingValue(props.advertising) },
          { idempotencyKey: key.current?.key },
        );
      } catch (caught) {
        if (caught instanceof ApiError) setError(caught);
        throw caught;
      }
    });
    if (answer) {
      key.current = null; // the next click is a new, intended send
      setResult(answer);
      success(t("templates.test_sent", { to: answer.to }));
    }
  };

  return (
    <section class="card" aria-labelledby="tpl-test-title">
      <h2 id="tpl-test-title">{t("templates.test_title")}</h2>
      <p class="small muted">{t("templates.test_lead", { version: props.version })}</p>
      {props.dirty && <p class="warn-box small">{t("templates.test_unsaved")}</p>}
      <div class="tpl-test-send-row">
        <InputField
          label={t("templates.test_to")}
          error={invalid ?? undefined}
          type="email"
          autoComplete="email"
          value={to}
          onInput={setTo}
          onKeyDown={(event) => {
            if (event.key === "Enter") {
              event.preventDefault();
              void send();
            }
          }}
        />
        <button type="button" class="button" disabled={busy} onClick={() => void send()}>
          {busy ? t("templates.test_sending") : t("templates.test_send")}
        </button>
      </div>
      {error && (
        <div class="error-box" role="alert">
          <p>{error.text}</p>
        </div>
      )}
      {result && !error && (
        <div class="ok-box" role="status" data-testid="test-result">
          <p>
            <strong>{t("templates.test_sent", { to: result.to })}</strong>
          </p>
          <dl class="tpl-mail-head">
            <dt>{t("templates.mail_subject")}</dt>
            <dd>{result.subject}</dd>
            <dt>{t("templates.version")}</dt>
            <dd>{t("templates.version_n", { n: result.version })}</dd>
            <dt>{t("templates.test_kind")}</dt>
            <dd>{result.mobile ? t("templates.device_mobile") : t("templates.device_pc")}</dd>
            <dt>Message-ID</dt>
            <dd class="mono small">{result.message_id}</dd>
          </dl>
        </div>
      )}
    </section>
  );
}
