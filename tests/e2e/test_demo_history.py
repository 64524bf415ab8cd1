"""The demo shop's 120 days of history (``StackOptions(history=True)``), as its users see it: the
orders, the mails sent before the stack's start, and ``GET /results`` from the counters the
handlers kept, which agree with the orders and mails themselves.

The history is planned by ``okaeri_dev.history.plan_history`` (pure, read here to know what to
expect) and made by the stack through its own paths; this module reads what the stack made only
through its sockets.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest

from okaeri_dev.demo import demo_shop
from okaeri_dev.history import DAYS, History, plan_history
from okaeri_dev.stack import LocalStack
from tests.e2e.conftest import START, running_stack
from tests.e2e.local import LocalClient


@pytest.fixture(scope="module")
def stack() -> Iterator[LocalStack]:
    with running_stack(history=True) as running:
        yield running


@pytest.fixture(scope="module")
def planned() -> History:
    return plan_history(demo_shop(), end=START)


@pytest.fixture(scope="module")
def results(local: LocalClient, owner_token: str) -> dict[str, Any]:
    reply = local.get(f"/api/shops/demo/results?days={DAYS}", token=owner_token)
    assert reply.status == 200, reply.body
    answer: dict[str, Any] = reply.json()
    return answer


def scenario(results: dict[str, Any], scenario_id: str) -> dict[str, Any]:
    found: dict[str, Any] = next(s for s in results["scenarios"] if s["scenario_id"] == scenario_id)
    return found


def step(results: dict[str, Any], scenario_id: str, step_id: str) -> dict[str, Any]:
    found: dict[str, Any] = next(
        s for s in scenario(results, scenario_id)["steps"] if s["step_id"] == step_id
    )
    return found


def test_the_stack_starts_at_its_time_with_the_history_before_it(
    local: LocalClient, planned: History
) -> None:
    assert datetime.fromisoformat(local.now()) == START
    mails = local.outbox()
    assert len(mails) > 2 * len(planned.orders)
    sent_at = [datetime.fromisoformat(message["at"]) for message in mails]
    assert START - timedelta(days=DAYS) < min(sent_at) < max(sent_at) <= START
    assert sent_at == sorted(sent_at)  # each at its own time, as the clock went
    orders = local.orders()
    assert sorted(item["order"]["order_id"] for item in orders) == sorted(
        placed.order.order_id for placed in planned.orders
    )
    cancelled = {item["order"]["order_id"] for item in orders if item["status"] == "cancelled"}
    assert cancelled == {placed.order.order_id for placed in planned.orders if placed.cancelled_at}
    receptions = Counter(str(entry["s3_key"]).split("/")[0] for entry in local.receptions())
    assert receptions == {"import": len(planned.orders), "inbound": len(cancelled)}  # CSV, cancel mails


def test_the_results_count_every_run_and_hold_out_a_tenth_of_gyokuros(
    results: dict[str, Any], planned: History
) -> None:
    assert results["orders"] == len(planned.orders)
    runs = Counter((placed.scenario_id, placed.held_out) for placed in planned.orders)
    for scenario_id in ("gyokuro-care", "thanks-like-love"):
        counted = scenario(results, scenario_id)["runs"]
        assert (counted["mailed"], counted["held_out"]) == (runs[scenario_id, False], runs[scenario_id, True])
    gyokuro = scenario(results, "gyokuro-care")
    assert gyokuro["holdout_percent"] == 10
    assert gyokuro["runs"]["held_out"] > 0
    for step_result in gyokuro["steps"]:  # a held-out run's every mail is held out (whole_run)
        assert step_result["held_out"] == gyokuro["runs"]["held_out"]
    assert scenario(results, "thanks-like-love")["runs"]["held_out"] == 0


def test_mailed_buyers_repeat_more_often_than_held_out_ones(results: dict[str, Any]) -> None:
    gyokuro = scenario(results, "gyokuro-care")
    assert gyokuro["repeated"]["mailed"] > 0
    rates = gyokuro["repeat_rate"]
    assert rates["mailed"] > rates["held_out"]
    assert gyokuro["lift"] == pytest.approx(rates["mailed"] - rates["held_out"])
    assert gyokuro["lift"] > 0
    low, high = gyokuro["lift_interval"]
    assert low < gyokuro["lift"] < high


def test_both_wordings_of_the_ab_tested_mail_went_out_and_earned(results: dict[str, Any]) -> None:
    tips = step(results, "gyokuro-care", "tips")
    variants = {variant["variant"]: variant for variant in tips["variants"]}
    assert set(variants) == {"general", "gyokuro"}
    assert all(variant["sent"] > 0 for variant in variants.values())
    assert sum(variant["sent"] for variant in variants.values()) == tips["sent"]
    assert sum(variant["converted"] for variant in variants.values()) == tips["converted"] > 0
    assert tips["ab"]["verdict"] in {"too_few", "undecided", "winner"}


def test_the_counters_agree_with_the_orders_and_mails(results: dict[str, Any], local: LocalClient) -> None:
    steps = [step_result for s in results["scenarios"] for step_result in s["steps"]]
    assert sum(step_result["sent"] for step_result in steps) == len(local.outbox())
    credited = [
        item for item in local.orders() if item.get("credit") is not None and item["status"] != "cancelled"
    ]
    assert credited  # repeat orders earned by a mail
    assert sum(step_result["converted"] for step_result in steps) == len(credited)
    assert sum(step_result["revenue"] for step_result in steps) == sum(
        int(item["credit"]["total"]) for item in credited
    )
    by_step = Counter((item["credit"]["scenario_id"], item["credit"]["step_id"]) for item in credited)
    for s in results["scenarios"]:
        for step_result in s["steps"]:
            assert step_result["converted"] == by_step[s["scenario_id"], step_result["step_id"]]
