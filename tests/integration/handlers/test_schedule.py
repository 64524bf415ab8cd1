"""The schedule handler on moto: a partial batch response names exactly the record that failed.

Three orders come in; their three stream records go to ``functions.schedule.handler.handle`` as one
batch, with EventBridge Scheduler's CreateSchedule failing once in the middle of the second record.
Lambda then retries from the failed record on; and a batch delivered again changes nothing.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from functions.schedule import handler as schedule_handler
from okaeri.errors import OkaeriError
from tests.fakes import FaultPlan, faulty
from tests.integration.pipeline.conftest import Stack, schedules, stream_records, table_items
from tests.integration.pipeline.test_pipeline import all_deliveries, ingest

ORDERS = ("yahoo-iso2022-company", "eccube-html-gift", "rakuten-utf8-qp")
STEPS = 3


def schedule_failed() -> OkaeriError:
    """What ``EventBridgeSchedules`` raises when CreateSchedule fails with anything but a conflict."""
    return OkaeriError(
        "配信予約の作成に失敗しました（テスト）",
        "could not create the schedule (test)",
        code="schedule_failed",
    )


def three_orders(stack: Stack) -> list[dict[str, Any]]:
    for name in ORDERS:
        assert ingest(stack, name)["result"] == "parsed"
    records = stream_records(stack)
    assert [record["eventName"] for record in records] == ["INSERT"] * len(ORDERS)
    return records


def sequence_number(record: dict[str, Any]) -> str:
    return str(record["dynamodb"]["SequenceNumber"])


def wake_ups() -> dict[str, dict[str, Any]]:
    """Every schedule as stored (without the answer's request metadata)."""
    return {
        name: {field: value for field, value in schedule.items() if field != "ResponseMetadata"}
        for name, schedule in schedules().items()
    }


def by_order(stack: Stack) -> dict[str, set[str]]:
    """Delivery ids per order key."""
    found: dict[str, set[str]] = {}
    for item in all_deliveries(stack):
        found.setdefault(str(item["order_key"]), set()).add(str(item["sk"]))
    return found


def test_a_failing_record_is_reported_alone_and_its_retry_completes_it(stack: Stack) -> None:
    records = three_orders(stack)
    plan = FaultPlan()
    plan.arm("schedules.create", schedule_failed, skip=STEPS)  # the second record's first schedule
    failing = replace(stack.schedule, schedules=faulty(stack.schedule.schedules, plan, "schedules"))

    response = schedule_handler.handle({"Records": records}, failing)

    assert plan.fired == [("schedules.create", "OkaeriError")]
    assert response["batchItemFailures"] == [{"itemIdentifier": sequence_number(records[1])}]
    planned = by_order(stack)
    assert [len(ids) for ids in planned.values()] == [STEPS] * len(ORDERS)  # each run in one request
    done = [ids for ids in planned.values() if ids <= set(schedules())]
    assert len(done) == 2  # the first and the third record went through
    [broken] = [ids for ids in planned.values() if not ids <= set(schedules())]
    assert not broken & set(schedules())  # stored, no wake-up made yet

    # Lambda retries a stream batch from the failed record on
    assert schedule_handler.handle({"Records": records[1:]}, stack.schedule)["batchItemFailures"] == []
    planned = by_order(stack)
    assert [len(ids) for ids in planned.values()] == [STEPS] * len(ORDERS)
    assert set(schedules()) == {name for ids in planned.values() for name in ids}


def test_the_same_batch_twice_creates_nothing_new(stack: Stack) -> None:
    records = three_orders(stack)
    assert schedule_handler.handle({"Records": records}, stack.schedule)["batchItemFailures"] == []
    deliveries, stored = table_items(stack)["deliveries"], wake_ups()
    assert len([item for item in deliveries if "id" in item]) == len(stored) == STEPS * len(ORDERS)

    again = schedule_handler.handle({"Records": records}, stack.schedule)

    assert again["batchItemFailures"] == []
    assert table_items(stack)["deliveries"] == deliveries  # the counts too: nothing counted twice
    assert wake_ups() == stored  # not even modified (CreationDate, LastModificationDate kept)
    assert stream_records(stack) == []


def test_a_batch_whose_every_record_fails_reports_each_and_loses_none(stack: Stack) -> None:
    records = three_orders(stack)
    plan = FaultPlan()
    plan.arm("schedules.create", schedule_failed, times=None)  # every schedule
    failing = replace(stack.schedule, schedules=faulty(stack.schedule.schedules, plan, "schedules"))

    response = schedule_handler.handle({"Records": records}, failing)

    assert response["batchItemFailures"] == [{"itemIdentifier": sequence_number(r)} for r in records]
    assert schedule_handler.handle({"Records": records}, stack.schedule)["batchItemFailures"] == []
    planned = by_order(stack)
    assert [len(ids) for ids in planned.values()] == [STEPS] * len(ORDERS)
    assert set().union(*planned.values()) <= set(schedules())
