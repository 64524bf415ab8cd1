// How soon a saved edit reaches sending. The pipeline reads the shop, scenarios, templates, masks
// and relays through a cache; /config.json says for how long (changes_apply_within_seconds, the
// API's CONFIG_TTL_SECONDS), so the page never states a time of its own.
import { useEffect, useState } from "preact/hooks";
import { clientConfig } from "../lib/config";
import { t, useLang } from "../lib/i18n";

export function ApplyNote() {
  useLang();
  const [seconds, setSeconds] = useState<number | null>(null);
  useEffect(() => {
    let live = true;
    clientConfig()
      .then((config) => {
        if (live && typeof config.changes_apply_within_seconds === "number") setSeconds(config.changes_apply_within_seconds);
      })
      .catch(() => undefined); // the sign-in already needed /config.json: nothing to add here
    return () => {
      live = false;
    };
  }, []);
  if (seconds === null || seconds <= 0) return null;
  const minutes = Math.max(1, Math.ceil(seconds / 60));
  return (
    <span class="small muted apply-note" data-testid="apply-note">
      {minutes === 1 ? t("common.applies_within_a_minute") : t("common.applies_within_minutes", { n: minutes })}
    </span>
  );
}
