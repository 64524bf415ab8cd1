"""Yahoo!ショッピング order mails: ``注文ID：…``, ``注文日時：2026年11月21日 09時15分30秒``.

The buyer is written as labelled lines (``ご注文者：… 様``, ``メールアドレス：…``) before the
``お届け先：… 様`` block; items are numbered ``（1）name`` with ``商品コード：…`` and
``5,400円×1＝5,400円`` lines; ``合計金額`` is the amount after points and coupons.
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
from okaeri.parsing.text import clean_id, clean_kana, clean_name, find_email, find_phone
from okaeri.parsing.view import Doc, MailView

SOURCE = "yahoo"

_SIGNATURE = labelled("注文ID")
_ID = labelled("注文ID", "注文番号", "ご注文番号")
_ORDERED_AT = labelled("注文日時", "ご注文日時", "注文日")
_BUYER = labelled("ご注文者", "注文者", "ご注文者名", "ご注文者氏名", "注文者氏名")
_BUYER_KANA = labelled("ご注文者(フリガナ)", "ご注文者(カナ)", "フリガナ")
_EMAIL = labelled("メールアドレス", "ご注文者メールアドレス")
_PHONE = labelled("電話番号", "ご注文者電話番号")
_PAYMENT = labelled("お支払い方法", "お支払方法", "支払方法", "決済方法")
_SHIPPING = labelled("配送方法", "お届け方法")
_RECIPIENT = labelled("お届け先", "お届け先氏名", "お届け先お名前", "お届け先名")
_TOTALS = (
    amount_line("合計金額", "お支払い金額", "お支払金額", "ご請求金額", "請求金額"),
    amount_line("合計"),
)
_ITEM_START = re.compile(r"^[ \t]*+\((?P<n>\d{1,3})\)[ \t]*+")
_ITEMS_END = re.compile(r"^[ \t]*+(?:={5,}|\*{5,}|-{5,})")
_LABELS = MallLabels(SOURCE, ordered_at=_ORDERED_AT, payment=_PAYMENT, shipping=_SHIPPING, totals=_TOTALS)


def recognise(view: MailView) -> bool:
    if view.body.has(_SIGNATURE):
        return True
    from_yahoo = any(address.endswith(".yahoo.co.jp") for address in view.sender_addresses)
    return from_yahoo and view.body.has(_BUYER)


def _recipient(doc: Doc) -> tuple[Person, int]:
    """The ``お届け先`` block and where it starts (the buyer's lines come before it)."""
    match = _RECIPIENT.search(doc.folded)
    if match is None:
        return Person(), len(doc.text)
    following = doc.text[match.end() :].lstrip("\n").split("\n")
    block: list[str] = []
    for line in following:
        if not line.strip(" \t\u3000"):
            break
        block.append(line)
    return person_from_block(doc.original(match, "v"), block), match.start()


def _buyer(doc: Doc) -> Person:
    return Person(
        name=clean_name(doc.value(_BUYER)),
        kana=clean_kana(doc.value(_BUYER_KANA)),
        phone=find_phone(doc.value(_PHONE)),
        email=find_email(doc.value(_EMAIL)),
    )


def _items(doc: Doc) -> list[Item]:
    reader = ItemReader()
    for original, folded in doc.lines:
        start = _ITEM_START.match(folded)
        if start is not None:
            reader.start(original[start.end() :])
        elif reader.started and _ITEMS_END.match(folded):
            break
        elif reader.started:
            reader.feed(original, folded)
    return reader.items()


def parse(view: MailView, zone: tzinfo) -> Order:
    body = view.body
    order_id = require_order_id(
        clean_id(body.value(_ID)), layout="Yahoo!ショッピング / Yahoo", label="注文ID"
    )
    written_recipient, recipient_at = _recipient(body)
    buyer = _buyer(body.section(0, recipient_at))
    return mall_order(
        view,
        zone,
        _LABELS,
        order_id=order_id,
        buyer=buyer,
        written_recipient=written_recipient,
        items=_items(body),
    )
