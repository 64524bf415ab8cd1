// The shop's parse masks: a list (edit and delete for managers, a read-only view for staff), and
// one mask's page (the editor, tried on a pasted mail).
import { RowButton, useRemoval } from "../../components/rows";
import { Table } from "../../components/table";
import { Empty, ErrorBox, Loading, PageHeader, useDocument } from "../../components/ui";
import { allowed, del, put, shopPath } from "../../lib/api";
import { t } from "../../lib/i18n";
import { href, navigate } from "../../lib/router";
import { useShopZone } from "./data";
import { fieldLabel } from "./labels";
import { MaskEditor } from "./MaskEditor";
import { blankDraft, draftFromMask } from "./maskDraft";
import type { ParseMask } from "./types";

const MASKS_PUT = "/api/shops/{shop_id}/masks/{name}";
const NEW = "new";

function target(mask: ParseMask): string {
  const parts = [mask.match?.from, mask.match?.subject_contains].filter(Boolean);
  return parts.length ? parts.join(" / ") : t("receptions.mask_any_mail");
}

export function MaskList(props: { shop: string }) {
  const { shop } = props;
  const masks = useDocument<ParseMask[]>(shopPath(shop, "/masks"));
  const canEdit = allowed("PUT", MASKS_PUT);
  const removal = useRemoval();

  const remove = (mask: ParseMask) => {
    const path = shopPath(shop, `/masks/${encodeURIComponent(mask.name)}`);
    return removal.remove({
      confirm: {
        title: t("receptions.mask_delete_title", { name: mask.name }),
        body: <p>{t("receptions.mask_delete_body")}</p>,
        confirmLabel: t("common.delete"),
      },
      run: async () => {
        await del(path);
        void masks.reload();
      },
      done: t("receptions.mask_deleted", { name: mask.name }),
      undo: {
        run: async () => {
          await put(path, mask);
          void masks.reload();
        },
        done: t("receptions.mask_restored", { name: mask.name }),
      },
    });
  };

  return (
    <section aria-labelledby="mask-list-title">
      <div class="row mask-list-head">
        <h2 id="mask-list-title">{t("receptions.tab_masks")}</h2>
        <span class="spacer" />
        {canEdit && (
          <a class="button button-primary" href={href(shop, "receptions", "masks", NEW)}>
            {t("receptions.mask_new")}
          </a>
        )}
      </div>
      <p class="muted small">{t("receptions.masks_lead")}</p>
      {masks.error !== null && <ErrorBox error={masks.error} />}
      {masks.loading && !masks.data && <Loading />}
      {masks.data && masks.data.length === 0 && <Empty>{t("receptions.masks_empty")}</Empty>}
      {masks.data && masks.data.length > 0 && (
        <Table
          caption={t("receptions.tab_masks")}
          rows={masks.data}
          rowKey={(mask) => mask.name}
          columns={[
            {
              title: t("receptions.mask_name"),
              cellClass: "mono",
              cell: (mask) => <a href={href(shop, "receptions", "masks", mask.name)}>{mask.name}</a>,
            },
            { title: t("receptions.mask_kind"), cell: (mask) => t(`receptions.mask_kind_${mask.kind ?? "order"}`) },
            { title: t("receptions.mask_match"), cell: target },
            { title: t("receptions.mask_field_count"), class: "num", cell: (mask) => Object.keys(mask.fields).length },
            {
              title: t("receptions.actions"),
              hiddenTitle: true,
              cellClass: "actions",
              cell: (mask) => (
                <>
                  <a
                    class="button button-small"
                    href={href(shop, "receptions", "masks", mask.name)}
                    aria-label={`${canEdit ? t("common.edit") : t("receptions.mask_view")}: ${mask.name}`}
                  >
                    {canEdit ? t("common.edit") : t("receptions.mask_view")}
                  </a>{" "}
                  {canEdit && (
                    <RowButton
                      quiet
                      text={t("common.delete")}
                      label={`${t("common.delete")}: ${mask.name}`}
                      onClick={() => void remove(mask)}
                    />
                  )}
                </>
              ),
            },
          ]}
        />
      )}
      {removal.dialog}
    </section>
  );
}

