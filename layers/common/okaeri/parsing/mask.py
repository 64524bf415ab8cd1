"""Parse masks (解析マスク): an operator teaches Okaeri a mail layout without code (SPEC §2).

```yaml
name: mycart
match: {from: "order@mycart.example", subject_contains: "ご注文確認"}
fields:
  order_id: "注文番号：{value}"
  ordered_at: {pattern: "注文日時：{value}", format: "%Y年%m月%d日 %H:%M"}
  customer.name: "お名前：{value} 様"
  total: "合計金額：{value}円"
items: {start: "【ご注文商品】", end: "-----", line: "{name}（{sku}） {unit_price}円 × {quantity}"}
```

Literal text around ``{value}`` matches with whitespace and full/half-width tolerance (``:`` is
``：``, ``（`` is ``(``, spaces may be absent or doubled). ``{value}`` captures up to the literal
text after it, or to the end of the line. A pattern is first tried at the start of a line, then
anywhere. Numbers accept ``,``, ``，``, full-width digits, ``￥``/``¥`` and ``円``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from functools import lru_cache
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import ConfigDict, Field, field_validator

from okaeri.errors import ParseError
from okaeri.models.base import ConfigModel
from okaeri.models.order import Customer, Item, Order, ShipTo
from okaeri.models.shop import check_timezone
from okaeri.parsing.fields import gift_marked, is_gift
from okaeri.parsing.text import (
    PREFECTURES,
    clean_id,
    clean_kana,
    clean_name,
    find_email,
    find_phone,
    find_postal_code,
    first_token,
    fold,
    nfkc,
    parse_date_or_datetime,
    parse_datetime,
    split_address,
    squash,
    to_int,
    to_quantity,
)
from okaeri.parsing.view import Doc, MailView

#: The fields a mask can read, in the order the admin page's editor offers them (the page reads
#: this list from ``web/src/api/fields.json``, which ``make api-types`` writes).
MASK_FIELDS: tuple[str, ...] = (
    "order_id",
    "ordered_at",
    "customer.name",
    "customer.name_kana",
    "customer.email",
    "customer.phone",
    "ship_to.name",
    "ship_to.postal_code",
    "ship_to.prefecture",
    "ship_to.address",
    "payment_method",
    "shipping_method",
    "total",
    "shipped_at",
    "carrier",
    "tracking_number",
)
#: The fields that may have a ``format``.
MASK_TIME_FIELDS: tuple[str, ...] = ("ordered_at", "shipped_at")
_ITEM_PLACEHOLDERS = frozenset({"name", "sku", "quantity", "unit_price"})
_PLACEHOLDER = re.compile(r"\{([A-Za-z_]+)\}")
_MAX_ITEM_LINE = 300  # longer lines are no item lines (and two lazy groups on them would be slow)


class MaskField(ConfigModel):
    """A field written as ``{pattern: "注文日時：{value}", format: "%Y年%m月%d日 %H:%M"}``."""

    pattern: str
    format: str | None = None


class MaskMatch(ConfigModel):
    """Which mails a mask is for: the ``From`` header contains ``from``, the subject ``subject_contains``."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, populate_by_name=True)

    sender: str | None = Field(default=None, alias="from")
    subject_contains: str | None = None


class MaskItems(ConfigModel):
    """Item lines between the line containing ``start`` and the line containing ``end``."""

    start: str = Field(min_length=1)
    end: str | None = None
    line: str

    @field_validator("line")
    @classmethod
    def _placeholders(cls, value: str) -> str:
        names = _PLACEHOLDER.findall(value)
        unknown = sorted(set(names) - _ITEM_PLACEHOLDERS)
        if unknown:
            raise ValueError(
                f"使えない差し込み項目です: {', '.join(unknown)}（name, sku, quantity, unit_price） / "
                f"unknown placeholders {unknown} (use name, sku, quantity, unit_price)"
            )
        if len(names) != len(set(names)):
            raise ValueError("同じ差し込み項目が2回あります / a placeholder appears twice")
        if not {"name", "sku"} & set(names):
            raise ValueError("{name} か {sku} が必要です / the line needs {name} or {sku}")
        return value


