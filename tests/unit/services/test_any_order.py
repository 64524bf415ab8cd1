"""Issue #13: order and shipping mails arrive in either order, each event perhaps twice.

Until a mail of a run has gone out, the run is chosen and planned on the best order data known;
better data (the order after its stub, a ship date) re-plans it, scenario choice included, and
the change is kept on the deliveries' history. A run that has mailed stays; only its pending
steps move.
"""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

import pytest

from okaeri.identity import customer_id_for
from okaeri.models import Scenario
from okaeri.planner import delivery_id
from okaeri.services.operations import plan_changes
from okaeri.services.schedule import REPLANNED, on_order_change
from tests.unit.services.support import SHOP_ID, World, at, scenario

NOW = at("2026-12-07 09:00")  # Mon; the rakuten order (Sat 12-05 07:05) ships 12-07 either way
KEY = "rakuten#512034-20261205-1000000077"
EMAIL = "b0c1d2e3f4a5b6c7@pc.fw.rakuten.ne.jp"
ORDER, SHIPMENT = "rakuten-utf8-qp", "rakuten-shipped"  # total 11960, sku ikura-250
STEPS = [{"id": "thanks", "offset_days": 0, "hour": 10, "template": "thanks", "purposes": ["thanks"]}]


def shipped_scenario(sid: str, priority: int, **conditions: Any) -> Scenario:
    return scenario(id=sid, priority=priority, conditions=conditions, steps=STEPS)


def did(scenario_id: str, step: str = "thanks") -> str:
    return delivery_id(
        shop_id=SHOP_ID, order_key=KEY, scenario_id=scenario_id, scenario_version=1, step_id=step
    )


def arrive(world: World, *names: str, times: int = 1) -> None:
    """Each mail (``times`` deliveries of its S3 event), then the stream (each record ``times`` times)."""
    for name in names:
        for _ in range(times):
            world.receive(name)
        world.pump(times=times)


def scheduled(world: World) -> dict[str, tuple[str, Any]]:
    return {d.id: (d.scenario_id, d.send_at) for d in world.deliveries.all() if d.status == "scheduled"}


# --- the order after its shipment -------------------------------------------------------------------


def test_an_ordered_scenario_is_planned_when_the_order_comes_after_its_shipment() -> None:
    ordered = scenario(
        id="order-thanks",
        trigger="ordered",
        steps=[{"id": "thanks", "offset_days": 3, "hour": 10, "template": "thanks", "purposes": ["thanks"]}],
    )
    world = World.create(NOW, scenarios=[ordered])
    arrive(world, SHIPMENT)
    assert world.deliveries.all() == []  # the stub has no order time: nothing to plan from yet

    arrive(world, ORDER)

    assert scheduled(world) == {did("order-thanks"): ("order-thanks", at("2026-12-08 10:00"))}
    assert did("order-thanks") in world.schedules.entries


@pytest.mark.parametrize(
    "conditions",
    [{"min_total": 10000}, {"skus": ["ikura-*"]}, {"payment_methods": ["楽天ペイ"]}, {"gift": True}],
    ids=["min_total", "skus", "payment_methods", "gift"],
)
def test_the_higher_priority_scenario_needing_the_orders_data_replaces_the_stubs_run(
    conditions: dict[str, Any],
) -> None:
    world = World.create(
        NOW, scenarios=[shipped_scenario("plain", 5), shipped_scenario("special", 20, **conditions)]
    )
    arrive(world, SHIPMENT)
    assert set(scheduled(world)) == {did("plain")}  # the stub knows no items, no total

    arrive(world, ORDER)

    assert set(scheduled(world)) == {did("special")}
    assert did("special") in world.schedules.entries
    assert did("plain") not in world.schedules.entries


def test_a_superseded_run_ends_cancelled_with_the_reason_and_both_sides_keep_the_change() -> None:
    world = World.create(
        NOW, scenarios=[shipped_scenario("plain", 5), shipped_scenario("special", 20, min_total=10000)]
    )
    arrive(world, SHIPMENT)
    world.clock.set(at("2026-12-07 09:30"))
    arrive(world, ORDER)

    old, new = world.delivery(did("plain")), world.delivery(did("special"))
    assert (old.status, old.reason) == ("cancelled", REPLANNED)
    [gone] = old.history
    assert (gone.change, gone.reason, gone.scenario_from, gone.scenario_to) == (
        "superseded",
        "order_arrived",
        "plain",
        "special",
    )
    assert (gone.send_at_from, gone.at) == (at("2026-12-07 10:00"), at("2026-12-07 09:30"))
    [came] = new.history
    assert (came.change, came.scenario_from, came.scenario_to, came.send_at_to) == (
        "replaces",
        "plain",
        "special",
        at("2026-12-07 10:00"),
    )
    assert ("delete", did("plain")) in world.schedules.calls


def test_the_order_view_lists_the_changes() -> None:
    world = World.create(
        NOW, scenarios=[shipped_scenario("plain", 5), shipped_scenario("special", 20, min_total=10000)]
    )
    arrive(world, SHIPMENT, ORDER)

    changes = plan_changes(world.deliveries.by_order(SHOP_ID, KEY))
    assert [(c.delivery_id, c.change) for c in changes] == [
        (did("plain"), "superseded"),
        (did("special"), "replaces"),
    ]


