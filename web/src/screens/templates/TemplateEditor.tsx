// One template: its parts, a live preview for the sample order, the merge-tag help, saving (a new
// version), the version list and a test send. A new template (`templateId` null) is created here
// too, blank or copied from another (`from`). Users who may not save see the same screen read-only.
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { allowed, ApiError, get, newIdempotencyKey, post, put, shopPath } from "../../lib/api";
import { pick, t } from "../../lib/i18n";
import { href, navigate } from "../../lib/router";
import type { Me } from "../../lib/types";
import { Badge, ErrorBox, Field, Loading, PageHeader, useAction, useConfirm, useDocument } from "../../components/ui";
import { ApplyNote } from "../../components/ApplyNote";
import { success } from "../../components/notices";
import { Preview, usePreview } from "./Preview";
import { TagHelp } from "./TagHelp";
import { TestSend } from "./TestSend";
import { Versions } from "./Versions";
import {
  draftOf,
  ID_PATTERN,
  PARTS,
  sameDraft,
  templateOf,
  type Advertising,
  type Draft,
  type Part,
  type PoolCount,
  type SaveAnswer,
  type Template,
  type VersionInfo,
} from "./types";

const PUT_TEMPLATE = "/api/shops/{shop_id}/templates/{template_id}";
const POST_TEMPLATE = "/api/shops/{shop_id}/templates";
const TEST_SEND = "/api/shops/{shop_id}/templates/{template_id}/test-send";

type Report = Pick<SaveAnswer, "pools" | "findings">;
type Problems = Partial<Record<Part | "id", string>>;

function templatePath(shop: string, id: string, rest = ""): string {
  return shopPath(shop, `/templates/${encodeURIComponent(id)}${rest}`);
}

/** Which part an API error is about: "subject: …" (render errors) or "template.subject: …" (validation). */
export function partOf(error: unknown): Part | null {
  if (!(error instanceof ApiError)) return null;
  const rendered = /^(subject|text|html|mobile_text): /.exec(error.body.message_en);
  if (rendered) return rendered[1] as Part;
  for (const detail of error.body.details) {
    const invalid = /^template\.(subject|text|html|mobile_text)\b/.exec(detail);
    if (invalid) return invalid[1] as Part;
  }
  return null;
}

/** The error's message without its "件名（subject）: " prefix (the field already says which part). */
function fieldMessage(error: ApiError): string {
  const text = error.text;
  const cut = /^[^:：]{1,40}[:：]\s*/.exec(text);
  return cut && error.body.code !== "invalid_request" ? text.slice(cut[0].length) : text;
}

function blankDraft(): Draft {
  return {
    id: "",
    name: "",
    subject: t("templates.starter_subject"),
    text: t("templates.starter_text"),
    html: "",
    mobile_text: "",
  };
}