class ParseMask(ConfigModel):
    """A shop-defined mail layout: which mails, and where each field is written."""

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
    kind: Literal["order", "shipment"] = "order"
    timezone: str | None = None
    match: MaskMatch = Field(default_factory=MaskMatch)
    fields: dict[str, str | MaskField]
    items: MaskItems | None = None

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        return None if value is None else check_timezone(value)

    @field_validator("fields")
    @classmethod
    def _known_fields(cls, value: dict[str, str | MaskField]) -> dict[str, str | MaskField]:
        unknown = sorted(set(value).difference(MASK_FIELDS))
        if unknown:
            raise ValueError(
                f"未知の項目です: {', '.join(unknown)} / unknown fields {unknown} "
                f"(known: {', '.join(sorted(MASK_FIELDS))})"
            )
        if "order_id" not in value:
            raise ValueError("order_id は必須です / order_id is required")
        for name, spec in value.items():
            pattern = spec.pattern if isinstance(spec, MaskField) else spec
            if _PLACEHOLDER.findall(pattern) != ["value"]:
                raise ValueError(
                    f"{name}: {{value}} をちょうど1つ含めてください / "
                    f"{name}: the pattern needs exactly one {{value}} and no other placeholder"
                )
            if isinstance(spec, MaskField) and spec.format and name not in MASK_TIME_FIELDS:
                raise ValueError(
                    f"{name}: format は日時の項目だけに使えます / {name}: format is only for date fields"
                )
        return value

    def zone(self, default: tzinfo) -> tzinfo:
        return ZoneInfo(self.timezone) if self.timezone else default

    def applies_to(self, view: MailView) -> bool:
        if self.match.sender and self.match.sender.lower() not in view.sender.lower():
            return False
        return not (
            self.match.subject_contains and fold(self.match.subject_contains) not in view.folded_subject
        )


# --- patterns → regular expressions ----------------------------------------------------------

_LITERAL_TOKEN = re.compile(r"\s+|:|×|.", re.DOTALL)
_OPTIONAL_SPACE = r"[ \t]*+"


def _literal(text: str) -> str:
    """A literal (already folded) as a regex: spaces optional, ``:`` spaced, ``×`` as x or *.

    Runs of optional space collapse into one possessive ``[ \t]*+``, so no pattern backtracks.
    """
    pieces: list[str] = []
    for token in _LITERAL_TOKEN.findall(text):
        if token.isspace():
            pieces.append(_OPTIONAL_SPACE)
        elif token in {":", "×"}:
            pieces += [_OPTIONAL_SPACE, ":" if token == ":" else "[×xX*]", _OPTIONAL_SPACE]
        else:
            pieces.append(re.escape(token))
    collapsed = [
        piece
        for index, piece in enumerate(pieces)
        if piece != _OPTIONAL_SPACE or pieces[index - 1 : index] != [piece]
    ]
    return "".join(collapsed)


@dataclass(frozen=True)
class FieldPattern:
    """A compiled ``…{value}…`` pattern: the text before ``{value}`` and the text after it."""

    at_line_start: re.Pattern[str]
    anywhere: re.Pattern[str]
    suffix: re.Pattern[str] | None

    def find(self, doc: Doc) -> str | None:
        """The first non-empty value: at the start of a line, else anywhere (once per line)."""
        for pattern in (self.at_line_start, self.anywhere):
            line_end = -1
            for match in pattern.finditer(doc.folded):
                if match.start() < line_end:
                    continue  # one try per line: the rest of a line is searched only once
                line_end = doc.folded.find("\n", match.end())
                line_end = len(doc.folded) if line_end < 0 else line_end
                value = self._value(doc, match.end(), line_end)
                if value:
                    return value
        return None

    def _value(self, doc: Doc, start: int, end: int) -> str | None:
        if self.suffix is not None:
            after = self.suffix.search(doc.folded, start, end)
            if after is None:
                return None
            end = after.start()
        return doc.text[start:end].strip(" \t\u3000") or None


@lru_cache(maxsize=1024)
def field_pattern(pattern: str) -> FieldPattern:
    before, _, after = fold(pattern).partition("{value}")
    prefix = _literal(before.strip())
    return FieldPattern(
        at_line_start=re.compile(rf"^[ \t]*+{prefix}[ \t]*+", re.MULTILINE),
        # with no text before {value}, "anywhere" would try every position: lines only
        anywhere=re.compile(rf"{prefix}[ \t]*+" if prefix else r"(?!)"),
        suffix=re.compile(_literal(after.strip())) if after.strip() else None,
    )


_ITEM_GROUPS = {
    "name": r"(?P<name>[^\n]+?)",
    "sku": r"(?P<sku>[^\n]+?)",
    "unit_price": r"(?:[¥\\][ \t]*+)?(?P<unit_price>\d[\d,]*+)",
    "quantity": r"(?P<quantity>\d[\d,]*+)",
}


@lru_cache(maxsize=256)
def item_pattern(line: str) -> re.Pattern[str]:
    pieces = _PLACEHOLDER.split(fold(line).strip())
    regex = "".join(
        _ITEM_GROUPS[piece] if index % 2 else _literal(piece) for index, piece in enumerate(pieces)
    )
    return re.compile(rf"^[ \t]*+{regex}[ \t]*+$")


