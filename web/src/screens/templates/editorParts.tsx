// Small pieces of the template editor: the warning before leaving with unsaved changes, and the
// notice shown while an older version is on screen.
import { useEffect } from "preact/hooks";
import { t } from "../../lib/i18n";
import { href } from "../../lib/router";

/** While ``active``, leaving the page (reload, close, another address) asks first. */
export function useLeaveWarning(active: boolean): void {
  useEffect(() => {
    if (!active) return;
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    addEventListener("beforeunload", warn);
    return () => removeEventListener("beforeunload", warn);
  }, [active]);
}

/** An older version is on screen: saving it makes version ``latest + 1`` (who may save), or only look. */
export function OldVersionNotice(props: { shop: string; templateId: string; version: number; latest: number; canSave: boolean }) {
  return (
    <div class="info-box row" role="status">
      <span>
        {props.canSave
          ? t("templates.viewing_old_edit", { version: props.version, next: props.latest + 1 })
          : t("templates.viewing_old", { version: props.version })}
      </span>
      <a href={href(props.shop, "templates", props.templateId)}>{t("templates.show_latest", { version: props.latest })}</a>
    </div>
  );
}
