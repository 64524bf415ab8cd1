"""Order CSVs → ``Order``s: Rakuten RMS 受注データ, Yahoo!ショッピング 注文データ, any CSV with a mapping.

A *layout* says which header (or headers, joined) holds each order field; several alternatives may
be listed, and per row the first one with a value wins (RMS files from different years name some
columns differently). Headers are matched width- and case-folded, without spaces, ``_`` or ``-``,
and with or without a trailing note in brackets (``合計金額(-99999=無効値)`` is ``合計金額``).

One row is one item; the rows of the same order id are merged into one order with several items
(the order's own fields are read from its first row). A row that cannot be read is refused with its
line, a stable reason and a bilingual message; the other rows of that order are refused with it
(``other_row_refused``), so an order is never taken with an item missing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import tzinfo
from typing import Any, Literal, get_args

from pydantic import ValidationError

from okaeri.import_formats import values
from okaeri.import_formats.csv_file import CsvFileError, Row, header_key, read_table
from okaeri.import_formats.models import ColumnMapping, RefusalReason, RefusedRow
from okaeri.models.order import Order, normalise_order_id
from okaeri.parsing.text import same_person

#: The order fields a CSV column can hold (the admin page's column mapping reads this list from
#: ``web/src/api/fields.json``, which ``make api-types`` writes).
FieldName = Literal[
    "order_id",
    "ordered_at",
    "customer_name",
    "customer_name_kana",
    "customer_email",
    "customer_phone",
    "ship_to_name",
    "ship_to_postal_code",
    "ship_to_prefecture",
    "ship_to_address",
    "item_sku",
    "item_name",
    "quantity",
    "unit_price",
    "total",
    "payment_method",
    "shipping_method",
    "is_gift",
    "shipped_at",
    "carrier",
    "tracking_number",
]
FIELD_NAMES: tuple[FieldName, ...] = get_args(FieldName)
_TRAILING_NOTE = re.compile(r"\([^()]*\)$")
_MAX_MESSAGE = 1_000  # a row refused for several cells names each


@dataclass(frozen=True)
class Columns:
    """Headers whose values, joined with ``sep``, give one field (``注文者名字`` + ``注文者名前``)."""

    headers: tuple[str, ...]
    sep: str = " "


def cols(*headers: str, sep: str = " ") -> Columns:
    return Columns(headers, sep)


@dataclass(frozen=True)
class Layout:
    source: str
    label_ja: str
    label_en: str
    fields: Mapping[FieldName, tuple[Columns, ...]]
    required: tuple[FieldName, ...]  # their columns must be in the header
    date_format: str | None = None
    invalid_numbers: frozenset[int] = frozenset()
    encoding: str | None = None
    delimiter: str | None = None


RAKUTEN_RMS = Layout(
    source="rakuten",
    label_ja="楽天RMS 受注CSV",
    label_en="Rakuten RMS order CSV",
    fields={
        "order_id": (cols("受注番号"), cols("注文番号")),
        "ordered_at": (cols("注文日時"), cols("注文日", "注文時間")),
        "customer_name": (cols("注文者名字", "注文者名前"), cols("注文者氏名"), cols("注文者名")),
        "customer_name_kana": (cols("注文者名字フリガナ", "注文者名前フリガナ"), cols("注文者氏名フリガナ")),
        "customer_email": (cols("メールアドレス"), cols("注文者メールアドレス")),
        "customer_phone": (
            cols("注文者電話番号1", "注文者電話番号2", "注文者電話番号3", sep="-"),
            cols("注文者電話番号"),
        ),
        "ship_to_name": (cols("送付先名字", "送付先名前"), cols("送付先氏名")),
        "ship_to_postal_code": (cols("送付先郵便番号1", "送付先郵便番号2", sep="-"), cols("送付先郵便番号")),
        "ship_to_prefecture": (cols("送付先住所:都道府県"),),
        "ship_to_address": (
            cols("送付先住所:都市区", "送付先住所:町以降", sep=""),
            cols("送付先住所:郡市区", "送付先住所:それ以降の住所", sep=""),
            cols("送付先住所:市区町村以降"),
        ),
        "item_sku": (cols("商品番号"), cols("商品管理番号"), cols("商品ID")),
        "item_name": (cols("商品名"),),
        "quantity": (cols("個数"), cols("数量")),
        "unit_price": (cols("単価"), cols("商品単価")),
        "total": (cols("合計金額"), cols("請求金額")),
        "payment_method": (cols("決済方法"), cols("支払方法")),
        "shipping_method": (cols("配送方法"),),
        "is_gift": (cols("ギフトチェック"), cols("ギフト配送希望")),
        "shipped_at": (cols("発送日"), cols("発送完了日時"), cols("出荷日"), cols("配送日")),
        "carrier": (cols("配送会社"), cols("配送業者")),
        "tracking_number": (cols("お荷物伝票番号"), cols("伝票番号")),
    },
    required=("order_id", "ordered_at"),
    invalid_numbers=frozenset({-99999}),  # RMS: "(-99999=無効値)"
)

YAHOO = Layout(
    source="yahoo",
    label_ja="Yahoo!ショッピング 注文データCSV",
    label_en="Yahoo! Shopping order CSV",
    fields={
        "order_id": (cols("OrderId"),),
        "ordered_at": (cols("OrderTime"),),
        "customer_name": (cols("BillLastName", "BillFirstName"), cols("BillName")),
        "customer_name_kana": (cols("BillLastNameKana", "BillFirstNameKana"), cols("BillNameKana")),
        "customer_email": (cols("BillMailAddress"),),
        "customer_phone": (cols("BillPhoneNumber"),),
        "ship_to_name": (cols("ShipLastName", "ShipFirstName"), cols("ShipName")),
        "ship_to_postal_code": (cols("ShipZipCode"),),
        "ship_to_prefecture": (cols("ShipPrefecture"),),
        "ship_to_address": (cols("ShipCity", "ShipAddress1", "ShipAddress2", sep=""), cols("ShipAddress")),
        "item_sku": (cols("ItemId"), cols("SubCode")),
        "item_name": (cols("Title"), cols("ItemName")),
        "quantity": (cols("Quantity"),),
        "unit_price": (cols("UnitPrice"),),
        "total": (cols("TotalPrice"), cols("Total")),
        "payment_method": (cols("PayMethodName"), cols("PayMethod")),
        "shipping_method": (cols("ShipMethodName"), cols("ShipMethod")),
        "is_gift": (cols("IsGift"),),
        "shipped_at": (cols("ShipDate"),),
        "carrier": (cols("ShipCompanyName"),),
        "tracking_number": (cols("ShipInvoiceNumber1"), cols("ShipInvoiceNumber")),
    },
    required=("order_id", "ordered_at"),
)


def mapped_layout(mapping: ColumnMapping) -> Layout:
    """The layout a shop's column mapping describes; every mapped column must be in the file."""
    fields: dict[FieldName, tuple[Columns, ...]] = {}
    for name in FIELD_NAMES:
        headers: str | list[str] | None = getattr(mapping.columns, name)
        if headers is not None:
            fields[name] = (Columns((headers,) if isinstance(headers, str) else tuple(headers)),)
    return Layout(
        source=mapping.source,
        label_ja="CSV（列の対応づけ）",
        label_en="CSV with a column mapping",
        fields=fields,
        required=tuple(fields),
        date_format=mapping.date_format,
        encoding=mapping.encoding,
        delimiter=mapping.delimiter,
    )


