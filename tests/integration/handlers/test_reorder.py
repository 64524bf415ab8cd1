"""Stop on reorder (issue #16) through the real ingest and schedule handlers on moto: a buyer orders
again within the coupon step's wait; the first run's coupon mail ends ``skipped``/``reordered``, its
wake-up is deleted, it is counted once on its step's row — with every stream record delivered twice,
and a third time changing nothing at all."""

from __future__ import annotations

from datetime import date

from functions.schedule import handler as schedule_handler
from okaeri.services.results import results
from tests.integration.handlers.test_schedule import (
    FIRST_AT,
    PLAN,
    SECOND_AT,
    counters,
    first_order_thanked,
    order_arrives,
    stream_twice,
)
from tests.integration.pipeline.conftest import SHOP_ID, Stack, schedules, table_items


def test_a_second_order_within_the_coupon_steps_wait_stops_the_coupon_once(stack: Stack) -> None:
    first, _ = first_order_thanked(stack)
    steps = {d.step_id: d for d in stack.schedule.deliveries.by_order(SHOP_ID, first)}
    assert {step: d.status for step, d in steps.items()} == {
        "thanks": "sent",
        "like": "scheduled",
        "love": "scheduled",
    }
    assert steps["love"].id in schedules()

    order_arrives(stack, "mikan-10000002", SECOND_AT, 7300)  # within the coupon ("love") step's 20 days
    handled = stream_twice(stack)

    after = {d.step_id: d for d in stack.schedule.deliveries.by_order(SHOP_ID, first)}
    assert (after["love"].status, after["love"].reason) == ("skipped", "reordered")
    assert after["like"].status == "scheduled"  # usage tips and a review request: not advertising
    assert steps["love"].id not in schedules()
    assert steps["like"].id in schedules()
    rows = counters(stack)
    assert rows[("2026-12-06", PLAN, "love")] == {"reordered": 1}  # on the day of the skip, once
    [plan] = results(stack.admin.config, stack.clock, SHOP_ID, days=30).scenarios
    love = next(step for step in plan.steps if step.step_id == "love")
    assert (love.sent, love.reordered, love.frequency_capped) == (0, 1, 0)
    assert FIRST_AT.date() == date(2026, 12, 2)

    snapshot, wake_ups = table_items(stack), schedules()
    assert schedule_handler.handle({"Records": handled}, stack.schedule)["batchItemFailures"] == []
    assert table_items(stack) == snapshot  # a third delivery changes nothing at all
    assert schedules().keys() == wake_ups.keys()
