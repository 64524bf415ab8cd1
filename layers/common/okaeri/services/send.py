"""Send: a wake-up → claim, check, render, one send, mark (SPEC §1, decision 4).

A schedule is only a wake-up: what DynamoDB says now decides. The delivery is claimed first, in
one conditional write with no read before it (``scheduled`` and due → ``sending`` with a lease); a
refused claim brings back the delivery as it was, which says why (missing, not ``scheduled``, not
due). Then the mail is checked and rendered, goes out through exactly one transport call, and the
delivery is marked ``sent`` with the provider's message id. Nothing is ever re-sent by itself: a
send that may have gone out (an ambiguous answer, or a process that died after the claim) stays
``sending`` until its lease runs out and the sweeper marks it ``unknown`` for an operator.

Throttling never waits inside the function (a Lambda's wait is billed, and holds one of the few
concurrent sends the SES rate allows): a throttled send releases its claim and its wake-up moves
``throttle_delay`` later, 30–90 s, spread by the delivery id (see ``throttle_delay``).

Journeys across orders (issue #16, docs/journeys-reorder-and-cap.md): a mail of a step its pinned
scenario version stops on reorder is skipped ``reordered`` when its customer's last order is not the
run's own and came after the run started (whatever order the stream brought the orders in); an
advertising mail over the shop's ``frequency_cap`` is skipped ``frequency_cap``, decided last, by a
conditional reservation (``ports.FrequencyCaps``) that a throttled or retried send keeps and a send
that failed for good gives back.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from okaeri.attribution import step_stats_id
from okaeri.compliance import check_send, is_rakuten_masked
from okaeri.errors import (
    AmbiguousSendError,
    CouponPoolEmptyError,
    InvalidAddressError,
    PlanningError,
    TemplateError,
    ThrottledError,
    TransportError,
)
from okaeri.identity import customer_id_for
from okaeri.models import (
    CustomerRecord,
    Delivery,
    DeliveryStatus,
    Finding,
    Order,
    OrderRecord,
    RelayConfig,
    Scenario,
    SendLogEntry,
    Shop,
    Step,
    Template,
)
from okaeri.models.delivery import Skip
from okaeri.planner import ship_date
from okaeri.ports import (
    CLAIM_TOLERANCE,
    Clock,
    Coupons,
    CouponSource,
    Customers,
    Deliveries,
    FrequencyCaps,
    Logs,
    Orders,
    Schedules,
    ShopConfig,
    Transport,
)
from okaeri.rendering import MailContext, render_mail
from okaeri.rendering.coupons import ShopCoupons
from okaeri.services.conversions import count_skip
from okaeri.services.schedule import move_wake_up
from okaeri.unsubscribe_links import make_token, unsubscribe_url

#: A throttled send is tried again this much later, plus a share of the jitter (``throttle_delay``).
THROTTLE_DELAY = timedelta(seconds=30)
THROTTLE_JITTER_SECONDS = 60
#: Why a claim was refused when the delivery is still ``scheduled`` and due (another claim won).
CLAIMED_ELSEWHERE = "claimed_elsewhere"


@dataclass(frozen=True)
class SendDeps:
    config: ShopConfig
    customers: Customers
    deliveries: Deliveries
    schedules: Schedules
    logs: Logs
    coupons: Coupons
    ses: Transport
    relay_for: Callable[[RelayConfig], Transport]
    clock: Clock
    unsubscribe_secret: bytes
    orders: Orders  # the order the mail is about (rendering, and a last check that it is not cancelled)
    caps: FrequencyCaps  # the shop's frequency cap on advertising mails (issue #16)
    lease: timedelta = timedelta(minutes=10)
    retry_delay: timedelta = timedelta(minutes=15)  # a relay or SES refused for now (retryable)
    max_attempts: int = 5  # claims of one delivery before a retryable refusal becomes ``failed``


class SendStatus(StrEnum):
    """What one attempt to send a delivery came to (``SendOutcome.status``, the send log's ``status``)."""

    SENT = "sent"
    SKIPPED = "skipped"
    NOT_DUE = "not_due"
    NOT_SCHEDULED = "not_scheduled"
    MISSING = "missing"
    THROTTLED = "throttled"
    RETRY_LATER = "retry_later"
    FAILED = "failed"
    AMBIGUOUS = "ambiguous"


@dataclass
class SendOutcome:
    delivery_id: str
    status: SendStatus
    reason: str | None = None
    message_id: str | None = None
    transport: str | None = None


@dataclass(frozen=True)
class _Mail:
    """Everything checked before the claim: what to render and which way it goes out."""

    shop: Shop
    step: Step
    order: OrderRecord
    recipient: str
    transport: Transport


def send_delivery(deps: SendDeps, *, shop_id: str, delivery_id: str) -> SendOutcome:
    """Send one delivery if, and only if, DynamoDB says it is ``scheduled`` and due."""
    now = deps.clock.now()
    claim = deps.deliveries.claim(shop_id, delivery_id, now=now, lease_until=now + deps.lease)
    if not claim.claimed or claim.delivery is None:
        return _refused(delivery_id, claim.delivery, now)
    return _send_claimed(deps, claim.delivery, now)


def _refused(delivery_id: str, found: Delivery | None, now: datetime) -> SendOutcome:
    """Why the claim did not take, from the delivery as the claim found it."""
    if found is None:
        return SendOutcome(delivery_id, SendStatus.MISSING)
    if found.status != DeliveryStatus.SCHEDULED:
        return SendOutcome(delivery_id, SendStatus.NOT_SCHEDULED, reason=found.status)
    if found.send_at > now + CLAIM_TOLERANCE:
        return SendOutcome(delivery_id, SendStatus.NOT_DUE)
    return SendOutcome(delivery_id, SendStatus.NOT_SCHEDULED, reason=CLAIMED_ELSEWHERE)


def _send_claimed(deps: SendDeps, delivery: Delivery, now: datetime) -> SendOutcome:
    """Check and render the claimed delivery, then send it. Until the transport call nothing can
    have gone out: an unexpected error releases the claim (due now) before it propagates, so the
    invocation's retry (or the sweeper) finds it ``scheduled`` again, not ``unknown``."""
    try:
        mail = _prepare(deps, delivery, now)
        if isinstance(mail, str):
            return _skip(deps, delivery, now, mail)
        try:
            raw = _render(deps, mail, delivery, now)
        except (TemplateError, CouponPoolEmptyError, InvalidAddressError) as exc:
            return _fail(deps, delivery, now, exc.code, mail=mail)
    except Exception:
        deps.deliveries.release(delivery.shop_id, delivery.id, send_at=now, reason="error")
        raise
    return _transmit(deps, mail, delivery, raw)


def throttle_delay(delivery_id: str) -> timedelta:
    """How much later a throttled delivery is tried again: ``THROTTLE_DELAY`` plus 0–60 s chosen by
    the delivery id, so that the mails SES refused together do not all come back together."""
    spread = int.from_bytes(hashlib.sha256(delivery_id.encode("utf-8")).digest()[:4], "big")
    return THROTTLE_DELAY + timedelta(seconds=spread % (THROTTLE_JITTER_SECONDS + 1))


# --- transports ---------------------------------------------------------------------------------


def choose_transport(recipient: str, relays: Sequence[RelayConfig]) -> RelayConfig | None:
    """The relay for the recipient's domain (the most specific match), or None for SES."""
    matches = [(length, relay) for relay in relays if (length := relay.match_length(recipient)) is not None]
    return max(matches, key=lambda match: match[0])[1] if matches else None


# --- before the claim ---------------------------------------------------------------------------


def _prepare(deps: SendDeps, delivery: Delivery, now: datetime) -> _Mail | str:
    """The mail to send, or why it must not go out (a skip reason)."""
    record = deps.orders.get(delivery.shop_id, delivery.order_key)
    shop = deps.config.shop(delivery.shop_id)
    scenario = deps.config.scenario_version(delivery.shop_id, delivery.scenario_id, delivery.scenario_version)
    step = None if scenario is None else scenario.find_step(delivery.step_id)
    recipient = delivery.customer_email
    if record is None or shop is None or scenario is None or step is None or not recipient:
        return _absent(record, shop, step)
    customer = _customer(deps, delivery) if step.is_advertising or scenario.stops_on_reorder(step) else None
    refusal = (
        (Skip.ORDER_CANCELLED if record.status == "cancelled" else None)
        or _reorder_refusal(delivery, scenario, step, customer)
        or _audience_refusal(deps, delivery, recipient, step, customer)
        or _compliance_refusal(deps, shop, step, record, delivery, now=now)
    )
    if refusal is not None:
        return refusal
    relay = choose_transport(recipient, deps.config.relays(shop.id))
    if relay is None and is_rakuten_masked(recipient):
        return Skip.RELAY_MISSING
    if not _within_cap(deps, shop, step, delivery, now):  # last: a refusal after it would hold a slot
        return Skip.FREQUENCY_CAP
    transport = deps.ses if relay is None else deps.relay_for(relay)
    return _Mail(shop=shop, step=step, order=record, recipient=recipient, transport=transport)


def _absent(record: OrderRecord | None, shop: Shop | None, step: Step | None) -> Skip:
    """Which part of a mail is gone (an order, shop or scenario version deleted meanwhile)."""
    if record is None:
        return Skip.ORDER_MISSING
    if shop is None:
        return Skip.SHOP_MISSING
    return Skip.SCENARIO_MISSING if step is None else Skip.NO_RECIPIENT


def _customer(deps: SendDeps, delivery: Delivery) -> CustomerRecord | None:
    return (
        None if delivery.customer_id is None else deps.customers.get(delivery.shop_id, delivery.customer_id)
    )


def _reorder_refusal(
    delivery: Delivery, scenario: Scenario, step: Step, customer: CustomerRecord | None
) -> Skip | None:
    """``reordered`` when the step stops on reorder (its pinned version's ``stop_on_reorder``) and
    the customer's last order is another one, placed after this mail's run started: an order that
    came after the run, or this run's order arriving after a later one. A customer item written
    before issue #16 (``last_order_at`` the time it was received, no ``last_order_key``) stops nothing."""
    if customer is None or customer.last_order_key is None or customer.last_order_at is None:
        return None
    if delivery.run_started_at is None:
        return None
    if not scenario.stops_on_reorder(step) or customer.last_order_key == delivery.order_key:
        return None
    return Skip.REORDERED if customer.last_order_at > delivery.run_started_at else None


def _cap_customer(delivery: Delivery) -> str:
    """Whose frequency cap a mail counts against: its customer (by address for an old delivery)."""
    return delivery.customer_id or customer_id_for(delivery.customer_email or "")


def _within_cap(deps: SendDeps, shop: Shop, step: Step, delivery: Delivery, now: datetime) -> bool:
    """Transactional mails and shops without a cap pass; an advertising mail takes a slot."""
    cap = shop.frequency_cap
    if cap is None or not step.is_advertising:
        return True
    return deps.caps.reserve(shop.id, _cap_customer(delivery), delivery.id, at=now, cap=cap)


def _give_back_slot(deps: SendDeps, mail: _Mail, delivery: Delivery) -> None:
    """A send that failed for good (nothing went out) frees the cap's slot it held."""
    if mail.shop.frequency_cap is not None and mail.step.is_advertising:
        deps.caps.release(delivery.shop_id, _cap_customer(delivery), delivery.id)


def _audience_refusal(
    deps: SendDeps, delivery: Delivery, recipient: str, step: Step, customer: CustomerRecord | None
) -> Skip | None:
    """Bounced, complained or blocked addresses get nothing; an opt-out stops advertising only.

    Under 特定電子メール法 an opt-out covers advertising mail; a transactional thanks still goes.
    """
    suppression = deps.customers.suppression(delivery.shop_id, recipient)
    if suppression is not None and suppression != "unsubscribe":
        return Skip.SUPPRESSED
    unsubscribed = customer is not None and customer.unsubscribed_at is not None
    if step.is_advertising and (suppression == "unsubscribe" or unsubscribed):
        return Skip.UNSUBSCRIBED
    return None


def current_ship_date(shop: Shop, order: Order, delivery: Delivery) -> date | None:
    """The order's ship date now (the real one once a shipment came), else the planned one."""
    try:
        return ship_date(shop, order)
    except PlanningError:
        return delivery.ship_date


def window_base_date(shop: Shop, scenario: Scenario | None, delivery: Delivery, shipped: date) -> date | None:
    """What the shop's ``max_window_days`` counts from, when not from shipping: a win-back's
    (``trigger: lapsed``) base date, the lapse day, which is the day its run started
    (``run_started_at``; for a delivery without it, ``lapsed_days`` after the last order's shipping)."""
    if scenario is None or scenario.trigger != "lapsed":
        return None
    if delivery.run_started_at is not None:
        return delivery.run_started_at.astimezone(shop.tz).date()
    return shipped + timedelta(days=scenario.lapsed_days or 0)


def compliance_errors(
    config: ShopConfig, shop: Shop, step: Step, delivery: Delivery, *, order: Order | None, send_at: datetime
) -> list[Finding] | None:
    """The compliance errors of sending ``delivery`` at ``send_at``, under its order's own profile
    (its mall's, by the order's source and the recipient; else the shop's); None when its ship date is
    unknown. Shared with the admin API's reschedule, so a moved mail is not skipped when it is sent."""
    shipped = delivery.ship_date if order is None else current_ship_date(shop, order, delivery)
    if shipped is None:
        return None
    scenario = config.scenario_version(delivery.shop_id, delivery.scenario_id, delivery.scenario_version)
    source = order.source if order is not None else delivery.order_key.partition("#")[0]
    return check_send(
        shop,
        step,
        source=source,
        recipient=delivery.customer_email,
        ship_date=shipped,
        send_at=send_at,
        base_date=window_base_date(shop, scenario, delivery, shipped),
    )


def _compliance_refusal(
    deps: SendDeps, shop: Shop, step: Step, record: OrderRecord, delivery: Delivery, *, now: datetime
) -> str | None:
    errors = compliance_errors(deps.config, shop, step, delivery, order=record.order, send_at=now)
    if errors is None:
        return f"{Skip.COMPLIANCE}:ship_date_unknown"
    return f"{Skip.COMPLIANCE}:{errors[0].rule}" if errors else None


# --- rendering ----------------------------------------------------------------------------------


def delivery_template(config: ShopConfig, delivery: Delivery) -> Template:
    """The pinned template version, with the operator's edit of this one mail laid over it
    (shared with the admin API's preview of a delivery)."""
    template = config.template(delivery.shop_id, delivery.template_id, delivery.template_version)
    if template is None:
        raise TemplateError(
            f"テンプレート {delivery.template_id}（版 {delivery.template_version}）が見つかりません",
            f"template {delivery.template_id} (version {delivery.template_version}) does not exist",
            code="template_missing",
        )
    edits: dict[str, str | None] = {}
    if delivery.edited_subject is not None:
        edits["subject"] = delivery.edited_subject
    if delivery.edited_text is not None:  # the edited text is the whole mail: no stale HTML beside it
        edits |= {"text": delivery.edited_text, "html": None, "mobile_text": None}
    return template.model_copy(update=edits) if edits else template


def mail_context(
    *,
    shop: Shop,
    step: Step,
    order: OrderRecord,
    delivery: Delivery,
    recipient: str,
    unsubscribe_secret: bytes,
    coupons: CouponSource,
) -> MailContext:
    """What a delivery's mail is rendered from (shared with the admin API's preview of a delivery)."""
    token = make_token(unsubscribe_secret, shop_id=delivery.shop_id, delivery_id=delivery.id, email=recipient)
    return MailContext(
        shop=shop,
        order=order.order,
        delivery_id=delivery.id,
        customer_order_count=order.order_rank,  # this order's place, even if more came since
        advertising=step.is_advertising,
        unsubscribe_url=unsubscribe_url(shop, token),
        coupons=coupons,
    )


def _render(deps: SendDeps, mail: _Mail, delivery: Delivery, now: datetime) -> bytes:
    context = mail_context(
        shop=mail.shop,
        step=mail.step,
        order=mail.order,
        delivery=delivery,
        recipient=mail.recipient,
        unsubscribe_secret=deps.unsubscribe_secret,
        coupons=ShopCoupons(deps.coupons, delivery.shop_id),
    )
    _, message = render_mail(delivery_template(deps.config, delivery), context, to=mail.recipient, now=now)
    return bytes(message)


# --- the send -----------------------------------------------------------------------------------


def _transmit(deps: SendDeps, mail: _Mail, delivery: Delivery, raw: bytes) -> SendOutcome:
    """One transport call per attempt. Throttled (nothing sent): released, and woken again
    ``throttle_delay`` later, without waiting here."""
    tags = {"shop": delivery.shop_id, "delivery": delivery.id}
    try:
        message_id = mail.transport.send(
            sender=mail.shop.sender.address, recipient=mail.recipient, raw=raw, tags=tags
        )
    except ThrottledError:
        delay = throttle_delay(delivery.id)
        return _later(deps, mail, delivery, delay=delay, status=SendStatus.THROTTLED, reason="throttled")
    except AmbiguousSendError as exc:  # may have gone out: left ``sending`` → ``unknown``
        _log(deps, delivery, SendStatus.AMBIGUOUS, reason=exc.code, transport=mail.transport.name)
        return SendOutcome(delivery.id, SendStatus.AMBIGUOUS, reason=exc.code, transport=mail.transport.name)
    except TransportError as exc:
        if not exc.retryable:
            return _fail(deps, delivery, deps.clock.now(), exc.code, transport=mail.transport.name, mail=mail)
        if delivery.attempts >= deps.max_attempts:
            return _fail(
                deps,
                delivery,
                deps.clock.now(),
                "retries_exhausted",
                transport=mail.transport.name,
                mail=mail,
            )
        return _later(
            deps, mail, delivery, delay=deps.retry_delay, status=SendStatus.RETRY_LATER, reason=exc.code
        )
    return _sent(deps, mail, delivery, message_id)


def _sent(deps: SendDeps, mail: _Mail, delivery: Delivery, message_id: str) -> SendOutcome:
    at = deps.clock.now()
    name = mail.transport.name
    marked = deps.deliveries.mark_sent(
        delivery.shop_id, delivery.id, message_id=message_id, transport=name, at=at
    )
    reason = None if marked else "mark_refused"  # it went out, but the delivery had moved on meanwhile
    _log(deps, delivery, SendStatus.SENT, reason=reason, transport=name, message_id=message_id)
    deps.config.count(
        delivery.shop_id,
        day=at.astimezone(mail.shop.tz).date(),
        scenario_id=delivery.scenario_id,
        step_id=step_stats_id(delivery.step_id, delivery.variant),
        counter="sent",
    )
    return SendOutcome(delivery.id, SendStatus.SENT, reason=reason, message_id=message_id, transport=name)


def _later(
    deps: SendDeps, mail: _Mail, delivery: Delivery, *, delay: timedelta, status: SendStatus, reason: str
) -> SendOutcome:
    """Nothing went out: back to ``scheduled`` a little later, and the wake-up moved there."""
    at = deps.clock.now() + delay
    if deps.deliveries.release(delivery.shop_id, delivery.id, send_at=at, reason=reason):
        move_wake_up(deps.schedules, mail.shop, delivery.id, at)
    return SendOutcome(delivery.id, status, reason=reason, transport=mail.transport.name)


def _skip(deps: SendDeps, delivery: Delivery, now: datetime, reason: str) -> SendOutcome:
    if not deps.deliveries.finish(
        delivery.shop_id,
        delivery.id,
        status=DeliveryStatus.SKIPPED,
        reason=reason,
        from_status=[DeliveryStatus.SENDING],
    ):
        return SendOutcome(delivery.id, SendStatus.NOT_SCHEDULED, reason="changed")
    shop = deps.config.shop(delivery.shop_id)
    if shop is not None:
        count_skip(deps, shop, delivery, reason)
    _log(deps, delivery, SendStatus.SKIPPED, reason=reason, at=now)
    return SendOutcome(delivery.id, SendStatus.SKIPPED, reason=reason)


def _fail(
    deps: SendDeps,
    delivery: Delivery,
    now: datetime,
    reason: str,
    *,
    transport: str | None = None,
    mail: _Mail | None = None,
) -> SendOutcome:
    if mail is not None:
        _give_back_slot(deps, mail, delivery)
    if deps.deliveries.finish(
        delivery.shop_id,
        delivery.id,
        status=DeliveryStatus.FAILED,
        reason=reason,
        from_status=[DeliveryStatus.SENDING],
    ):
        _log(deps, delivery, SendStatus.FAILED, reason=reason, transport=transport, at=now)
    return SendOutcome(delivery.id, SendStatus.FAILED, reason=reason, transport=transport)


def _log(
    deps: SendDeps,
    delivery: Delivery,
    status: SendStatus,
    *,
    reason: str | None = None,
    transport: str | None = None,
    message_id: str | None = None,
    at: datetime | None = None,
) -> None:
    deps.logs.put_send(
        SendLogEntry(
            shop_id=delivery.shop_id,
            delivery_id=delivery.id,
            at=at or deps.clock.now(),
            status=status,
            transport=transport,
            message_id=message_id,
            reason=reason,
        )
    )
