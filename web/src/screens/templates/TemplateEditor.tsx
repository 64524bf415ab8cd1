// One template: its parts, a live preview for the sample order, the merge-tag help, saving (a new
// version), the version list and a test send. A new template (`templateId` null) is created here
// too, blank or copied from another (`from`). Users who may not save see the same screen read-only.
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { allowed, ApiError, get, newIdempotencyKey, post, put, shopPath } from "../../lib/api";
import { pick, t } from "../../lib/i18n";
import { href, navigate } from "../../lib/router";
import type { Me } from "../../lib/types";
import { ErrorBox, Loading, PageHeader, useAction, useConfirm, useDocument } from "../../components/ui";
import { success } from "../../components/notices";
import { fieldMessage, partOf } from "./partErrors";
import { ContentCard } from "./ContentCard";
import { OldVersionNotice, useLeaveWarning } from "./editorParts";
import { PartField } from "./PartField";
import { Preview, usePreview } from "./Preview";
import { PreviewOptions } from "./PreviewOptions";
import { TagHelp } from "./TagHelp";
import { TestSend } from "./TestSend";
import { Versions } from "./Versions";
import { SaveReport, type Report } from "./SaveReport";
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

type Problems = Partial<Record<Part | "id", string>>;

function templatePath(shop: string, id: string, rest = ""): string {
  return shopPath(shop, `/templates/${encodeURIComponent(id)}${rest}`);
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
  useLeaveWarning(dirty && canSave);

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
    <PartField
      part={part}
      label={partLabel(part)}
      value={draft[part]}
      {...options}
      error={fieldError(part)}
      readOnly={!canSave}
      register={(element) => {
        fields.current[part] = element;
      }}
      onFocus={() => setTarget(part)}
      onInput={(value) => change(part, value)}
    />
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
        <OldVersionNotice shop={shop} templateId={templateId ?? ""} version={version ?? 0} latest={latest ?? 0} canSave={canSave} />
      )}
      {report && <SaveReport report={report} />}
      <div class="tpl-layout">
        <div class="tpl-main">
          <ContentCard
            creating={creating}
            canSave={canSave}
            busy={busy}
            dirty={dirty}
            id={draft.id}
            name={draft.name}
            idProblem={problems.id}
            onChange={change}
            onSubmit={() => void (creating ? create() : save())}
          >
            {textField("subject", { rows: 1 })}
            {textField("text", { rows: 14, hint: t("templates.text_hint") })}
            {textField("html", { rows: 10, hint: t("templates.html_hint"), mono: true })}
            {textField("mobile_text", { rows: 5, hint: t("templates.mobile_hint") })}
          </ContentCard>
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
              <PreviewOptions
                advertising={advertising}
                orderCount={orderCount}
                onAdvertising={setAdvertising}
                onOrderCount={setOrderCount}
              />
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
