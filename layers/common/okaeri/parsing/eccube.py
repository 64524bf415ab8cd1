"""EC-CUBE (own-site cart) mails: order confirmation, shipping notice, cancellation.

Labelled lines (``ご注文日時：2026/11/22 23:58:01``, ``ご注文番号：1042``,
``お支払い合計：￥6,900``) and sections under ``****`` headings: ご注文商品明細 (items as
商品コード / 商品名 / 単価 / 数量), ご注文者情報 and 配送情報 (◎お届け先). The shipping notice
carries ``発送日``, ``配送業者`` and ``お問い合わせ番号``; both go to the buyer, so the ``To:``
address is the buyer's when the body does not say.
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
    heading,
    labelled,
    mall_order,
    order_kind,
    person_from_labels,
    require_order_id,
    sections,
)
from okaeri.parsing.text import clean_name
from okaeri.parsing.view import Doc, MailView

SOURCE = "ec-cube"

_ID = labelled("ご注文番号", "注文番号", "受注番号")
_ORDERED_AT = labelled("ご注文日時", "注文日時", "ご注文日", "受注日時")
_TOTALS = (
    amount_line("お支払い合計", "お支払合計", "ご請求金額", "お支払い金額", "お支払金額"),
    amount_line("合計"),
)
_PAYMENT = labelled("お支払い方法", "お支払方法", "支払方法")
_SHIPPING = labelled("配送方法", "お届け方法")
_HEADINGS = {
    "items": heading("ご注文商品明細", "ご注文商品", "ご注文内容", "商品明細"),
    "buyer": heading("ご注文者情報", "注文者情報", "ご購入者情報", "ご注文者"),
    "delivery": heading("配送情報", "お届け先情報", "配送先情報", "お届け先"),
}
# what tells EC-CUBE's layout from any mail with an order number
_SIGNATURE_ID = labelled("ご注文番号")
_MARKERS = (
    heading("ご注文商品明細"),
    heading("ご注文者情報"),
    heading("配送情報"),
    amount_line("お支払い合計"),
)
_ITEM_START = labelled("商品コード", "商品名", "品番")
_RULE = re.compile(r"^[ \t]*+(?:-{5,}+|={5,}+)[ \t]*+$")
_GREETING = re.compile(r"^[ \t]*+(?P<v>[^\n:]{1,30}?)[ \t]*様[ \t]*$")
_LABELS = MallLabels(SOURCE, ordered_at=_ORDERED_AT, payment=_PAYMENT, shipping=_SHIPPING, totals=_TOTALS)


def recognise(view: MailView) -> bool:
    body = view.body
    if body.has(_SIGNATURE_ID):
        return any(body.has(marker) for marker in _MARKERS) or order_kind(view) != "order"
    # an order layout without its number: parse() reports the missing field
    return body.has(_ORDERED_AT) and body.has(_MARKERS[1])


def _items(doc: Doc) -> list[Item]:
    reader = ItemReader()
    for original, folded in doc.lines:
        if not reader.started and _ITEM_START.match(folded) is None:
            continue  # the lines before the first 商品コード / 商品名
        if _RULE.match(folded):
            break
        reader.feed(original, folded)
    return reader.items()


def _greeting_name(doc: Doc) -> str | None:
    """``田中 次郎 様`` on the first line of a mail addressed to the buyer."""
    first = next((line for line in doc.lines if line[1].strip()), None)
    if first is None:
        return None
    match = _GREETING.match(first[1])
    return clean_name(first[0][match.start("v") : match.end("v")]) if match else None


def parse(view: MailView, zone: tzinfo) -> Order:
    body = view.body
    order_id = require_order_id(body.value(_ID), layout="EC-CUBE", label="ご注文番号")
    parts = sections(body, _HEADINGS)
    buyer = person_from_labels(parts["buyer"]) if "buyer" in parts else Person()
    buyer.name = buyer.name or _greeting_name(body)
    return mall_order(
        view,
        zone,
        _LABELS,
        order_id=order_id,
        buyer=buyer,
        written_recipient=person_from_labels(parts["delivery"]) if "delivery" in parts else Person(),
        items=_items(parts.get("items", body)),
    )
