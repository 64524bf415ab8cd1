// CSV取込: orders from a Rakuten RMS (CP932) or Yahoo! Shopping export, or any CSV with a column
// mapping read from its header in the browser. The file goes byte for byte; a progress bar shows
// the upload, then the API's work; the report lists what was taken and each refused row.
import "../styles/imports.css";
import { useEffect, useRef, useState } from "preact/hooks";
import { ErrorBox, PageHeader } from "../components/ui";
import { failure, success } from "../components/notices";
import { allowed, ApiError, newIdempotencyKey, shopPath } from "../lib/api";
import { formatNumber, t } from "../lib/i18n";
import type { ScreenProps } from "../lib/types";
import { base64Of, guessMapping, readHeader, type Header, type Mapping } from "./imports/csv";
import { ImportReport, type ImportReportData } from "./imports/ImportReport";
import { columnMapping, MappingForm, type MappingOptions } from "./imports/MappingForm";
import { upload } from "./imports/upload";

type Kind = "rakuten" | "yahoo" | "mapped";
const KINDS: readonly Kind[] = ["rakuten", "yahoo", "mapped"];
const MAX_BYTES = 5 * 1024 * 1024;

type Phase = { step: "idle" } | { step: "reading" } | { step: "uploading"; sent: number; total: number } | { step: "processing" };

