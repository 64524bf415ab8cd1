"""Which reader a mail is for: the shop's parse masks, "not an order" notices, the mall layouts.

For each readable message in a mail (a carried mail before the one carrying it):
1. the masks whose ``match`` fits, in the order given (a mask that finds no order id passes);
2. a mall notice that is not an order (在庫ゼロ, レビュー, メルマガ…) is refused;
3. the built-in layouts, strongest signature first: Rakuten, Yahoo!ショッピング, EC-CUBE;
4. a newsletter or a mall's notice is ``not_an_order``; anything else is ``unrecognised``.
The first message that yields an order wins; otherwise the most telling refusal is raised.

An ``order`` that carries an order number and nothing of an order — no buyer's name or phone, no
ship-to, no items, no total, no payment method — is a notice about an order (Rakuten's
「注文に関するお知らせ」, a payment reminder, an inquiry), never an order: ``not_an_order``. The
buyer's address alone does not count, since a reader may take it from the ``To:`` header. A notice
that says the order was cancelled stays a ``cancellation``, whatever else it lacks.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import tzinfo

from okaeri.errors import ParseError
from okaeri.models.order import Order
from okaeri.parsing import eccube, rakuten, yahoo
from okaeri.parsing.mask import ParseMask, mask_missing, parse_with_mask
from okaeri.parsing.view import MailView


@dataclass(frozen=True)
class Layout:
    """A built-in layout: a cheap test on the decoded mail, and the parser for it."""

    recognise: Callable[[MailView], bool]
    parse: Callable[[MailView, tzinfo], Order]


# strongest signature first: Rakuten's bracket labels, Yahoo's 注文ID, then EC-CUBE's ご注文番号
LAYOUTS: tuple[Layout, ...] = (
    Layout(rakuten.recognise, rakuten.parse),
    Layout(yahoo.recognise, yahoo.parse),
    Layout(eccube.recognise, eccube.parse),
)

_NOTICE_SUBJECT = re.compile(
    r"在庫|レビュー|メルマガ|メールマガジン|ニュースレター|newsletter|アンケート|パスワード|ログイン"
    r"|会員登録|お問い?合わ?せ|問合せ|ご請求|請求書|利用料|月額",
    re.IGNORECASE,
)
_NOTICE_BODY = re.compile(
    r"在庫(?:数)?(?:が|は)?(?:ゼロ|0|切れ|なくなり|残りわずか)|レビュー(?:が|を)?(?:投稿|書)"
)
_ORDERISH = re.compile(r"注文|受注|発送|出荷|キャンセル|order", re.IGNORECASE)
_MALL_DOMAINS = ("rakuten.co.jp", "rakuten.ne.jp", "yahoo.co.jp", "amazon.co.jp", "amazon.com")

# how telling a refusal is, when a mail holds several messages
_RANK = {"missing_field": 3, "not_an_order": 2, "unrecognised": 1}


def _not_an_order(view: MailView, why_ja: str, why_en: str) -> ParseError:
    return ParseError(
        "not_an_order",
        f"注文メールではありません（{why_ja}）: {view.describe()}",
        f"not an order mail ({why_en}): {view.describe()}",
    )


def _from_mall(view: MailView) -> bool:
    return any(address.endswith(_MALL_DOMAINS) for address in view.sender_addresses)


def _refusal(view: MailView) -> ParseError:
    """Why a message no reader recognised is refused."""
    if view.bulk:
        return _not_an_order(view, "一斉配信のメール", "a mailing-list or bulk mail")
    if _NOTICE_BODY.search(view.body.folded):
        return _not_an_order(view, "モールからのお知らせ", "a mall notice")
    if _from_mall(view) and not _ORDERISH.search(view.folded_subject):
        return _not_an_order(view, "モールからのお知らせ", "a mall notice")
    return ParseError(
        "unrecognised",
        f"どの解析ルールにも一致しない形式です。解析マスクを追加してください: {view.describe()}",
        f"no parser or parse mask matches this layout; add a parse mask: {view.describe()}",
    )


def has_order_content(order: Order) -> bool:
    """Whether an order carries anything of an order besides its number (and a buyer address)."""
    customer, ship_to = order.customer, order.ship_to
    return bool(
        order.items
        or order.total is not None
        or order.payment_method
        or customer.name
        or customer.name_kana
        or customer.phone
        or ship_to.name
        or ship_to.postal_code
        or ship_to.prefecture
        or ship_to.address
    )


def _an_order(order: Order, view: MailView) -> Order:
    if order.kind == "order" and not has_order_content(order):
        raise _not_an_order(
            view,
            f"注文番号 {order.order_id} のほかに購入者・商品・金額がない、注文についてのお知らせ",
            f"a notice about order {order.order_id}: no buyer, items or total besides the order number",
        )
    return order


def parse_view(view: MailView, masks: Sequence[ParseMask], zone: tzinfo) -> Order:
    near_miss: ParseError | None = None
    for mask in masks:
        if mask.applies_to(view):
            order = parse_with_mask(mask, view, zone)
            if order is not None:
                return _an_order(order, view)
            near_miss = near_miss or mask_missing(mask, view)
    if _NOTICE_SUBJECT.search(view.folded_subject):
        raise _not_an_order(view, "件名がお知らせ・案内のもの", "the subject is a notice, not an order")
    for layout in LAYOUTS:
        if layout.recognise(view):
            return _an_order(layout.parse(view, zone), view)
    raise near_miss or _refusal(view)


def parse_views(views: Sequence[MailView], masks: Sequence[ParseMask], zone: tzinfo) -> Order:
    """The first order found in ``views``, else the most telling refusal."""
    refusals: list[ParseError] = []
    for view in views:
        try:
            return parse_view(view, masks, zone)
        except ParseError as refusal:
            refusals.append(refusal)
    raise max(refusals, key=lambda refusal: _RANK.get(refusal.reason, 0))
