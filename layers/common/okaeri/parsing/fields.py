"""Field extraction shared by the mall parsers: labels, people, items, gifts, shipments, kinds.

Label patterns are declared at import by each parser module and compiled on first use
(``LazyPattern``). Labels are written as in
the mails; they are folded like the text, and spaces may appear between their characters
(``小　計`` is ``小計``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo

from okaeri.compliance import is_rakuten_masked
from okaeri.errors import ParseError
from okaeri.models.order import Customer, Item, Order, OrderKind, ShipTo
from okaeri.parsing.lazy_pattern import LazyPattern, Pattern
from okaeri.parsing.text import (
    clean_id,
    clean_kana,
    clean_name,
    ends_with_sku,
    find_email,
    find_phone,
    first_token,
    fold,
    join_wrapped,
    nfkc,
    parse_date_or_datetime,
    parse_datetime,
    same_person,
    split_address,
    split_name_kana,
    split_sku_suffix,
    to_int,
    to_quantity,
)
from okaeri.parsing.view import Doc, MailView

# --- label patterns --------------------------------------------------------------------------

# Possessive quantifiers (``*+``) throughout: a 100 KB run of spaces must not make a pattern
# backtrack, so every pattern here runs in time linear in the line it reads.
_DECOR = r"[ \t]*+(?:[■□◆◇●○◎・*▼▽★☆※>]++[ \t]*+)?"


def _alternation(labels: Iterable[str]) -> str:
    return "|".join(
        r"[ \t]*+".join(re.escape(char) for char in fold(label) if not char.isspace()) for label in labels
    )


def _label(labels: Iterable[str], *, bare: str) -> str:
    """A line's label up to its value: ``[label]``, ``【label】`` or the bare label followed by
    ``bare`` (a lookahead, or nothing), then an optional colon."""
    alt = _alternation(labels)
    return (
        rf"^{_DECOR}(?:\[[ \t]*+(?:{alt})[ \t]*+\]|【[ \t]*+(?:{alt})[ \t]*+】|(?:{alt}){bare})"
        r"[ \t]*+(?::[ \t]*+)?"
    )


def labelled(*labels: str) -> LazyPattern:
    """``label: value``, ``label：value``, ``[label] value`` or ``【label】value`` on one line."""
    return LazyPattern(_label(labels, bare=r"(?=[ \t]*+:)") + r"(?P<v>[^\n]*)$", re.MULTILINE)


def amount_line(*labels: str) -> LazyPattern:
    """A label followed by an amount, colon optional: ``合計   7,360(円)``, ``合　計 ￥6,900``."""
    return LazyPattern(_label(labels, bare="") + r"(?:[¥\\][ \t]*+)?(?P<v>-?\d[\d,]*+)", re.MULTILINE)


def heading(*titles: str) -> LazyPattern:
    """A line that is (mostly) one of ``titles``: a section heading such as ``ご注文者情報``."""
    alt = _alternation(titles)
    return LazyPattern(rf"^{_DECOR}[\[【]?[ \t]*+(?:{alt})[ \t]*+(?:[\]】][ \t]*+)?$", re.MULTILINE)


def sections(doc: Doc, headings: Mapping[str, Pattern]) -> dict[str, Doc]:
    """Cut ``doc`` at the first line matching each heading; a section runs to the next heading."""
    starts = sorted(
        (match.start(), key) for key, pattern in headings.items() if (match := pattern.search(doc.folded))
    )
    ends = [start for start, _ in starts[1:]] + [len(doc.text)]
    return {key: doc.section(start, end) for (start, key), end in zip(starts, ends, strict=False)}


# --- order id --------------------------------------------------------------------------------


def require_order_id(value: str | None, *, layout: str, label: str) -> str:
    """The order id, or a ``missing_field`` error that names the field."""
    order_id = clean_id(value)
    if order_id is None:
        raise ParseError(
            "missing_field",
            f"{layout} の注文メールですが、{label}（注文番号）が見つかりません",
            f"a {layout} order mail, but its order id ({label}) is missing",
        )
    return order_id


# --- people ----------------------------------------------------------------------------------


@dataclass
class Person:
    name: str | None = None
    kana: str | None = None
    postal_code: str | None = None
    prefecture: str | None = None
    address: str | None = None
    phone: str | None = None
    email: str | None = None

    def customer(self, email: str | None = None) -> Customer:
        return Customer(name=self.name, name_kana=self.kana, email=email or self.email, phone=self.phone)

    def ship_to(self) -> ShipTo:
        return ShipTo(
            name=self.name, postal_code=self.postal_code, prefecture=self.prefecture, address=self.address
        )

    def set_address(self, text: str) -> None:
        postal, prefecture, rest = split_address(text)
        self.postal_code = self.postal_code or postal
        self.prefecture = self.prefecture or prefecture
        self.address = self.address or rest


_PHONE_LINE = re.compile(r"^[ \t]*+[(\[]?(?:TEL|Tel|tel|電話番号|電話|携帯|携帯電話)")
_EMAIL_LINE = re.compile(r"^[ \t]*+(?:E-?mail|e-?mail|メール)|@")


def person_from_block(first: str, rest: Iterable[str]) -> Person:
    """A person written as a block: ``name (kana)``, then ``〒postal address`` and ``(TEL) …`` lines."""
    name, kana = split_name_kana(first)
    person = Person(name=name, kana=kana)
    address: list[str] = []
    for line in rest:
        folded = fold(line)
        if not folded.strip():
            continue
        if _PHONE_LINE.match(folded):
            person.phone = person.phone or find_phone(line)
        elif _EMAIL_LINE.search(folded) and find_email(line):
            person.email = person.email or find_email(line)
        else:
            address.append(line.strip(" \t\u3000"))
    if address:
        person.set_address(" ".join(address))
    return person


_SAME_AS_BUYER = re.compile(r"^(?:同上|(?:ご)?注文者(?:様)?と同じ|(?:ご)?購入者(?:様)?と同じ)")


def recipient_or_buyer(recipient: Person, buyer: Person) -> Person:
    """The recipient, or the buyer when the recipient is written as ``同上`` / ``注文者と同じ``."""
    if recipient.name and _SAME_AS_BUYER.match(recipient.name):
        return buyer
    return recipient


_NAME = labelled("お名前", "氏名", "名前", "ご氏名")
_KANA = labelled("お名前(カナ)", "お名前(フリガナ)", "フリガナ", "お名前カナ", "氏名(カナ)", "カナ")
_POSTAL_LABEL = labelled("郵便番号", "〒")
_ADDRESS = labelled("住所", "ご住所", "お届け先住所")
_PHONE = labelled("電話番号", "TEL", "お電話番号", "電話")
EMAIL = labelled("メールアドレス", "E-mail", "Eメール", "メール", "e-mail")


def person_from_labels(doc: Doc) -> Person:
    """A person written as labelled lines: お名前 / フリガナ / 郵便番号 / 住所 / 電話番号 / メール."""
    person = Person(
        name=clean_name(doc.value(_NAME)),
        kana=clean_kana(doc.value(_KANA)),
        phone=find_phone(doc.value(_PHONE)),
        email=find_email(doc.value(EMAIL)),
    )
    postal = doc.value(_POSTAL_LABEL)
    address = doc.value(_ADDRESS)
    if address:
        person.set_address(f"{postal} {address}" if postal else address)
    elif postal:
        person.set_address(postal)
    return person


# --- customer email --------------------------------------------------------------------------

# fmt: off
_ROLE_MAILBOXES = frozenset({
    "shop", "store", "info", "order", "orders", "support", "sales", "admin", "noreply", "no-reply",
    "mail", "contact", "webmaster", "postmaster", "staff", "shipping", "customer", "service", "cs",
    "ec", "inbound",
})
# fmt: on


def _plausible_buyer_address(address: str, view: MailView) -> bool:
    local, _, domain = address.partition("@")
    if is_rakuten_masked(address):
        return True  # Rakuten's masked buyer address: the shop copy is addressed to it
    if local.split("+", 1)[0] in _ROLE_MAILBOXES:
        return False
    if any(sender.partition("@")[2] == domain for sender in view.sender_addresses):
        return False  # the shop's (or the mall's) own domain
    # an address the body names without calling it the buyer's is the shop's contact address
    return address not in view.body.folded.lower()


def buyer_email(view: MailView, written: str | None) -> str | None:
    """The buyer's address: as written in the body, else the ``To:`` address when it is the buyer's."""
    if written:
        return written
    return next((address for address in view.recipients if _plausible_buyer_address(address, view)), None)


# --- items -----------------------------------------------------------------------------------

PRICE_LINE = re.compile(
    r"^[ \t]*+(?:(?:価格|単価|販売価格|金額)[ \t]*+(?::[ \t]*+)?)?(?:[¥\\][ \t]*+)?(?P<price>\d[\d,]*+)[ \t]*+"
    r"(?:(?:\(円\)|円)[ \t]*+)?(?:\((?:税込|税別)\)[ \t]*+)?[x×*][ \t]*+(?P<qty>\d[\d,]*+)"
)


_SKU = labelled("商品コード", "商品番号", "商品ID", "商品管理番号", "品番", "SKU", "型番")
_ITEM_NAME = labelled("商品名", "品名")
_UNIT_PRICE = labelled("単価", "価格", "販売価格")
_QUANTITY = labelled("数量", "個数")
_OPTION = re.compile(r"^[ \t]*+[^:\n]{1,20}:")


def price_and_quantity(folded_line: str) -> tuple[int | None, int | None] | None:
    """``価格 3,240(円) x 2(個)`` or ``5,400円×1＝5,400円`` → (unit price, quantity)."""
    match = PRICE_LINE.match(folded_line)
    if match is None:
        return None
    return to_int(match["price"]), to_quantity(match["qty"])


@dataclass
class ItemDraft:
    """An item read line by line: a name (maybe wrapped, maybe ending ``(sku)``), labels, a price line.

    ``feed`` returns False when a line names a field this item already has: that line begins
    the next item.
    """

    name_lines: list[str] = field(default_factory=list)
    sku: str | None = None
    unit_price: int | None = None
    quantity: int | None = None
    name_done: bool = False

    def feed(self, original: str, folded: str) -> bool:
        if not folded.strip():
            return True
        priced = price_and_quantity(folded)
        if priced is not None:
            self.unit_price, self.quantity = priced
            self.name_done = True
            return True
        labelled_line = self._labelled(original, folded)
        if labelled_line is not None:
            return labelled_line
        return self._name_or_option(original, folded)

    def _labelled(self, original: str, folded: str) -> bool | None:
        """True: a label line taken; False: a label this item already has; None: no label."""
        if (match := _SKU.match(folded)) is not None:
            if self.sku is not None:
                return False
            self.sku = first_token(original[match.start("v") :])
        elif (match := _ITEM_NAME.match(folded)) is not None:
            if self.name_lines:
                return False
            self.name_lines = [original[match.start("v") :]]
            self.name_done = True
        elif (match := _UNIT_PRICE.match(folded)) is not None:
            self.unit_price = to_int(original[match.start("v") :])
        elif (match := _QUANTITY.match(folded)) is not None:
            self.quantity = to_quantity(original[match.start("v") :])
        else:
            return None
        return True

    def _name_or_option(self, original: str, folded: str) -> bool:
        if self.name_done or (self.name_lines and _OPTION.match(folded)):
            self.name_done = True  # an option line (のし:御中元) or text after the price
            return True
        self.name_lines.append(original)
        self.name_done = ends_with_sku(original)
        return True

    def item(self) -> Item | None:
        """The item, or None when this was no item (no code and no price)."""
        joined = join_wrapped(self.name_lines)
        name, suffix_sku = split_sku_suffix(joined) if self.sku is None else (joined, None)
        sku = self.sku or suffix_sku
        if sku is None and self.unit_price is None:
            return None
        return Item(
            name=name or None,
            sku=sku,
            quantity=self.quantity if self.quantity is not None else 1,
            unit_price=self.unit_price,
        )


class ItemReader:
    """Items read line by line; a line naming a field the current item already has starts the next."""

    def __init__(self) -> None:
        self._drafts: list[ItemDraft] = []

    @property
    def started(self) -> bool:
        return bool(self._drafts)

    def start(self, name_line: str | None = None) -> None:
        """Begin an item (at a separator, or at a numbered line holding its name)."""
        self._drafts.append(ItemDraft(name_lines=[name_line] if name_line is not None else []))

    def feed(self, original: str, folded: str) -> None:
        if not self._drafts:
            self.start()
        if not self._drafts[-1].feed(original, folded):
            self.start()
            self._drafts[-1].feed(original, folded)

    def items(self) -> list[Item]:
        return [item for draft in self._drafts if (item := draft.item()) is not None]


# --- gifts -----------------------------------------------------------------------------------

_GIFT_OPTION = re.compile(
    rf"^{_DECOR}[\[【]?[ \t]*+(?:のし|熨斗|ギフト[^:\n\]】]{{0,8}}|ラッピング[^:\n\]】]{{0,6}}|"
    r"プレゼント包装|メッセージカード)[ \t]*+(?:[\]】][ \t]*+)?:[ \t]*+(?P<v>[^\n]*)$",
    re.MULTILINE,
)
_ZERO_YEN = re.compile(r"[¥\\]?[ \t]*+0[ \t]*+(?:円|\(円\))?")
_NO = re.compile(r"^(?:なし|無し|不要|希望しない|しない|利用しない|指定なし|いいえ|no|none|-+|ー+)", re.I)


def gift_marked(doc: Doc) -> bool:
    """Whether an option line asks for a gift: ``のし:御中元``, ``ギフト包装:希望`` (not ``なし``, not 0円)."""
    for match in _GIFT_OPTION.finditer(doc.folded):
        value = nfkc(doc.original(match, "v")).strip()
        if not value or _NO.match(value):
            continue
        if _ZERO_YEN.fullmatch(value):
            continue
        return True
    return False


def is_gift(buyer: str | None, recipient: str | None, *, marked: bool) -> bool | None:
    """Gift when marked, or when the recipient is not the buyer; unknown when a name is missing."""
    if marked:
        return True
    if buyer and recipient:
        return not same_person(buyer, recipient)
    return None


# --- kind and shipments ----------------------------------------------------------------------

_CANCEL_SUBJECT = re.compile(r"キャンセル|取り?消し?")
_SHIP_SUBJECT = re.compile(r"(?:発送|出荷)(?!予定)")
_CANCEL_BODY = re.compile(
    r"キャンセル(?:を)?(?:いた|致)?しました|キャンセルを承りました|キャンセルとなりました|キャンセルされました"
    r"|キャンセル(?:処理|手続き)が完了|取り?消し(?:いた|致)しました|取り?消しました"
)
_SHIP_BODY = re.compile(r"(?:発送|出荷)(?:が)?(?:完了)?(?:いた|致)?しました(?!ら)")
SHIPPED_AT = labelled("発送日", "出荷日", "発送完了日", "出荷完了日", "発送日時", "出荷日時")
CARRIER = labelled("配送業者", "配送会社", "運送会社", "宅配業者", "運送業者", "配送業者名", "お届け業者")
TRACKING = labelled(
    "お問い合わせ番号",
    "お問い合せ番号",
    "お問合せ番号",
    "お問合わせ番号",
    "お問い合わせ伝票番号",
    "お荷物伝票番号",
    "配送伝票番号",
    "伝票番号",
    "送り状番号",
    "追跡番号",
    "荷物番号",
)


def order_kind(view: MailView) -> OrderKind:
    """``cancellation`` / ``shipment`` from the subject, else from the body, else ``order``."""
    if _CANCEL_SUBJECT.search(view.folded_subject):
        return "cancellation"
    if _SHIP_SUBJECT.search(view.folded_subject):
        return "shipment"
    folded = view.body.folded
    if _CANCEL_BODY.search(folded):
        return "cancellation"
    if _SHIP_BODY.search(folded) or view.body.has(TRACKING) or view.body.has(SHIPPED_AT):
        return "shipment"
    return "order"


def shipment_fields(kind: OrderKind, doc: Doc, zone: tzinfo) -> dict[str, date | datetime | str | None]:
    """``shipped_at``, ``carrier`` and ``tracking_number`` of a shipping notice (nothing otherwise)."""
    if kind != "shipment":
        return {}
    carrier = doc.value(CARRIER)
    return {
        "shipped_at": parse_date_or_datetime(doc.value(SHIPPED_AT), zone),
        "carrier": carrier or None,
        "tracking_number": first_token(doc.value(TRACKING)),
    }


@dataclass(frozen=True)
class MallLabels:
    """The lines a mall's mails label alike, each read the same way: order time, payment, shipping,
    total (the first of ``totals`` that finds an amount)."""

    source: str
    ordered_at: Pattern
    payment: Pattern
    shipping: Pattern
    totals: tuple[Pattern, ...]


def mall_order(
    view: MailView,
    zone: tzinfo,
    labels: MallLabels,
    *,
    order_id: str,
    buyer: Person,
    written_recipient: Person,
    items: list[Item],
    written_email: str | None = None,
) -> Order:
    """The ``Order`` of a mall's mail from what its parser found (order id, buyer, recipient as
    written, items, the buyer's address when written apart) and the lines ``labels`` name."""
    body = view.body
    recipient = recipient_or_buyer(written_recipient, buyer)
    kind = order_kind(view)
    return Order(
        source=labels.source,
        kind=kind,
        order_id=order_id,
        ordered_at=parse_datetime(body.value(labels.ordered_at), zone),
        customer=buyer.customer(buyer_email(view, written_email or buyer.email)),
        ship_to=recipient.ship_to(),
        items=items,
        payment_method=body.value(labels.payment),
        shipping_method=body.value(labels.shipping),
        total=body.amount(*labels.totals),
        is_gift=is_gift(buyer.name, recipient.name, marked=gift_marked(body)),
        **shipment_fields(kind, body, zone),
    )
