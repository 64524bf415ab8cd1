"""Issue #16, the shop's frequency cap, over the fakes: under, at and over the cap, transactional mails
exempt, a window sliding with the sends, across runs, a throttled retry keeping its slot, a failure
giving it back, each skip counted once."""

from __future__ import annotations

from typing import Any

import pytest

from okaeri.identity import customer_id_for
from okaeri.models import Scenario
from okaeri.models.shop import FrequencyCap
from okaeri.services.send import SendOutcome
from tests.unit.services.support import SHOP_ID, World, at, scenario
from tests.unit.services.test_results import place

NOW = at("2026-12-01 09:00")  # a Tuesday
EMAIL = "hanako@example.jp"
CUSTOMER = customer_id_for(EMAIL)
THANKS = {"id": "thanks", "immediate": True, "template": "thanks", "purposes": ["thanks"]}


def coupon(step_id: str, day: int) -> dict[str, Any]:
    return {
        "id": step_id,
        "offset_days": day,
        "hour": 10,
        "template": "love",
        "purposes": ["usage_tips", "coupon"],
    }


def tips(step_id: str, day: int) -> dict[str, Any]:
    return {"id": step_id, "offset_days": day, "hour": 10, "template": "like", "purposes": ["usage_tips"]}


def promo(*steps: dict[str, Any]) -> Scenario:
    return scenario(
        id="promo",
        trigger="ordered",
        repeat_policy="every_time",
        stop_on_reorder="none",
        steps=[THANKS, *steps],
    )


def capped_world(cap: FrequencyCap | None, *steps: dict[str, Any]) -> World:
    world = World.create(NOW, scenarios=[promo(*steps)])
    shop = world.config.shops[SHOP_ID]
    world.config.put_shop(shop.model_copy(update={"frequency_cap": cap}))
    return world


def send_step(world: World, step: str, order_key: str) -> SendOutcome:
    """The step's mail of the order, sent at its send time."""
    delivery_id = world.delivery_of(step, order_key)
    world.clock.set(max(world.clock.now(), world.delivery(delivery_id).send_at))
    return world.send(delivery_id)


def outcome_of(outcome: SendOutcome) -> tuple[str, str | None]:
    return str(outcome.status), outcome.reason


def counter(world: World, name: str) -> int:
    return sum(count for key, count in world.config.counters.items() if key[0] == SHOP_ID and key[4] == name)


SKIPPED = ("skipped", "frequency_cap")
SENT = ("sent", None)


def test_two_in_seven_days_under_at_and_over_the_cap_and_the_window_slides() -> None:
    world = capped_world(
        FrequencyCap(mails=2, days=7), coupon("c1", 1), coupon("c2", 2), coupon("c3", 3), coupon("c8", 8)
    )
    key = place(world, "F-1")

    assert outcome_of(send_step(world, "c1", key)) == SENT  # under the cap
    assert outcome_of(send_step(world, "c2", key)) == SENT  # at it
    assert outcome_of(send_step(world, "c3", key)) == SKIPPED  # over it: two in the 7 days before
    c3 = world.delivery(world.delivery_of("c3", key))
    assert (c3.status, c3.reason) == SKIPPED
    assert world.schedules.entries[c3.id].at == c3.send_at  # never rescheduled: its wake-up was the last
    assert outcome_of(send_step(world, "c8", key)) == SENT  # c1 has left the window: one in it
    assert set(world.caps.held(SHOP_ID, CUSTOMER)) == {world.delivery_of(s, key) for s in ("c2", "c8")}
    assert counter(world, "frequency_cap") == 1
    assert counter(world, "sent") == 3  # c1, c2, c8


def test_transactional_mails_are_exempt_and_take_no_slot() -> None:
    world = capped_world(FrequencyCap(mails=1, days=7), coupon("c1", 1), tips("t2", 2), coupon("c3", 3))
    key = place(world, "F-2")
    assert [o.status for o in world.fire()] == ["sent"]  # the thanks

    assert outcome_of(send_step(world, "c1", key)) == SENT
    assert outcome_of(send_step(world, "t2", key)) == SENT  # over the cap, but transactional
    assert outcome_of(send_step(world, "c3", key)) == SKIPPED
    assert list(world.caps.held(SHOP_ID, CUSTOMER)) == [world.delivery_of("c1", key)]


def test_without_a_cap_nothing_is_reserved() -> None:
    world = capped_world(None, coupon("c1", 1), coupon("c2", 1))
    key = place(world, "F-3")
    assert [outcome_of(send_step(world, step, key)) for step in ("c1", "c2")] == [SENT, SENT]
    assert world.caps.sends == {}


def test_the_cap_counts_across_runs_and_each_customer_has_their_own() -> None:
    world = capped_world(FrequencyCap(mails=1, days=7), coupon("c1", 1))
    first = place(world, "F-4")
    second = place(world, "F-5")
    other = place(world, "F-6", email="someone.else@example.jp")

    assert outcome_of(send_step(world, "c1", first)) == SENT
    assert outcome_of(send_step(world, "c1", second)) == SKIPPED
    assert outcome_of(send_step(world, "c1", other)) == SENT


def test_a_throttled_send_keeps_its_slot_for_its_retry() -> None:
    world = capped_world(FrequencyCap(mails=1, days=7), coupon("c1", 1))
    first, second = place(world, "F-7"), place(world, "F-8")
    world.ses.throttle(times=1)

    assert outcome_of(send_step(world, "c1", first)) == ("throttled", "throttled")
    assert outcome_of(send_step(world, "c1", second)) == SKIPPED  # the throttled mail holds the slot
    assert outcome_of(send_step(world, "c1", first)) == SENT  # its retry passes again
    assert counter(world, "frequency_cap") == 1


@pytest.mark.parametrize("retryable", [False, True], ids=["refused", "retries_exhausted"])
def test_a_send_failed_for_good_gives_its_slot_back(retryable: bool) -> None:
    world = capped_world(FrequencyCap(mails=1, days=7), coupon("c1", 1))
    first, second = place(world, "F-9"), place(world, "F-10")
    world.ses.refuse(retryable=retryable, times=None, code="MessageRejected")
    failing = world.delivery_of("c1", first)
    world.clock.set(world.delivery(failing).send_at)
    while (outcome := world.send(failing)).status == "retry_later":
        world.clock.set(world.delivery(failing).send_at)
    assert outcome.status == "failed"
    assert world.caps.held(SHOP_ID, CUSTOMER) == {}
    world.ses.faults.disarm()

    assert outcome_of(send_step(world, "c1", second)) == SENT


def test_a_skip_over_the_cap_is_counted_once_on_its_step() -> None:
    world = capped_world(FrequencyCap(mails=1, days=7), coupon("c1", 1), coupon("c2", 2))
    key = place(world, "F-11")
    send_step(world, "c1", key)
    capped = world.delivery_of("c2", key)
    world.clock.set(world.delivery(capped).send_at)
    assert outcome_of(world.send(capped)) == SKIPPED
    assert world.send(capped).status == "not_scheduled"  # the wake-up again
    rows = {
        (key[3], key[1])
        for key, count in world.config.counters.items()
        if key[4] == "frequency_cap" and count
    }
    assert rows == {("c2", world.clock.now().astimezone(world.config.shops[SHOP_ID].tz).date())}
    assert counter(world, "frequency_cap") == 1
