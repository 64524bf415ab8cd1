"""Customers on request: unsubscribe by hand, erase personal data (個人情報保護法), the suppression list.

**Erasure** (利用停止・消去の請求, 個人情報保護法 第35条), done in an order that a retry can finish:

1. the address goes on the suppression list first (reason ``manual``, unless it is listed already),
   so there is never a moment when it could be mailed again;
2. the customer's pending mails are cancelled (``scheduled`` / ``unknown`` → ``cancelled``, reason
   ``erased``, wake-ups deleted) and the recipient of every one of their deliveries is blanked;
3. every order of theirs loses its personal fields (name, kana, address, phone, the ship-to name,
   postal code and address); ids, items, totals and dates stay, and so does the order's status,
   so the orders stream's MODIFY record plans nothing (``services.schedule.on_order_change`` acts
   only on a new order, a shipment date or a cancellation) and a blank address plans no mail;
4. last, the customer item: address and name become ``ERASED`` (its counts stay). Its being erased
   is what marks the whole erasure done: asking again answers 200 and writes nothing.

The erasure is logged in the audit log by customer id and counts only, never personal data.

The suppression entry keeps the plain address. That is allowed, and needed: it is the minimum
kept to honour the person's refusal (特定電子メール法 第3条 forbids mailing one who refused, so the
shop must be able to recognise the address when a new order brings it again; 個人情報保護法 lets a
business keep what it needs for a legal duty). The list is keyed by the address today; a keyed
hash would serve the same check and is a possible later change of the whole list.

Not erased here: the raw mails in S3 (kept for their retention period by the bucket's lifecycle
rule, readable only by the shop's operators) and the reception log's sender and subject lines.

**Suppression list**: a manager may add an address (reason ``manual``) and remove the entries the
shop added (``manual``). An opt-out (``unsubscribe``), a hard bounce or a complaint is lifted by an
owner only: mailing again needs the person's renewed consent or a corrected address. An erased
customer's address is never lifted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from pydantic import BaseModel, ConfigDict, Field

from okaeri.errors import BadRequestError, ConflictError, ForbiddenError, NotFoundError
from okaeri.identity import customer_id_for, normalise_address
from okaeri.models import CustomerRecord, Delivery, DeliveryStatus, OrderRecord
from okaeri.services.operations import OperationsDeps, customer_orders, get_customer

#: What an erased customer's address and name become.
ERASED: Final = "[erased]"
#: Why the erasure cancels a mail.
ERASED_REASON: Final = "erased"
MANUAL: Final = "manual"
#: Suppressions a manager may lift; the others need an owner.
MANAGER_MAY_LIFT: Final = frozenset({MANUAL})
OWNER_MAY_LIFT: Final = frozenset({MANUAL, "unsubscribe", "bounce", "complaint"})


def is_erased(customer: CustomerRecord) -> bool:
    return customer.email == ERASED


# --- unsubscribe by hand ---------------------------------------------------------------------------


class CustomerDetail(BaseModel):
    model_config = ConfigDict(defer_build=True)

    customer: CustomerRecord
    erased: bool
    suppression: str | None = Field(description="配信停止の理由 / why the address is suppressed (or null)")
    orders: list[OrderRecord]
    deliveries: list[Delivery]


def customer_detail(deps: OperationsDeps, shop_id: str, customer_id: str) -> CustomerDetail:
    """A customer, whether their address is suppressed (not told once erased), their orders and
    their mails, newest first."""
    customer = get_customer(deps, shop_id, customer_id)
    deliveries = deps.deliveries.by_customer(shop_id, customer.customer_id)
    erased = is_erased(customer)
    return CustomerDetail(
        customer=customer,
        erased=erased,
        suppression=None if erased else deps.customers.suppression(shop_id, customer.email),
        orders=customer_orders(deps, shop_id, customer),
        deliveries=sorted(deliveries, key=lambda d: (d.send_at, d.id), reverse=True),
    )


class CustomerStatus(BaseModel):
    model_config = ConfigDict(defer_build=True)

    customer: CustomerRecord
    suppression: str | None
    changed: bool


def unsubscribe(deps: OperationsDeps, shop_id: str, customer_id: str, *, by: str) -> CustomerStatus:
    """The customer asked the shop to stop mailing them: suppressed (``manual``: no mail at all) and
    marked unsubscribed. Asked again, nothing changes and nothing is logged again."""
    customer = get_customer(deps, shop_id, customer_id)
    if is_erased(customer):
        raise ConflictError(
            "このお客様の個人情報は消去済みです（配信は既に停止されています）。",
            "This customer's personal data was erased (mail to them is stopped already).",
            code="customer_erased",
        )
    now = deps.clock.now()
    changed = False
    if deps.customers.suppression(shop_id, customer.email) is None:
        deps.customers.suppress(shop_id, customer.email, reason=MANUAL, at=now, delivery_id=None)
        changed = True
    if customer.unsubscribed_at is None:
        deps.customers.mark_unsubscribed(shop_id, customer_id, at=now)
        changed = True
    if changed:
        deps.logs.put_audit(
            shop_id, action="customer.unsubscribe", at=now, detail={"customer": customer_id, "by": by}
        )
    return CustomerStatus(
        customer=get_customer(deps, shop_id, customer_id),
        suppression=deps.customers.suppression(shop_id, customer.email),
        changed=changed,
    )


# --- erasure ---------------------------------------------------------------------------------------


class ErasureResult(BaseModel):
    """What an erasure did (counts and the customer id only: no personal data)."""

    model_config = ConfigDict(defer_build=True)

    customer_id: str
    already: bool = False
    orders_redacted: int = 0
    deliveries_cancelled: int = 0
    deliveries_redacted: int = 0


@dataclass
class _Tally:
    orders: list[str] = field(default_factory=list)
    cancelled: list[str] = field(default_factory=list)
    redacted: int = 0


def erase(deps: OperationsDeps, shop_id: str, customer_id: str, *, confirm: str, by: str) -> ErasureResult:
    """Erase the customer's personal data (see the module). ``confirm`` must be their address."""
    customer = get_customer(deps, shop_id, customer_id)
    if customer_id_for(confirm) != customer_id or (
        not is_erased(customer) and normalise_address(confirm) != normalise_address(customer.email)
    ):
        raise BadRequestError(
            "確認のため、このお客様のメールアドレスを正しく入力してください。",
            "To confirm, enter this customer's email address exactly.",
            code="confirm_mismatch",
        )
    if is_erased(customer):
        return ErasureResult(customer_id=customer_id, already=True)
    now = deps.clock.now()
    if deps.customers.suppression(shop_id, customer.email) is None:
        deps.customers.suppress(shop_id, customer.email, reason=MANUAL, at=now, delivery_id=None)
    tally = _Tally()
    order_keys = _erase_deliveries(deps, shop_id, customer_id, tally)
    _erase_orders(deps, customer, order_keys, tally)
    deps.customers.erase(shop_id, customer_id, marker=ERASED, at=now)
    result = ErasureResult(
        customer_id=customer_id,
        orders_redacted=len(tally.orders),
        deliveries_cancelled=len(tally.cancelled),
        deliveries_redacted=tally.redacted,
    )
    deps.logs.put_audit(
        shop_id, action="customer.erase", at=now, detail=result.model_dump(exclude={"already"}) | {"by": by}
    )
    return result


