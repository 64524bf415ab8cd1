"""Schedule: order changes → deliveries and wake-ups, idempotent under repeated stream records."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from okaeri.identity import customer_id_for
from okaeri.models import OrderRecord
from okaeri.planner import delivery_id, run_id
from okaeri.services.schedule import on_order_change
from tests.fakes import Crash, crash
from tests.unit.services.support import (
    SHOP_ID,
    World,
    at,
    fixture_template,
    kurashi_mail,
    kurashi_mask,
    rewrite,
    scenario,
)

NOW = at("2026-12-03 09:25")
YAHOO_KEY = "yahoo#KOME-YA-20000001"
YAHOO_EMAIL = "sho.nakamura@example.com"
PLANNED = {  # the yahoo order: ordered Thu 12-03 09:19 → estimated ship date Fri 12-04
    "thanks": at("2026-12-04 10:00"),
    "like": at("2026-12-18 19:00"),
    "love": at("2026-12-24 19:00"),
}


def did(step: str, order_key: str = YAHOO_KEY, version: int = 1) -> str:
    return delivery_id(
        shop_id=SHOP_ID,
        order_key=order_key,
        scenario_id="thanks-like-love",
        scenario_version=version,
        step_id=step,
    )


def planned_world(**create: Any) -> World:
    world = World.create(NOW, **create)
    world.receive("yahoo-forwarded-inline")
    world.pump()
    return world


def shipped(world: World, order_key: str, when: Any) -> tuple[OrderRecord, OrderRecord]:
    old = world.order(order_key)
    new = old.model_copy(update={"order": old.order.model_copy(update={"shipped_at": when})}, deep=True)
    return old, new


# --- a new order ----------------------------------------------------------------------------------


def test_a_new_order_gets_one_delivery_and_one_wake_up_per_step() -> None:
    world = World.create(NOW)
    world.receive("yahoo-forwarded-inline")
    [outcome] = world.pump()

    assert outcome.created == [did("thanks"), did("like"), did("love")]
    assert (outcome.existing, outcome.cancelled, outcome.skipped, outcome.note) == ([], [], [], None)
    expected_run = run_id(shop_id=SHOP_ID, order_key=YAHOO_KEY, scenario_id="thanks-like-love")
    for step, send_at in PLANNED.items():
        delivery = world.deliveries.get(SHOP_ID, did(step))
        assert delivery is not None
        assert (delivery.status, delivery.send_at, delivery.step_id, delivery.template_id) == (
            "scheduled",
            send_at,
            step,
            step,
        )
        assert (delivery.run_id, delivery.order_key, delivery.scenario_version) == (
            expected_run,
            YAHOO_KEY,
            1,
        )
        assert (delivery.customer_email, delivery.customer_id) == (YAHOO_EMAIL, customer_id_for(YAHOO_EMAIL))
        assert (delivery.template_version, delivery.ship_date) == (1, date(2026, 12, 4))
        entry = world.schedules.entries[did(step)]
        assert (entry.at, entry.timezone, entry.window_minutes) == (send_at, "Asia/Tokyo", 30)
        assert entry.payload == {"shop": SHOP_ID, "delivery": did(step)}


def test_the_template_version_is_pinned_when_planned() -> None:
    world = planned_world()
    world.config.add_template(
        SHOP_ID, fixture_template("thanks").model_copy(update={"subject": "新しい件名"})
    )
    world.receive("eccube-html-gift")
    world.pump()

    assert world.delivery(did("thanks")).template_version == 1
    assert world.delivery(did("thanks", "ec-cube#2077")).template_version == 2


def test_the_same_stream_record_twice_changes_nothing_more() -> None:
    world = World.create(NOW)
    world.receive("yahoo-forwarded-inline")
    [record] = world.orders.drain_stream()
    world.apply(record)
    deliveries, entries = world.deliveries.all(), dict(world.schedules.entries)

    again = world.apply(record)

    assert (again.created, again.existing) == ([], [did("thanks"), did("like"), did("love")])
    assert world.deliveries.all() == deliveries
    assert world.schedules.entries == entries


def test_a_crash_between_the_delivery_and_its_schedule_is_mended_by_the_retry() -> None:
    world = World.create(NOW)
    world.receive("yahoo-forwarded-inline")
    [record] = world.orders.drain_stream()
    world.faults.arm("schedules.create", crash("before CreateSchedule"), skip=1)

    with pytest.raises(Crash):
        world.apply(record)
    assert set(world.schedules.entries) == {did("thanks")}

    retry = world.apply(record)
    # the run's three mails were put in one request before the crash: the retry finds them all
    assert (retry.created, retry.existing) == ([], [did("thanks"), did("like"), did("love")])
    assert set(world.schedules.entries) == {did(step) for step in PLANNED}
    assert world.schedules.entries[did("like")].at == PLANNED["like"]


def test_a_repeated_record_does_not_wake_a_delivery_that_moved_on() -> None:
    world = World.create(NOW)
    world.receive("yahoo-forwarded-inline")
    [record] = world.orders.drain_stream()
    world.apply(record)
    world.deliveries.finish(
        SHOP_ID, did("like"), status="cancelled", reason="operator", from_status=["scheduled"]
    )
    world.schedules.delete(did("like"))

    world.apply(record)

    assert did("like") not in world.schedules.entries


def test_an_immediate_step_is_woken_now() -> None:
    confirm = scenario(
        id="confirm",
        trigger="ordered",
        steps=[{"id": "confirm", "immediate": True, "template": "thanks", "purposes": ["thanks"]}],
    )
    world = World.create(at("2026-12-03 23:30"), scenarios=[confirm])  # inside quiet hours: still now
    world.receive("yahoo-forwarded-inline")
    [outcome] = world.pump()

    [created] = outcome.created
    assert world.schedules.entries[created].at == at("2026-12-03 23:30")
    assert world.delivery(created).send_at == at("2026-12-03 23:30")


def test_steps_the_planner_skips_are_reported_with_their_reason() -> None:
    far = scenario(
        steps=[
            *scenario().model_dump()["steps"],
            {"id": "later", "offset_days": 50, "hour": 10, "template": "like", "purposes": ["usage_tips"]},
        ]
    )
    world = World.create(at("2026-12-05 12:00"), scenarios=[far])  # thanks (12-04 10:00) is 26 h past
    world.receive("yahoo-forwarded-inline")
    [outcome] = world.pump()

    assert outcome.skipped == [
        ("thanks-like-love/thanks", "past"),
        ("thanks-like-love/later", "beyond_max_window"),
    ]
    assert [world.delivery(i).step_id for i in outcome.created] == ["like", "love"]


def test_an_order_without_a_buyer_address_plans_nothing() -> None:
    world = World.create(at("2026-12-01 22:00"))
    world.receive("rakuten-sjis-8digit")
    [outcome] = world.pump()
    assert outcome.note == "no_recipient"
    assert (world.deliveries.items, world.schedules.entries) == ({}, {})


def test_an_order_no_scenario_matches_plans_nothing() -> None:
    world = World.create(NOW, scenarios=[scenario(conditions={"sources": ["rakuten"]})])
    world.receive("yahoo-forwarded-inline")
    assert world.pump()[0].note == "no_scenario"
    assert world.deliveries.items == {}


def test_an_order_of_an_unknown_shop_plans_nothing() -> None:
    world = planned_world()
    record = world.order(YAHOO_KEY).model_copy(update={"shop_id": "gone"})
    assert on_order_change(world.schedule_deps(), None, record).note == "unknown_shop"


def test_a_removed_order_plans_nothing() -> None:
    world = planned_world()
    outcome = on_order_change(world.schedule_deps(), world.order(YAHOO_KEY), None)
    assert outcome == type(outcome)()


def test_a_change_that_is_neither_new_shipped_nor_cancelled_does_nothing() -> None:
    world = planned_world()
    calls = list(world.schedules.calls)
    old = world.order(YAHOO_KEY)
    new = old.model_copy(update={"raw_keys": [*old.raw_keys, "inbound/mikan-sanbo/again"]})
    outcome = on_order_change(world.schedule_deps(), old, new)
    assert outcome == type(outcome)()
    assert world.schedules.calls == calls


# --- repeat policies ------------------------------------------------------------------------------


def second_order(policy: str) -> tuple[World, list[Any]]:
    """Two orders of one buyer (くらしカート mails), two hours apart."""
    world = World.create(at("2026-12-04 18:30"), scenarios=[scenario(repeat_policy=policy)])
    world.config.add_mask(SHOP_ID, kurashi_mask())
    world.receive("k1", raw=kurashi_mail(order_id="KC-0412"))
    world.pump()
    world.clock.advance(hours=2)
    world.receive("k2", raw=kurashi_mail(order_id="KC-0413"))
    return world, world.pump()


FIRST, SECOND = "mask:kurashi#KC-0412", "mask:kurashi#KC-0413"


def test_every_time_starts_another_run() -> None:
    world, [outcome] = second_order("every_time")
    assert len(outcome.created) == 3
    assert {d.status for d in world.deliveries.by_order(SHOP_ID, FIRST)} == {"scheduled"}


@pytest.mark.parametrize(
    ("policy", "queries"), [("every_time", 1), ("once", 2), ("skip_if_active", 2), ("restart", 2)]
)
def test_the_customers_runs_are_read_only_when_the_repeat_policy_needs_them(
    policy: str, queries: int
) -> None:
    """Issue #14: ``every_time`` starts a run whatever the customer's other runs are, so planning
    reads none (one query fewer per order); the other policies read them once per order. Issue #15:
    a repeat buyer's order reads them once for its credit, and planning uses that same read; a first
    order reads nothing for it (no mail can have gone to its buyer before)."""
    world, [outcome] = second_order(policy)
    assert world.faults.calls["deliveries.by_customer"] == queries
    if policy == "every_time":
        assert len(outcome.created) == 3
        assert len(world.deliveries.by_order(SHOP_ID, SECOND)) == 3


def test_once_never_starts_a_second_run() -> None:
    world, [outcome] = second_order("once")
    assert (outcome.created, outcome.skipped) == ([], [("thanks-like-love", "repeat_once")])
    assert world.deliveries.by_order(SHOP_ID, SECOND) == []


def test_once_does_not_count_a_run_whose_every_step_was_skipped() -> None:
    """A first order mailed a month late: every step is past, nothing reached the customer, so the
    scenario is still to come (issue #13); once a run of it has mailed, once holds again."""
    world = World.create(at("2026-12-04 18:30"), scenarios=[scenario(repeat_policy="once")])
    world.config.add_mask(SHOP_ID, kurashi_mask())
    late = rewrite("kurashi-order", {"KC-0412": "KC-0301", "２０２６.１２.０４": "２０２６.１１.０１"})
    world.receive("k0", raw=late)
    world.pump()
    assert {(d.status, d.reason) for d in world.deliveries.by_order(SHOP_ID, "mask:kurashi#KC-0301")} == {
        ("skipped", "past")
    }

    world.receive("k1", raw=kurashi_mail(order_id="KC-0412"))
    [outcome] = world.pump()

    assert len(outcome.created) == 3
    assert {d.status for d in world.deliveries.by_order(SHOP_ID, FIRST)} == {"scheduled"}
    world.clock.advance(hours=2)
    world.receive("k2", raw=kurashi_mail(order_id="KC-0413"))
    [again] = world.pump()
    assert (again.created, again.skipped) == ([], [("thanks-like-love", "repeat_once")])


def test_skip_if_active_waits_while_the_first_run_is_pending() -> None:
    _world, [outcome] = second_order("skip_if_active")
    assert (outcome.created, outcome.skipped) == ([], [("thanks-like-love", "repeat_active")])


def test_skip_if_active_starts_once_the_first_run_is_over() -> None:
    world = World.create(at("2026-12-04 18:30"), scenarios=[scenario(repeat_policy="skip_if_active")])
    world.config.add_mask(SHOP_ID, kurashi_mask())
    world.receive("k1", raw=kurashi_mail(order_id="KC-0412"))
    world.pump()
    for delivery in world.deliveries.by_order(SHOP_ID, FIRST):
        world.deliveries.finish(
            SHOP_ID, delivery.id, status="skipped", reason="test", from_status=["scheduled"]
        )
    world.receive("k2", raw=kurashi_mail(order_id="KC-0413"))
    [outcome] = world.pump()
    assert len(outcome.created) == 3


def test_restart_cancels_the_pending_run_and_starts_a_new_one() -> None:
    world, [outcome] = second_order("restart")
    first = world.deliveries.by_order(SHOP_ID, FIRST)
    assert sorted(outcome.cancelled) == sorted(d.id for d in first)
    assert {(d.status, d.reason) for d in first} == {("cancelled", "repeat_restart")}
    assert not {d.id for d in first} & set(world.schedules.entries)
    assert len(outcome.created) == 3


def test_restart_replayed_for_the_first_order_does_not_cancel_the_second() -> None:
    world = World.create(at("2026-12-04 18:30"), scenarios=[scenario(repeat_policy="restart")])
    world.config.add_mask(SHOP_ID, kurashi_mask())
    world.receive("k1", raw=kurashi_mail(order_id="KC-0412"))
    [first_record] = world.orders.drain_stream()
    world.apply(first_record)
    world.receive("k2", raw=kurashi_mail(order_id="KC-0413"))
    world.pump()

    replay = world.apply(first_record)

    assert (replay.created, replay.cancelled) == ([], [])
    assert {d.status for d in world.deliveries.by_order(SHOP_ID, SECOND)} == {"scheduled"}
    assert {d.status for d in world.deliveries.by_order(SHOP_ID, FIRST)} == {"cancelled"}


# --- shipments ------------------------------------------------------------------------------------


def test_a_later_shipment_moves_the_pending_steps_and_their_wake_ups() -> None:
    world = planned_world()
    old, new = shipped(world, YAHOO_KEY, date(2026, 12, 8))
    outcome = on_order_change(world.schedule_deps(), old, new)

    assert sorted(outcome.moved) == sorted(did(step) for step in PLANNED)
    moved = {"thanks": at("2026-12-08 10:00"), "like": at("2026-12-22 19:00"), "love": at("2026-12-28 19:00")}
    for step, send_at in moved.items():
        assert world.delivery(did(step)).send_at == send_at
        assert world.schedules.entries[did(step)].at == send_at
    again = on_order_change(world.schedule_deps(), old, new)
    assert (again.moved, again.skipped, again.created) == ([], [], [])


def test_a_shipment_leaves_sent_deliveries_alone_and_skips_steps_now_past() -> None:
    world = planned_world()
    world.clock.set(at("2026-12-04 10:00"))
    assert world.fire()[0].status == "sent"
    world.clock.set(at("2026-12-20 12:00"))
    old, new = shipped(world, YAHOO_KEY, date(2026, 12, 1))  # like (12-15 19:00) is now days past
    outcome = on_order_change(world.schedule_deps(), old, new)

    assert outcome.skipped == [(did("like"), "past")]
    assert outcome.moved == [did("love")]  # 12-21 19:00
    assert world.delivery(did("thanks")).status == "sent"
    like = world.deliveries.get(SHOP_ID, did("like"))
    assert like is not None
    assert (like.status, like.reason) == ("skipped", "past")
    assert did("like") not in world.schedules.entries


def test_a_shipment_replans_with_the_scenario_version_the_deliveries_were_planned_with() -> None:
    world = planned_world()
    edited = scenario(
        steps=[{"id": "thanks", "offset_days": 1, "hour": 15, "template": "thanks", "purposes": ["thanks"]}]
    )
    world.config.add_scenario(SHOP_ID, edited)  # version 2 is current now
    old, new = shipped(world, YAHOO_KEY, date(2026, 12, 8))
    on_order_change(world.schedule_deps(), old, new)

    assert world.delivery(did("thanks")).send_at == at("2026-12-08 10:00")
    assert {d.scenario_version for d in world.deliveries.all()} == {1}


def test_a_shipment_seen_first_is_planned_from_its_ship_date() -> None:
    world = World.create(at("2026-12-07 16:05"))
    world.receive("rakuten-shipped")
    [outcome] = world.pump()

    key = "rakuten#512034-20261205-1000000077"
    assert outcome.created == [did(step, key) for step in ("thanks", "like", "love")]
    thanks = world.deliveries.get(SHOP_ID, did("thanks", key))
    assert thanks is not None
    assert (thanks.send_at, thanks.ship_date) == (
        at("2026-12-07 16:05"),
        date(2026, 12, 7),
    )  # 6 h late: at once


def test_a_shipment_of_an_order_with_no_deliveries_yet_plans_it() -> None:
    world = World.create(NOW, scenarios=[scenario(conditions={"min_total": 1})])
    world.receive("yahoo-forwarded-inline")
    world.pump()
    world.deliveries.items.clear()  # as if the order's planning never ran
    old, new = shipped(world, YAHOO_KEY, date(2026, 12, 8))
    outcome = on_order_change(world.schedule_deps(), old, new)
    assert len(outcome.created) == 3
    assert world.delivery(did("thanks")).send_at == at("2026-12-08 10:00")


# --- cancellations --------------------------------------------------------------------------------


def test_a_cancellation_stops_every_pending_delivery_once() -> None:
    world = planned_world()
    world.clock.set(at("2026-12-04 10:00"))
    world.fire()  # thanks is sent
    old = world.order(YAHOO_KEY)
    new = old.model_copy(update={"status": "cancelled"})

    outcome = on_order_change(world.schedule_deps(), old, new)

    assert sorted(outcome.cancelled) == sorted([did("like"), did("love")])
    assert world.statuses() == {did("thanks"): "sent", did("like"): "cancelled", did("love"): "cancelled"}
    assert {d.reason for d in world.deliveries.all() if d.status == "cancelled"} == {"order_cancelled"}
    assert world.schedules.entries == {}
    assert on_order_change(world.schedule_deps(), old, new).cancelled == []
    assert on_order_change(world.schedule_deps(), new, new).cancelled == []
