"""Rakuten Ichiba (楽天市場) mails: bracket labels ``[受注番号]``, ``[注文者]``, ``[送付先]``, ``[商品]``.

The order id is ``NNNNNN-YYYYMMDD-NNNNNNNN`` with an 8- or 10-digit serial. ``[注文者]`` and
``[送付先]`` are blocks: ``name (kana)`` then ``〒postal address`` and ``(TEL) …`` lines. The
``[商品]`` block holds items separated by ``----------``: a product name (maybe wrapped over
several lines) ending ``(sku)``, option lines such as ``のし:御中元``, then
``価格 3,240(円) x 2(個) = 6,480(円)``. The shop copy goes to the buyer's masked address
(``…@pc.fw.rakuten.ne.jp``), which is the customer email when the body gives none.
"""

from __future__ import annotations

import re
from datetime import tzinfo

from okaeri.models.order import Item, Order
from okaeri.parsing.fields import (
    ItemReader,
    MallLabels,
    Person,
    amount_line,
    labelled,
    mall_order,
    person_from_block,
    require_order_id,
)
from okaeri.parsing.text import clean_id, find_email, fold
from okaeri.parsing.view import Doc, MailView

SOURCE = "rakuten"

_ORDER_ID = re.compile(r"\d{6}-\d{8}-\d{8}(?:\d{2})?(?!\d)")
_SIGNATURE = re.compile(r"^[ \t]*+\[[ \t]*+(?:受注番号|注文者|送付先)[ \t]*+\]", re.MULTILINE)
_LABELLED_ID = re.compile(r"(?:受注番号|注文番号)[ \t]*+(?:[\]】:][ \t]*+)?\d{6}-\d{8}-\d{8}")
_ID = labelled("受注番号", "注文番号")
_ORDERED_AT = labelled("日時", "注文日時", "受注日時")
_PAYMENT = labelled("支払方法", "決済方法", "お支払方法", "お支払い方法")
_SHIPPING = labelled("配送方法", "お届け方法")
_EMAIL = re.compile(r"^[ \t]*+\[[ \t]*+(?:注文者)?メールアドレス[ \t]*+\][ \t]*+(?P<v>[^\n]*)$", re.MULTILINE)
_TOTALS = (
    amount_line("請求金額", "ご請求金額", "お支払い金額", "お支払金額", "支払金額"),
    amount_line("合計金額", "合計"),
)

_LABEL_LINE = re.compile(r"^[ \t]*+\[[ \t]*+(?P<label>[^\]\n]{1,20}?)[ \t]*\][ \t]*")
# fmt: off
_KNOWN_LABELS = frozenset({
    "受注番号", "注文番号", "日時", "注文日時", "受注日時", "注文者", "支払方法", "決済方法", "お支払方法",
    "ポイント利用方法", "配送方法", "お届け方法", "備考", "ショップ名", "送付先", "お届け先", "商品",
    "メールアドレス", "注文者メールアドレス", "発送日", "出荷日", "配送会社", "お荷物伝票番号", "伝票番号",
    "お問い合わせ番号", "合計", "請求金額",
})
# fmt: on
_BLOCK_END = re.compile(r"^[ \t]*+[*=]{5,}+[ \t]*+$")
_ITEM_SEPARATOR = re.compile(r"^[ \t]*+-{5,}+[ \t]*+$")
_LABELS = MallLabels(SOURCE, ordered_at=_ORDERED_AT, payment=_PAYMENT, shipping=_SHIPPING, totals=_TOTALS)


def recognise(view: MailView) -> bool:
    return view.body.has(_SIGNATURE) or view.body.has(_LABELLED_ID)


def _blocks(doc: Doc) -> dict[str, list[tuple[str, str]]]:
    """The lines under each ``[label]`` (first occurrence), the label line's rest first.

    A block ends at the next label, a ``*****`` rule, or a blank line; the ``[商品]`` block runs
    over blank lines and takes an unknown ``[…]`` line (a product name) as its own.
    """
    blocks: dict[str, list[tuple[str, str]]] = {}
    current: list[tuple[str, str]] | None = None
    label = ""
    for original, folded in doc.lines:
        match = _LABEL_LINE.match(folded)
        found = match["label"].replace(" ", "") if match is not None else ""
        if match is not None and (label != "商品" or found in _KNOWN_LABELS):
            label = found
            current = [] if label in blocks else blocks.setdefault(label, [])
            current.append((original[match.end() :], folded[match.end() :]))
        elif current is not None and (_BLOCK_END.match(folded) or (label != "商品" and not folded.strip())):
            current, label = None, ""
        elif current is not None:
            current.append((original, folded))
    return blocks


def _person(block: list[tuple[str, str]] | None) -> Person:
    if not block:
        return Person()
    return person_from_block(block[0][0], (original for original, _ in block[1:]))


def _items(block: list[tuple[str, str]] | None) -> list[Item]:
    reader = ItemReader()
    for original, folded in block or []:
        if _ITEM_SEPARATOR.match(folded):
            reader.start()
        else:
            reader.feed(original, folded)
    return reader.items()


def _order_id(view: MailView) -> str | None:
    written = view.body.value(_ID)
    if written is None:
        match = _ORDER_ID.search(view.body.folded)
        return match.group() if match else None
    match = _ORDER_ID.search(fold(written))
    if match is not None:
        return match.group()
    tokens = written.split()
    return clean_id(tokens[0]) if tokens else None


def parse(view: MailView, zone: tzinfo) -> Order:
    body = view.body
    order_id = require_order_id(_order_id(view), layout="楽天市場 / Rakuten", label="[受注番号]")
    blocks = _blocks(body)
    return mall_order(
        view,
        zone,
        _LABELS,
        order_id=order_id,
        buyer=_person(blocks.get("注文者")),
        written_recipient=_person(blocks.get("送付先") or blocks.get("お届け先")),
        items=_items(blocks.get("商品")),
        written_email=find_email(body.value(_EMAIL)),
    )
