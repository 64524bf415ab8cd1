"""Invariants over random event sequences: repeat policies hold, and at-least-once is harmless."""

from __future__ import annotations

from datetime import timedelta
from functools import cache
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from okaeri.identity import customer_id_for
from okaeri.models import Order, OrderRecord
from okaeri.parsing import parse_mail
from okaeri.services.schedule import runs_of
from tests.fakes import StreamRecord
from tests.support.customers import counted_order
from tests.unit.services.support import (
    SHOP_ID,
    World,
    at,
    kurashi_mail,
    kurashi_mask,
    mail,
    rewrite,
    scenario,
)

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
START = at("2027-02-01 09:00")  # a Monday


# --- repeat policies ------------------------------------------------------------------------------


@cache
def _base_order() -> Order:
    return parse_mail(kurashi_mail(), masks=[kurashi_mask()])


def _place_order(world: World, number: int) -> None:
    """A new order of the same buyer, placed now, as ingest stores it; then the stream is applied."""
    order = _base_order().model_copy(update={"order_id": f"KC-{number:04d}", "ordered_at": world.clock.now()})
    email = order.customer.email
    assert email is not None
    customer_id = customer_id_for(email)
    rank = world.customers.record_order(
        SHOP_ID, customer_id, email=email, name=None, order=counted_order(order.key)
    )
    record = OrderRecord(
        shop_id=SHOP_ID, order=order, customer_id=customer_id, order_rank=rank, received_at=world.clock.now()
    )
    assert world.orders.put_new(record)
    world.pump()


orders = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=30), st.booleans()
    ),  # days since the last order, send first?
    min_size=1,
    max_size=6,
)


@SETTINGS
@given(
    policy=st.sampled_from(["every_time", "once", "skip_if_active", "restart"]),
    stop=st.sampled_from(["advertising", "all", "none"]),
    timeline=orders,
)
def test_repeat_policies_hold_over_any_order_history(
    policy: str, stop: str, timeline: list[tuple[int, bool]]
) -> None:
    """Each policy × each ``stop_on_reorder``: the policy sees the earlier runs as the new order's
    stop leaves them (issue #16), and no covered pending mail of an earlier run survives it."""
    world = World.create(START, scenarios=[scenario(repeat_policy=policy, stop_on_reorder=stop)])
    pinned = world.config.scenario(SHOP_ID, "thanks-like-love")
    assert pinned is not None
    for number, (days, send_first) in enumerate(timeline):
        world.clock.advance(days=days, minutes=number)
        if send_first:
            world.fire()
        kept = [
            d
            for d in world.deliveries.all()
            if d.status != "scheduled" or not pinned.stops_on_reorder(pinned.step(d.step_id))
        ]
        before = runs_of(kept, "thanks-like-love")
        active_before = [run for run in before if run.active]
        _place_order(world, number)
        key = f"mask:kurashi#KC-{number:04d}"
        assert not [
            d
            for d in world.deliveries.all()
            if d.order_key != key
            and d.status == "scheduled"
            and pinned.stops_on_reorder(pinned.step(d.step_id))
        ]

        runs = runs_of(world.deliveries.all(), "thanks-like-love")
        active = [run for run in runs if run.active]
        newest = next((run for run in runs if run.order_key == f"mask:kurashi#KC-{number:04d}"), None)
        if policy == "every_time":
            assert len(runs) == number + 1
        elif policy == "once":  # one run that reached the buyer (a mail sent or pending), ever
            assert len([run for run in runs if run.counts]) <= 1
            assert (newest is not None) == (not any(run.counts for run in before))
            assert any(run.order_key == "mask:kurashi#KC-0000" for run in runs)
        elif policy == "skip_if_active":
            assert len(active) <= 1
            assert (newest is not None) == (not active_before)
        else:  # restart: the newest order always runs, alone
            assert newest is not None
            assert [run.run_id for run in active] == [newest.run_id]
        assert set(world.schedules.entries) == {
            d.id for d in world.deliveries.all() if d.status == "scheduled"
        }


# --- idempotence ----------------------------------------------------------------------------------


@cache
def _raw(name: str) -> bytes:
    if name == "eccube-cancel-2077":
        return rewrite("eccube-cancel", {"2078": "2077"})
    return mail(name)


EVENTS = (  # (fixture mail, minutes after the start its S3 event says it arrived)
    ("yahoo-forwarded-inline", 0),
    ("eccube-html-gift", 1),
    ("eccube-shipping-mislabelled", 2),  # shipment of ec-cube 2077
    ("eccube-cancel-2077", 3),
    ("eccube-cancel", 4),  # a cancellation of an order never seen
    ("rakuten-utf8-qp", 5),
    ("rakuten-shipped", 6),
    ("newsletter", 7),
)
NOW = at("2026-12-05 09:00")


def _deliver(world: World, event: tuple[str, int], *, copies: int) -> list[StreamRecord]:
    """The S3 event ``copies`` times, then each stream record it caused ``copies`` times."""
    name, minute = event
    for _ in range(copies):
        world.receive(
            name, raw=_raw(name), key=f"inbound/{SHOP_ID}/{name}", event_time=NOW + timedelta(minutes=minute)
        )
    records = world.orders.drain_stream()
    for record in records:
        for _ in range(copies):
            world.apply(record)
    return records


def _state(world: World) -> dict[str, Any]:
    return {
        "orders": world.orders.items,
        "customers": world.customers.customers,
        "order_keys": world.customers.counted_orders,
        "deliveries": world.deliveries.items,
        "schedules": world.schedules.entries,
        "receptions": world.logs.receptions,
    }


@st.composite
def with_late_duplicates(draw: st.DrawFn) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    """A sequence of events, and the same with every event delivered again at some later point."""
    sequence = draw(st.lists(st.sampled_from(EVENTS), max_size=8))
    slots = [(index, 0, event) for index, event in enumerate(sequence)]
    for index, event in enumerate(sequence):
        later = draw(st.integers(min_value=index, max_value=len(sequence)))
        slots.append((later, 1, event))
    return sequence, [event for _, _, event in sorted(slots, key=lambda slot: (slot[0], slot[1]))]


@SETTINGS
@given(sequences=with_late_duplicates(), twice_at_once=st.booleans())
def test_any_event_sequence_applied_twice_is_applied_once(
    sequences: tuple[list[tuple[str, int]], list[tuple[str, int]]], twice_at_once: bool
) -> None:
    once, doubled = sequences
    single = World.create(NOW)
    for event in once:
        _deliver(single, event, copies=1)

    repeated = World.create(NOW)
    records: list[StreamRecord] = []
    for event in doubled:  # each event again later; and, each time, at once too (records as well)
        records += _deliver(repeated, event, copies=2 if twice_at_once else 1)
    for record in records:  # the whole stream once more (a shard read again from its start)
        repeated.apply(record)

    assert _state(repeated) == _state(single)
