"""A realistic sample order for previews: the scenario plan preview, the template preview and test
send, and the calendar's "an order placed now ships on …".

Pure: the shop, the moment and (optionally) a scenario's conditions in, an ``Order`` out. The
source follows the shop's compliance profile (a Rakuten shop gets a Rakuten order with a Rakuten
order number), the order time is ``now`` in the shop's zone, and when a scenario's conditions are
given the sample is made to meet them where it can (its first source, a SKU its first glob
matches, its payment method and prefecture, the gift flag, the minimum total), so a preview shows
the plan of an order the scenario would really take. Names and addresses are made up; mail goes
to ``example.com``.
"""

from __future__ import annotations

import re
from datetime import datetime

from okaeri.models import Conditions, Customer, Item, Order, ShipTo, Shop

SAMPLE_EMAIL = "hanako.yamada@example.com"
SOURCE_BY_PROFILE = {"rakuten": "rakuten", "yahoo": "yahoo", "none": "api"}
_ITEMS = (
    Item(sku="gift-set-a", name="季節の詰め合わせ ギフトセット", quantity=1, unit_price=4320),
    Item(sku="tea-100g", name="煎茶 100g", quantity=2, unit_price=1080),
)
_BUYER = Customer(name="山田 花子", name_kana="ヤマダ ハナコ", email=SAMPLE_EMAIL, phone="03-0000-0000")
_HOME = ShipTo(name="山田 花子", postal_code="158-0094", prefecture="東京都", address="世田谷区玉川1-2-3")
_GIFT_TO = ShipTo(
    name="山田 一郎", postal_code="530-0001", prefecture="大阪府", address="大阪市北区梅田4-5-6"
)
_GLOB_WILDCARDS = re.compile(r"\*|\?|\[!?[^\]]*\]")


def sample_order(shop: Shop, now: datetime, conditions: Conditions | None = None) -> Order:
    """An order placed at ``now`` at ``shop`` (meeting ``conditions`` where it can)."""
    cond = conditions or Conditions()
    source = _source(shop, cond)
    items = [item.model_copy() for item in _ITEMS]  # the order's own copies: callers may edit them
    if cond.skus:
        items[0] = items[0].model_copy(update={"sku": concrete_sku(cond.skus[0])})
    total = sum((item.unit_price or 0) * item.quantity for item in items)
    if cond.min_total is not None and total < cond.min_total:
        items[0] = items[0].model_copy(
            update={"unit_price": (items[0].unit_price or 0) + cond.min_total - total}
        )
        total = cond.min_total
    gift = bool(cond.gift)
    ship_to = _GIFT_TO if gift else _HOME
    if cond.prefectures:
        ship_to = ship_to.model_copy(update={"prefecture": cond.prefectures[0]})
    local = now.astimezone(shop.tz)
    return Order(
        source=source,
        kind="order",
        order_id=_order_id(source, local),
        ordered_at=local.replace(microsecond=0),
        customer=_BUYER.model_copy(),
        ship_to=ship_to.model_copy(),
        items=items,
        payment_method=cond.payment_methods[0] if cond.payment_methods else "クレジットカード",
        shipping_method="宅配便",
        total=total,
        currency="JPY",
        is_gift=gift,
    )


def sample_order_count(conditions: Conditions | None = None) -> int:
    """The customer's order count the sample stands for: a first order unless the conditions ask
    for a repeat customer (``first_order: false``, ``min_order_count``)."""
    cond = conditions or Conditions()
    count = cond.min_order_count or 1
    if cond.first_order is False:
        count = max(count, 2)
    return count


def concrete_sku(pattern: str) -> str:
    """A SKU the glob ``pattern`` matches: ``cherry-*`` → ``cherry-sample``, ``a?`` → ``a1``."""

    def fill(match: re.Match[str]) -> str:
        token = match.group(0)
        if token == "*":
            return "sample"
        if token == "?":
            return "1"
        members = token[2:-1] if token.startswith("[!") else token[1:-1]
        if token.startswith("[!"):
            return next(char for char in "1aZ_" if char not in members)
        return members[0] if members else "1"

    return _GLOB_WILDCARDS.sub(fill, pattern)


def _source(shop: Shop, cond: Conditions) -> str:
    if cond.sources:
        return cond.sources[0]
    return SOURCE_BY_PROFILE.get(shop.compliance, "api")


def _order_id(source: str, local: datetime) -> str:
    day = local.strftime("%Y%m%d")
    if source == "rakuten":
        return f"999999-{day}-0000000001"  # shop number, date, serial: as RMS numbers them
    if source == "yahoo":
        return f"sample-{day}-10000001"
    return f"SAMPLE-{source.replace(':', '-').upper()}-{day}-0001"
