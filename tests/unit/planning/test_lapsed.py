"""Issue #16: planning a win-back (``trigger: lapsed``) run (its window at send time:
tests/unit/domain/test_compliance_malls.py)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from okaeri.models import Scenario
from okaeri.models.delivery import Skip
from okaeri.planner import lapse_day, plan_lapsed, plan_order, winback_delivery_id, winback_run_id
from tests.unit.planning.builders import make_order, make_scenario, make_shop, step

NOW = datetime.fromisoformat("2027-02-18T00:30:00+09:00")  # the job's hour on the lapse day
BASE = date(2027, 2, 18)  # 2026-11-20 + 90 days


def winback(**changes: Any) -> Scenario:
    fields = {"trigger": "lapsed", "lapsed_days": 90, "steps": [step("coupon", 0, 10), step("later", 3, 10)]}
    return make_scenario("wb", **(fields | changes))


def test_steps_count_from_the_base_date_with_the_shops_rules() -> None:
    scenario = winback(steps=[step("coupon", 0, 22), step("later", 2, 10, business_days_only=True)])
    assert lapse_day(date(2026, 11, 20), scenario) == BASE
    plan = plan_lapsed(make_shop(), scenario, make_order(), order_count=1, base=BASE, now=NOW)
    assert plan is not None
    assert plan.trigger == "lapsed"
    assert plan.skipped == []
    coupon, later = plan.deliveries
    assert coupon.send_at == datetime.fromisoformat("2027-02-19T08:00:00+09:00")  # 22:00 is quiet
    assert later.send_at == datetime.fromisoformat("2027-02-22T10:00:00+09:00")  # 02-20 is a Saturday


def test_late_by_less_than_a_day_goes_at_once_and_by_more_is_past() -> None:
    now = datetime.fromisoformat("2027-02-19T11:00:00+09:00")
    plan = plan_lapsed(make_shop(), winback(), make_order(), order_count=1, base=BASE, now=now)
    assert plan is not None
    assert [(p.step, p.at_once) for p in plan.deliveries] == [("later", False)]
    assert [(s.step, s.reason) for s in plan.skipped] == [("coupon", Skip.PAST)]
    soon = datetime.fromisoformat("2027-02-18T15:00:00+09:00")
    plan = plan_lapsed(make_shop(), winback(), make_order(), order_count=1, base=BASE, now=soon)
    assert plan is not None
    assert plan.deliveries[0].at_once
    assert plan.deliveries[0].send_at == soon


def test_the_window_counts_from_the_base_date_and_the_ship_date_is_the_orders() -> None:
    plan = plan_lapsed(
        make_shop(max_window_days=2), winback(), make_order(), order_count=1, base=BASE, now=NOW
    )
    assert plan is not None
    assert [p.step for p in plan.deliveries] == ["coupon"]
    assert [(s.step, s.reason) for s in plan.skipped] == [("later", Skip.BEYOND_MAX_WINDOW)]
    assert plan.ship_date == date(
        2026, 11, 24
    )  # the order's estimate: a business day on (11-23 is a holiday)


def test_conditions_and_the_order_count_decide_and_an_order_never_starts_a_win_back() -> None:
    scenario = winback(conditions={"min_order_count": 3, "sources": ["rakuten"]})
    assert plan_lapsed(make_shop(), scenario, make_order(), order_count=2, base=BASE, now=NOW) is None
    assert plan_lapsed(make_shop(), scenario, make_order(), order_count=3, base=BASE, now=NOW) is not None
    assert (
        plan_lapsed(make_shop(), winback(active=False), make_order(), order_count=3, base=BASE, now=NOW)
        is None
    )
    assert plan_lapsed(make_shop(), make_scenario(), make_order(), order_count=1, base=BASE, now=NOW) is None
    assert plan_order(make_shop(), [winback()], make_order(), now=NOW) == []


def test_a_lapse_is_named_by_the_order_the_scenario_and_the_day_not_the_version() -> None:
    names = {"shop_id": "kumo-ya", "order_key": "rakuten#K-1", "scenario_id": "wb"}
    assert winback_run_id(**names, lapsed_on=BASE) != winback_run_id(**names, lapsed_on=date(2027, 3, 20))
    one = winback_delivery_id(**names, lapsed_on=BASE, step_id="coupon")
    assert one == winback_delivery_id(**names, lapsed_on=BASE, step_id="coupon")
    assert len(one) <= 64
    assert one != winback_delivery_id(**names, lapsed_on=BASE, step_id="later")
