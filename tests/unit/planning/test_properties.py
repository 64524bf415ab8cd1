"""Invariants of planning under random shops, scenarios, orders, zones (with and without DST)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from okaeri.calendar import BusinessCalendar, accept_day, estimated_ship_date, order_day
from okaeri.models import Delivery, Order, PlannedDelivery, QuietHours, Run, Scenario, Shop
from okaeri.models.scenario import RepeatPolicy
from okaeri.planner import (
    apply_repeat_policy,
    delivery_id,
    plan_scenario,
    replan_on_shipment,
    run_id,
    ship_date,
)

from .strategies import around, days, orders, scenarios, shops

PROPERTY = settings(max_examples=200, deadline=None)
SCHEDULE_NAME = re.compile(r"^[0-9A-Za-z_.-]{1,64}$")


def in_quiet_hours(moment: datetime, quiet: QuietHours | None) -> bool:
    if quiet is None:
        return False
    wall = moment.time().replace(tzinfo=None)
    if quiet.start < quiet.end:
        return quiet.start <= wall < quiet.end
    return wall >= quiet.start or wall < quiet.end


def sent_on(delivery: PlannedDelivery, shop: Shop) -> date:
    return delivery.send_at.astimezone(shop.tz).date()


@st.composite
def plans(draw: st.DrawFn) -> tuple[Shop, Scenario, Order, datetime]:
    shop, scenario, order = draw(shops()), draw(scenarios()), draw(orders())
    assert order.ordered_at is not None
    return shop, scenario, order, draw(around(order.ordered_at))


@PROPERTY
@given(plans())
def test_every_plan_keeps_the_rules(case: tuple[Shop, Scenario, Order, datetime]) -> None:
    shop, scenario, order, now = case
    result = plan_scenario(shop, scenario, order, now=now)
    calendar = BusinessCalendar.from_shop(shop)
    assert result.ship_date is not None
    planned = {d.step: d for d in result.deliveries}
    # every step is either planned or skipped with a reason, in the scenario's order
    assert sorted([*planned, *(s.step for s in result.skipped)]) == sorted(s.id for s in scenario.steps)
    assert [d.step for d in result.deliveries] == [s.id for s in scenario.steps if s.id in planned]
    assert {s.reason for s in result.skipped} <= {"past", "beyond_max_window"}
    for step in scenario.steps:
        delivery = planned.get(step.id)
        if delivery is None:
            continue
        assert delivery.send_at.tzinfo is shop.tz  # aware, in the shop's zone
        assert (sent_on(delivery, shop) - result.ship_date).days <= shop.max_window_days
        if delivery.at_once:
            # compared as UTC: an ambiguous local time never equals a time in another zone (PEP 495)
            assert delivery.send_at.astimezone(UTC) == now.astimezone(UTC)
            continue
        assert delivery.send_at.astimezone(UTC) >= now.astimezone(UTC)
        assert not in_quiet_hours(delivery.send_at, shop.quiet_hours)
        # a local wall time that exists: it reads back as itself
        assert delivery.send_at.astimezone(UTC).astimezone(shop.tz).replace(tzinfo=None) == (
            delivery.send_at.replace(tzinfo=None)
        )
        if step.business_days_only:
            assert calendar.is_business_day(sent_on(delivery, shop))


@PROPERTY
@given(shops(), orders(shipped=False))
def test_dates_follow_the_calendar(shop: Shop, order: Order) -> None:
    assert order.ordered_at is not None
    calendar = BusinessCalendar.from_shop(shop)
    local = order.ordered_at.astimezone(shop.tz)
    day = order_day(shop, order.ordered_at)
    assert day == (local.date() if local.time() < shop.cutoff else date.fromordinal(local.toordinal() + 1))
    accepted = accept_day(shop, order.ordered_at)
    assert accepted >= day
    assert calendar.is_business_day(accepted)
    shipped = ship_date(shop, order)
    assert shipped == estimated_ship_date(shop, order.ordered_at)
    assert calendar.is_business_day(shipped)  # an estimate is always a business day
    between = [date.fromordinal(n) for n in range(accepted.toordinal() + 1, shipped.toordinal() + 1)]
    assert sum(calendar.is_business_day(d) for d in between) == shop.ship_lead_business_days


@PROPERTY
@given(shops(), orders(shipped=True))
def test_a_shipment_gives_the_ship_date(shop: Shop, order: Order) -> None:
    shipped_at = order.shipped_at
    expected = shipped_at.astimezone(shop.tz).date() if isinstance(shipped_at, datetime) else shipped_at
    assert ship_date(shop, order) == expected  # even on a closed day: it did ship then


ID_PART = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_-]{0,39}", fullmatch=True)
ID_PARTS = st.tuples(
    st.from_regex(r"[a-z0-9][a-z0-9-]{0,39}", fullmatch=True),  # shop
    st.text(min_size=1, max_size=140),  # order key: anything a source sends
    ID_PART,  # scenario
    st.integers(1, 10_000),  # scenario version
    ID_PART,  # step
)
IdParts = tuple[str, str, str, int, str]


def id_of(parts: IdParts) -> str:
    shop_id, order_key, scenario_id, version, step_id = parts
    return delivery_id(
        shop_id=shop_id,
        order_key=order_key,
        scenario_id=scenario_id,
        scenario_version=version,
        step_id=step_id,
    )


@PROPERTY
@given(ID_PARTS, ID_PARTS)
def test_delivery_ids_are_schedule_names_and_tell_deliveries_apart(one: IdParts, two: IdParts) -> None:
    first = id_of(one)
    assert SCHEDULE_NAME.match(first)
    assert first == id_of(one)
    assert (first == id_of(two)) == (one == two)
    run = run_id(shop_id=one[0], order_key=one[1], scenario_id=one[2])
    assert SCHEDULE_NAME.match(run)
    assert run != first


@PROPERTY
@given(shops(), scenarios(), orders(shipped=False))
def test_delivery_ids_differ_across_steps(shop: Shop, scenario: Scenario, order: Order) -> None:
    ids = {
        delivery_id(
            shop_id=shop.id,
            order_key=order.key,
            scenario_id=scenario.id,
            scenario_version=scenario.version,
            step_id=step.id,
        )
        for step in scenario.steps
    }
    assert len(ids) == len(scenario.steps)


def as_pending(
    shop: Shop, scenario: Scenario, order: Order, deliveries: list[PlannedDelivery]
) -> list[Delivery]:
    return [
        Delivery(
            id=delivery_id(
                shop_id=shop.id,
                order_key=order.key,
                scenario_id=scenario.id,
                scenario_version=scenario.version,
                step_id=planned.step,
            ),
            shop_id=shop.id,
            order_key=order.key,
            run_id="run",
            customer_email=None,
            scenario_id=scenario.id,
            scenario_version=scenario.version,
            step_id=planned.step,
            template_id="t",
            send_at=planned.send_at,
        )
        for planned in deliveries
    ]


def applied(pending: list[Delivery], moves: dict[str, datetime], skips: dict[str, str]) -> list[Delivery]:
    return [
        delivery.model_copy(update={"status": "skipped", "reason": skips[delivery.id]})
        if delivery.id in skips
        else delivery.model_copy(update={"send_at": moves.get(delivery.id, delivery.send_at)})
        for delivery in pending
    ]


@PROPERTY
@given(st.data())
def test_replanning_a_shipment_is_idempotent(data: st.DataObject) -> None:
    shop = data.draw(shops())
    scenario = data.draw(scenarios(trigger=data.draw(st.sampled_from(["shipped", "delivered"]))))
    order = data.draw(orders(shipped=False))
    assert order.ordered_at is not None
    planned_at = data.draw(around(order.ordered_at))
    pending = as_pending(
        shop, scenario, order, plan_scenario(shop, scenario, order, now=planned_at).deliveries
    )
    shipment = order.model_copy(update={"kind": "shipment", "shipped_at": data.draw(days)})
    now = data.draw(around(planned_at))
    first = replan_on_shipment(shop, scenario, shipment, pending, now=now)
    after = applied(pending, dict(first.moves), dict(first.skips))
    for delivery in after:
        if delivery.status == "scheduled" and delivery.send_at.astimezone(UTC) > now.astimezone(UTC):
            assert not in_quiet_hours(delivery.send_at, shop.quiet_hours)
    # the same shipment again, at once or a while later (an at-least-once event)
    again = data.draw(st.sampled_from([now, *(now + timedelta(minutes=m) for m in (1, 90, 36 * 60))]))
    second = replan_on_shipment(shop, scenario, shipment, after, now=again)
    assert second.moves == ()
    if again == now:
        assert second.skips == ()
    else:  # time went on: only mails already due may have become too late since
        due = {d.id for d in after if d.send_at.astimezone(UTC) <= again.astimezone(UTC)}
        assert {delivery for delivery, _ in second.skips} <= due


EVENTS = st.lists(
    st.one_of(
        st.tuples(st.just("order"), st.integers(0, 6)),  # an order (or the same order's event again)
        st.tuples(st.just("finish"), st.integers(0, 6)),  # a run's mails have all gone out
    ),
    max_size=30,
)


@PROPERTY
@given(st.sampled_from(["every_time", "once", "skip_if_active", "restart"]), EVENTS)
def test_repeat_policies_hold_over_a_customers_orders(
    policy: RepeatPolicy, events: list[tuple[str, int]]
) -> None:
    runs: dict[str, Run] = {}
    for kind, number in events:
        key = f"rakuten#{number}"
        new = run_id(shop_id="shop", order_key=key, scenario_id="s")
        if kind == "finish":
            if new in runs:
                runs[new] = runs[new].model_copy(update={"pending_delivery_ids": [], "mailed": True})
            continue
        decision = apply_repeat_policy(policy, list(runs.values()), new_run_id=new)
        cancelled = set(decision.cancel_delivery_ids)
        assert all(pending.startswith(("a-", "b-")) for pending in cancelled)
        runs = {
            rid: run.model_copy(
                update={"pending_delivery_ids": [d for d in run.pending_delivery_ids if d not in cancelled]}
            )
            for rid, run in runs.items()
        }
        if decision.start and new not in runs:
            runs[new] = Run(
                run_id=new, scenario_id="s", order_key=key, pending_delivery_ids=[f"a-{new}", f"b-{new}"]
            )
        active = [run for run in runs.values() if run.active]
        if policy == "every_time":
            assert decision.start
        if policy == "once":
            assert len(runs) <= 1
        if policy in {"skip_if_active", "restart"}:
            assert len(active) <= 1
        if policy == "restart":
            assert decision.start
            assert new in runs


def test_the_quiet_hours_check_used_above() -> None:
    night, tokyo = QuietHours(start=time(21), end=time(8)), ZoneInfo("Asia/Tokyo")
    assert in_quiet_hours(datetime(2026, 1, 1, 21, tzinfo=tokyo), night)
    assert in_quiet_hours(datetime(2026, 1, 1, 7, 59, tzinfo=tokyo), night)
    assert not in_quiet_hours(datetime(2026, 1, 1, 8, tzinfo=tokyo), night)
    assert not in_quiet_hours(datetime(2026, 1, 1, 20, 59, tzinfo=tokyo), night)