@dataclass(frozen=True)
class ParsedCsv:
    """The orders a file holds (in file order) and the rows refused (by line)."""

    layout: Layout
    rows: int
    orders: list[Order]
    refused: list[RefusedRow]


def read_orders(data: bytes, layout: Layout, zone: tzinfo) -> ParsedCsv:
    """Read a CSV file in ``layout``; times without an offset are in ``zone`` (the shop's).

    Raises ``CsvFileError`` when the file as a whole cannot be taken (too big, not a CSV, the
    layout's columns are missing); a bad row only refuses that row and its order.
    """
    table = read_table(data, encoding=layout.encoding, delimiter=layout.delimiter)
    reader = _RowReader(layout, _bind(layout, table.header), zone)
    pending: dict[str, _Pending] = {}
    refused: list[RefusedRow] = []
    for row in table.rows:
        order_id = reader.order_id(row)
        if order_id is None:
            refused.append(_missing_id(row.line, layout))
            continue
        key = normalise_order_id(order_id)
        entry = pending.setdefault(key, _Pending(order_id=order_id))
        try:
            fields, item = reader.read(row)
        except values.CellError as exc:
            entry.bad.append(row.line)
            refused.append(_refusal(row.line, order_id, exc.reason, exc.message_ja, exc.message_en))
            continue
        entry.add(row.line, fields, item)
    orders: list[Order] = []
    for entry in pending.values():
        order = entry.build(layout, refused)
        if order is not None:
            orders.append(order)
    refused.sort(key=lambda refusal: refusal.line)
    return ParsedCsv(layout=layout, rows=len(table.rows), orders=orders, refused=refused)


