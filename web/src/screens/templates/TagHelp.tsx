// The merge-tag help: every Jinja tag and `@tag@` alias with what it prints. With `onInsert`,
// each tag is a button that inserts it at the cursor of the field last edited.
import { useState } from "preact/hooks";
import { t } from "../../lib/i18n";
import { couponRows, TAG_GROUPS, type TagRow } from "./tags";

export function TagHelp(props: { pools: string[]; target: string | null; onInsert: ((text: string) => void) | null }) {
  const groups = [...TAG_GROUPS, { key: "coupons", rows: couponRows(props.pools) }];
  // Open beside the editor on a desk; folded on a phone, where it would push the preview far down.
  const [open] = useState(() => matchMedia("(min-width: 720px)").matches);
  return (
    <details class="card tpl-tag-help" open={open}>
      <summary>
        <h2>{t("templates.tags_title")}</h2>
      </summary>
      <p class="small muted">
        {props.onInsert ? t("templates.tags_lead_insert") : t("templates.tags_lead")}
      </p>
      {props.onInsert && props.target && (
        <p class="small tpl-tag-target" aria-live="polite">
          {t("templates.tags_target", { field: props.target })}
        </p>
      )}
      {groups.map((group) => (
        <section key={group.key} class="tpl-tag-group" aria-labelledby={`tag-group-${group.key}`}>
          <h3 id={`tag-group-${group.key}`}>{t(`templates.tag_group_${group.key}`)}</h3>
          {group.key === "items" && <p class="small muted">{t("templates.tag_items_note")}</p>}
          {group.key === "coupons" && group.rows.length === 0 && (
            <p class="small muted">{t("templates.tag_no_pools")}</p>
          )}
          <ul class="tpl-tag-list">
            {group.rows.map((row) => (
              <TagLine key={row.jinja} row={row} onInsert={props.onInsert} />
            ))}
          </ul>
        </section>
      ))}
      <p class="small muted tpl-tag-foot">{t("templates.tags_foot")}</p>
    </details>
  );
}

function TagLine(props: { row: TagRow; onInsert: ((text: string) => void) | null }) {
  const { row, onInsert } = props;
  const tags = [row.jinja, ...row.aliases];
  return (
    <li class="tpl-tag-row">
      <span class="tpl-tag-desc">{t(`templates.tag_${row.key}`)}</span>
      <span class="tpl-tag-codes">
        {tags.map((tag) =>
          onInsert ? (
            <button
              key={tag}
              type="button"
              class="tpl-tag-chip mono"
              title={t("templates.tag_insert_title")}
              onMouseDown={(event) => event.preventDefault()}
              onClick={() => onInsert(tag)}
            >
              {tag}
            </button>
          ) : (
            <code key={tag} class="tpl-tag-chip">
              {tag}
            </code>
          ),
        )}
      </span>
    </li>
  );
}
