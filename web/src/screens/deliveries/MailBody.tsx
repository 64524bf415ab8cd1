// A mail as it will be (or was) sent: its address and subject, then its text and HTML in tabs.
import { useState } from "preact/hooks";
import type { components } from "../../api/schema";
import { t } from "../../lib/i18n";

export type MailPreview = components["schemas"]["MailPreview"];

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

