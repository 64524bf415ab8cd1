// The shop's templates (the API answers them all at once: a shop has a handful).
import { allowed, shopPath } from "../../lib/api";
import { t } from "../../lib/i18n";
import { href } from "../../lib/router";
import { Table } from "../../components/table";
import { Badge, Empty, ErrorBox, Loading, PageHeader, useDocument } from "../../components/ui";
import type { Template } from "./types";

export function TemplateList(props: { shop: string }) {
  const { shop } = props;
  const list = useDocument<Template[]>(shopPath(shop, "/templates"));
  const canCreate = allowed("POST", "/api/shops/{shop_id}/templates");
  const templates = [...(list.data ?? [])].sort((a, b) => (a.name || a.id).localeCompare(b.name || b.id, "ja"));
  return (
    <>
      <PageHeader
        title={t("nav.templates")}
        lead={t("templates.list_lead")}
        actions={
          canCreate && (
            <a class="button button-primary" href={href(shop, "templates", "_new")}>
              {t("templates.new")}
            </a>
          )
        }
      />
      {list.error ? <ErrorBox error={list.error} /> : null}
      {list.loading && !list.data ? <Loading /> : null}
      {list.data && templates.length === 0 && <Empty>{t("templates.empty")}</Empty>}
      {templates.length > 0 && (
        <Table
          class="tpl-table"
          rows={templates}
          rowKey={(template) => template.id}
          columns={[
            {
              title: t("templates.name"),
              cell: (template) => (
                <>
                  <a href={href(shop, "templates", template.id)} class="tpl-name">
                    {template.name || template.id}
                  </a>
                  <div class="mono small muted">{template.id}</div>
                </>
              ),
            },
            {
              title: t("templates.part_subject"),
              class: "tpl-col-subject",
              cell: (template) => <span class="tpl-subject mono small">{template.subject}</span>,
            },
            {
              title: t("templates.formats"),
              cell: (template) => (
                <span class="row tpl-formats">
                  <Badge>{t("templates.format_text")}</Badge>
                  {template.html && <Badge tone="info">{t("templates.format_html")}</Badge>}
                  {template.mobile_text && <Badge tone="info">{t("templates.format_mobile")}</Badge>}
                </span>
              ),
            },
            { title: t("templates.version"), class: "num", cell: (template) => t("templates.version_n", { n: template.version }) },
          ]}
        />
      )}
    </>
  );
}
