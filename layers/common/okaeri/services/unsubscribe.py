"""Unsubscribe: a signed opt-out link (``/u/<token>``) → the customer unsubscribed, once.

The token names the shop and the delivery and carries a keyed hash of the recipient's address
(``okaeri.unsubscribe_links``). Opting out suppresses advertising mail to the address (transactional
thanks still go, per 特定電子メール法) and marks the customer. Clicking twice, or a mail client
that follows the one-click POST and the link, answers ``already`` and writes nothing more.
A test send's or a preview's link (no delivery behind it) answers ``test`` and writes nothing.
Every answer names the shop when the token does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from okaeri.attribution import step_stats_id
from okaeri.errors import InvalidTokenError
from okaeri.models import Delivery
from okaeri.ports import Clock, Customers, Deliveries, Logs, ShopConfig
from okaeri.services.previews import PREVIEW_DELIVERY_ID, TEST_DELIVERY_ID
from okaeri.unsubscribe_links import UnsubscribeClaim, verify_token

#: the delivery ids of mails that no delivery stands behind (previews and operators' test sends)
NO_DELIVERY_IDS = frozenset({PREVIEW_DELIVERY_ID, TEST_DELIVERY_ID})


@dataclass(frozen=True)
class UnsubscribeDeps:
    config: ShopConfig
    customers: Customers
    deliveries: Deliveries
    logs: Logs
    clock: Clock
    secret: bytes


@dataclass(frozen=True)
class UnsubscribeResult:
    """``status``: ``unsubscribed`` (now), ``already`` (nothing left to do), ``test`` (a test send's
    or preview's link: nothing to do), ``confirm`` (a valid link, asked before acting) or
    ``refused`` (``reason``). ``shop_name``: the shop the link belongs to, when the token names one."""

    status: str
    shop_id: str | None = None
    reason: str | None = None
    shop_name: str | None = None


def _claim(deps: UnsubscribeDeps, token: str) -> UnsubscribeClaim | UnsubscribeResult:
    try:
        return verify_token(deps.secret, token)
    except InvalidTokenError as exc:
        return UnsubscribeResult("refused", reason=exc.code)


def _result(
    deps: UnsubscribeDeps, status: str, claim: UnsubscribeClaim, reason: str | None = None
) -> UnsubscribeResult:
    shop = deps.config.shop(claim.shop_id)
    return UnsubscribeResult(
        status, shop_id=claim.shop_id, reason=reason, shop_name=shop.name if shop is not None else None
    )


def check_link(deps: UnsubscribeDeps, *, token: str) -> UnsubscribeResult:
    """What the confirmation page (``GET``) may say about a link, changing nothing: ``confirm``,
    ``test`` or ``refused`` (a token that is not ours; whether the delivery exists is left to the POST)."""
    claim = _claim(deps, token)
    if isinstance(claim, UnsubscribeResult):
        return claim
    return _result(deps, "test" if claim.delivery_id in NO_DELIVERY_IDS else "confirm", claim)


def unsubscribe(deps: UnsubscribeDeps, *, token: str) -> UnsubscribeResult:
    claim = _claim(deps, token)
    if isinstance(claim, UnsubscribeResult):
        return claim
    if claim.delivery_id in NO_DELIVERY_IDS:
        return _result(deps, "test", claim)
    delivery = deps.deliveries.get(claim.shop_id, claim.delivery_id)
    if delivery is None or not delivery.customer_email:
        return _result(deps, "refused", claim, reason="not_found")
    if not claim.is_for(deps.secret, delivery.customer_email):
        return _result(deps, "refused", claim, reason="invalid_token")
    now = deps.clock.now()
    if not _opt_out(deps, delivery, delivery.customer_email, now):
        return _result(deps, "already", claim)
    deps.logs.put_audit(
        claim.shop_id,
        action="unsubscribe",
        at=now,
        detail={"delivery": delivery.id, "customer": delivery.customer_id, "via": "link"},
    )
    shop = deps.config.shop(claim.shop_id)
    deps.config.count(
        claim.shop_id,
        day=now.astimezone(shop.tz if shop else UTC).date(),
        scenario_id=delivery.scenario_id,
        step_id=step_stats_id(delivery.step_id, delivery.variant),
        counter="unsubscribed",
    )
    return UnsubscribeResult("unsubscribed", shop_id=claim.shop_id, shop_name=shop.name if shop else None)


def _opt_out(deps: UnsubscribeDeps, delivery: Delivery, address: str, now: datetime) -> bool:
    """Write what is missing (suppression, customer flag); False when both were there already.

    Any suppression already blocks advertising (a bounce or complaint blocks everything), so it
    is left as it is.
    """
    changed = False
    if deps.customers.suppression(delivery.shop_id, address) is None:
        deps.customers.suppress(
            delivery.shop_id, address, reason="unsubscribe", at=now, delivery_id=delivery.id
        )
        changed = True
    if delivery.customer_id is not None:
        customer = deps.customers.get(delivery.shop_id, delivery.customer_id)
        if customer is not None and customer.unsubscribed_at is None:
            deps.customers.mark_unsubscribed(delivery.shop_id, delivery.customer_id, at=now)
            changed = True
    return changed
