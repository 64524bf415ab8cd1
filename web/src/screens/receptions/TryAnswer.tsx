// What trying a mask on a mail gave: read by the mask, by the built-in readers, or not at all (and
// why), and the order's fields as read.
import { pick, t } from "../../lib/i18n";
import { OrderFields } from "./OrderView";
import type { MaskTryAnswer } from "./types";

export function TryAnswer(props: { answer: MaskTryAnswer; zone: string }) {
  const { answer } = props;
  return (
    <section class="card try-card" aria-labelledby="try-title">
      <h3 id="try-title">{t("receptions.try_result")}</h3>
      {answer.ok && answer.used_mask && <p class="ok-box">{t("receptions.try_ok")}</p>}
      {answer.ok && !answer.used_mask && <p class="info-box">{t("receptions.try_ok_builtin")}</p>}
      {!answer.ok && (
        <div class="error-box">
          <p>{t("receptions.try_failed")}</p>
          <p class="small">
            {pick(answer.message_ja, answer.message_en)}
            {answer.reason && <span class="mono"> ({answer.reason})</span>}
          </p>
        </div>
      )}
      {answer.order && <OrderFields order={answer.order} zone={props.zone} />}
    </section>
  );
}
