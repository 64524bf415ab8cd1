"""The mail being rendered (:class:`MailContext`) and the names a template sees for it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from okaeri.errors import TemplateError
from okaeri.models import Order, Shop
from okaeri.ports import CouponSource
from okaeri.rendering.coupons import POOL_PATTERN
from okaeri.rendering.sandbox import outside_budget
from okaeri.rendering.views import CustomerView, OrderView, ShopView, View

TEMPLATE_VIEWS: Final[dict[str, type[View]]] = {
    "customer": CustomerView,
    "order": OrderView,
    "shop": ShopView,
}
TEMPLATE_NAMES: Final = frozenset({*TEMPLATE_VIEWS, "review_url", "unsubscribe_url", "coupon"})
"""Every name a template may use besides Jinja's own (``loop``) and the globals (``range``…)."""


@dataclass(frozen=True, kw_only=True)
class MailContext:
    """One mail to render: whose order, which delivery, and what the mail may carry.

    ``delivery_id`` ties coupon codes to the delivery (a re-render gives the same code);
    ``advertising`` (a coupon or promotion step) adds the 特定電子メール法 footer;
    ``unsubscribe_url`` is the signed link of :func:`okaeri.unsubscribe_links.unsubscribe_url`.
    """

    shop: Shop
    order: Order
    delivery_id: str
    customer_order_count: int = 1
    advertising: bool = False
    unsubscribe_url: str | None = None
    coupons: CouponSource

    def __post_init__(self) -> None:
        if not self.delivery_id:
            raise ValueError("MailContext.delivery_id must not be empty (coupon codes are tied to it)")


def template_variables(ctx: MailContext) -> dict[str, Any]:
    """What ``{{ … }}`` can name while rendering ``ctx`` (built once per mail, shared by its parts)."""
    return {
        "customer": CustomerView.of(ctx.order.customer, ctx.customer_order_count),
        "order": OrderView.of(ctx.order, ctx.shop.tz),
        "shop": ShopView.of(ctx.shop),
        "review_url": ctx.shop.review_url,
        "unsubscribe_url": ctx.unsubscribe_url,
        "coupon": _coupon_function(ctx),
    }


def _coupon_function(ctx: MailContext) -> Callable[[str], str]:
    def coupon(pool: str) -> str:
        if not isinstance(pool, str) or not POOL_PATTERN.fullmatch(pool):
            raise TemplateError(
                f"クーポンプール名が正しくありません: {pool!r}",
                f"not a coupon pool name: {pool!r}",
                code="coupon_pool_name",
            )
        with outside_budget():
            return ctx.coupons.code_for(pool, ctx.delivery_id)

    return coupon
