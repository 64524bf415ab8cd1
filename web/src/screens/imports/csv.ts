// Reading a CSV's header row in the browser (for the column mapping): decode the first bytes as the
// API would (a BOM wins, else UTF-8, CP932, EUC-JP), split the first two records, guess the fields.
import fields from "../../api/fields.json";
import type { components } from "../../api/schema";

export type Encoding = "utf-8" | "utf-8-sig" | "cp932" | "shift_jis" | "euc-jp" | "utf-16";
export type Delimiter = "," | "\t" | ";";

/** The order fields a column can hold, as the API lists them (``okaeri.import_formats.csv_orders``). */
export type MappedField = keyof components["schemas"]["MappedColumns"];
export const FIELDS = fields.order_columns as readonly MappedField[];
export type Mapping = Partial<Record<MappedField, string[]>>;
/** A field may join up to this many columns (the API's limit). */
export const MAX_JOINED = 6;

const HEAD_BYTES = 256 * 1024;

const LABELS: Record<Exclude<Encoding, "utf-8-sig">, string> = {
  "utf-8": "utf-8",
  cp932: "shift_jis", // the WHATWG Shift_JIS decoder is Windows-31J (CP932)
  shift_jis: "shift_jis",
  "euc-jp": "euc-jp",
  "utf-16": "utf-16le",
};

function tryDecode(bytes: Uint8Array, label: string): string | null {
  try {
    return new TextDecoder(label, { fatal: true }).decode(bytes, { stream: true });
  } catch {
    return null;
  }
}

/** The file's first bytes as text, and the encoding they were read in. */
export function decodeHead(buffer: ArrayBuffer, encoding: Encoding | ""): { text: string; encoding: string } {
  const bytes = new Uint8Array(buffer.slice(0, HEAD_BYTES));
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    return { text: new TextDecoder("utf-8").decode(bytes.subarray(3), { stream: true }), encoding: "utf-8-sig" };
  }
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { text: new TextDecoder("utf-16le").decode(bytes.subarray(2), { stream: true }), encoding: "utf-16" };
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { text: new TextDecoder("utf-16be").decode(bytes.subarray(2), { stream: true }), encoding: "utf-16" };
  if (encoding && encoding !== "utf-8-sig") {
    return { text: new TextDecoder(LABELS[encoding]).decode(bytes, { stream: true }), encoding };
  }
  for (const [name, label] of [
    ["utf-8", "utf-8"],
    ["cp932", "shift_jis"],
    ["euc-jp", "euc-jp"],
  ] as const) {
    const text = tryDecode(bytes, label);
    if (text !== null) return { text, encoding: name };
  }
  return { text: new TextDecoder("utf-8").decode(bytes, { stream: true }), encoding: "utf-8" };
}

function guessDelimiter(text: string): Delimiter {
  const line = text.split(/\r?\n/, 1)[0] ?? "";
  const counts = ([",", "\t", ";"] as const).map((d) => [d, line.split(d).length] as const);
  counts.sort((a, b) => b[1] - a[1]);
  return counts[0][1] > 1 ? counts[0][0] : ",";
}

/** The first `count` records (quotes, doubled quotes and line breaks inside quotes handled). */
function records(text: string, delimiter: string, count: number): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length && rows.length < count; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === "") quoted = true;
    else if (c === delimiter) {
      row.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(field);
      field = "";
      if (row.some((cell) => cell.trim() !== "")) rows.push(row);
      row = [];
    } else field += c;
  }
  if (rows.length < count && (field !== "" || row.length > 0)) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

export interface Header {
  columns: string[];
  /** The first data row's value of each column (to help choosing). */
  sample: string[];
  encoding: string;
  delimiter: Delimiter;
}

export function readHeader(buffer: ArrayBuffer, encoding: Encoding | "", delimiter: Delimiter | ""): Header {
  const decoded = decodeHead(buffer, encoding);
  const text = decoded.text.replace(/^\uFEFF/, "");
  const used = delimiter || guessDelimiter(text);
  const [head = [], first = []] = records(text, used, 2);
  const seen = new Set<string>();
  const columns = head.map((name) => name.trim()).filter((name) => name && !seen.has(name) && seen.add(name));
  const sample = columns.map((name) => (first[head.findIndex((h) => h.trim() === name)] ?? "").trim());
  return { columns, sample, encoding: decoded.encoding, delimiter: used };
}