def test_a_repeat_customers_third_order_is_not_planned_as_a_first_order() -> None:
    world = World.create(
        NOW,
        scenarios=[
            shipped_scenario("welcome", 10, first_order=True),
            shipped_scenario("loyal", 20, min_order_count=3),
        ],
    )
    customer = customer_id_for(EMAIL)
    for earlier in ("rakuten#1", "rakuten#2"):
        world.customers.record_order(SHOP_ID, customer, email=EMAIL, name=None, order_key=earlier)
    arrive(world, SHIPMENT)
    assert set(scheduled(world)) == {did("welcome")}  # the stub cannot know its rank yet

    arrive(world, ORDER)

    assert world.order(KEY).order_rank == 3
    assert set(scheduled(world)) == {did("loyal")}
    assert world.delivery(did("welcome")).status == "cancelled"


def test_a_run_that_has_sent_a_mail_stays_and_only_its_pending_steps_move() -> None:
    two_steps = [
        *STEPS,
        {"id": "later", "offset_days": 7, "hour": 10, "template": "like", "purposes": ["usage_tips"]},
    ]
    world = World.create(
        NOW,
        scenarios=[
            scenario(id="plain", priority=5, steps=two_steps),
            shipped_scenario("special", 20, min_total=10000),
        ],
    )
    arrive(world, SHIPMENT)
    world.clock.set(at("2026-12-07 10:00"))
    world.fire()
    assert world.delivery(did("plain")).status == "sent"

    arrive(world, ORDER)

    assert set(scheduled(world)) == {did("plain", "later")}
    assert world.deliveries.get(SHOP_ID, did("special")) is None


# --- every event twice, in both orders ----------------------------------------------------------------


def _final(arrivals: tuple[str, ...], scenarios: list[Scenario]) -> tuple[dict[str, Any], set[str]]:
    world = World.create(NOW, scenarios=scenarios)
    arrive(world, *arrivals, times=2)
    cancelled = {d.id for d in world.deliveries.all() if d.status == "cancelled"}
    assert cancelled.isdisjoint(world.schedules.entries)
    assert all(d.reason == REPLANNED for d in world.deliveries.all() if d.status == "cancelled")
    assert all(len(d.history) <= 1 for d in world.deliveries.all())  # a repeat notes nothing new
    return scheduled(world), set(world.schedules.entries)


@pytest.mark.parametrize(
    "conditions",
    [{}, {"min_total": 10000}, {"skus": ["ikura-*"]}, {"min_order_count": 1}],
    ids=["none", "min_total", "skus", "min_order_count"],
)
def test_either_order_and_every_event_twice_end_in_the_same_plan(conditions: dict[str, Any]) -> None:
    ordered = scenario(
        id="order-thanks",
        trigger="ordered",
        steps=[{"id": "thanks", "offset_days": 3, "hour": 10, "template": "thanks", "purposes": ["thanks"]}],
    )
    scenarios = [shipped_scenario("plain", 5), shipped_scenario("special", 20, **conditions), ordered]
    results = [_final(arrivals, scenarios) for arrivals in itertools.permutations((ORDER, SHIPMENT))]
    assert results[0] == results[1]
    plan, wake_ups = results[0]
    assert set(plan) == {did("special"), did("order-thanks")}
    assert wake_ups == set(plan)


def test_a_later_ship_date_moves_a_pending_step_and_notes_old_and_new_time() -> None:
    world = World.create(NOW, scenarios=[shipped_scenario("plain", 5)])
    arrive(world, ORDER)
    old = world.order(KEY)
    new = old.model_copy(update={"order": old.order.model_copy(update={"shipped_at": date(2026, 12, 9)})})
    for _ in range(2):
        on_order_change(world.schedule_deps(), old, new)

    moved = world.delivery(did("plain"))
    assert moved.send_at == at("2026-12-09 10:00")
    [note] = moved.history
    assert (note.change, note.reason, note.send_at_from, note.send_at_to) == (
        "moved",
        "shipment",
        at("2026-12-07 10:00"),
        at("2026-12-09 10:00"),
    )
    assert world.schedules.entries[did("plain")].at == at("2026-12-09 10:00")


def test_the_stubs_record_replayed_after_the_order_brings_nothing_back() -> None:
    world = World.create(
        NOW, scenarios=[shipped_scenario("plain", 5), shipped_scenario("special", 20, min_total=10000)]
    )
    world.receive(SHIPMENT)
    world.receive(ORDER)
    stub_insert, order_modify = world.orders.drain_stream()
    for record in (stub_insert, order_modify, stub_insert, order_modify):  # a retried batch
        world.apply(record)

    assert set(scheduled(world)) == {did("special")}
    assert set(world.schedules.entries) == {did("special")}
    assert world.delivery(did("plain")).status == "cancelled"


def test_a_run_started_without_replacing_one_carries_no_note() -> None:
    ordered = scenario(
        id="order-thanks",
        trigger="ordered",
        steps=[{"id": "thanks", "offset_days": 3, "hour": 10, "template": "thanks", "purposes": ["thanks"]}],
    )
    world = World.create(NOW, scenarios=[ordered, shipped_scenario("plain", 5)])
    arrive(world, SHIPMENT, ORDER)
    assert world.delivery(did("order-thanks")).history == []
    assert world.delivery(did("plain")).history == []  # kept: same scenario, same date
