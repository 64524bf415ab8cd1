"""Issue #16's rules composed, over random histories of one customer: orders and wake-ups in any
rhythm, under each repeat policy and stop_on_reorder, held out or not, with or without a frequency
cap. Whatever happens: no covered pending mail of an earlier run survives a new order, no window of
the cap's days holds more advertising mails than it allows, and every event applied twice leaves
exactly what applying it once leaves."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from okaeri.models import Delivery
from okaeri.models.shop import FrequencyCap
from tests.unit.services.support import SHOP_ID, World, at, scenario
from tests.unit.services.test_results import held_out_email, place

SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
NOW = at("2026-12-01 09:00")
STEPS = [
    {"id": "thanks", "immediate": True, "template": "thanks", "purposes": ["thanks"]},
    {"id": "tips", "offset_days": 1, "hour": 10, "template": "like", "purposes": ["usage_tips"]},
    {"id": "coupon", "offset_days": 2, "hour": 10, "template": "love", "purposes": ["usage_tips", "coupon"]},
    {
        "id": "promo",
        "offset_days": 4,
        "hour": 11,
        "template": "love",
        "purposes": ["usage_tips", "promotion"],
    },
]
ADVERTISING = {"coupon", "promo"}


@dataclass(frozen=True)
class Setup:
    policy: str
    stop: str
    held_out: bool
    scope: str
    cap: FrequencyCap | None


setups = st.builds(
    Setup,
    policy=st.sampled_from(["every_time", "once", "skip_if_active", "restart"]),
    stop=st.sampled_from(["advertising", "all", "none", "none"]),
    held_out=st.sampled_from([False, False, True]),
    scope=st.sampled_from(["whole_run", "advertising_only"]),
    cap=st.sampled_from(
        [FrequencyCap(mails=1, days=7), FrequencyCap(mails=2, days=7), FrequencyCap(mails=1, days=3), None]
    ),
)
#: (hours to wait, then: place an order or fire the wake-ups due)
events = st.lists(
    st.tuples(st.sampled_from([0, 1, 5, 24, 30, 49, 73]), st.sampled_from(["order", "fire", "fire"])),
    min_size=2,
    max_size=12,
)


def world_for(setup: Setup) -> tuple[World, str]:
    follow = scenario(
        id="follow",
        trigger="ordered",
        repeat_policy=setup.policy,
        stop_on_reorder=setup.stop,
        holdout_percent=10,
        holdout_scope=setup.scope,
        steps=STEPS,
    )
    world = World.create(NOW, scenarios=[follow])
    shop = world.config.shops[SHOP_ID]
    world.config.put_shop(shop.model_copy(update={"frequency_cap": setup.cap}))
    return world, held_out_email(10, held=setup.held_out)


def apply(world: World, email: str, event: tuple[int, str], number: int, *, times: int) -> None:
    hours, kind = event
    world.clock.advance(hours=hours, minutes=1)
    if kind == "order":
        place(world, f"P-{number}", email=email, times=times)
        return
    for entry in world.schedules.fire_due(world.clock.now()):
        for _ in range(times):  # a wake-up delivered twice
            world.send(entry.payload["delivery"])


def covered_pending_of_earlier_runs(world: World, order_key: str) -> list[Delivery]:
    follow = world.config.scenario(SHOP_ID, "follow")
    assert follow is not None
    placed = world.order(order_key).order.ordered_at
    assert placed is not None
    return [
        d
        for d in world.deliveries.all()
        if d.order_key != order_key
        and d.status == "scheduled"
        and d.run_started_at is not None
        and d.run_started_at < placed
        and follow.stops_on_reorder(follow.step(d.step_id))
    ]


def advertising_sends_within_cap(world: World, cap: FrequencyCap) -> bool:
    sent = sorted(
        d.sent_at for d in world.deliveries.all() if d.step_id in ADVERTISING and d.sent_at is not None
    )
    window = timedelta(days=cap.days)
    return all(sum(1 for t in sent if moment - window < t <= moment) <= cap.mails for moment in sent)


def state(world: World) -> dict[str, Any]:
    return {
        "deliveries": {d.id: (d.status, d.reason, d.send_at) for d in world.deliveries.all()},
        "schedules": {name: entry.at for name, entry in world.schedules.entries.items()},
        "counters": {key: count for key, count in world.config.counters.items() if count},
        "accepted": world.accepted(),
    }


@SETTINGS
@given(setup=setups, history=events)
def test_reorder_repeat_policy_holdout_and_cap_compose(setup: Setup, history: list[tuple[int, str]]) -> None:
    once, email = world_for(setup)
    twice, _ = world_for(setup)
    for number, event in enumerate(history):
        apply(once, email, event, number, times=1)
        apply(twice, email, event, number, times=2)
        if event[1] == "order":
            assert covered_pending_of_earlier_runs(once, f"csv#P-{number}") == []
        if setup.cap is not None:
            assert advertising_sends_within_cap(once, setup.cap)
        assert set(once.schedules.entries) >= {d.id for d in once.deliveries.all() if d.status == "scheduled"}
        assert state(twice) == state(once)
    assert all(count <= 1 for count in once.accepted().values())  # nothing ever went out twice