export function TemplateEditor(props: {
  shop: string;
  me: Me;
  templateId: string | null;
  version: number | null;
  from: string | null;
}) {
  const { shop, templateId, version } = props;
  const creating = templateId === null;
  const canSave = creating ? allowed("POST", POST_TEMPLATE) : allowed("PUT", PUT_TEMPLATE);
  const canTest = allowed("POST", TEST_SEND);
  const canCreate = allowed("POST", POST_TEMPLATE);
  const source = templateId ?? props.from;
  const stored = useDocument<Template>(
    source ? templatePath(shop, source) : null,
    templateId && version ? { version } : undefined,
  );
  const versions = useDocument<VersionInfo[]>(templateId ? templatePath(shop, templateId, "/versions") : null);
  const pools = useDocument<PoolCount[]>(shopPath(shop, "/coupons"));

  const [baseline, setBaseline] = useState<Draft | null>(source ? null : blankDraft());
  const [draft, setDraft] = useState<Draft | null>(baseline);
  const [advertising, setAdvertising] = useState<Advertising>("auto");
  const [orderCount, setOrderCount] = useState(1);
  const [problems, setProblems] = useState<Problems>({});
  const [saveError, setSaveError] = useState<unknown>(null);
  const [report, setReport] = useState<Report | null>(null);
  const [target, setTarget] = useState<Part>("text");
  const fields = useRef<Partial<Record<Part, HTMLInputElement | HTMLTextAreaElement | null>>>({});
  const createKey = useRef(newIdempotencyKey());
  const { busy, run } = useAction();
  const { ask, dialog } = useConfirm();

  useEffect(() => {
    const loaded = stored.data;
    if (!loaded) return;
    const next = templateId
      ? draftOf(loaded)
      : { ...draftOf(loaded), id: "", name: t("templates.copy_name", { name: loaded.name || loaded.id }) };
    setBaseline(next);
    setDraft(next);
    setProblems({});
    setSaveError(null);
  }, [stored.data, templateId]);

  const dirty = draft !== null && baseline !== null && !sameDraft(draft, baseline);
  useEffect(() => {
    if (!dirty || !canSave) return;
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    addEventListener("beforeunload", warn);
    return () => removeEventListener("beforeunload", warn);
  }, [dirty, canSave]);

  const savedVersion = stored.data?.version ?? 1;
  const previewTemplate = useMemo(() => {
    if (!draft || !draft.subject.trim() || !draft.text.trim()) return null;
    return templateOf({ ...draft, id: ID_PATTERN.test(draft.id) ? draft.id : "preview" }, savedVersion);
  }, [draft, savedVersion]);
  const preview = usePreview(shop, previewTemplate, advertising, orderCount);

  // The error shown by a field: what the preview or the last save said about that part.
  const apiError = saveError ?? preview.error;
  const errorPart = partOf(apiError);
  const fieldError = (part: Part): string | undefined =>
    problems[part] ?? (errorPart === part && apiError instanceof ApiError ? fieldMessage(apiError) : undefined);

  if (stored.error) return <ErrorBox error={stored.error} />;
  if (!draft || (source && stored.loading && !stored.data)) return <Loading />;
  if (creating && !canSave) {
    return (
      <>
        <PageHeader title={t("templates.new_title")} />
        <p class="info-box">{t("common.no_permission")}</p>
      </>
    );
  }

  const latest = versions.data?.find((info) => info.current)?.version ?? null;
  const viewingOld = !creating && version !== null && latest !== null && version !== latest;
  const listHref = href(shop, "templates");

  const change = (part: keyof Draft, value: string) => {
    setDraft({ ...draft, [part]: value });
    setSaveError(null);
    if (problems[part as Part | "id"]) setProblems({ ...problems, [part]: undefined });
  };

  const insert = (tag: string) => {
    const element = fields.current[target];
    const value = draft[target];
    const start = element?.selectionStart ?? value.length;
    const end = element?.selectionEnd ?? start;
    change(target, value.slice(0, start) + tag + value.slice(end));
    requestAnimationFrame(() => {
      if (!element) return;
      element.focus();
      element.setSelectionRange(start + tag.length, start + tag.length);
    });
  };

  const check = (): boolean => {
    const found: Problems = {};
    if (creating && !ID_PATTERN.test(draft.id)) found.id = t("templates.id_invalid");
    if (!draft.subject.trim()) found.subject = t("templates.required");
    if (!draft.text.trim()) found.text = t("templates.required");
    setProblems(found);
    const first = PARTS.find((part) => found[part]);
    if (first) fields.current[first]?.focus();
    return Object.keys(found).length === 0;
  };

  const capture = async <R,>(action: () => Promise<R>): Promise<R> => {
    try {
      return await action();
    } catch (caught) {
      setSaveError(caught);
      if (caught instanceof ApiError && caught.status === 409) setProblems({ ...problems, id: caught.text });
      throw caught;
    }
  };

  const create = async () => {
    if (!check()) return;
    const body = templateOf(draft, 1);
    const answer = await run(() =>
      capture(() => post<SaveAnswer>(shopPath(shop, "/templates"), body, { idempotencyKey: createKey.current })),
    );
    if (!answer) return;
    createKey.current = newIdempotencyKey();
    setBaseline(draft);
    success(t("templates.created", { name: draft.name || answer.id, version: answer.version }));
    navigate(href(shop, "templates", answer.id));
  };

  const save = async () => {
    if (!templateId || !check()) return;
    const answer = await run(() =>
      capture(() => put<SaveAnswer>(templatePath(shop, templateId), templateOf(draft, savedVersion))),
    );
    if (!answer) return;
    setReport({ pools: answer.pools, findings: answer.findings });
    if (answer.changed) {
      const undo = async () => {
        const previous = await get<Template>(templatePath(shop, templateId), { version: answer.version - 1 });
        const again = await put<SaveAnswer>(templatePath(shop, templateId), previous);
        success(t("templates.undone", { version: again.version, from: answer.version - 1 }));
        void versions.reload();
        void stored.reload();
      };
      success(`${t("templates.saved_version", { version: answer.version })} ${pick(answer.message_ja, answer.message_en)}`, undo);
    } else {
      success(pick(answer.message_ja, answer.message_en));
    }
    setBaseline(draft);
    void versions.reload();
    if (version !== null) navigate(href(shop, "templates", templateId));
    else void stored.reload();
  };

  const leave = async (event: MouseEvent) => {
    if (!dirty || !canSave) return;
    event.preventDefault();
    const ok = await ask({
      title: t("templates.leave_title"),
      body: <p>{t("templates.leave_body")}</p>,
      confirmLabel: t("templates.leave_confirm"),
      danger: true,
    });
    if (ok) {
      setBaseline(draft);
      navigate(listHref);
    }
  };

  const title = creating ? t("templates.new_title") : draft.name || templateId || "";
  const lead = creating
    ? t("templates.new_lead")
    : t("templates.editor_lead", { id: templateId ?? "", version: savedVersion });
  const partLabel = (part: Part) => t(`templates.part_${part}`);

  const textField = (part: Part, options: { rows: number; hint?: string; mono?: boolean }) => (
    <Field label={partLabel(part)} hint={options.hint} error={fieldError(part)}>
      {(id, describedBy) =>
        part === "subject" ? (
          <input
            id={id}
            ref={(element) => {
              fields.current.subject = element;
            }}
            value={draft.subject}
            readOnly={!canSave}
            aria-describedby={describedBy}
            aria-invalid={fieldError(part) ? true : undefined}
            onFocus={() => setTarget(part)}
            onInput={(event) => change(part, event.currentTarget.value)}
          />
        ) : (
          <textarea
            id={id}
            ref={(element) => {
              fields.current[part] = element;
            }}
            class={options.mono ? "mono" : undefined}
            rows={options.rows}
            value={draft[part]}
            readOnly={!canSave}
            spellcheck={false}
            aria-describedby={describedBy}
            aria-invalid={fieldError(part) ? true : undefined}
            onFocus={() => setTarget(part)}
            onInput={(event) => change(part, event.currentTarget.value)}
          />
        )
      }
    </Field>
  );

  return (
    <div class="tpl-editor">
      <PageHeader
        title={title}
        lead={lead}
        actions={
          <>
            <a class="button" href={listHref} onClick={(event) => void leave(event)}>
              {t("templates.back")}
            </a>
            {!creating && canCreate && (
              <a class="button" href={`${href(shop, "templates", "_new")}?from=${encodeURIComponent(templateId ?? "")}`}>
                {t("templates.duplicate")}
              </a>
            )}
          </>
        }
      />
      {!canSave && <p class="info-box">{t("templates.read_only")}</p>}
      {viewingOld && (
        <div class="info-box row" role="status">
          <span>
            {canSave
              ? t("templates.viewing_old_edit", { version: version ?? 0, next: (latest ?? 0) + 1 })
              : t("templates.viewing_old", { version: version ?? 0 })}
          </span>
          <a href={href(shop, "templates", templateId ?? "")}>{t("templates.show_latest", { version: latest ?? 0 })}</a>
        </div>
      )}
      {report && <SaveReport report={report} />}
      <div class="tpl-layout">
        <div class="tpl-main">
          <section class="card" aria-labelledby="tpl-content-title">
            <div class="row">
              <h2 id="tpl-content-title">{t("templates.content")}</h2>
              <span class="spacer" />
              <button
                type="button"
                class="button button-small tpl-jump"
                onClick={() => document.getElementById("tpl-preview")?.scrollIntoView({ block: "start" })}
              >
                {t("templates.jump_preview")}
              </button>
            </div>
            {creating && (
              <Field label={t("templates.id")} hint={t("templates.id_hint")} error={problems.id}>
                {(id, describedBy) => (
                  <input
                    id={id}
                    class="mono"
                    value={draft.id}
                    autoComplete="off"
                    spellcheck={false}
                    maxLength={40}
                    aria-describedby={describedBy}
                    aria-invalid={problems.id ? true : undefined}
                    onInput={(event) => change("id", event.currentTarget.value.trim())}
                  />
                )}
              </Field>
            )}
            <Field label={t("templates.name")} hint={t("templates.name_hint")}>
              {(id, describedBy) => (
                <input
                  id={id}
                  value={draft.name}
                  readOnly={!canSave}
                  aria-describedby={describedBy}
                  onInput={(event) => change("name", event.currentTarget.value)}
                />
              )}
            </Field>
            {textField("subject", { rows: 1 })}
            {textField("text", { rows: 14, hint: t("templates.text_hint") })}
            {textField("html", { rows: 10, hint: t("templates.html_hint"), mono: true })}
            {textField("mobile_text", { rows: 5, hint: t("templates.mobile_hint") })}
            {canSave && (
              <div class="tpl-save-bar">
                <button
                  type="button"
                  class="button button-primary"
                  disabled={busy || (!creating && !dirty)}
                  onClick={() => void (creating ? create() : save())}
                >
                  {busy ? t("templates.saving") : creating ? t("templates.create") : t("templates.save")}
                </button>
                <span class="small muted" role="status">
                  {creating ? t("templates.create_note") : dirty ? t("templates.unsaved") : t("templates.no_changes")}
                </span>
                <ApplyNote />
              </div>
            )}
          </section>
          <TagHelp
            pools={(pools.data ?? []).map((pool) => pool.pool)}
            target={canSave ? partLabel(target) : null}
            onInsert={canSave ? insert : null}
          />
        </div>
        <div class="tpl-side">
          <Preview
            state={preview}
            waiting={previewTemplate === null}
            options={
              <div class="tpl-preview-options">
                <Field label={t("templates.advertising")}>
                  {(id) => (
                    <select
                      id={id}
                      value={advertising}
                      onChange={(event) => setAdvertising(event.currentTarget.value as Advertising)}
                    >
                      <option value="auto">{t("templates.advertising_auto")}</option>
                      <option value="yes">{t("templates.advertising_yes")}</option>
                      <option value="no">{t("templates.advertising_no")}</option>
                    </select>
                  )}
                </Field>
                <Field label={t("templates.order_count")}>
                  {(id) => (
                    <input
                      id={id}
                      type="number"
                      min={1}
                      max={100000}
                      inputMode="numeric"
                      value={orderCount}
                      onInput={(event) => {
                        const value = Number(event.currentTarget.value);
                        if (Number.isInteger(value) && value >= 1 && value <= 100000) setOrderCount(value);
                      }}
                    />
                  )}
                </Field>
              </div>
            }
          />
        </div>
      </div>
      {!creating && templateId && (
        <div class={`tpl-bottom${canTest ? " grid grid-2" : ""}`}>
          {canTest && (
            <TestSend
              shop={shop}
              templateId={templateId}
              version={savedVersion}
              dirty={dirty}
              advertising={advertising}
              defaultTo={props.me.email ?? ""}
            />
          )}
          <Versions
            shop={shop}
            templateId={templateId}
            versions={versions.data}
            error={versions.error}
            viewing={version}
          />
        </div>
      )}
      {dialog}
    </div>
  );
}

function SaveReport(props: { report: Report }) {
  const { pools, findings } = props.report;
  if (pools.length === 0 && findings.length === 0) return null;
  return (
    <div class={findings.length > 0 ? "warn-box" : "info-box"} data-testid="save-report">
      {findings.length > 0 && (
        <>
          <p>
            <strong>{t("templates.findings_title")}</strong>
          </p>
          <ul>
            {findings.map((finding) => (
              <li key={`${finding.step}-${finding.rule}`}>
                {finding.severity === "error" ? <Badge tone="bad">{t("templates.finding_error")}</Badge> : null}{" "}
                {finding.step ? `${t("templates.finding_step", { step: finding.step })} ` : ""}
                {pick(finding.message_ja, finding.message_en)}
              </li>
            ))}
          </ul>
        </>
      )}
      {pools.length > 0 && (
        <ul class="tpl-pool-list">
          {pools.map((pool) => (
            <li key={pool.pool}>
              {t("templates.pool_left", { pool: pool.pool, free: pool.free, used: pool.used })}
              {pool.free === 0 && (
                <>
                  {" "}
                  <Badge tone="bad">{t("templates.pool_empty")}</Badge>
                </>
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

