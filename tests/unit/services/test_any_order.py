"""Issue #13: order and shipping mails arrive in either order, each event perhaps twice.

Until a mail of a run has gone out, the run is chosen and planned on the best order data known;
better data (the order after its stub, a ship date) re-plans it, scenario choice included, and
the change is kept on the deliveries' history. A run that has mailed stays; only its pending
steps move.
"""

from __future__ import annotations

import dataclasses
import itertools
from datetime import date
from typing import Any

import pytest

from okaeri.identity import customer_id_for
from okaeri.models import Scenario
from okaeri.models.delivery import REPLANNED
from okaeri.planner import delivery_id
from okaeri.services.ingest import ORDERS_COUNTER
from okaeri.services.operations import plan_changes
from okaeri.services.schedule import on_order_change
from tests.fakes import Crash, FaultPlan, crash, faulty
from tests.support.customers import counted_order
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
        world.customers.record_order(SHOP_ID, customer, email=EMAIL, name=None, order=counted_order(earlier))
    arrive(world, SHIPMENT)
    # the shipment names the buyer: the order is counted for them, and the stub has their rank
    assert world.order(KEY).order_rank == 3
    assert set(scheduled(world)) == {did("loyal")}

    arrive(world, ORDER, times=2)

    assert world.order(KEY).order_rank == 3  # counted once: the order mail finds the same count
    assert world.customer(customer).order_count == 3
    assert set(scheduled(world)) == {did("loyal")}
    assert world.deliveries.get(SHOP_ID, did("welcome")) is None
    assert world.delivery(did("loyal")).history == []  # nothing to re-plan


def test_a_shipment_stub_counts_the_order_once_for_the_buyer_and_once_for_the_shop() -> None:
    world = World.create(NOW, scenarios=[shipped_scenario("plain", 5)])
    arrive(world, SHIPMENT, times=2)
    customer = customer_id_for(EMAIL)
    assert world.order(KEY).order_rank == 1
    assert world.customer(customer).order_count == 1
    assert world.config.total(ORDERS_COUNTER) == 0  # a stub is not yet a new order of the day

    arrive(world, ORDER, SHIPMENT, ORDER)

    assert world.customer(customer).order_count == 1
    assert world.order(KEY).order_rank == 1
    assert world.config.total(ORDERS_COUNTER) == 1  # the order mail, once


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


# --- a step skipped on poorer data ----------------------------------------------------------------------

LATE = at("2026-12-20 09:00")  # the order mail read two weeks late: thanks (estimated 12-07 10:00) is past
THREE_STEPS = [
    *STEPS,
    {"id": "soon", "offset_days": 13, "hour": 10, "template": "like", "purposes": ["usage_tips"]},
    {"id": "later", "offset_days": 20, "hour": 10, "template": "like", "purposes": ["review_request"]},
]


def late_order(world: World) -> tuple[Any, Any]:
    """The order read late, then its real ship date (12-20: it waited on a back-order) arriving."""
    arrive(world, ORDER)
    assert (world.delivery(did("plain")).status, world.delivery(did("plain")).reason) == ("skipped", "past")
    old = world.order(KEY)
    return old, old.model_copy(
        update={"order": old.order.model_copy(update={"shipped_at": date(2026, 12, 20)})}
    )


def test_a_step_skipped_as_past_is_scheduled_when_the_real_ship_date_makes_it_plannable() -> None:
    world = World.create(LATE, scenarios=[shipped_scenario("plain", 5)])
    old, new = late_order(world)
    assert did("plain") not in world.schedules.entries

    for _ in range(2):  # the stream record twice: one wake-up, one note
        on_order_change(world.schedule_deps(), old, new)

    revived = world.delivery(did("plain"))
    assert (revived.status, revived.reason, revived.send_at) == ("scheduled", None, at("2026-12-20 10:00"))
    [note] = revived.history
    assert (note.change, note.reason, note.send_at_from, note.send_at_to) == (
        "moved",
        "shipment",
        LATE,
        at("2026-12-20 10:00"),
    )
    assert world.schedules.entries[did("plain")].at == at("2026-12-20 10:00")
    assert [call for call in world.schedules.calls if call[1] == did("plain")] == [("update", did("plain"))]
    assert [c.change for c in plan_changes(world.deliveries.by_order(SHOP_ID, KEY))] == ["moved"]

    world.clock.set(at("2026-12-20 10:00"))
    world.fire()
    assert world.delivery(did("plain")).status == "sent"


def test_a_crash_after_the_wake_up_and_before_the_revival_is_made_good_by_the_same_record() -> None:
    world = World.create(LATE, scenarios=[shipped_scenario("plain", 5)])
    old, new = late_order(world)
    plan = FaultPlan()
    plan.arm("deliveries.revive", crash())
    deps = world.schedule_deps()
    crashing = dataclasses.replace(deps, deliveries=faulty(deps.deliveries, plan, "deliveries"))
    with pytest.raises(Crash):
        on_order_change(crashing, old, new)
    assert world.delivery(did("plain")).status == "skipped"

    on_order_change(crashing, old, new)

    assert world.delivery(did("plain")).status == "scheduled"
    assert len(world.delivery(did("plain")).history) == 1
    assert world.schedules.entries[did("plain")].at == at("2026-12-20 10:00")


def test_a_skipped_step_stays_skipped_once_a_mail_of_its_run_has_gone_out() -> None:
    world = World.create(LATE, scenarios=[scenario(id="plain", priority=5, steps=THREE_STEPS)])
    old, new = late_order(world)
    assert world.delivery(did("plain", "soon")).send_at == at("2026-12-20 10:00")  # 12-07 + 13 days
    world.clock.set(at("2026-12-20 10:00"))
    world.fire()
    assert world.delivery(did("plain", "soon")).status == "sent"
    world.clock.set(at("2026-12-20 11:00"))  # thanks on the real date (12-20 10:00) would go at once

    on_order_change(world.schedule_deps(), old, new)

    skipped = world.delivery(did("plain"))
    assert (skipped.status, skipped.reason, skipped.history) == ("skipped", "past", [])
    assert did("plain") not in world.schedules.entries
    assert world.delivery(did("plain", "later")).send_at == at("2027-01-09 10:00")  # pending: moved


def test_without_a_mail_gone_out_the_whole_run_follows_the_real_ship_date() -> None:
    world = World.create(LATE, scenarios=[scenario(id="plain", priority=5, steps=THREE_STEPS)])
    old, new = late_order(world)
    world.clock.set(at("2026-12-20 09:30"))

    on_order_change(world.schedule_deps(), old, new)

    assert scheduled(world) == {
        did("plain"): ("plain", at("2026-12-20 10:00")),
        did("plain", "soon"): ("plain", at("2027-01-02 10:00")),
        did("plain", "later"): ("plain", at("2027-01-09 10:00")),
    }
    assert set(world.schedules.entries) == set(scheduled(world))


def test_a_step_the_sender_skipped_is_never_revived() -> None:
    world = World.create(LATE, scenarios=[shipped_scenario("plain", 5)])
    old, new = late_order(world)
    stored = world.delivery(did("plain"))
    world.deliveries.items[(SHOP_ID, stored.id)] = stored.model_copy(update={"reason": "unsubscribed"})

    on_order_change(world.schedule_deps(), old, new)

    assert (world.delivery(did("plain")).status, world.delivery(did("plain")).reason) == (
        "skipped",
        "unsubscribed",
    )
    assert did("plain") not in world.schedules.entries
