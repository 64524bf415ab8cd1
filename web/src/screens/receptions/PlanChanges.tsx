// An order's plan changes (issue #13): each time better order data came (the order mail after a
// shipment's stub, a ship date, a delivery date), what became of its mails — moved from one time to
// another, cancelled because another scenario (or none) now fits, planned in their place.
import { formatDateTime, t } from "../../lib/i18n";
import type { PlanChange, PlannedMail } from "./types";

/** The changes made at one moment for one piece of news, in the API's order. */
interface Replanning {
  at: string;
  reason: PlanChange["reason"];
  changes: PlanChange[];
}

/** Grouped by moment and news, in the order the API gives (oldest first; one clock tick may hold
 * two pieces of news, whose changes the API's sort interleaves). */
function replannings(changes: readonly PlanChange[]): Replanning[] {
  const found = new Map<string, Replanning>();
  for (const change of changes) {
    const key = `${change.at} ${change.reason}`;
    const known = found.get(key);
    if (known) known.changes.push(change);
    else found.set(key, { at: change.at, reason: change.reason, changes: [change] });
  }
  return [...found.values()];
}

function describe(change: PlanChange, mails: ReadonlyMap<string, PlannedMail>, zone: string): string {
  const mail = mails.get(change.delivery_id);
  const name = mail ? `${mail.scenario_id} / ${mail.step_id}` : change.delivery_id;
  const from = formatDateTime(change.send_at_from, zone);
  const to = formatDateTime(change.send_at_to, zone);
  switch (change.change) {
    case "moved":
      return t("receptions.plan_moved", { mail: name, from, to });
    case "superseded":
      return change.scenario_to
        ? t("receptions.plan_superseded", { mail: name, from, scenario: change.scenario_to })
        : t("receptions.plan_superseded_none", { mail: name, from });
    case "replaces":
      return t("receptions.plan_replaces", { mail: name, to, scenario: change.scenario_from ?? "—" });
  }
}

/** The history of re-plannings, oldest first; nothing when the plan never changed. */
export function PlanChanges(props: { changes: readonly PlanChange[]; deliveries: readonly PlannedMail[]; zone: string }) {
  const { changes, deliveries, zone } = props;
  if (changes.length === 0) return null;
  const mails = new Map(deliveries.map((mail) => [mail.id, mail]));
  return (
    <section class="plan-changes" aria-labelledby="plan-changes-title" data-testid="plan-changes">
      <h4 id="plan-changes-title" class="order-items-title">
        {t("receptions.plan_changes")}
      </h4>
      <p class="muted small">{t("receptions.plan_changes_hint")}</p>
      <ol class="plan-change-list">
        {replannings(changes).map((replanning) => (
          <li key={`${replanning.at} ${replanning.reason}`} data-testid="plan-change">
            <div>
              <time dateTime={replanning.at}>{formatDateTime(replanning.at, zone)}</time>{" "}
              <strong>{t(`receptions.plan_reason_${replanning.reason}`)}</strong>
            </div>
            <ul class="small">
              {replanning.changes.map((change) => (
                <li key={`${change.delivery_id} ${change.change}`} class={`plan-change-${change.change}`}>
                  {describe(change, mails, zone)}
                </li>
              ))}
            </ul>
          </li>
        ))}
      </ol>
    </section>
  );
}
