"""SES event publishing → per-delivery and per-day counters, and the suppression list.

Sends carry the tags ``shop`` and ``delivery`` (see ``okaeri.services.send``), so each event finds
its delivery. A permanent bounce or any complaint suppresses the address for the shop: nothing
more is sent to it. SES may publish an event twice; counters can then overcount slightly, while
suppression is idempotent.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC
from typing import Any, Final

from pydantic import ValidationError

from okaeri.attribution import step_stats_id
from okaeri.errors import ParseError
from okaeri.models import SesEvent
from okaeri.ports import Clock, Customers, Deliveries, ShopConfig
from okaeri.ses_tags import decode_tag

#: The event types Okaeri counts, and the name of each counter.
COUNTERS: Final[Mapping[str, str]] = {
    "Delivery": "delivered",
    "Open": "opened",
    "Click": "clicked",
    "Reject": "rejected",
    "Bounce": "bounced",
    "Complaint": "complained",
}
_RECIPIENT_LISTS: Final[Mapping[str, tuple[str, str]]] = {
    "Bounce": ("bounce", "bouncedRecipients"),
    "Complaint": ("complaint", "complainedRecipients"),
}


@dataclass(frozen=True)
class EventsDeps:
    config: ShopConfig
    customers: Customers
    deliveries: Deliveries
    clock: Clock


def parse_ses_event(record: Mapping[str, Any]) -> SesEvent:
    """The parts Okaeri reads of one SES event-publishing record (``ParseError`` when malformed)."""
    try:
        return SesEvent.model_validate(_fields(record))
    except (KeyError, TypeError, AttributeError, ValidationError) as exc:
        raise ParseError(
            "malformed_event",
            f"SES のイベントを読めません（{type(exc).__name__}）",
            f"not a readable SES event ({type(exc).__name__}: {str(exc)[:200]})",
        ) from exc


def _fields(record: Mapping[str, Any]) -> dict[str, Any]:
    event_type = record.get("eventType") or record["notificationType"]  # SNS notifications say the latter
    mail: Mapping[str, Any] = record["mail"]
    detail: Mapping[str, Any] = record.get(event_type[:1].lower() + event_type[1:]) or {}
    tags: Mapping[str, Sequence[str]] = mail.get("tags") or {}
    return {
        "event_type": event_type,
        "message_id": mail["messageId"],
        "shop_id": _first(tags.get("shop")),
        "delivery_id": _first(tags.get("delivery")),
        "recipients": _recipients(event_type, record, detail, mail),
        "bounce_type": detail.get("bounceType") if event_type == "Bounce" else None,
        "at": detail.get("timestamp") or mail["timestamp"],
    }


def _first(values: Sequence[str] | None) -> str | None:
    """The first value of an SES tag, decoded (the send adapter escaped it: ``okaeri.ses_tags``)."""
    return decode_tag(values[0]) if values else None


def _recipients(
    event_type: str, record: Mapping[str, Any], detail: Mapping[str, Any], mail: Mapping[str, Any]
) -> list[str]:
    if event_type in _RECIPIENT_LISTS:
        section, key = _RECIPIENT_LISTS[event_type]
        return [entry["emailAddress"] for entry in record[section][key]]
    if event_type == "Delivery":
        return list(detail["recipients"])
    return list(mail.get("destination") or [])


def _suppression_reason(event: SesEvent) -> str | None:
    if event.event_type == "Bounce" and event.bounce_type == "Permanent":
        return "bounce"
    return "complaint" if event.event_type == "Complaint" else None


def handle_ses_event(deps: EventsDeps, event: SesEvent) -> str:
    """Count the event and suppress hard-bounced / complaining addresses.

    Returns what happened: ``ignored`` (an event type Okaeri does not count), ``untagged`` (not
    one of Okaeri's sends), ``unknown_delivery``, ``counted`` or ``suppressed``.
    """
    counter = COUNTERS.get(event.event_type)
    if counter is None:
        return "ignored"
    if event.shop_id is None or event.delivery_id is None:
        return "untagged"
    reason = _suppression_reason(event)
    if reason is not None:
        for address in event.recipients:
            deps.customers.suppress(
                event.shop_id, address, reason=reason, at=event.at, delivery_id=event.delivery_id
            )
    delivery = deps.deliveries.get(event.shop_id, event.delivery_id)
    if delivery is None:
        return "unknown_delivery"
    status = {"bounce": "bounced", "complaint": "complained"}.get(reason or "")
    deps.deliveries.count_event(event.shop_id, delivery.id, event.event_type, status=status)
    shop = deps.config.shop(event.shop_id)
    deps.config.count(
        event.shop_id,
        day=event.at.astimezone(shop.tz if shop else UTC).date(),
        scenario_id=delivery.scenario_id,
        step_id=step_stats_id(delivery.step_id, delivery.variant),
        counter=counter,
    )
    return "suppressed" if reason is not None else "counted"
