// What an operator may do to one mail: a pending one is rescheduled, edited (manager+), reverted to
// its template or stopped; one whose sending is unknown is sent again or dropped.
import { t } from "../../lib/i18n";

export function DeliveryActions(props: {
  pending: boolean;
  unknown: boolean;
  movable: boolean;
  mayEdit: boolean;
  edited: boolean;
  editing: boolean;
  busy: boolean;
  when: string;
  zone: string;
  onWhen: (value: string) => void;
  onReschedule: (event: Event) => void;
  onEdit: () => void;
  onRevert: () => void;
  onStop: () => void;
  onResend: () => void;
  onDrop: () => void;
}) {
  return (
    <section class="card" aria-labelledby="dl-actions-title">
      <h2 id="dl-actions-title">{t("deliveries.actions_title")}</h2>
      {props.pending && (
        <>
          {props.movable && (
            <form class="dl-reschedule" onSubmit={props.onReschedule}>
              <label for="dl-when">{t("deliveries.new_send_at")}</label>
              <div class="dl-reschedule-row">
                <input
                  id="dl-when"
                  type="datetime-local"
                  required
                  value={props.when}
                  aria-describedby="dl-when-hint"
                  onInput={(e) => props.onWhen(e.currentTarget.value)}
                />
                <button type="submit" class="button button-primary" disabled={props.busy || !props.when}>
                  {t("deliveries.reschedule")}
                </button>
              </div>
              <p class="hint" id="dl-when-hint">
                {t("deliveries.zone_hint", { zone: props.zone })}
              </p>
            </form>
          )}
          <div class="dl-action-row">
            {props.mayEdit && !props.editing && (
              <button type="button" class="button" disabled={props.busy} onClick={props.onEdit}>
                {t("deliveries.edit")}
              </button>
            )}
            {props.mayEdit && props.edited && (
              <button type="button" class="button" disabled={props.busy} onClick={props.onRevert}>
                {t("deliveries.revert")}
              </button>
            )}
            <button type="button" class="button button-danger" disabled={props.busy} onClick={props.onStop}>
              {t("deliveries.stop")}
            </button>
          </div>
          {!props.mayEdit && <p class="muted small">{t("deliveries.edit_needs_manager")}</p>}
        </>
      )}
      {props.unknown && (
        <>
          <p class="small">{t("deliveries.unknown_explain")}</p>
          <div class="dl-action-row">
            <button type="button" class="button button-primary" disabled={props.busy} onClick={props.onResend}>
              {t("deliveries.resend")}
            </button>
            <button type="button" class="button button-danger" disabled={props.busy} onClick={props.onDrop}>
              {t("deliveries.drop")}
            </button>
          </div>
        </>
      )}
    </section>
  );
}