export function Imports(props: ScreenProps) {
  const mayImport = allowed("POST", "/api/shops/{shop_id}/imports/rakuten");
  const [kind, setKind] = useState<Kind>("rakuten");
  const [file, setFile] = useState<File | null>(null);
  const [buffer, setBuffer] = useState<ArrayBuffer | null>(null);
  const [header, setHeader] = useState<Header | null>(null);
  const [mapping, setMapping] = useState<Mapping>({});
  const [options, setOptions] = useState<MappingOptions>({ encoding: "", delimiter: "", dateFormat: "", source: "csv" });
  const [phase, setPhase] = useState<Phase>({ step: "idle" });
  const [error, setError] = useState<unknown>(null);
  const [report, setReport] = useState<{ data: ImportReportData; fileName: string; continued: boolean } | null>(null);
  const inputRef = useRef<HTMLInputElement>(null);
  const busy = phase.step !== "idle";

  // The mapped kind reads the header row (again when the encoding or delimiter is changed).
  useEffect(() => {
    if (kind !== "mapped" || !buffer) {
      setHeader(null);
      return;
    }
    const read = readHeader(buffer, options.encoding, options.delimiter);
    setHeader(read);
    setMapping((current) => {
      const kept = Object.fromEntries(
        Object.entries(current).filter(([, columns]) => columns?.every((c) => !c || read.columns.includes(c))),
      ) as Mapping;
      return Object.keys(kept).length ? kept : guessMapping(read.columns);
    });
  }, [kind, buffer, options.encoding, options.delimiter]);

  const choose = async (chosen: File | null) => {
    setFile(chosen);
    setError(null);
    setBuffer(null);
    setMapping({});
    if (!chosen) return;
    if (chosen.size > MAX_BYTES) {
      setError(tooLarge());
      return;
    }
    setBuffer(await chosen.slice(0, 256 * 1024).arrayBuffer());
  };

  const built = kind === "mapped" ? columnMapping(mapping, options) : null;
  const ready = !!file && !busy && (kind !== "mapped" || (!!header && !built?.missing));

  /**
   * One upload of the chosen file. Each gets a fresh Idempotency-Key: "continue" must be a new
   * request (the same key would replay the answer that stopped early); importing a file again
   * never doubles an order, so a new key on a retry is safe too.
   */
  const run = async (continued: boolean) => {
    if (!file) return;
    if (file.size > MAX_BYTES) {
      setError(tooLarge());
      return;
    }
    setError(null);
    const key = newIdempotencyKey();
    const progress = {
      idempotencyKey: key,
      onProgress: (sent: number, total: number) => setPhase({ step: "uploading", sent, total }),
      onSent: () => setPhase({ step: "processing" }),
    };
    try {
      let answer: ImportReportData;
      if (kind === "mapped") {
        if (!built?.mapping) return;
        setPhase({ step: "reading" });
        const body = JSON.stringify({ mapping: built.mapping, csv_base64: await base64Of(file) });
        setPhase({ step: "uploading", sent: 0, total: body.length });
        answer = await upload<ImportReportData>(shopPath(props.shop, "/imports/mapped"), {
          ...progress,
          data: body,
          contentType: "application/json",
        });
      } else {
        setPhase({ step: "uploading", sent: 0, total: file.size });
        answer = await upload<ImportReportData>(shopPath(props.shop, `/imports/${kind}`), {
          ...progress,
          data: file,
          contentType: "application/octet-stream",
        });
      }
      setReport({ data: answer, fileName: file.name, continued });
      if (answer.complete) {
        success(t("imports.finished", { taken: formatNumber(answer.orders_taken), refused: formatNumber(answer.refused_rows) }));
      } else {
        success(t("imports.finished_partial", { taken: formatNumber(answer.orders_taken), left: formatNumber(answer.orders_left) }));
      }
    } catch (caught) {
      setError(caught);
      failure(caught);
    } finally {
      setPhase({ step: "idle" });
    }
  };

  if (!mayImport) {
    return (
      <>
        <PageHeader title={t("nav.imports")} lead={t("imports.lead")} />
        <p class="info-box">{t("imports.needs_manager")}</p>
      </>
    );
  }

  return (
    <>
      <PageHeader title={t("nav.imports")} lead={t("imports.lead")} />
      <form
        class="card im-form"
        aria-labelledby="im-form-title"
        onSubmit={(event) => {
          event.preventDefault();
          if (ready) void run(false);
        }}
      >
        <h2 id="im-form-title" class="visually-hidden">
          {t("imports.form_title")}
        </h2>
        <fieldset class="im-kinds">
          <legend>{t("imports.kind")}</legend>
          {KINDS.map((name) => (
            <label key={name} class={`im-kind${kind === name ? " im-kind-on" : ""}`}>
              <input
                type="radio"
                name="kind"
                value={name}
                checked={kind === name}
                disabled={busy}
                onChange={() => {
                  setKind(name);
                  setError(null);
                }}
              />
              <span>
                <strong>{t(`imports.kind_${name}`)}</strong>
                <span class="muted small im-kind-hint">{t(`imports.kind_${name}_hint`)}</span>
              </span>
            </label>
          ))}
        </fieldset>

        <div class="field im-file">
          <label for="im-file">{t("imports.file")}</label>
          <input
            id="im-file"
            ref={inputRef}
            type="file"
            accept=".csv,.txt,text/csv"
            disabled={busy}
            aria-describedby="im-file-hint"
            onChange={(e) => void choose(e.currentTarget.files?.[0] ?? null)}
          />
          <p class="hint" id="im-file-hint">
            {t("imports.file_hint")}
          </p>
        </div>

        {kind === "mapped" && header && (
          <MappingForm header={header} mapping={mapping} options={options} onMapping={setMapping} onOptions={setOptions} />
        )}
        {kind === "mapped" && header && header.columns.length === 0 && <p class="warn-box">{t("imports.no_header")}</p>}

        {error ? <ErrorBox error={error} /> : null}

        <div class="im-submit">
          <button type="submit" class="button button-primary" disabled={!ready}>
            {t("imports.start")}
          </button>
          {kind === "mapped" && file && built?.missing && <span class="muted small">{built.missing}</span>}
          <Progress phase={phase} />
        </div>
        <p class="hint im-again">{t("imports.again_hint")}</p>
      </form>

      {report && (
        <>
          {report.continued && <p class="info-box">{t("imports.continued_note")}</p>}
          <ImportReport
            report={report.data}
            fileName={report.fileName}
            busy={busy}
            onContinue={file && file.name === report.fileName ? () => void run(true) : undefined}
          />
        </>
      )}
    </>
  );
}

function tooLarge(): ApiError {
  return new ApiError(413, {
    code: "too_large",
    message_ja: "ファイルが大きすぎます。5MB 以下に分けて取り込んでください。",
    message_en: "The file is too large. Split it into files of 5 MB or less.",
    details: [],
  });
}

function Progress(props: { phase: Phase }) {
  const { phase } = props;
  if (phase.step === "idle") return null;
  const percent = phase.step === "uploading" && phase.total > 0 ? Math.round((phase.sent / phase.total) * 100) : null;
  const text =
    phase.step === "reading"
      ? t("imports.reading")
      : phase.step === "uploading"
        ? t("imports.uploading", { percent: percent ?? 0 })
        : t("imports.processing");
  return (
    <div class="im-progress" role="status">
      <progress
        aria-label={t("imports.progress")}
        max={100}
        {...(phase.step === "uploading" ? { value: percent ?? 0 } : {})}
      />
      <span class="small">{text}</span>
    </div>
  );
}