# --- header → column positions --------------------------------------------------------------------


@dataclass(frozen=True)
class _Bound:
    indexes: tuple[int, ...]
    sep: str
    label: str


def _bind(layout: Layout, header: Sequence[str]) -> dict[FieldName, list[_Bound]]:
    positions: dict[str, int] = {}
    for index, name in enumerate(header):
        key = header_key(name)
        positions.setdefault(key, index)
    for index, name in enumerate(header):  # "合計金額(-99999=無効値)" answers to "合計金額" too
        bare = _TRAILING_NOTE.sub("", header_key(name))
        if bare:
            positions.setdefault(bare, index)
    bound: dict[FieldName, list[_Bound]] = {}
    for name, alternatives in layout.fields.items():
        found = [
            _Bound(
                tuple(positions[header_key(h)] for h in columns.headers),
                columns.sep,
                "+".join(columns.headers),
            )
            for columns in alternatives
            if all(header_key(h) in positions for h in columns.headers)
        ]
        if found:
            bound[name] = found
    missing = [name for name in layout.required if name not in bound]
    if missing:
        expected = "、".join("+".join(layout.fields[name][0].headers) for name in missing)
        raise CsvFileError(
            "missing_columns",
            f"{layout.label_ja}の見出しが見つかりません: {expected}（ファイルの形式を確認してください）",
            f"not a {layout.label_en}: the header lacks {expected.replace('、', ', ')}",
        )
    return bound


# --- one row --------------------------------------------------------------------------------------