def _erase_deliveries(deps: OperationsDeps, shop_id: str, customer_id: str, tally: _Tally) -> set[str]:
    """Cancel what is pending, blank every recipient; the keys of the orders they were for."""
    order_keys: set[str] = set()
    for delivery in deps.deliveries.by_customer(shop_id, customer_id):
        order_keys.add(delivery.order_key)
        if delivery.status in (DeliveryStatus.SCHEDULED, DeliveryStatus.UNKNOWN) and deps.deliveries.finish(
            shop_id,
            delivery.id,
            status=DeliveryStatus.CANCELLED,
            reason=ERASED_REASON,
            from_status=[DeliveryStatus.SCHEDULED, DeliveryStatus.UNKNOWN],
        ):
            deps.schedules.delete(delivery.id)
            tally.cancelled.append(delivery.id)
        if delivery.customer_email and deps.deliveries.redact_email(shop_id, delivery.id):
            tally.redacted += 1
    return order_keys


def _erase_orders(
    deps: OperationsDeps, customer: CustomerRecord, order_keys: set[str], tally: _Tally
) -> None:
    """Redact every order of the customer: those found through them, and those their mails were for."""
    shop_id = customer.shop_id
    keys = {record.order_key for record in customer_orders(deps, shop_id, customer)} | order_keys
    now = deps.clock.now()
    for order_key in sorted(keys):
        if deps.orders.redact_personal(shop_id, order_key, at=now) is not None:
            tally.orders.append(order_key)


# --- the suppression list --------------------------------------------------------------------------


def add_suppression(deps: OperationsDeps, shop_id: str, address: str, *, by: str) -> tuple[str, bool]:
    """List the address (``manual``); (its reason now, whether it was added)."""
    existing = deps.customers.suppression(shop_id, address)
    if existing is not None:
        return existing, False
    now = deps.clock.now()
    deps.customers.suppress(shop_id, address, reason=MANUAL, at=now, delivery_id=None)
    deps.logs.put_audit(
        shop_id,
        action="suppression.add",
        at=now,
        detail={"customer": customer_id_for(address), "reason": MANUAL, "by": by},
    )
    return deps.customers.suppression(shop_id, address) or MANUAL, True


def remove_suppression(deps: OperationsDeps, shop_id: str, address: str, *, owner: bool, by: str) -> str:
    """Lift the address's suppression (see the module for who may lift what); its former reason."""
    reason = deps.customers.suppression(shop_id, address)
    if reason is None:
        raise NotFoundError(
            "このアドレスは配信停止リストにありません。",
            "This address is not on the suppression list.",
            code="not_listed",
        )
    allowed = OWNER_MAY_LIFT if owner else MANAGER_MAY_LIFT
    if reason not in allowed:
        raise ForbiddenError(
            f"理由「{reason}」の配信停止はオーナーだけが解除できます。",
            f"Only an owner may lift a suppression for {reason!r}.",
            code="forbidden_role",
        )
    customer = deps.customers.get(shop_id, customer_id_for(address))
    if customer is not None and is_erased(customer):
        raise ConflictError(
            "個人情報を消去したお客様のアドレスは、配信停止を解除できません。",
            "The address of a customer whose data was erased stays suppressed.",
            code="customer_erased",
        )
    if not deps.customers.unsuppress(shop_id, address, reasons=allowed):
        raise ConflictError(
            "配信停止の内容が変わりました。読み込み直してください。",
            "The suppression changed meanwhile; reload it.",
            code="suppression_changed",
        )
    deps.logs.put_audit(
        shop_id,
        action="suppression.remove",
        at=deps.clock.now(),
        detail={"customer": customer_id_for(address), "reason": reason, "by": by},
    )
    return reason
