"""Seed-style ``@tags@`` that operators of other follow-mail apps know, as Jinja expressions.

``@client_name@`` becomes ``{{ customer.name }}`` before the template is compiled, so an alias goes
through the same sandbox and the same HTML escaping as the Jinja tag it stands for. An ``@`` that
follows a letter, digit or ``.``/``_``/``%``/``+``/``-`` is part of an e-mail address
(``info@example.com``) and is left alone; an ``@word@`` that is not a known tag is an error.
"""

from __future__ import annotations

import re
from typing import Final

from okaeri.errors import TemplateError
from okaeri.rendering.coupons import POOL_PATTERN

ALIASES: Final[dict[str, str]] = {
    "client_name": "customer.name",
    "customer_name": "customer.name",
    "order_number": "order.order_id",
    "order_id": "order.order_id",
    "order_date": "order.ordered_at",
    "review_url": "review_url",
    "unsubscribe_url": "unsubscribe_url",
    "shop_name": "shop.name",
    "signature": "shop.signature",
    "tracking_number": "order.tracking_number",
    "carrier": "order.carrier",
}
"""``@name@`` → the Jinja expression it prints; ``@coupon_<POOL>@`` prints ``coupon("<POOL>")``."""

COUPON_PREFIX: Final = "coupon_"

_TAG = re.compile(r"(?<![A-Za-z0-9._%+\-@])@([A-Za-z][A-Za-z0-9_-]*)@")


def translate_tags(source: str) -> str:
    """Replace every ``@tag@`` in ``source`` with its Jinja tag; an unknown one raises ``unknown_tag``."""
    if "@" not in source:
        return source
    return _TAG.sub(_expression, source)


def _expression(match: re.Match[str]) -> str:
    name = match.group(1)
    alias = ALIASES.get(name.lower())
    if alias is not None:
        return f"{{{{ {alias} }}}}"
    if name.lower().startswith(COUPON_PREFIX):
        pool = name[len(COUPON_PREFIX) :]
        if POOL_PATTERN.fullmatch(pool):
            return f'{{{{ coupon("{pool}") }}}}'
    known = ", ".join(f"@{tag}@" for tag in (*ALIASES, f"{COUPON_PREFIX}<POOL>"))
    raise TemplateError(
        f"不明な差し込みタグ {match.group(0)} があります（使えるタグ: {known}）",
        f"unknown merge tag {match.group(0)} (known tags: {known})",
        code="unknown_tag",
    )