@dataclass
class _RowReader:
    layout: Layout
    bound: dict[FieldName, list[_Bound]]
    zone: tzinfo

    def cell(self, row: Row, name: FieldName) -> tuple[str | None, str]:
        """The field's value in the row (first alternative with one) and the column(s) it came from."""
        alternatives = self.bound.get(name, [])
        for bound in alternatives:
            parts = [
                row.cells[i].strip() for i in bound.indexes if i < len(row.cells) and row.cells[i].strip()
            ]
            if parts:
                return bound.sep.join(parts), bound.label
        return None, alternatives[0].label if alternatives else name

    def order_id(self, row: Row) -> str | None:
        return values.text(self.cell(row, "order_id")[0])

    def read(self, row: Row) -> tuple[dict[str, Any], dict[str, Any] | None]:
        """The order's fields and the row's item (None when the row names no item).

        Every cell is read: a row with several bad cells is refused once, naming each of them.
        """
        problems: list[values.CellError] = []

        def take(read: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
            try:
                return read(*args, **kwargs)
            except values.CellError as exc:
                problems.append(exc)
                return None

        date_format = self.layout.date_format
        ordered_at = take(values.timestamp, *self.cell(row, "ordered_at"), self.zone, fmt=date_format)
        shipped_at = take(values.moment, *self.cell(row, "shipped_at"), self.zone, fmt=date_format)
        if ordered_at is None and shipped_at is None and not problems:
            problems.append(
                values.CellError(
                    "missing_field",
                    f"注文日時がありません（{self.cell(row, 'ordered_at')[1]}）",
                    f"the order date is missing ({self.cell(row, 'ordered_at')[1]})",
                )
            )
        invalid = self.layout.invalid_numbers
        customer = {
            "name": take(values.name, self.cell(row, "customer_name")[0]),
            "name_kana": take(values.kana, self.cell(row, "customer_name_kana")[0]),
            "email": take(values.email, *self.cell(row, "customer_email")),
            "phone": take(values.phone, self.cell(row, "customer_phone")[0]),
        }
        ship_to = {
            "name": take(values.name, self.cell(row, "ship_to_name")[0]),
            "postal_code": take(values.postal_code, self.cell(row, "ship_to_postal_code")[0]),
            "prefecture": take(values.prefecture, self.cell(row, "ship_to_prefecture")[0]),
            "address": take(values.text, self.cell(row, "ship_to_address")[0]),
        }
        fields: dict[str, Any] = {
            "ordered_at": ordered_at,
            "customer": customer,
            "ship_to": ship_to,
            "payment_method": take(values.text, self.cell(row, "payment_method")[0]),
            "shipping_method": take(values.text, self.cell(row, "shipping_method")[0]),
            "total": take(values.integer, *self.cell(row, "total"), invalid=invalid),
            "is_gift": _gift(
                take(values.flag, *self.cell(row, "is_gift")), customer["name"], ship_to["name"]
            ),
            "shipped_at": shipped_at,
            "carrier": take(values.text, self.cell(row, "carrier")[0]),
            "tracking_number": take(values.text, self.cell(row, "tracking_number")[0]),
        }
        item = self._item(row, invalid, take)
        if problems:
            raise _all_of(problems)
        return fields, item

    def _item(self, row: Row, invalid: frozenset[int], take: Callable[..., Any]) -> dict[str, Any] | None:
        sku = take(values.text, self.cell(row, "item_sku")[0])
        name = take(values.text, self.cell(row, "item_name")[0])
        quantity = take(values.quantity, *self.cell(row, "quantity"))
        unit_price = take(values.integer, *self.cell(row, "unit_price"), invalid=invalid)
        if sku is None and name is None:
            return None
        return {"sku": sku, "name": name, "quantity": quantity, "unit_price": unit_price}


def _all_of(problems: Sequence[values.CellError]) -> values.CellError:
    """One refusal for a row that names every bad cell (the first one's reason classifies it)."""
    if len(problems) == 1:
        return problems[0]
    return values.CellError(
        problems[0].reason,
        f"{len(problems)} 件の問題: " + "；".join(problem.message_ja for problem in problems),
        f"{len(problems)} problems: " + "; ".join(problem.message_en for problem in problems),
    )


def _gift(flagged: bool | None, buyer: str | None, recipient: str | None) -> bool | None:
    """Gift when the file says so, or when the recipient is not the buyer (SPEC: ``is_gift``)."""
    if flagged:
        return True
    if buyer and recipient and not same_person(buyer, recipient):
        return True
    if buyer and recipient:
        return False
    return flagged


# --- rows of one order ----------------------------------------------------------------------------


@dataclass
class _Pending:
    order_id: str
    lines: list[int] = field(default_factory=list)
    bad: list[int] = field(default_factory=list)
    fields: dict[str, Any] | None = None
    items: list[dict[str, Any]] = field(default_factory=list)

    def add(self, line: int, fields: dict[str, Any], item: dict[str, Any] | None) -> None:
        self.lines.append(line)
        if self.fields is None:
            self.fields = fields
        if item is not None:
            self.items.append(item)

    def build(self, layout: Layout, refused: list[RefusedRow]) -> Order | None:
        """The merged order, or None (its rows refused) when a row of it was bad or it does not validate."""
        if self.bad:
            bad = "、".join(str(line) for line in self.bad[:5])
            for line in self.lines:
                refused.append(
                    _refusal(
                        line,
                        self.order_id,
                        "other_row_refused",
                        f"同じ注文（{self.order_id}）の{bad}行目に誤りがあるため、この行も取り込みませんでした",
                        f"another row of order {self.order_id} (line {bad.replace('、', ', ')}) is refused, so this one is too",
                    )
                )
            return None
        if self.fields is None:
            return None
        try:
            return Order.model_validate(
                {"source": layout.source, "kind": "order", "order_id": self.order_id, "items": self.items}
                | self.fields
            )
        except ValidationError as exc:
            problem = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
            for line in self.lines:
                refused.append(
                    _refusal(
                        line,
                        self.order_id,
                        "bad_value",
                        f"注文として読めません: {problem}",
                        f"not a valid order: {problem}",
                    )
                )
            return None


def _refusal(
    line: int, order_id: str | None, reason: RefusalReason, message_ja: str, message_en: str
) -> RefusedRow:
    return RefusedRow(
        line=line,
        order_id=order_id[:128] if order_id else None,
        reason=reason,
        message_ja=message_ja[:_MAX_MESSAGE],
        message_en=message_en[:_MAX_MESSAGE],
    )


def _missing_id(line: int, layout: Layout) -> RefusedRow:
    label = "+".join(layout.fields["order_id"][0].headers)
    return _refusal(
        line,
        None,
        "missing_field",
        f"注文番号（{label}）がありません",
        f"the order id ({label}) is missing",
    )
