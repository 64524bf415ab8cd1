// クーポン: each pool's unused and used codes, and loading codes from a CSV (one code a row, an
// optional `code` header, UTF-8 or Shift_JIS). The API answers which rows it refused and why.
import { useRef, useState } from "preact/hooks";
import { ListTable, Table } from "../../components/table";
import { Field, MoreButton, useDocument } from "../../components/ui";
import { failure, success } from "../../components/notices";
import { allowed, api, newIdempotencyKey, shopPath } from "../../lib/api";
import { formatNumber, t } from "../../lib/i18n";
import { TabSection } from "./form";
import { OPS, type PoolCount, type PoolLoadAnswer } from "./types";

const POOL = /^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/;

export function CouponsTab(props: { shop: string }) {
  const pools = useDocument<PoolCount[]>(shopPath(props.shop, "/coupons"));
  const [result, setResult] = useState<PoolLoadAnswer | null>(null);
  const canLoad = allowed("POST", OPS.pool);
  const items = pools.data ?? [];

  return (
    <TabSection id="set-coupons-title" title={t("settings.tab_coupons")} lead={t("settings.coupons_lead")}>
      <ListTable
        list={pools}
        empty={t("settings.coupons_empty")}
        wrapClass="set-table-gap"
        rowKey={(pool) => pool.pool}
        rowAttrs={(pool) => ({ "data-testid": `pool-${pool.pool}` })}
        columns={[
          {
            title: t("settings.pool"),
            cellClass: "mono",
            cell: (pool) => (
              <>
                {pool.pool}
                {pool.free === 0 && <span class="badge badge-bad set-badge-gap">{t("settings.pool_exhausted")}</span>}
              </>
            ),
          },
          { title: t("settings.pool_free"), class: "num", cell: (pool) => formatNumber(pool.free) },
          { title: t("settings.pool_used"), class: "num", cell: (pool) => formatNumber(pool.used) },
          { title: t("settings.pool_total"), class: "num", cell: (pool) => formatNumber(pool.free + pool.used) },
        ]}
      />
      {canLoad && (
        <UploadForm
          shop={props.shop}
          pools={items.map((pool) => pool.pool)}
          onLoaded={async (answer) => {
            setResult(answer);
            await pools.reload();
          }}
        />
      )}
      {result && <UploadResult result={result} />}
    </TabSection>
  );
}

function UploadForm(props: { shop: string; pools: string[]; onLoaded: (answer: PoolLoadAnswer) => Promise<void> }) {
  const [pool, setPool] = useState(props.pools[0] ?? "");
  const [file, setFile] = useState<File | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);

  const upload = async () => {
    const found: Record<string, string> = {};
    if (!POOL.test(pool)) found.pool = t("settings.pool_name_error");
    if (!file) found.file = t("settings.coupon_file_required");
    setErrors(found);
    if (Object.keys(found).length || !file) return;
    setBusy(true);
    try {
      const answer = await api<PoolLoadAnswer>("POST", shopPath(props.shop, `/coupons/${encodeURIComponent(pool)}`), {
        raw: { data: await file.arrayBuffer(), contentType: "text/csv" },
        idempotencyKey: newIdempotencyKey(),
      });
      await props.onLoaded(answer);
      setFile(null);
      if (fileInput.current) fileInput.current.value = "";
      success(
        answer.skipped.length
          ? t("settings.coupons_loaded_some", { n: answer.loaded, skipped: answer.skipped.length, pool: answer.pool })
          : t("settings.coupons_loaded", { n: answer.loaded, pool: answer.pool }),
      );
    } catch (error) {
      failure(error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      class="card set-subform"
      aria-labelledby="set-upload-title"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        void upload();
      }}
    >
      <h3 id="set-upload-title">{t("settings.coupons_upload_title")}</h3>
      <p class="hint set-fieldset-hint">{t("settings.coupons_upload_hint")}</p>
      <div class="grid grid-2">
        <Field label={t("settings.pool")} hint={t("settings.pool_hint")} error={errors.pool}>
          {(id, describedBy) => (
            <>
              <input
                id={id}
                value={pool}
                list="set-pools"
                autoComplete="off"
                placeholder="THANKS10"
                aria-describedby={describedBy}
                aria-invalid={errors.pool ? true : undefined}
                onInput={(e) => setPool(e.currentTarget.value.trim())}
              />
              <datalist id="set-pools">
                {props.pools.map((name) => (
                  <option key={name} value={name} />
                ))}
              </datalist>
            </>
          )}
        </Field>
        <Field label={t("settings.coupon_file")} hint={t("settings.coupon_file_hint")} error={errors.file}>
          {(id, describedBy) => (
            <input
              id={id}
              ref={fileInput}
              type="file"
              accept=".csv,.txt,text/csv,text/plain"
              aria-describedby={describedBy}
              aria-invalid={errors.file ? true : undefined}
              onChange={(e) => setFile(e.currentTarget.files?.[0] ?? null)}
            />
          )}
        </Field>
      </div>
      <div class="row">
        <button type="submit" class="button button-primary" disabled={busy}>
          {busy ? t("settings.uploading") : t("settings.coupons_upload")}
        </button>
      </div>
    </form>
  );
}

const SKIPPED_PAGE = 50;

function UploadResult(props: { result: PoolLoadAnswer }) {
  const { result } = props;
  const [shown, setShown] = useState(SKIPPED_PAGE);
  return (
    <section class="card set-result" aria-labelledby="set-result-title" data-testid="coupon-result">
      <h3 id="set-result-title">{t("settings.coupons_result_title", { pool: result.pool })}</h3>
      <div class="grid grid-3 set-result-stats">
        <div class="stat">
          <div class="stat-label">{t("settings.coupons_result_loaded")}</div>
          <div class="stat-value">{formatNumber(result.loaded)}</div>
        </div>
        <div class="stat">
          <div class="stat-label">{t("settings.coupons_result_skipped")}</div>
          <div class="stat-value">{formatNumber(result.skipped.length)}</div>
        </div>
        <div class="stat">
          <div class="stat-label">{t("settings.coupons_result_free")}</div>
          <div class="stat-value">{formatNumber(result.free)}</div>
        </div>
      </div>
      {result.skipped.length > 0 && (
        <>
          <p class="warn-box">{t("settings.coupons_skipped_lead")}</p>
          <Table
            caption={t("settings.coupons_skipped_caption")}
            rows={result.skipped.slice(0, shown)}
            rowKey={(row, index) => `${index}-${row.code}`}
            columns={[
              { title: t("settings.coupon_code"), cellClass: "mono set-code", cell: (row) => row.code },
              { title: t("settings.coupon_reason"), cell: (row) => t(`settings.skip_${row.reason}`) },
            ]}
          />
          <MoreButton hasMore={shown < result.skipped.length} loading={false} onMore={() => setShown(shown + SKIPPED_PAGE)} />
        </>
      )}
    </section>
  );
}
