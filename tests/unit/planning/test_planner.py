"""The planner, rule by rule (SPEC §2 Planning); the fixture cases cover whole plans."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from okaeri.errors import PlanningError
from okaeri.models import Conditions, Delivery, Order, PlanResult, Run, Scenario
from okaeri.planner import (
    RepeatDecision,
    apply_repeat_policy,
    base_date,
    conditions_match,
    delivery_id,
    plan_order,
    plan_scenario,
    replan_on_shipment,
    run_id,
    select_scenarios,
    ship_date,
)

from .builders import make_order, make_scenario, make_shop, step

SCHEDULE_NAME = re.compile(r"^[0-9A-Za-z_.-]{1,64}$")
NOW = datetime.fromisoformat("2026-11-20T10:01:00+09:00")  # the default order is 2026-11-20 10:00 (Fri)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def send_times(result: PlanResult) -> dict[str, str]:
    return {d.step: "now" if d.at_once else d.send_at.isoformat() for d in result.deliveries}


def skips(result: PlanResult) -> dict[str, str]:
    return {s.step: s.reason for s in result.skipped}


# --- conditions and selection ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("conditions", "matches"),
    [
        ({}, True),
        ({"sources": ["rakuten", "yahoo"]}, True),
        ({"sources": ["yahoo"]}, False),
        ({"sources": []}, True),  # an empty list is "any", as omitted
        ({"skus": ["wagashi-*"]}, True),
        ({"skus": ["WAGASHI-*"]}, False),  # globs are case-sensitive
        ({"skus": ["cherry-*", "*-12"]}, True),
        ({"skus": ["wagashi-1?0"]}, False),
        ({"first_order": True}, True),
        ({"first_order": False}, False),
        ({"payment_methods": ["クレジットカード"]}, True),
        ({"payment_methods": ["代金引換"]}, False),
        ({"prefectures": ["大阪府", "京都府"]}, True),
        ({"prefectures": ["北海道"]}, False),
        ({"gift": False}, True),
        ({"gift": True}, False),
        ({"min_total": 2000}, True),
        ({"min_total": 2001}, False),
        ({"min_order_count": 1}, True),
        ({"min_order_count": 2}, False),
        ({"sources": ["rakuten"], "skus": ["wagashi-*"], "min_total": 5000}, False),  # all must hold
    ],
)
def test_each_condition(conditions: dict[str, Any], matches: bool) -> None:
    assert conditions_match(Conditions.model_validate(conditions), make_order(), order_count=1) is matches


def test_conditions_on_unknown_order_fields() -> None:
    unknown = make_order(total=None, is_gift=None, payment_method=None, items=[{"name": "no sku"}])
    assert not conditions_match(Conditions(min_total=1), unknown, order_count=1)
    assert conditions_match(Conditions(gift=False), unknown, order_count=1)  # not marked: not a gift
    assert not conditions_match(Conditions(skus=["*"]), unknown, order_count=1)
    assert not conditions_match(Conditions(payment_methods=["PayPay"]), unknown, order_count=1)


def test_repeat_customers() -> None:
    third = {"order_count": 3}
    assert conditions_match(Conditions(first_order=False, min_order_count=3), make_order(), **third)
    assert not conditions_match(Conditions(first_order=True), make_order(), **third)
    assert not conditions_match(Conditions(min_order_count=4), make_order(), **third)


def test_selection_takes_the_best_per_trigger_in_priority_order() -> None:
    scenarios = [
        make_scenario("low", priority=1),
        make_scenario("tie-first", priority=5),
        make_scenario("tie-second", priority=5),
        make_scenario("inactive", priority=50, active=False),
        make_scenario("no-match", priority=40, conditions={"sources": ["yahoo"]}),
        make_scenario("on-order", trigger="ordered", priority=9),
        make_scenario("on-arrival", trigger="delivered", priority=5),
    ]
    chosen = select_scenarios(scenarios, make_order(), order_count=1)
    assert [s.id for s in chosen] == ["on-order", "tie-first", "on-arrival"]


def test_no_scenario_plans_nothing() -> None:
    assert select_scenarios([], make_order(), order_count=1) == []
    assert plan_order(make_shop(), [make_scenario(active=False)], make_order(), now=NOW) == []


# --- dates ----------------------------------------------------------------------------------------


def test_ship_date_sources() -> None:
    shop = make_shop()
    assert ship_date(shop, make_order()) == date(2026, 11, 24)  # estimated: Fri + 1 (Mon is a holiday)
    assert ship_date(shop, make_order(shipped_at="2026-11-21")) == date(2026, 11, 21)  # Saturday: as given
    # 16:00 UTC on the 21st is 01:00 on the 22nd in Tokyo
    assert ship_date(shop, make_order(shipped_at="2026-11-21T16:00:00+00:00")) == date(2026, 11, 22)
    assert ship_date(shop, make_order(ordered_at=None, shipped_at="2026-11-25")) == date(2026, 11, 25)


def test_no_order_time_and_no_ship_date_cannot_be_planned() -> None:
    with pytest.raises(PlanningError) as caught:
        ship_date(make_shop(), make_order(ordered_at=None))
    assert "K-1" in caught.value.message_ja
    assert "K-1" in caught.value.message_en
    assert caught.value.code == "planning_error"


def test_base_dates_per_trigger() -> None:
    shop = make_shop()

    def base(trigger: str, order: Order) -> date:
        return base_date(shop, make_scenario(trigger=trigger), order, ship_date(shop, order))

    evening = make_order(ordered_at="2026-11-20T18:00:00+09:00")
    assert base("ordered", evening) == date(2026, 11, 21)  # order day
    # after the cutoff: order day Sat 11-21, accepted Tue 11-24, ships Wed 11-25
    assert base("shipped", evening) == date(2026, 11, 25)
    assert base("delivered", evening) == date(2026, 11, 26)
    far = evening.model_copy(update={"ship_to": evening.ship_to.model_copy(update={"prefecture": "北海道"})})
    assert base("delivered", far) == date(2026, 11, 27)
    known = make_order(delivered_at="2026-11-30")
    assert base("delivered", known) == date(2026, 11, 30)


def test_an_ordered_scenario_needs_the_order_time() -> None:
    shipment = make_order(ordered_at=None, shipped_at="2026-11-25")
    with pytest.raises(PlanningError) as caught:
        plan_scenario(make_shop(), make_scenario(trigger="ordered"), shipment, now=NOW)
    assert "ordered" in caught.value.message_en
    # … while plan_order still plans the shipment's own scenarios
    plans = plan_order(
        make_shop(), [make_scenario("o", trigger="ordered"), make_scenario("s")], shipment, now=NOW
    )
    assert [plan.scenario for plan in plans] == ["s"]


def test_now_must_be_aware() -> None:
    with pytest.raises(PlanningError):
        plan_scenario(make_shop(), make_scenario(), make_order(), now=datetime(2026, 11, 20, 10, 1))


# --- send times -----------------------------------------------------------------------------------


def plan_steps(*steps: dict[str, Any], now: datetime = NOW, **shop: Any) -> PlanResult:
    scenario = make_scenario(steps=list(steps))
    return plan_scenario(make_shop(**shop), scenario, make_order(), now=now)


def test_quiet_hours_that_wrap_midnight() -> None:
    # ship date Tue 11-24; quiet 21:00–08:00
    result = plan_steps(step("late", 0, 22), step("early", 1, 5), step("start", 2, 21), step("end", 3, 8))
    assert send_times(result) == {
        "late": "2026-11-25T08:00:00+09:00",
        "early": "2026-11-25T08:00:00+09:00",
        "start": "2026-11-27T08:00:00+09:00",  # the start is quiet
        "end": "2026-11-27T08:00:00+09:00",  # the end is not
    }


def test_quiet_hours_within_a_day_and_with_minutes() -> None:
    lunch = {"start": "12:00", "end": "13:30"}
    result = plan_steps(step("before", 0, 11), step("lunch", 0, 12), step("one", 0, 13), quiet_hours=lunch)
    assert send_times(result) == {
        "before": "2026-11-24T11:00:00+09:00",
        "lunch": "2026-11-24T13:30:00+09:00",
        "one": "2026-11-24T13:30:00+09:00",
    }
    assert send_times(plan_steps(step("night", 0, 23), quiet_hours=None)) == {
        "night": "2026-11-24T23:00:00+09:00"
    }


def test_business_days_only_keeps_the_time() -> None:
    result = plan_steps(
        step("sat", 4, 10, business_days_only=True), step("fri-night", 3, 22, business_days_only=True)
    )
    assert send_times(result) == {
        "sat": "2026-11-30T10:00:00+09:00",
        "fri-night": "2026-11-30T08:00:00+09:00",  # 22:00 → Sat 08:00 → Mon 08:00
    }


def test_immediate_steps_ignore_quiet_hours() -> None:
    night = at("2026-11-20T23:30:00+09:00")
    result = plan_steps(step("now", immediate=True), now=night)
    assert result.deliveries[0].at_once
    assert result.deliveries[0].send_at == night
    assert result.deliveries[0].send_at.tzinfo == ZoneInfo("Asia/Tokyo")


def test_late_steps_the_24_hour_line() -> None:
    due = at("2026-11-24T10:00:00+09:00")  # step "a": ship date 10:00
    on_time = plan_steps(step("a", 0, 10), now=due)
    assert send_times(on_time) == {"a": "2026-11-24T10:00:00+09:00"}
    almost = plan_steps(step("a", 0, 10), now=due + timedelta(hours=24, seconds=-1))
    assert send_times(almost) == {"a": "now"}
    assert almost.deliveries[0].send_at == due + timedelta(hours=24, seconds=-1)
    assert skips(plan_steps(step("a", 0, 10), now=due + timedelta(hours=24))) == {"a": "past"}


def test_the_window_counts_local_dates_from_the_ship_date() -> None:
    result = plan_steps(step("last", 10, 23), step("in", 10, 20), max_window_days=10)
    assert skips(result) == {"last": "beyond_max_window"}  # 23:00 → 08:00 on day 11
    assert send_times(result) == {"in": "2026-12-04T20:00:00+09:00"}


def test_a_late_send_beyond_the_window_is_skipped() -> None:
    # day 10 at 20:00 was due 2h ago, but sending now (day 11) would break the window
    now = at("2026-12-05T08:00:00+09:00")
    result = plan_steps(step("in", 10, 20), quiet_hours=None, max_window_days=10, now=now)
    assert skips(result) == {"in": "beyond_max_window"}


@pytest.mark.parametrize(
    ("zone", "day", "hour", "expected"),
    [
        ("Europe/Berlin", "2026-03-29", 2, "2026-03-29T03:00:00+02:00"),  # gap 02:00–03:00
        ("Europe/Berlin", "2026-03-29", 1, "2026-03-29T01:00:00+01:00"),
        ("Europe/Berlin", "2026-10-25", 2, "2026-10-25T02:00:00+02:00"),  # twice: the first
        ("Europe/Berlin", "2026-10-25", 3, "2026-10-25T03:00:00+01:00"),
        ("America/New_York", "2026-03-08", 2, "2026-03-08T03:00:00-04:00"),
        ("America/New_York", "2026-11-01", 1, "2026-11-01T01:00:00-04:00"),
        ("Australia/Sydney", "2026-10-04", 2, "2026-10-04T03:00:00+11:00"),
        ("Australia/Sydney", "2026-04-05", 2, "2026-04-05T02:00:00+11:00"),
        ("Australia/Lord_Howe", "2026-10-04", 2, "2026-10-04T02:30:00+11:00"),  # a 30-minute gap
        ("Asia/Tokyo", "2026-03-29", 2, "2026-03-29T02:00:00+09:00"),
    ],
)
def test_wall_times_across_dst(zone: str, day: str, hour: int, expected: str) -> None:
    shop = make_shop(timezone=zone, quiet_hours=None, calendar={"closed_weekdays": []})
    order = make_order(ordered_at=None, shipped_at=day)
    scenario = make_scenario(steps=[step("a", 0, hour)])
    result = plan_scenario(shop, scenario, order, now=at(f"{day}T00:00:00+14:00"))
    send_at = result.deliveries[0].send_at
    assert send_at.isoformat() == expected
    assert send_at.tzinfo == ZoneInfo(zone)


def test_a_dst_gap_never_pushes_a_mail_into_quiet_hours() -> None:
    # 02:00 does not exist on 2026-03-29 in Berlin; 03:00 is quiet here, so the mail waits for 05:00
    shop = make_shop(
        timezone="Europe/Berlin",
        quiet_hours={"start": "03:00", "end": "05:00"},
        calendar={"closed_weekdays": []},
    )
    order = make_order(ordered_at=None, shipped_at="2026-03-29")
    result = plan_scenario(
        shop, make_scenario(steps=[step("a", 0, 2)]), order, now=at("2026-03-28T00:00:00+00:00")
    )
    assert result.deliveries[0].send_at.isoformat() == "2026-03-29T05:00:00+02:00"


# --- identities -----------------------------------------------------------------------------------

IDS: dict[str, Any] = {
    "shop_id": "sakura-farm",
    "order_key": "rakuten#338361-20261120-0912345678",
    "scenario_id": "thanks-like-love",
    "scenario_version": 1,
    "step_id": "thanks",
}


def test_delivery_ids_are_stable_schedule_names() -> None:
    first = delivery_id(**IDS)
    assert first == delivery_id(**IDS)
    assert SCHEDULE_NAME.match(first)
    assert first.startswith("sakura-farm.thanks.")
    longest = delivery_id(**(IDS | {"shop_id": "s" * 40, "step_id": "T" * 40, "order_key": "x#" + "9" * 128}))
    assert SCHEDULE_NAME.match(longest)


@pytest.mark.parametrize(
    "change",
    [
        {"shop_id": "sakura-farm2"},
        {"order_key": "rakuten#338361-20261120-0912345679"},
        {"scenario_id": "thanks-like-love2"},
        {"scenario_version": 2},
        {"step_id": "like"},
    ],
)
def test_any_part_changes_the_delivery_id(change: dict[str, Any]) -> None:
    assert delivery_id(**(IDS | change)) != delivery_id(**IDS)


def test_parts_cannot_run_into_each_other() -> None:
    one = delivery_id(**(IDS | {"scenario_id": "a-b", "step_id": "c"}))
    two = delivery_id(**(IDS | {"scenario_id": "a", "step_id": "b-c"}))
    assert one != two


def test_run_ids() -> None:
    one = run_id(shop_id="sakura-farm", order_key="rakuten#1", scenario_id="thanks")
    assert one == run_id(shop_id="sakura-farm", order_key="rakuten#1", scenario_id="thanks")
    assert one != run_id(shop_id="sakura-farm", order_key="rakuten#2", scenario_id="thanks")
    assert SCHEDULE_NAME.match(one)
    assert one.startswith("sakura-farm.thanks.")


# --- repeat policies ------------------------------------------------------------------------------


def run(name: str, *pending: str, mailed: bool = False) -> Run:
    return Run(
        run_id=name,
        scenario_id="s",
        order_key=f"rakuten#{name}",
        pending_delivery_ids=list(pending),
        mailed=mailed,
    )


ACTIVE, DONE = run("r1", "d1", "d2"), run("r0", mailed=True)
NEVER_MAILED = run("r9")  # every step skipped (or cancelled) before anything went out


@pytest.mark.parametrize(
    ("policy", "existing", "decision"),
    [
        ("every_time", [ACTIVE, DONE], RepeatDecision(start=True)),
        ("once", [], RepeatDecision(start=True)),
        ("once", [DONE], RepeatDecision(start=False, reason="repeat_once")),
        ("once", [ACTIVE], RepeatDecision(start=False, reason="repeat_once")),
        ("once", [NEVER_MAILED], RepeatDecision(start=True)),
        ("skip_if_active", [NEVER_MAILED], RepeatDecision(start=True)),
        ("restart", [NEVER_MAILED], RepeatDecision(start=True)),
        ("skip_if_active", [DONE], RepeatDecision(start=True)),
        ("skip_if_active", [DONE, ACTIVE], RepeatDecision(start=False, reason="repeat_active")),
        ("restart", [DONE], RepeatDecision(start=True)),
        (
            "restart",
            [ACTIVE, DONE, run("r2", "d3")],
            RepeatDecision(start=True, cancel_delivery_ids=("d1", "d2", "d3"), reason="repeat_restart"),
        ),
    ],
)
def test_repeat_policies(policy: Any, existing: list[Run], decision: RepeatDecision) -> None:
    assert apply_repeat_policy(policy, existing, new_run_id="new") == decision


@pytest.mark.parametrize("policy", ["every_time", "once", "skip_if_active", "restart"])
def test_the_same_event_again_is_idempotent(policy: Any) -> None:
    again = apply_repeat_policy(policy, [ACTIVE, run("new", "d9")], new_run_id="new")
    assert again == RepeatDecision(start=True)


# --- re-planning on shipment ----------------------------------------------------------------------

FOLLOW = make_scenario("follow", steps=[step("thanks", 0, 10), step("tips", 3, 19), step("late", 30, 10)])


def pending_of(scenario: Scenario, order: Order, now: datetime) -> list[Delivery]:
    result = plan_scenario(make_shop(), scenario, order, now=now)
    return [
        Delivery(
            id=f"id-{d.step}",
            shop_id="kumo-ya",
            order_key=order.key,
            run_id="r",
            customer_email=None,
            scenario_id=scenario.id,
            scenario_version=scenario.version,
            step_id=d.step,
            template_id="t",
            send_at=d.send_at,
        )
        for d in result.deliveries
    ]


def test_a_later_shipment_moves_the_pending_steps() -> None:
    pending = pending_of(FOLLOW, make_order(), NOW)  # estimated ship date Tue 11-24
    shipped = make_order(shipped_at="2026-11-26")
    replan = replan_on_shipment(make_shop(), FOLLOW, shipped, pending, now=at("2026-11-26T09:00:00+09:00"))
    assert {key: value.isoformat() for key, value in replan.moves} == {
        "id-thanks": "2026-11-26T10:00:00+09:00",
        "id-tips": "2026-11-29T19:00:00+09:00",
        "id-late": "2026-12-26T10:00:00+09:00",
    }
    assert replan.skips == ()


def test_the_same_shipment_again_moves_nothing() -> None:
    pending = pending_of(FOLLOW, make_order(), NOW)
    same = make_order(shipped_at="2026-11-24")
    assert replan_on_shipment(make_shop(), FOLLOW, same, pending, now=NOW).moves == ()


def test_an_earlier_shipment_read_late() -> None:
    pending = pending_of(FOLLOW, make_order(), NOW)
    shipped = make_order(shipped_at="2026-11-21")  # a Saturday shipment, read on Tuesday 20:00
    now = at("2026-11-24T20:00:00+09:00")
    replan = replan_on_shipment(make_shop(), FOLLOW, shipped, pending, now=now)
    assert replan.skips == (("id-thanks", "past"),)  # Sat 10:00 is 82 hours ago
    # tips: Tue 19:00 was an hour ago (it waited for Fri 11-27): now
    assert dict(replan.moves) == {"id-tips": now, "id-late": at("2026-12-21T10:00:00+09:00")}
    assert dict(replan.moves)["id-tips"].tzinfo == ZoneInfo("Asia/Tokyo")


def test_replanning_leaves_other_deliveries_alone() -> None:
    pending = pending_of(FOLLOW, make_order(), NOW)
    sending = pending[0].model_copy(update={"status": "sending"})
    old_version = pending[1].model_copy(update={"scenario_version": 7})
    shipped = make_order(shipped_at="2026-11-26")
    replan = replan_on_shipment(make_shop(), FOLLOW, shipped, [sending, old_version], now=NOW)
    assert replan.moves == ()
    assert replan.skips == ()
    ordered = make_scenario("follow", trigger="ordered", steps=FOLLOW.model_dump()["steps"])
    assert replan_on_shipment(make_shop(), ordered, shipped, pending, now=NOW).moves == ()


def test_a_due_delivery_is_not_moved_to_now_again() -> None:
    # planned at once an hour ago (send_at = then), the sweeper has not sent it yet
    then = at("2026-11-24T11:00:00+09:00")
    pending = pending_of(FOLLOW, make_order(shipped_at="2026-11-24"), then)
    assert pending[0].send_at.astimezone(UTC) == then.astimezone(UTC)
    later = then + timedelta(hours=1)
    replan = replan_on_shipment(make_shop(), FOLLOW, make_order(shipped_at="2026-11-24"), pending, now=later)
    assert replan.moves == ()
