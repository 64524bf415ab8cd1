"""Issue #16, stop on reorder, over the fakes: a customer's new order stops the covered pending mails
of their earlier runs (each ``stop_on_reorder`` × each ``repeat_policy``), held-out runs alike; every
record twice; an earlier order arriving after a later one; the send's own check."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from okaeri.identity import customer_id_for
from okaeri.models import Scenario
from tests.unit.services.support import SHOP_ID, World, at, scenario
from tests.unit.services.test_results import held_out_email, place

NOW = at("2026-12-01 09:00")  # a Tuesday
EMAIL = "hanako@example.jp"
CUSTOMER = customer_id_for(EMAIL)
THANKS = {"id": "thanks", "immediate": True, "template": "thanks", "purposes": ["thanks"]}
TIPS = {"id": "tips", "offset_days": 1, "hour": 10, "template": "like", "purposes": ["usage_tips"]}
COUPON = {
    "id": "coupon",
    "offset_days": 2,
    "hour": 10,
    "template": "love",
    "purposes": ["usage_tips", "coupon"],
}
LATER = ("tips", "coupon")  # the steps still pending when the buyer orders again, an hour later
COVERED = {"none": set(), "advertising": {"coupon"}, "all": {"tips", "coupon"}}
POLICIES = ("every_time", "once", "skip_if_active", "restart")


def follow(**changes: Any) -> Scenario:
    """A thanks at once, usage tips the next day, a coupon two days after the order."""
    return scenario(
        **{
            "id": "follow",
            "trigger": "ordered",
            "repeat_policy": "every_time",
            "steps": [THANKS, TIPS, COUPON],
        }
        | changes
    )


def step_state(world: World, order_key: str) -> dict[str, tuple[str, str | None]]:
    return {d.step_id: (d.status, d.reason) for d in world.deliveries.by_order(SHOP_ID, order_key)}


def counter(world: World, name: str) -> int:
    return sum(count for key, count in world.config.counters.items() if key[0] == SHOP_ID and key[4] == name)


def set_last_order(world: World, *, at_: datetime, key: str) -> None:
    """The customer's order figures as the intake keeps them (the lead's adapters; set here directly)."""
    record = world.customers.customers[(SHOP_ID, CUSTOMER)]
    world.customers.customers[(SHOP_ID, CUSTOMER)] = record.model_copy(
        update={"last_order_at": at_, "last_order_key": key}
    )


@pytest.mark.parametrize("times", [1, 2], ids=["once", "twice"])
@pytest.mark.parametrize("policy", POLICIES)
@pytest.mark.parametrize("stop", sorted(COVERED))
def test_a_new_order_stops_the_covered_pending_mails_of_the_earlier_run(
    stop: str, policy: str, times: int
) -> None:
    world = World.create(NOW, scenarios=[follow(stop_on_reorder=stop, repeat_policy=policy)])
    first = place(world, "R-1")
    assert [o.status for o in world.fire()] == ["sent"]  # the thanks went out: the run has mailed
    world.clock.advance(hours=1)  # within the coupon step's wait

    second = place(world, "R-2", times=times)

    covered = COVERED[stop]
    still_pending = [step for step in LATER if step not in covered]
    expected: dict[str, tuple[str, str | None]] = dict.fromkeys(covered, ("skipped", "reordered"))
    for step in still_pending:
        expected[step] = ("cancelled", "repeat_restart") if policy == "restart" else ("scheduled", None)
    assert step_state(world, first) == {"thanks": ("sent", None), **expected}
    # the policy looks at the earlier run as the stop left it: active only with a step still pending
    starts = {"every_time": True, "once": False, "skip_if_active": not still_pending, "restart": True}[policy]
    assert bool(world.deliveries.by_order(SHOP_ID, second)) is starts
    scheduled = {d.id for d in world.deliveries.all() if d.status == "scheduled"}
    assert set(world.schedules.entries) == scheduled  # a stopped mail's wake-up is gone
    assert counter(world, "reordered") == len(covered)  # once each, however often the record came


def test_a_held_out_run_stops_the_same_way_and_is_not_counted_as_mailed() -> None:
    world = World.create(NOW, scenarios=[follow(holdout_percent=10, stop_on_reorder="all")])
    email = held_out_email(10)
    first = place(world, "H-1", email=email)
    assert set(step_state(world, first).values()) == {("skipped", "holdout")}
    held_before = counter(world, "held_out")
    world.clock.advance(hours=1)

    place(world, "H-2", email=email, times=2)

    # the thanks was (would have been) sent before the new order: it stays held out
    assert step_state(world, first) == {
        "thanks": ("skipped", "holdout"),
        "tips": ("skipped", "reordered"),
        "coupon": ("skipped", "reordered"),
    }
    assert counter(world, "reordered") == 0  # the held-out group's mails were never going out
    assert counter(world, "held_out") == 2 * held_before  # H-2's run is held out too; H-1's stays counted


def test_an_order_of_another_customer_stops_nothing() -> None:
    world = World.create(NOW, scenarios=[follow()])
    first = place(world, "O-1")
    world.clock.advance(hours=1)
    place(world, "O-2", email="someone.else@example.jp")
    assert step_state(world, first)["coupon"] == ("scheduled", None)


def test_an_earlier_order_arriving_after_a_later_one_stops_nothing_there_and_the_send_refuses_its_coupon() -> (
    None
):
    world = World.create(NOW + timedelta(days=1, hours=1), scenarios=[follow()])
    later = place(world, "L-2", when=NOW + timedelta(days=1))
    world.clock.advance(minutes=5)
    earlier = place(world, "L-1", when=NOW)  # placed first, read second

    assert step_state(world, later)["coupon"] == ("scheduled", None)  # its run started after L-1
    assert step_state(world, earlier)["coupon"] == ("scheduled", None)
    set_last_order(world, at_=NOW + timedelta(days=1), key=later)
    world.clock.set(at("2026-12-03 10:00"))  # L-1's coupon is due
    outcome = world.send(world.delivery_of("coupon", earlier))
    assert (outcome.status, outcome.reason) == ("skipped", "reordered")
    assert counter(world, "reordered") == 1


@pytest.mark.parametrize(
    ("stop", "step", "last", "own_key", "expected"),
    [
        ("advertising", "coupon", timedelta(hours=1), False, ("skipped", "reordered")),
        ("advertising", "coupon", timedelta(hours=1), True, ("sent", None)),  # its own order is the last
        ("advertising", "coupon", -timedelta(hours=1), False, ("sent", None)),  # no order after the run
        ("none", "coupon", timedelta(hours=1), False, ("sent", None)),
        ("advertising", "tips", timedelta(hours=1), False, ("sent", None)),  # transactional: not covered
        ("all", "tips", timedelta(hours=1), False, ("skipped", "reordered")),
    ],
)
def test_the_send_checks_the_customers_last_order_right_before_sending(
    stop: str, step: str, last: timedelta, own_key: bool, expected: tuple[str, str | None]
) -> None:
    world = World.create(NOW, scenarios=[follow(stop_on_reorder=stop)])
    key = place(world, "S-1")
    set_last_order(world, at_=NOW + last, key=key if own_key else "csv#S-9")
    delivery_id = world.delivery_of(step, key)
    world.clock.set(world.delivery(delivery_id).send_at)

    outcome = world.send(delivery_id)
    again = world.send(delivery_id)

    assert (outcome.status, outcome.reason) == expected
    assert again.status == "not_scheduled"
    assert (world.delivery(delivery_id).status, world.delivery(delivery_id).reason) == expected
    assert counter(world, "reordered") == (expected[1] == "reordered")


def test_a_customer_item_from_before_the_order_figures_stops_nothing_at_send_time() -> None:
    """Written before issue #16: ``last_order_at`` the time the order was received, no key."""
    world = World.create(NOW, scenarios=[follow()])
    key = place(world, "V-1")
    record = world.customers.customers[(SHOP_ID, CUSTOMER)]
    world.customers.customers[(SHOP_ID, CUSTOMER)] = record.model_copy(
        update={"last_order_at": NOW + timedelta(minutes=5), "last_order_key": None}
    )
    delivery_id = world.delivery_of("coupon", key)
    world.clock.set(world.delivery(delivery_id).send_at)
    assert world.send(delivery_id).status == "sent"
