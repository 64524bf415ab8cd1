// Every stored version of the scenario, newest first; each can be opened read-only.
import { Table } from "../../components/table";
import { Badge, ErrorBox, Loading } from "../../components/ui";
import { t } from "../../lib/i18n";
import { href } from "../../lib/router";
import type { VersionInfo } from "./model";

interface Props {
  shop: string;
  scenarioId: string;
  versions: VersionInfo[] | null;
  error: unknown;
  /** The version on screen. */
  showing: number | null;
}

export function versionHref(shop: string, scenarioId: string, version?: number): string {
  const base = href(shop, "scenarios", scenarioId);
  return version === undefined ? base : `${base}?version=${version}`;
}

export function VersionsCard(props: Props) {
  const versions = props.versions ? [...props.versions].sort((a, b) => b.version - a.version) : null;
  return (
    <section class="card" aria-labelledby="versions-title">
      <h2 id="versions-title">
        {t("scenarios.versions")}
        {versions && <span class="muted small heading-count">{t("scenarios.versions_count", { n: versions.length })}</span>}
      </h2>
      <p class="muted small">{t("scenarios.versions_lead")}</p>
      {props.error !== null && props.error !== undefined && <ErrorBox error={props.error} />}
      {!versions && !props.error && <Loading />}
      {versions && (
        <Table
          testId="versions"
          caption={t("scenarios.versions")}
          rows={versions}
          rowKey={(version) => version.version}
          rowAttrs={(version) => ({ "aria-current": version.version === props.showing ? "true" : undefined })}
          columns={[
            {
              title: t("scenarios.version"),
              cell: (version) =>
                version.version === props.showing ? (
                  <strong>{t("scenarios.version_n", { v: version.version })}</strong>
                ) : (
                  <a href={versionHref(props.shop, props.scenarioId, version.current ? undefined : version.version)}>
                    {t("scenarios.version_n", { v: version.version })}
                  </a>
                ),
            },
            { title: t("scenarios.name"), cell: (version) => version.name },
            {
              title: t("scenarios.version_state"),
              cell: (version) => (
                <>
                  {version.current ? <Badge tone="info">{t("scenarios.version_current")}</Badge> : null}
                  {version.version === props.showing && !version.current && <Badge>{t("scenarios.version_showing")}</Badge>}
                </>
              ),
            },
          ]}
        />
      )}
    </section>
  );
}
