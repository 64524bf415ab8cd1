// The shop's templates (the API answers them all at once: a shop has a handful).
import { allowed, shopPath } from "../../lib/api";
import { t } from "../../lib/i18n";
import { href } from "../../lib/router";
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
        <div class="table-wrap">
          <table class="tpl-table">
            <thead>
              <tr>
                <th scope="col">{t("templates.name")}</th>
                <th scope="col" class="tpl-col-subject">
                  {t("templates.part_subject")}
                </th>
                <th scope="col">{t("templates.formats")}</th>
                <th scope="col" class="num">
                  {t("templates.version")}
                </th>
              </tr>
            </thead>
            <tbody>
              {templates.map((template) => (
                <tr key={template.id}>
                  <td>
                    <a href={href(shop, "templates", template.id)} class="tpl-name">
                      {template.name || template.id}
                    </a>
                    <div class="mono small muted">{template.id}</div>
                  </td>
                  <td class="tpl-col-subject">
                    <span class="tpl-subject mono small">{template.subject}</span>
                  </td>
                  <td>
                    <span class="row tpl-formats">
                      <Badge>{t("templates.format_text")}</Badge>
                      {template.html && <Badge tone="info">{t("templates.format_html")}</Badge>}
                      {template.mobile_text && <Badge tone="info">{t("templates.format_mobile")}</Badge>}
                    </span>
                  </td>
                  <td class="num">{t("templates.version_n", { n: template.version })}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
