"""Unsubscribe: a signed opt-out link (``/u/<token>``) → the customer unsubscribed, once.

The token names the shop and the delivery and carries a keyed hash of the recipient's address
(``okaeri.unsubscribe``). Opting out suppresses advertising mail to the address (transactional
thanks still go, per 特定電子メール法) and marks the customer. Clicking twice, or a mail client
that follows the one-click POST and the link, answers ``already`` and writes nothing more.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from okaeri.errors import InvalidTokenError
from okaeri.models import Delivery
from okaeri.ports import Clock, Customers, Deliveries, Logs, ShopConfig
from okaeri.unsubscribe import verify_token


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
    """``status``: ``unsubscribed`` (now), ``already`` (nothing left to do) or ``refused`` (``reason``)."""

    status: str
    shop_id: str | None = None
    reason: str | None = None


def unsubscribe(deps: UnsubscribeDeps, *, token: str) -> UnsubscribeResult:
    try:
        claim = verify_token(deps.secret, token)
    except InvalidTokenError as exc:
        return UnsubscribeResult("refused", reason=exc.code)
    delivery = deps.deliveries.get(claim.shop_id, claim.delivery_id)
    if delivery is None or not delivery.customer_email:
        return UnsubscribeResult("refused", shop_id=claim.shop_id, reason="not_found")
    if not claim.is_for(deps.secret, delivery.customer_email):
        return UnsubscribeResult("refused", shop_id=claim.shop_id, reason="invalid_token")
    now = deps.clock.now()
    if not _opt_out(deps, delivery, delivery.customer_email, now):
        return UnsubscribeResult("already", shop_id=claim.shop_id)
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
        step_id=delivery.step_id,
        counter="unsubscribed",
    )
    return UnsubscribeResult("unsubscribed", shop_id=claim.shop_id)


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
