// 解析マスク: the shop's own mail layouts. Listed here with what they match; a manager deletes one
// (with undo: the mask is put back) or edits it as JSON. Trying a mask on a received mail is in the
// reception log.
import { useEffect, useRef, useState } from "preact/hooks";
import { Badge, ErrorBox, Field, useDocument } from "../../components/ui";
import { success, useSave } from "../../components/notices";
import { actionsColumn, useRemoval } from "../../components/rows";
import { ListTable } from "../../components/table";
import { allowed, del, put, shopPath } from "../../lib/api";
import { t } from "../../lib/i18n";
import { href } from "../../lib/router";
import { TabSection } from "./form";
import { OPS, type ParseMask, type ParseMaskBody } from "./types";

const MASK_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const EXAMPLE: ParseMaskBody = {
  name: "my-shop-order",
  kind: "order",
  match: { from: "order@example.com", subject_contains: "ご注文ありがとうございます" },
  fields: {
    order_id: "注文番号：{value}",
    ordered_at: { pattern: "注文日時：{value}", format: "%Y年%m月%d日 %H:%M" },
    "customer.name": "お名前：{value} 様",
    "customer.email": "メールアドレス：{value}",
    total: "合計金額：{value}円",
  },
  items: { start: "【ご注文商品】", end: "-----", line: "{name}（{sku}） {unit_price}円 × {quantity}" },
};

export function MasksTab(props: { shop: string }) {
  const list = useDocument<ParseMask[]>(shopPath(props.shop, "/masks"));
  const [editing, setEditing] = useState<ParseMask | "new" | null>(null);
  const removal = useRemoval();
  const canEdit = allowed("PUT", OPS.mask);
  const canDelete = allowed("DELETE", OPS.mask);
  const masks = list.data ?? [];

  const maskPath = (name: string) => shopPath(props.shop, `/masks/${encodeURIComponent(name)}`);

  const remove = (mask: ParseMask) =>
    removal.remove({
      confirm: {
        title: t("settings.mask_delete_title", { name: mask.name }),
        body: <p>{t("settings.mask_delete_body")}</p>,
        confirmLabel: t("common.delete"),
      },
      run: async () => {
        await del(maskPath(mask.name));
        await list.reload();
      },
      done: t("settings.mask_deleted", { name: mask.name }),
      undo: {
        run: async () => {
          await put(maskPath(mask.name), mask);
          await list.reload();
        },
        done: t("settings.mask_restored", { name: mask.name }),
      },
    });

  return (
    <TabSection
      id="set-masks-title"
      title={t("settings.tab_masks")}
      lead={
        <>
          {t("settings.masks_lead")} <a href={href(props.shop, "receptions")}>{t("settings.masks_receptions_link")}</a>
        </>
      }
      add={canEdit && editing === null && { label: t("settings.mask_add"), onClick: () => setEditing("new") }}
    >
      {editing !== null && (
        <MaskEditor
          key={editing === "new" ? "" : editing.name}
          mask={editing === "new" ? null : editing}
          taken={masks.map((m) => m.name)}
          save={async (mask) => {
            await put(maskPath(mask.name), mask);
            await list.reload();
            setEditing(null);
            success(t("settings.mask_saved", { name: mask.name }));
          }}
          onCancel={() => setEditing(null)}
        />
      )}
      <ListTable
        list={list}
        empty={t("settings.masks_empty")}
        rowKey={(mask) => mask.name}
        columns={[
          { title: t("settings.mask_name"), cellClass: "mono", cell: (mask) => mask.name },
          {
            title: t("settings.mask_kind"),
            cell: (mask) => <Badge tone={mask.kind === "shipment" ? "info" : "muted"}>{t(`settings.mask_kind_${mask.kind ?? "order"}`)}</Badge>,
          },
          {
            title: t("settings.mask_match"),
            cellClass: "small",
            cell: (mask) => (
              <>
                {mask.match?.from && (
                  <div>
                    {t("settings.mask_from")}: <span class="mono">{mask.match.from}</span>
                  </div>
                )}
                {mask.match?.subject_contains && (
                  <div>
                    {t("settings.mask_subject")}: {mask.match.subject_contains}
                  </div>
                )}
                {!mask.match?.from && !mask.match?.subject_contains && <span class="muted">{t("settings.mask_match_any")}</span>}
              </>
            ),
          },
          {
            title: t("settings.mask_fields"),
            cellClass: "small mono",
            cell: (mask) => (
              <>
                {Object.keys(mask.fields).join(", ")}
                {mask.items && <span class="muted"> + items</span>}
              </>
            ),
          },
          (canEdit || canDelete) &&
            actionsColumn((mask: ParseMask) => ({
              edit: canEdit ? { label: t("settings.mask_edit_named", { name: mask.name }), onClick: () => setEditing(mask) } : undefined,
              remove: canDelete ? { label: t("settings.mask_delete_named", { name: mask.name }), onClick: () => void remove(mask) } : undefined,
            })),
        ]}
      />
      {removal.dialog}
    </TabSection>
  );
}

function MaskEditor(props: {
  mask: ParseMask | null;
  taken: string[];
  save: (mask: ParseMaskBody) => Promise<void>;
  onCancel: () => void;
}) {
  const form = useRef<HTMLFormElement>(null);
  useEffect(() => {
    form.current?.scrollIntoView({ block: "nearest" });
    form.current?.querySelector<HTMLElement>("input, textarea")?.focus();
  }, []);
  const [text, setText] = useState(JSON.stringify(props.mask ?? EXAMPLE, null, 2));
  const [problem, setProblem] = useState<string | undefined>();
  const { busy, serverError, save: saving } = useSave();

  const submit = async () => {
    let mask: ParseMaskBody;
    try {
      mask = JSON.parse(text) as ParseMaskBody;
    } catch (error) {
      setProblem(t("settings.mask_json_error", { message: String((error as Error).message) }));
      return;
    }
    if (typeof mask !== "object" || mask === null || typeof mask.name !== "string" || !MASK_NAME.test(mask.name)) {
      setProblem(t("settings.mask_name_error"));
      return;
    }
    if (props.mask && mask.name !== props.mask.name) {
      setProblem(t("settings.mask_rename_error", { name: props.mask.name }));
      return;
    }
    if (!props.mask && props.taken.includes(mask.name)) {
      setProblem(t("settings.mask_name_taken", { name: mask.name }));
      return;
    }
    setProblem(undefined);
    await saving(() => props.save(mask));
  };

  return (
    <form
      ref={form}
      class="card set-subform"
      aria-labelledby="set-mask-form-title"
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      <h3 id="set-mask-form-title">
        {props.mask ? t("settings.mask_edit_title", { name: props.mask.name }) : t("settings.mask_new_title")}
      </h3>
      <Field label={t("settings.mask_json")} hint={t("settings.mask_json_hint")} error={problem}>
        {(id, describedBy) => (
          <textarea
            id={id}
            class="mono set-json"
            rows={16}
            spellcheck={false}
            value={text}
            aria-describedby={describedBy}
            aria-invalid={problem ? true : undefined}
            onInput={(e) => setText(e.currentTarget.value)}
          />
        )}
      </Field>
      {serverError ? <ErrorBox error={serverError} /> : null}
      <div class="row">
        <button type="submit" class="button button-primary" disabled={busy}>
          {t("common.save")}
        </button>
        <button type="button" class="button" onClick={props.onCancel}>
          {t("common.cancel")}
        </button>
      </div>
    </form>
  );
}
