"""Operators' actions on one delivery: stop, reschedule, edit, resend, drop (SPEC §1, decisions 1–4).

Each is one conditional update of the delivery's state machine (``okaeri.aws.deliveries``) and,
where the mail's time changes, of its wake-up: DynamoDB says what is true, the schedule only
wakes the sender. Asking again for what is already true answers the delivery as it is (a stopped
mail stopped again, a dropped one dropped again), so a retried request changes nothing twice;
asking for what no longer applies (stopping a mail that went out) is a ``ConflictError`` (409);
a request that can never be right (a send time in the past) is a ``DeliveryActionError`` (422).
Every change goes to the shop's audit log.

- stop: ``scheduled`` → ``cancelled`` (``stopped_by_operator``), its wake-up deleted;
- reschedule: a ``scheduled`` one to a future time the shop's rules allow, its wake-up moved;
- edit: the subject and/or text of a ``scheduled`` one (``edited_subject`` / ``edited_text``, which
  the send service lays over the pinned template), checked by rendering it first;
- resend / drop: an ``unknown`` one (it may or may not have gone out) → ``scheduled`` now
  (``resent_by_operator``) with a wake-up, or ``cancelled`` (``dropped_by_operator``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final

from okaeri.errors import ConflictError, OkaeriError
from okaeri.models import Delivery, DeliveryStatus, Shop
from okaeri.services.documents import shop_of
from okaeri.services.operations import OperationsDeps, get_delivery, preview
from okaeri.services.schedule import move_wake_up, stop_scheduled
from okaeri.services.send import compliance_errors, current_ship_date

STOPPED: Final = "stopped_by_operator"
RESENT: Final = "resent_by_operator"
DROPPED: Final = "dropped_by_operator"
#: The fields of an edit, as the API names them → as the delivery stores them.
EDIT_FIELDS: Final = {"subject": "edited_subject", "text": "edited_text"}

_DOING: Final = {
    "stop": ("停止", "stopped"),
    "reschedule": ("日時変更", "rescheduled"),
    "edit": ("編集", "edited"),
    "resend": ("再送", "resent"),
    "drop": ("破棄", "dropped"),
}


class DeliveryActionError(OkaeriError):
    """An action the delivery's rules refuse whatever its state (the API answers 422)."""

    code = "action_refused"


def _state_conflict(delivery: Delivery, action: str) -> ConflictError:
    ja, en = _DOING[action]
    return ConflictError(
        f"この配信は現在「{delivery.status}」のため{ja}できません。",
        f"The delivery is {delivery.status}; it cannot be {en}.",
        code="delivery_state",
    )


def _audit(deps: OperationsDeps, delivery: Delivery, action: str, by: str, **detail: Any) -> None:
    deps.logs.put_audit(
        delivery.shop_id,
        action=f"delivery.{action}",
        at=deps.clock.now(),
        detail={"delivery": delivery.id, "by": by, **detail},
        delivery=delivery.id,
    )


# --- stop ------------------------------------------------------------------------------------------


def stop(deps: OperationsDeps, shop_id: str, delivery_id: str, *, by: str) -> Delivery:
    """A ``scheduled`` mail → ``cancelled``; one cancelled already is answered as it is."""
    delivery = get_delivery(deps, shop_id, delivery_id)
    if delivery.status == DeliveryStatus.SCHEDULED:
        if stop_scheduled(deps, shop_id, delivery_id, STOPPED):
            _audit(deps, delivery, "stop", by)
            return get_delivery(deps, shop_id, delivery_id)
        delivery = get_delivery(deps, shop_id, delivery_id)  # it moved on meanwhile
    if delivery.status == DeliveryStatus.CANCELLED:
        deps.schedules.delete(delivery_id)  # a retry after a crash between the update and the delete
        return delivery
    raise _state_conflict(delivery, "stop")


# --- reschedule ------------------------------------------------------------------------------------


def reschedule(
    deps: OperationsDeps, shop_id: str, delivery_id: str, *, send_at: datetime, by: str
) -> Delivery:
    """A ``scheduled`` mail to ``send_at`` (in the future, within the shop's window and mall rules)."""
    shop = shop_of(deps.config, shop_id)
    delivery = get_delivery(deps, shop_id, delivery_id)
    if delivery.status != DeliveryStatus.SCHEDULED:
        raise _state_conflict(delivery, "reschedule")
    _check_send_time(deps, shop, delivery, send_at)
    if delivery.send_at == send_at:  # asked again: make sure of the wake-up only
        move_wake_up(deps.schedules, shop, delivery_id, send_at)
        return delivery
    if not deps.deliveries.reschedule(shop_id, delivery_id, send_at=send_at):
        raise _state_conflict(get_delivery(deps, shop_id, delivery_id), "reschedule")
    move_wake_up(deps.schedules, shop, delivery_id, send_at)
    _audit(deps, delivery, "reschedule", by, send_at=send_at.isoformat(), was=delivery.send_at.isoformat())
    return get_delivery(deps, shop_id, delivery_id)


