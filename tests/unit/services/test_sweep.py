"""The sweeper: expired leases become ``unknown``; what no wake-up sent is sent, once."""

from __future__ import annotations

from datetime import timedelta

from okaeri.errors import ConflictError
from tests.unit.services.support import SHOP_ID, World, at, fixture_shop

ORDERED = at("2026-12-03 09:25")
THANKS_AT = at("2026-12-04 10:00")


def planned(*, fires: bool = False) -> World:
    world = World.create(ORDERED)
    world.schedules.fires = fires
    world.receive("yahoo-forwarded-inline")
    world.receive("eccube-html-gift")
    world.pump()
    return world


def test_an_expired_lease_becomes_unknown_and_is_never_resent() -> None:
    world = planned()
    world.ses.drop_after_data()
    world.clock.set(THANKS_AT)
    thanks = world.delivery_of("thanks", "yahoo#KOME-YA-20000001")
    assert world.send(thanks).status == "ambiguous"

    world.clock.advance(minutes=10)
    assert world.sweep().unknown == []  # the lease (10 minutes) runs to its last second
    world.clock.advance(seconds=1)
    report = world.sweep()

    assert report.unknown == [thanks]
    delivery = world.deliveries.get(SHOP_ID, thanks)
    assert delivery is not None
    assert (delivery.status, delivery.reason) == ("unknown", "lease_expired")
    world.clock.advance(days=1)
    assert world.sweep().unknown == []
    assert world.send(thanks).status == "not_scheduled"
    assert len(world.ses.accepted) == 1


def test_a_delivery_whose_wake_up_never_fired_is_sent_after_its_window_and_grace() -> None:
    world = planned()
    thanks = world.delivery_of("thanks", "yahoo#KOME-YA-20000001")
    world.clock.set(THANKS_AT + timedelta(minutes=34))  # window 30 + grace 5: still the schedule's
    assert world.sweep().sent == []
    world.clock.set(THANKS_AT + timedelta(minutes=35))
    [outcome] = world.sweep().sent
    assert (outcome.delivery_id, outcome.status) == (thanks, "sent")
    assert world.sweep().sent == []  # nothing twice
    assert world.accepted() == {thanks: 1}


def test_the_window_is_the_shops_own() -> None:
    world = planned()
    world.config.add_shop(fixture_shop().model_copy(update={"flexible_window_minutes": 0}))
    world.clock.set(THANKS_AT + timedelta(minutes=5))
    assert [o.status for o in world.sweep().sent] == ["sent"]


def test_the_sweeper_takes_at_most_its_limit_oldest_first() -> None:
    world = planned()
    world.clock.set(at("2026-12-05 11:00"))  # both thanks mails (12-04 and 12-05 10:00) are overdue
    [first] = world.sweep(limit=1).sent
    assert first.delivery_id == world.delivery_of("thanks", "yahoo#KOME-YA-20000001")
    [second] = world.sweep(limit=1).sent
    assert second.delivery_id == world.delivery_of("thanks", "ec-cube#2077")


def test_one_deliverys_trouble_does_not_hold_up_the_others() -> None:
    world = planned()
    world.faults.arm(
        "deliveries.claim", lambda: ConflictError("競合しました", "the item changed meanwhile"), times=1
    )
    world.clock.set(at("2026-12-05 11:00"))
    report = world.sweep()
    assert report.errors == [(world.delivery_of("thanks", "yahoo#KOME-YA-20000001"), "conflict")]
    assert [o.delivery_id for o in report.sent] == [world.delivery_of("thanks", "ec-cube#2077")]
    world.clock.advance(minutes=5)
    assert [o.status for o in world.sweep().sent] == ["sent"]  # the next run sends it


def test_a_wake_up_that_outlived_lambdas_event_queue_is_sent_by_the_sweeper() -> None:
    """Past the send function's maximum event age (its surplus waits in Lambda's queue) the wake-up
    is dropped without running: the delivery is still ``scheduled``, and the sweeper sends it."""
    world = planned(fires=True)
    thanks = world.delivery_of("thanks", "yahoo#KOME-YA-20000001")
    world.clock.set(THANKS_AT)
    dropped = [entry.payload["delivery"] for entry in world.schedules.fire_due(THANKS_AT)]
    assert thanks in dropped  # it fired into the queue, and the queue gave up on it
    world.clock.set(THANKS_AT + timedelta(hours=6))
    report = world.sweep()
    assert (thanks, "sent") in [(outcome.delivery_id, outcome.status) for outcome in report.sent]
    assert world.accepted()[thanks] == 1
    assert world.send(thanks).status == "not_scheduled"  # should the old event come after all


def test_a_throttled_delivery_whose_moved_wake_up_is_lost_is_sent_by_the_sweeper() -> None:
    world = planned(fires=True)
    world.ses.throttle(times=1)
    thanks = world.delivery_of("thanks", "yahoo#KOME-YA-20000001")
    world.clock.set(THANKS_AT)
    assert world.send(thanks).status == "throttled"
    world.schedules.fires = False  # the moved wake-up never runs
    world.clock.set(world.delivery(thanks).send_at + timedelta(minutes=35))
    assert [(o.delivery_id, o.status) for o in world.sweep().sent] == [(thanks, "sent")]
    assert world.accepted() == {thanks: 1}