export function MaskPage(props: { shop: string; name: string }) {
  const { shop, name } = props;
  const zone = useShopZone(shop);
  const masks = useDocument<ParseMask[]>(shopPath(shop, "/masks"));
  const canEdit = allowed("PUT", MASKS_PUT);
  const isNew = name === NEW;
  const mask = masks.data?.find((m) => m.name === name) ?? null;
  const title = isNew ? t("receptions.mask_new") : t("receptions.mask_title", { name });
  return (
    <div>
      <p class="reception-back">
        <a href={href(shop, "receptions", "masks")}>{t("receptions.back_to_masks")}</a>
      </p>
      <PageHeader title={title} lead={canEdit ? t("receptions.mask_page_lead") : undefined} />
      {masks.error !== null && <ErrorBox error={masks.error} />}
      {masks.loading && !masks.data && <Loading />}
      {masks.data && !isNew && !mask && <p class="warn-box">{t("receptions.mask_not_found", { name })}</p>}
      {masks.data && (isNew || mask) && canEdit && (
        <section class="card mask-card">
          <MaskEditor
            shop={shop}
            zone={zone}
            initial={mask ? draftFromMask(mask) : blankDraft()}
            original={mask?.name ?? null}
            masks={masks.data}
            onChanged={(saved) => {
              void masks.reload();
              if (saved && saved.name !== name) navigate(href(shop, "receptions", "masks", saved.name));
            }}
          />
        </section>
      )}
      {mask && !canEdit && <MaskReadOnly mask={mask} />}
      {isNew && !canEdit && <p class="info-box">{t("common.no_permission")}</p>}
    </div>
  );
}

function MaskReadOnly(props: { mask: ParseMask }) {
  const { mask } = props;
  return (
    <section class="card" aria-label={mask.name}>
      <dl class="mail-facts">
        <div class="mail-fact">
          <dt>{t("receptions.mask_kind")}</dt>
          <dd>{t(`receptions.mask_kind_${mask.kind ?? "order"}`)}</dd>
        </div>
        <div class="mail-fact">
          <dt>{t("receptions.mask_from")}</dt>
          <dd>{mask.match?.from || "—"}</dd>
        </div>
        <div class="mail-fact">
          <dt>{t("receptions.mask_subject")}</dt>
          <dd>{mask.match?.subject_contains || "—"}</dd>
        </div>
      </dl>
      <h3>{t("receptions.mask_fields")}</h3>
      <Table
        rows={Object.entries(mask.fields)}
        rowKey={([field]) => field}
        columns={[
          { title: t("receptions.mask_col_field"), cell: ([field]) => fieldLabel(field) },
          { title: t("receptions.mask_col_pattern"), cellClass: "mono", cell: ([, spec]) => (typeof spec === "string" ? spec : spec.pattern) },
          { title: t("receptions.mask_col_format"), cellClass: "mono", cell: ([, spec]) => (typeof spec === "string" ? "" : (spec.format ?? "")) },
        ]}
      />
      {mask.items && (
        <>
          <h3 class="mask-items-title">{t("receptions.mask_items")}</h3>
          <dl class="mail-facts">
            <div class="mail-fact">
              <dt>{t("receptions.mask_items_start")}</dt>
              <dd class="mono">{mask.items.start}</dd>
            </div>
            <div class="mail-fact">
              <dt>{t("receptions.mask_items_end")}</dt>
              <dd class="mono">{mask.items.end || "—"}</dd>
            </div>
            <div class="mail-fact">
              <dt>{t("receptions.mask_items_line")}</dt>
              <dd class="mono">{mask.items.line}</dd>
            </div>
          </dl>
        </>
      )}
    </section>
  );
}
