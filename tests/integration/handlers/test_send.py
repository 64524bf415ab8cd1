"""The send function's three entry points on moto: wake-ups, the sweeper, and SES events.

- ``handle_wake_up``: a malformed wake-up is answered ``malformed`` and changes nothing; a wake-up
  for a stopped delivery is a no-op.
- ``handle_sweep``: a delivery whose wake-up never came is sent once its window (and the grace)
  has passed; a ``sending`` delivery whose lease ran out becomes ``unknown`` and is not re-sent.
- ``handle_events``: SES event publishing through SNS, with the message tags SES echoes back as the
  send wrote them (escaped by ``okaeri.aws.ses.encode_tag``) → per-delivery events, per-day
  counters and the suppression list.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import boto3
import pytest

from functions.send import handler as send_handler
from okaeri.aws.clients import sesv2_client
from okaeri.aws.config import DynamoConfig
from okaeri.identity import normalise_address
from okaeri.models import Delivery
from tests.integration.conftest import REGION
from tests.integration.pipeline.conftest import GROUP, SHOP_ID, Stack, table_items
from tests.integration.pipeline.test_pipeline import all_deliveries, fire_due_schedules, ingest, pump_stream

YAHOO = "yahoo-iso2022-company"  # both buyers have ordinary addresses: their mail goes through SES
ECCUBE = "eccube-html-gift"
SWEEP_GRACE = timedelta(minutes=5)  # okaeri.services.sweep.sweep's default


def plan(stack: Stack, name: str) -> dict[str, Delivery]:
    """Receive one order mail and plan it; its deliveries by step."""
    result = ingest(stack, name)
    assert result["result"] == "parsed"
    pump_stream(stack)
    steps: dict[str, Delivery] = {}
    for item in all_deliveries(stack):
        delivery = current(stack, str(item["sk"]))
        if delivery.order_key == result["order"]:
            steps[delivery.step_id] = delivery
    assert set(steps) == {"thanks", "like", "love"}
    return steps


def current(stack: Stack, delivery_id: str) -> Delivery:
    delivery = stack.send.deliveries.get(SHOP_ID, delivery_id)
    assert delivery is not None
    return delivery


def delete_wake_up(delivery: Delivery) -> None:
    boto3.client("scheduler", region_name=REGION).delete_schedule(Name=delivery.id, GroupName=GROUP)


def window(stack: Stack) -> timedelta:
    return timedelta(minutes=stack.shop.flexible_window_minutes)


def nothing_went_out(stack: Stack) -> bool:
    return not stack.ses_outbox() and not stack.relay.messages


# --- wake-ups -------------------------------------------------------------------------------------


MALFORMED: dict[str, Callable[[str], dict[str, Any]]] = {
    "empty": lambda delivery_id: {},
    "no-delivery": lambda delivery_id: {"shop": SHOP_ID},
    "no-shop": lambda delivery_id: {"delivery": delivery_id},
    "empty-shop": lambda delivery_id: {"shop": "", "delivery": delivery_id},
    "id-too-long": lambda delivery_id: {"shop": SHOP_ID, "delivery": delivery_id.ljust(65, "0")},
    "id-not-a-string": lambda delivery_id: {"shop": SHOP_ID, "delivery": [delivery_id]},
}


@pytest.mark.parametrize("name", MALFORMED)
def test_a_malformed_wake_up_is_refused_and_changes_nothing(stack: Stack, name: str) -> None:
    thanks = plan(stack, YAHOO)["thanks"]
    stack.clock.set(thanks.send_at)  # due: a well-formed wake-up would send it now
    wake_up = MALFORMED[name](thanks.id)
    before = table_items(stack)

    assert send_handler.handle_wake_up(wake_up, stack.send) == {"status": "malformed"}

    assert table_items(stack) == before
    assert nothing_went_out(stack)


def test_a_64_character_id_is_a_well_formed_wake_up(stack: Stack) -> None:
    thanks = plan(stack, YAHOO)["thanks"]
    assert len(thanks.id) <= 64  # the 65-character id above is malformed by its length alone
    before = table_items(stack)

    answer = send_handler.handle_wake_up({"shop": SHOP_ID, "delivery": "d" * 64}, stack.send)

    assert answer == {"delivery": "d" * 64, "status": "missing", "reason": None}
    assert table_items(stack) == before


def test_a_wake_up_for_a_stopped_delivery_is_a_no_op(stack: Stack) -> None:
    thanks = plan(stack, YAHOO)["thanks"]
    assert stack.send.deliveries.finish(
        SHOP_ID, thanks.id, status="cancelled", reason="operator_stop", from_status=["scheduled"]
    )
    stack.clock.set(thanks.send_at)  # the wake-up was already on its way when the operator stopped it
    before = table_items(stack)

    answer = send_handler.handle_wake_up({"shop": SHOP_ID, "delivery": thanks.id}, stack.send)

    assert answer == {"delivery": thanks.id, "status": "not_scheduled", "reason": "cancelled"}
    assert table_items(stack) == before
    assert nothing_went_out(stack)
    assert current(stack, thanks.id).status == "cancelled"


# --- the sweeper ----------------------------------------------------------------------------------


def test_the_sweeper_sends_a_delivery_whose_wake_up_never_came(stack: Stack) -> None:
    thanks = plan(stack, YAHOO)["thanks"]
    delete_wake_up(thanks)  # the schedule was lost: only the sweeper can send it now
    overdue = thanks.send_at + window(stack) + SWEEP_GRACE

    stack.clock.set(overdue - timedelta(seconds=1))  # its schedule could still fire: not the sweeper's
    assert send_handler.handle_sweep(stack.send) == {"sent": [], "unknown": [], "errors": []}
    assert nothing_went_out(stack)

    stack.clock.set(overdue)
    answer = send_handler.handle_sweep(stack.send)

    assert answer == {
        "sent": [{"delivery": thanks.id, "status": "sent", "reason": None}],
        "unknown": [],
        "errors": [],
    }
    sent = current(stack, thanks.id)
    [message] = stack.ses_outbox()
    assert (sent.status, sent.message_id, sent.transport) == ("sent", message.id, "ses")
    assert message.destinations[0] == thanks.customer_email
    assert send_handler.handle_sweep(stack.send) == {"sent": [], "unknown": [], "errors": []}  # once
    assert len(stack.ses_outbox()) == 1


def test_the_sweeper_turns_an_expired_lease_into_unknown_and_sends_nothing(stack: Stack) -> None:
    thanks = plan(stack, YAHOO)["thanks"]
    delete_wake_up(thanks)  # it fired…
    stack.clock.set(thanks.send_at)
    lease_until = thanks.send_at + stack.send.lease
    claimed = stack.send.deliveries.claim(SHOP_ID, thanks.id, now=thanks.send_at, lease_until=lease_until)
    assert claimed.claimed  # …and its sender died after the claim: SES may or may not have the mail

    stack.clock.set(lease_until)  # the lease has not run out yet
    assert send_handler.handle_sweep(stack.send)["unknown"] == []
    assert current(stack, thanks.id).status == "sending"

    stack.clock.advance(timedelta(seconds=1))
    answer = send_handler.handle_sweep(stack.send)

    assert answer == {"sent": [], "unknown": [thanks.id], "errors": []}
    unknown = current(stack, thanks.id)
    assert (unknown.status, unknown.reason, unknown.attempts) == ("unknown", "lease_expired", 1)
    assert send_handler.handle_sweep(stack.send)["unknown"] == []  # counted once
    assert nothing_went_out(stack)  # never re-sent by itself


# --- SES events -----------------------------------------------------------------------------------


def sent_email_tags() -> list[dict[str, str]]:
    """The EmailTags of every SendEmail call from now on, as the SES client sends them."""
    sent: list[dict[str, str]] = []

    def capture(params: dict[str, Any], **_: Any) -> None:
        sent.append({tag["Name"]: tag["Value"] for tag in params.get("EmailTags", [])})

    sesv2_client(retries_off=True).meta.events.register("provide-client-params.sesv2.SendEmail", capture)
    return sent


def tags_for(delivery: Delivery, sent: list[dict[str, str]]) -> dict[str, str]:
    """The tags this delivery's SendEmail call carried (the escaping keeps the id's digest as it is)."""
    [tags] = [tags for tags in sent if tags["delivery"].endswith(delivery.id.rsplit(".", 1)[-1])]
    assert tags["shop"] == SHOP_ID
    assert tags["delivery"] != delivery.id  # SES allows no "." in a tag: the id is escaped
    return tags


def ses_event(
    event_type: str, delivery: Delivery, tags: dict[str, str], detail: dict[str, Any]
) -> dict[str, Any]:
    """An SES event-publishing record: the mail (with its tags as SES echoes them) and the detail."""
    assert delivery.sent_at is not None
    return {
        "eventType": event_type,
        "mail": {
            "timestamp": delivery.sent_at.isoformat(),
            "source": "shop@mikan-sanbo.example",
            "messageId": delivery.message_id,
            "destination": [delivery.customer_email],
            "tags": {"ses:configuration-set": ["okaeri"]} | {name: [value] for name, value in tags.items()},
        },
        event_type[:1].lower() + event_type[1:]: detail,
    }


def sns(*messages: str) -> dict[str, Any]:
    """An SNS event carrying each message, as Lambda receives it from the SES event topic."""
    return {
        "Records": [
            {
                "EventSource": "aws:sns",
                "EventVersion": "1.0",
                "Sns": {
                    "Type": "Notification",
                    "MessageId": f"sns-{number}",
                    "TopicArn": f"arn:aws:sns:{REGION}:123456789012:okaeri-ses-events",
                    "Message": message,
                    "Timestamp": "2026-12-02T01:00:00.000Z",
                },
            }
            for number, message in enumerate(messages)
        ]
    }


def at(delivery: Delivery, minutes: int) -> str:
    assert delivery.sent_at is not None
    return (delivery.sent_at + timedelta(minutes=minutes)).isoformat()


def suppression_item(stack: Stack, address: str) -> dict[str, Any]:
    table = boto3.resource("dynamodb", region_name=REGION).Table(stack.tables["customers"])
    item = table.get_item(Key={"pk": SHOP_ID, "sk": f"supp#{normalise_address(address)}"}).get("Item")
    assert item is not None, f"{address} is not suppressed"
    return dict(item)


def thanks_counters(stack: Stack, days: list[datetime]) -> Counter[str]:
    zone = stack.shop.tz
    first, last = min(days).astimezone(zone).date(), max(days).astimezone(zone).date()
    totals: Counter[str] = Counter()
    for stats in DynamoConfig(stack.tables["config"]).stats(SHOP_ID, first, last):
        if stats.step_id == "thanks":
            totals.update(stats.counters)
    return totals


def test_ses_events_find_their_delivery_count_and_suppress(stack: Stack) -> None:
    tags = sent_email_tags()
    planned = [plan(stack, YAHOO)["thanks"], plan(stack, ECCUBE)["thanks"]]
    fire_due_schedules(stack, max(d.send_at for d in planned) + window(stack))
    bounced, complained = (current(stack, d.id) for d in planned)
    assert (bounced.status, complained.status) == ("sent", "sent")
    tags_of = {delivery.id: tags_for(delivery, tags) for delivery in (bounced, complained)}
    events = [
        ses_event("Delivery", bounced, tags_of[bounced.id], {"timestamp": at(bounced, 1), "recipients": [bounced.customer_email]}),
        ses_event("Open", bounced, tags_of[bounced.id], {"timestamp": at(bounced, 60), "userAgent": "Mail", "ipAddress": "192.0.2.1"}),
        ses_event("Bounce", bounced, tags_of[bounced.id], {
            "bounceType": "Permanent", "bounceSubType": "General", "timestamp": at(bounced, 61),
            "bouncedRecipients": [{"emailAddress": bounced.customer_email, "status": "5.1.1"}],
        }),
        ses_event("Complaint", complained, tags_of[complained.id], {
            "timestamp": at(complained, 90), "complainedRecipients": [{"emailAddress": complained.customer_email}],
        }),
    ]  # fmt: skip
    messages = [json.dumps(event) for event in events]
    malformed = [
        json.dumps({"eventType": "Bounce", "bounce": {"bounceType": "Permanent"}}),
        "not json at all",
    ]

    answer = send_handler.handle_events(sns(*messages[:2], *malformed, *messages[2:]), stack.events)

    assert answer["handled"] == [
        {"event": "Delivery", "delivery": bounced.id, "result": "counted"},
        {"event": "Open", "delivery": bounced.id, "result": "counted"},
        {"event": "Bounce", "delivery": bounced.id, "result": "suppressed"},
        {"event": "Complaint", "delivery": complained.id, "result": "suppressed"},
    ]  # the two malformed records are logged and skipped; the others are not held up
    items = {str(item["sk"]): item for item in all_deliveries(stack)}
    assert items[bounced.id]["events"] == {"Delivery": 1, "Open": 1, "Bounce": 1}
    assert (items[bounced.id]["status"], items[bounced.id]["reason"]) == ("sent", "bounced")
    assert items[complained.id]["events"] == {"Complaint": 1}
    assert items[complained.id]["reason"] == "complained"
    for delivery, reason in ((bounced, "bounce"), (complained, "complaint")):
        assert delivery.customer_email is not None
        assert stack.events.customers.suppression(SHOP_ID, delivery.customer_email) == reason
        assert suppression_item(stack, delivery.customer_email)["delivery_id"] == delivery.id
    sent_days = [d.sent_at for d in (bounced, complained) if d.sent_at is not None]
    assert thanks_counters(stack, sent_days) == Counter(
        {"sent": 2, "delivered": 1, "opened": 1, "bounced": 1, "complained": 1}
    )
