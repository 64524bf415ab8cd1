"""SES events: counters per delivery and per day, and the suppression list."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from okaeri.errors import ParseError
from okaeri.services.events import handle_ses_event, parse_ses_event
from tests.unit.services.support import SHOP_ID, World, at, world_with_a_mail_sent

ADDRESS = "sho.nakamura@example.com"


def record(event_type: str, delivery: str | None, /, **section: Any) -> dict[str, Any]:
    """An SES event-publishing record as SES writes it (trimmed to what matters)."""
    tags = {"ses:configuration-set": ["okaeri"]}
    if delivery is not None:
        tags |= {"shop": [SHOP_ID], "delivery": [delivery]}
    mail = {
        "timestamp": "2026-12-04T01:00:00.000Z",
        "source": "shop@mikan-sanbo.example",
        "messageId": "0106018f-aaaa-bbbb-cccc-000000000001-000000",
        "destination": [ADDRESS],
        "tags": tags,
    }
    return {"eventType": event_type, "mail": mail, **section}


def bounce(delivery: str | None, kind: str = "Permanent") -> dict[str, Any]:
    return record(
        "Bounce",
        delivery,
        bounce={
            "bounceType": kind,
            "bounceSubType": "General",
            "bouncedRecipients": [{"emailAddress": ADDRESS, "action": "failed", "status": "5.1.1"}],
            "timestamp": "2026-12-04T16:00:05.000Z",  # 01:00 on 12-05 in Japan
        },
    )


def complaint(delivery: str | None) -> dict[str, Any]:
    return record(
        "Complaint",
        delivery,
        complaint={"complainedRecipients": [{"emailAddress": ADDRESS}], "timestamp": "2026-12-04T02:00:00Z"},
    )


@pytest.fixture
def world() -> World:
    return world_with_a_mail_sent()


def test_parse_reads_a_bounce() -> None:
    event = parse_ses_event(bounce("d-1"))
    assert (event.event_type, event.shop_id, event.delivery_id, event.bounce_type) == (
        "Bounce",
        SHOP_ID,
        "d-1",
        "Permanent",
    )
    assert event.message_id == "0106018f-aaaa-bbbb-cccc-000000000001-000000"
    assert event.recipients == [ADDRESS]
    assert event.at == at("2026-12-05 01:00:05")


def test_parse_reads_delivery_and_open_events_and_sns_notifications() -> None:
    delivered = parse_ses_event(
        record(
            "Delivery", "d-1", delivery={"recipients": ["a@example.com"], "timestamp": "2026-12-04T01:00:02Z"}
        )
    )
    assert (delivered.recipients, delivered.at) == (["a@example.com"], at("2026-12-04 10:00:02"))
    opened = parse_ses_event(record("Open", "d-1", open={"timestamp": "2026-12-04T03:00:00Z"}))
    assert (opened.event_type, opened.recipients) == ("Open", [ADDRESS])
    sns = record("Delivery", "d-1", delivery={"recipients": [ADDRESS]})
    sns["notificationType"] = sns.pop("eventType")
    assert parse_ses_event(sns).event_type == "Delivery"


@pytest.mark.parametrize(
    "broken",
    [
        {},
        {"eventType": "Bounce"},
        {"eventType": "Teleport", "mail": record("Open", "d")["mail"]},
        {"eventType": "Open", "mail": {"timestamp": "2026-12-04T01:00:00Z"}},
        {"eventType": "Open", "mail": "not a mapping"},
        {"eventType": "Bounce", "mail": record("Open", "d")["mail"], "bounce": {"bouncedRecipients": "x"}},
        {"eventType": "Open", "mail": record("Open", "d")["mail"] | {"timestamp": "yesterday"}},
    ],
)
def test_a_malformed_record_is_a_parse_error(broken: dict[str, Any]) -> None:
    with pytest.raises(ParseError) as caught:
        parse_ses_event(broken)
    assert caught.value.reason == "malformed_event"


def test_a_delivery_event_is_counted_on_the_delivery_and_the_day(world: World) -> None:
    thanks = world.delivery_of("thanks")
    event = parse_ses_event(
        record("Delivery", thanks, delivery={"recipients": [ADDRESS], "timestamp": "2026-12-04T01:00:02Z"})
    )
    assert handle_ses_event(world.events_deps(), event) == "counted"
    assert world.deliveries.events[(SHOP_ID, thanks)] == {"Delivery": 1}
    assert world.config.counters[(SHOP_ID, date(2026, 12, 4), "thanks-like-love", "thanks", "delivered")] == 1
    assert world.customers.suppressed == {}


def test_a_hard_bounce_suppresses_the_address_once_and_stops_later_mail(world: World) -> None:
    thanks = world.delivery_of("thanks")
    event = parse_ses_event(bounce(thanks))
    assert handle_ses_event(world.events_deps(), event) == "suppressed"
    assert handle_ses_event(world.events_deps(), event) == "suppressed"  # SES repeated it

    assert world.customers.suppression(SHOP_ID, ADDRESS) == "bounce"
    [entry] = world.customers.suppressed.values()
    assert (entry.delivery_id, entry.at) == (thanks, at("2026-12-05 01:00:05"))
    assert world.deliveries.event_status[(SHOP_ID, thanks)] == "bounced"
    assert (
        world.config.counters[(SHOP_ID, date(2026, 12, 5), "thanks-like-love", "thanks", "bounced")] == 2
    )  # may overcount
    world.clock.set(at("2026-12-18 19:00"))
    assert world.send(world.delivery_of("like")).reason == "suppressed"


def test_a_transient_bounce_is_only_counted(world: World) -> None:
    assert (
        handle_ses_event(
            world.events_deps(), parse_ses_event(bounce(world.delivery_of("thanks"), "Transient"))
        )
        == "counted"
    )
    assert world.customers.suppressed == {}


def test_a_complaint_suppresses_the_address(world: World) -> None:
    assert (
        handle_ses_event(world.events_deps(), parse_ses_event(complaint(world.delivery_of("thanks"))))
        == "suppressed"
    )
    assert world.customers.suppression(SHOP_ID, ADDRESS) == "complaint"


def test_a_complaint_about_an_unknown_delivery_still_suppresses(world: World) -> None:
    assert handle_ses_event(world.events_deps(), parse_ses_event(complaint("gone"))) == "unknown_delivery"
    assert world.customers.suppression(SHOP_ID, ADDRESS) == "complaint"
    assert (
        world.config.counters.get((SHOP_ID, date(2026, 12, 4), "thanks-like-love", "thanks", "complained"))
        is None
    )


def test_events_that_are_not_okaeris_or_not_counted_change_nothing(world: World) -> None:
    assert handle_ses_event(world.events_deps(), parse_ses_event(complaint(None))) == "untagged"
    assert (
        handle_ses_event(world.events_deps(), parse_ses_event(record("Send", world.delivery_of("thanks"))))
        == "ignored"
    )
    assert world.customers.suppressed == {}
    assert world.deliveries.events == {}