// --- a first guess of the mapping from the header names -------------------------------------------

const fold = (name: string) =>
  name
    .normalize("NFKC")
    .toLowerCase()
    .replace(/[\s_\-・]/g, "")
    .replace(/[(（][^)）]*[)）]$/, "");

const GUESSES: Record<MappedField, string[]> = {
  order_id: ["注文id", "注文番号", "受注番号", "orderid", "order", "ordernumber", "注文no"],
  ordered_at: ["注文日", "注文日時", "受注日", "受注日時", "orderedat", "orderdate", "ordertime", "createdat"],
  shipped_at: ["出荷日", "発送日", "発送日時", "出荷日時", "shippedat", "shipdate", "shippingdate"],
  customer_name: ["氏名", "名前", "お名前", "注文者名", "注文者氏名", "購入者名", "customername", "name"],
  customer_name_kana: ["フリガナ", "ふりがな", "カナ", "氏名カナ", "注文者フリガナ", "customernamekana", "kana"],
  customer_email: ["メール", "メールアドレス", "email", "mail", "emailaddress", "注文者メールアドレス"],
  customer_phone: ["電話", "電話番号", "phone", "tel", "注文者電話番号"],
  ship_to_name: ["送付先名", "お届け先名", "お届け先氏名", "shiptoname"],
  ship_to_postal_code: ["郵便番号", "お届け先郵便番号", "送付先郵便番号", "zip", "zipcode", "postalcode"],
  ship_to_prefecture: ["都道府県", "お届け先都道府県", "送付先都道府県", "prefecture"],
  ship_to_address: ["住所", "お届け先住所", "送付先住所", "address"],
  item_sku: ["商品コード", "商品番号", "品番", "sku", "itemsku", "itemcode"],
  item_name: ["商品", "商品名", "item", "itemname", "product", "productname"],
  quantity: ["数量", "個数", "quantity", "qty"],
  unit_price: ["価格", "単価", "price", "unitprice"],
  total: ["合計", "合計金額", "請求金額", "total", "totalprice"],
  payment_method: ["決済方法", "支払方法", "お支払い方法", "payment", "paymentmethod"],
  shipping_method: ["配送方法", "shippingmethod"],
  is_gift: ["ギフト", "gift", "isgift"],
  carrier: ["配送会社", "運送会社", "carrier"],
  tracking_number: ["伝票番号", "お問い合わせ番号", "お荷物伝票番号", "追跡番号", "trackingnumber", "tracking"],
};

export function guessMapping(columns: string[]): Mapping {
  const mapping: Mapping = {};
  const used = new Set<string>();
  const folded = columns.map((name) => [name, fold(name)] as const);
  for (const field of FIELDS) {
    const hit = GUESSES[field].map((guess) => folded.find(([name, f]) => f === guess && !used.has(name))).find(Boolean);
    if (hit) {
      mapping[field] = [hit[0]];
      used.add(hit[0]);
    }
  }
  // 姓 + 名 (and their kana) in two columns
  const pair = (last: string[], first: string[]) => {
    const a = folded.find(([name, f]) => last.includes(f) && !used.has(name));
    const b = folded.find(([name, f]) => first.includes(f) && !used.has(name));
    return a && b ? [a[0], b[0]] : null;
  };
  if (!mapping.customer_name) {
    const names = pair(["姓", "名字", "lastname"], ["名", "名前", "firstname"]);
    if (names) {
      mapping.customer_name = names;
      names.forEach((n) => used.add(n));
    }
  }
  if (!mapping.customer_name_kana) {
    const kana = pair(["セイ", "姓カナ", "姓フリガナ"], ["メイ", "名カナ", "名フリガナ"]);
    if (kana) mapping.customer_name_kana = kana;
  }
  return mapping;
}

/** The file as base64 (the mapped import carries the file inside its JSON). */
export function base64Of(file: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ""));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}