def _check_send_time(deps: OperationsDeps, shop: Shop, delivery: Delivery, send_at: datetime) -> None:
    """The send service would send at ``send_at``: it is to come, and the shop's rules allow it (the
    same ``check_send`` the sender runs just before a send, so a moved mail is not skipped then)."""
    now = deps.clock.now()
    if send_at <= now:
        raise DeliveryActionError(
            "送信日時は現在より後にしてください。",
            "The send time must be in the future.",
            code="send_at_past",
        )
    record = deps.orders.get(shop.id, delivery.order_key)
    order = None if record is None else record.order
    if (delivery.ship_date if order is None else current_ship_date(shop, order, delivery)) is None:
        days = (send_at.astimezone(shop.tz).date() - now.astimezone(shop.tz).date()).days
        if days > shop.max_window_days:
            raise DeliveryActionError(
                f"送信日時は今日から {shop.max_window_days} 日以内にしてください。",
                f"The send time must be within {shop.max_window_days} days from today.",
                code="max_window",
            )
        return
    scenario = deps.config.scenario_version(shop.id, delivery.scenario_id, delivery.scenario_version)
    step = None if scenario is None else scenario.find_step(delivery.step_id)
    if step is None:
        return  # the sender will skip it as scenario_missing whenever it is sent
    errors = compliance_errors(deps.config, shop, step, delivery, order=order, send_at=send_at)
    if errors:
        raise DeliveryActionError(errors[0].message_ja, errors[0].message_en, code=errors[0].rule)


# --- edit ------------------------------------------------------------------------------------------


def edit(
    deps: OperationsDeps, shop_id: str, delivery_id: str, *, changes: Mapping[str, str | None], by: str
) -> Delivery:
    """Set (a text) or undo (None) the operator's subject / text of a ``scheduled`` mail."""
    stored = {EDIT_FIELDS[name]: value for name, value in changes.items()}
    delivery = get_delivery(deps, shop_id, delivery_id)
    if delivery.status != DeliveryStatus.SCHEDULED:
        raise _state_conflict(delivery, "edit")
    if all(getattr(delivery, name) == value for name, value in stored.items()):
        return delivery  # asked again
    try:
        preview(deps, delivery.model_copy(update=stored))
    except OkaeriError as exc:
        raise DeliveryActionError(exc.message_ja, exc.message_en, code=exc.code) from exc
    edited = deps.deliveries.edit(shop_id, delivery_id, changes=stored)
    if edited is None:
        raise _state_conflict(get_delivery(deps, shop_id, delivery_id), "edit")
    subject = (
        {"was": delivery.edited_subject, "subject": stored.get("edited_subject")}
        if "subject" in changes
        else {}
    )
    _audit(deps, delivery, "edit", by, fields=sorted(changes), **subject)
    return edited


# --- resend, drop ----------------------------------------------------------------------------------


def resend(deps: OperationsDeps, shop_id: str, delivery_id: str, *, by: str) -> Delivery:
    """An ``unknown`` mail → ``scheduled`` now, with a wake-up (the sender checks everything again)."""
    shop = shop_of(deps.config, shop_id)
    delivery = get_delivery(deps, shop_id, delivery_id)
    now = deps.clock.now()
    if delivery.status == DeliveryStatus.UNKNOWN:
        if deps.deliveries.requeue(
            shop_id, delivery_id, send_at=now, reason=RESENT, from_status=[DeliveryStatus.UNKNOWN]
        ):
            move_wake_up(deps.schedules, shop, delivery_id, now)
            _audit(deps, delivery, "resend", by)
            return get_delivery(deps, shop_id, delivery_id)
        delivery = get_delivery(deps, shop_id, delivery_id)
    if delivery.status == DeliveryStatus.SCHEDULED and delivery.reason == RESENT:
        move_wake_up(deps.schedules, shop, delivery_id, delivery.send_at)
        return delivery
    raise _state_conflict(delivery, "resend")


def drop(deps: OperationsDeps, shop_id: str, delivery_id: str, *, by: str) -> Delivery:
    """An ``unknown`` mail → ``cancelled``: the operator takes it as sent, or as not to be sent."""
    delivery = get_delivery(deps, shop_id, delivery_id)
    if delivery.status == DeliveryStatus.UNKNOWN:
        if deps.deliveries.finish(
            shop_id,
            delivery_id,
            status=DeliveryStatus.CANCELLED,
            reason=DROPPED,
            from_status=[DeliveryStatus.UNKNOWN],
        ):
            _audit(deps, delivery, "drop", by)
            return get_delivery(deps, shop_id, delivery_id)
        delivery = get_delivery(deps, shop_id, delivery_id)
    if delivery.status == DeliveryStatus.CANCELLED and delivery.reason == DROPPED:
        return delivery
    raise _state_conflict(delivery, "drop")