# --- reading a mail --------------------------------------------------------------------------


def _capture(doc: Doc, spec: str | MaskField) -> str | None:
    return field_pattern(spec.pattern if isinstance(spec, MaskField) else spec).find(doc)


_TIME_DIRECTIVE = re.compile(r"%[HIMSXcpz]")


def _time(
    value: str | None, spec: str | MaskField | None, zone: tzinfo, *, date_ok: bool
) -> date | datetime | None:
    if value is None:
        return None
    fmt = spec.format if isinstance(spec, MaskField) else None
    if fmt:
        try:
            parsed = datetime.strptime(squash(nfkc(value)), fmt)
        except ValueError:
            parsed = None
        if parsed is not None:
            if date_ok and not _TIME_DIRECTIVE.search(fmt):
                return parsed.date()
            return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=zone)
    if date_ok:
        return parse_date_or_datetime(value, zone)
    return parse_datetime(value, zone)


def _items(spec: MaskItems, doc: Doc) -> list[Item]:
    start, end = fold(spec.start).strip(), fold(spec.end).strip() if spec.end else None
    pattern = item_pattern(spec.line)
    items: list[Item] = []
    inside = False
    for original, folded in doc.lines:
        if not inside:
            inside = start in folded
            continue
        if end and end in folded:
            break
        if len(folded) > _MAX_ITEM_LINE or (match := pattern.match(folded)) is None:
            continue
        groups = {name: original[match.start(name) : match.end(name)] for name in match.groupdict()}
        quantity = to_quantity(groups.get("quantity"))
        items.append(
            Item(
                name=squash(groups["name"]) if "name" in groups else None,
                sku=clean_id(groups.get("sku")),
                quantity=quantity if quantity is not None else 1,
                unit_price=to_int(groups.get("unit_price")),
            )
        )
    return items


def _address(values: dict[str, str | None]) -> ShipTo:
    postal, prefecture, address = None, None, values.get("ship_to.address")
    if address:
        postal, prefecture, address = split_address(address)
    written_prefecture = values.get("ship_to.prefecture")
    if written_prefecture:
        prefecture = written_prefecture if written_prefecture in PREFECTURES else prefecture
    return ShipTo(
        name=clean_name(values.get("ship_to.name")),
        postal_code=find_postal_code(values.get("ship_to.postal_code")) or postal,
        prefecture=prefecture,
        address=address,
    )


def parse_with_mask(mask: ParseMask, view: MailView, default_zone: tzinfo) -> Order | None:
    """The order this mask reads from ``view``, or None when its ``order_id`` is not there."""
    body = view.body
    values = {name: _capture(body, spec) for name, spec in mask.fields.items()}
    order_id = clean_id(values["order_id"])
    if order_id is None:
        return None
    zone = mask.zone(default_zone)
    ordered_at = _time(values.get("ordered_at"), mask.fields.get("ordered_at"), zone, date_ok=False)
    shipped_at = _time(values.get("shipped_at"), mask.fields.get("shipped_at"), zone, date_ok=True)
    customer = Customer(
        name=clean_name(values.get("customer.name")),
        name_kana=clean_kana(values.get("customer.name_kana")),
        email=find_email(values.get("customer.email")),
        phone=find_phone(values.get("customer.phone")),
    )
    ship_to = _address(values)
    return Order(
        source=f"mask:{mask.name}",
        kind=mask.kind,
        order_id=order_id,
        ordered_at=ordered_at if isinstance(ordered_at, datetime) else None,
        customer=customer,
        ship_to=ship_to,
        items=_items(mask.items, body) if mask.items else [],
        payment_method=values.get("payment_method"),
        shipping_method=values.get("shipping_method"),
        total=to_int(values.get("total")),
        is_gift=is_gift(customer.name, ship_to.name, marked=gift_marked(body)),
        shipped_at=shipped_at,
        carrier=values.get("carrier"),
        tracking_number=first_token(values.get("tracking_number")),
    )


def mask_missing(mask: ParseMask, view: MailView) -> ParseError:
    """The error for a mail this mask is for, but whose order id it cannot find."""
    pattern = mask.fields["order_id"]
    written = pattern.pattern if isinstance(pattern, MaskField) else pattern
    return ParseError(
        "missing_field",
        f"解析マスク {mask.name} に合うメールですが、order_id（{written}）が見つかりません（{view.describe()}）",
        f"the mail matches parse mask {mask.name!r} but its order_id ({written}) is missing "
        f"({view.describe()})",
    )
