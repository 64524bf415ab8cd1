// The template's versions, newest first; each opens in the editor (an older one can be saved
// again as the newest).
import { useState } from "preact/hooks";
import { href } from "../../lib/router";
import { t } from "../../lib/i18n";
import { Badge, ErrorBox, MoreButton } from "../../components/ui";
import type { VersionInfo } from "./types";

const PAGE = 10;

export function Versions(props: {
  shop: string;
  templateId: string;
  versions: VersionInfo[] | null;
  error: unknown;
  viewing: number | null;
}) {
  const [shown, setShown] = useState(PAGE);
  const list = [...(props.versions ?? [])].sort((a, b) => b.version - a.version);
  const base = href(props.shop, "templates", props.templateId);
  return (
    <section class="card" aria-labelledby="tpl-versions-title">
      <h2 id="tpl-versions-title">{t("templates.versions_title")}</h2>
      {props.error ? <ErrorBox error={props.error} /> : null}
      <ul class="tpl-version-list">
        {list.slice(0, shown).map((info) => {
          const open = props.viewing === null ? info.current : props.viewing === info.version;
          return (
            <li key={info.version} class={open ? "tpl-version-open" : undefined}>
              <a href={info.current ? base : `${base}?version=${info.version}`} aria-current={open ? "page" : undefined}>
                {t("templates.version_n", { n: info.version })}
              </a>
              <span class="tpl-version-name">{info.name}</span>
              {info.current && <Badge tone="ok">{t("templates.current")}</Badge>}
              {open && <Badge tone="info">{t("templates.viewing")}</Badge>}
            </li>
          );
        })}
      </ul>
      <MoreButton hasMore={list.length > shown} loading={false} onMore={() => setShown(shown + PAGE)} />
    </section>
  );
}
