"""The schedule handler on moto: a partial batch response names exactly the record that failed.

Three orders come in; their three stream records go to ``functions.schedule.handler.handle`` as one
batch, with EventBridge Scheduler's CreateSchedule failing once in the middle of the second record.
Lambda then retries from the failed record on; and a batch delivered again changes nothing.

What each mail earns (issue #15), through the real ingest, schedule and send handlers: a buyer's
second order, within the attribution window of the thanks mail of their first, is credited to that
mail (the order's ``credit``, the delivery's ``conversions``, the daily counters the results read)
once, with every stream record delivered twice, and once too when the handler dies between writing
the credit and counting it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any
from zoneinfo import ZoneInfo

from functions.ingest import handler as ingest_handler
from functions.schedule import handler as schedule_handler
from okaeri.aws.dynamo import iso_utc
from okaeri.errors import OkaeriError
from okaeri.models import Delivery
from okaeri.models.order import normalise_order_id
from okaeri.services.results import results
from okaeri.services.schedule import ScheduleDeps
from tests.fakes import FaultPlan, faulty
from tests.integration.pipeline.conftest import (
    SHOP_ID,
    Stack,
    put_mail,
    s3_event,
    schedules,
    stream_records,
    table_items,
)
from tests.integration.pipeline.test_pipeline import all_deliveries, fire_due_schedules, ingest

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


# --- what each mail earns (issue #15): the orders stream credits and counts, once ----------------------

TOKYO = ZoneInfo("Asia/Tokyo")
PLAN = "thanks-like-love"
BUYER = "ichiro@hikari-shokai.example"
FIRST_AT = datetime(2026, 12, 2, 14, 3, 9, tzinfo=TOKYO)  # a Wednesday after the cutoff: thanks on the 4th
SECOND_AT = datetime(2026, 12, 6, 15, 0, tzinfo=TOKYO)  # two days after the thanks, within 7


def yahoo_order(order_id: str, at: datetime, total: int) -> bytes:
    """A Yahoo!ショッピング order mail of ``BUYER`` (UTF-8): one item at ``total`` yen."""
    mail = EmailMessage()
    mail["From"] = "Yahoo!ショッピング <shopping-order-master@mail.yahoo.co.jp>"
    mail["To"] = "store@mikan-sanbo.example"
    mail["Subject"] = f"【Yahoo!ショッピング】注文確認：{order_id}"
    mail["Date"] = format_datetime(at)
    mail.set_content(
        f"以下のご注文がありました。\n\n注文ID　：{order_id}\n注文日時：{at:%Y年%m月%d日 %H時%M分%S秒}\n\n"
        f"ご注文者　：光 一郎 様\nメールアドレス：{BUYER}\n\n"
        f"（1）温州みかん 5kg\n　商品コード：mikan-5\n　{total:,}円×1＝{total:,}円\n"
        f"===============\n合計金額 ：{total:,}円\n"
    )
    return mail.as_bytes()


def order_arrives(stack: Stack, order_id: str, at: datetime, total: int) -> str:
    """The order mail into S3 and through the ingest handler (its S3 event twice); the order key."""
    stack.clock.set(at + timedelta(minutes=2))
    key = f"inbound/{SHOP_ID}/{order_id}"
    put_mail(key, yahoo_order(order_id, at, total))
    event = s3_event(key, at=iso_utc(stack.clock.now()))
    results = [ingest_handler.handle(event, stack.ingest)["results"][0]["result"] for _ in range(2)]
    assert results == ["parsed", "parsed"]  # the same object again: its one reception, one order
    return f"yahoo#{normalise_order_id(order_id)}"


def stream_twice(stack: Stack, deps: ScheduleDeps | None = None) -> list[dict[str, Any]]:
    """Every new record of the orders stream handed to the schedule handler twice, as Lambda may;
    the records (the credit's own change comes back as a record too, and is handed on likewise)."""
    handled: list[dict[str, Any]] = []
    while records := stream_records(stack):
        for _ in range(2):
            assert (
                schedule_handler.handle({"Records": records}, deps or stack.schedule)["batchItemFailures"]
                == []
            )
        handled += records
    return handled


def counters(stack: Stack) -> dict[tuple[str, str, str], dict[str, int]]:
    """The shop's daily counters as stored: (day, scenario, step) → counters."""
    rows = stack.admin.config.stats(SHOP_ID, date(2026, 11, 1), date(2026, 12, 31))
    return {(str(row.day), row.scenario_id, row.step_id): dict(row.counters) for row in rows}


def first_order_thanked(stack: Stack) -> tuple[str, Delivery]:
    """The buyer's first order, planned through the stream (each record twice) and its thanks sent."""
    first = order_arrives(stack, "mikan-10000001", FIRST_AT, 4800)
    stream_twice(stack)
    outcomes = fire_due_schedules(stack, datetime(2026, 12, 5, tzinfo=TOKYO))
    assert [outcome["status"] for outcome in outcomes] == ["sent"]
    [thanks] = [d for d in stack.schedule.deliveries.by_order(SHOP_ID, first) if d.step_id == "thanks"]
    assert thanks.status == "sent"
    assert thanks.sent_at is not None
    return first, thanks


def assert_credited_once(stack: Stack, second: str, thanks: Delivery) -> None:
    """The second order is credited to the first one's thanks mail, and every count made once."""
    assert thanks.sent_at is not None
    record = stack.schedule.orders.get(SHOP_ID, second)
    assert record is not None
    assert record.credit is not None
    assert record.credit.model_dump() == {
        "delivery_id": thanks.id,
        "scenario_id": PLAN,
        "step_id": "thanks",
        "variant": None,
        "sent_at": thanks.sent_at,
        "hours": round((SECOND_AT - thanks.sent_at).total_seconds() / 3600, 1),
        "total": 7300,
        "day": date(2026, 12, 6),
    }
    credited = stack.schedule.deliveries.get(SHOP_ID, thanks.id)
    assert credited is not None
    assert list(credited.conversions) == [second]
    conversion = credited.conversions[second]
    assert (conversion.order_id, conversion.total, conversion.at, conversion.cancelled) == (
        "mikan-10000002",
        7300,
        SECOND_AT,
        False,
    )
    rows = counters(stack)
    assert rows[("2026-12-06", PLAN, "thanks")] == {"converted": 1, "revenue": 7300}
    assert rows[("2026-12-02", PLAN, "*")] == {"runs_mailed": 1, "repeated_mailed": 1}  # the run's start day
    assert rows[("2026-12-06", PLAN, "*")] == {"runs_mailed": 1}
    assert rows[("2026-12-04", PLAN, "thanks")] == {"sent": 1}
    [plan] = results(stack.admin.config, stack.clock, SHOP_ID, days=30).scenarios
    assert (plan.runs.mailed, plan.repeated.mailed, plan.converted, plan.revenue) == (2, 1, 1, 7300)
    assert [(s.step_id, s.sent, s.converted, s.revenue) for s in plan.steps] == [
        ("thanks", 1, 1, 7300),
        ("like", 0, 0, 0),
        ("love", 0, 0, 0),
    ]


def test_a_second_order_is_credited_to_the_mail_before_it_once_whatever_the_stream_repeats(
    stack: Stack,
) -> None:
    _, thanks = first_order_thanked(stack)

    second = order_arrives(stack, "mikan-10000002", SECOND_AT, 7300)
    handled = stream_twice(stack)

    assert [record["eventName"] for record in handled] == ["INSERT", "MODIFY"]  # the order, its credit
    assert_credited_once(stack, second, thanks)
    snapshot = table_items(stack)
    assert schedule_handler.handle({"Records": handled}, stack.schedule)["batchItemFailures"] == []
    assert table_items(stack) == snapshot  # a third delivery changes nothing at all


def config_table_failed() -> OkaeriError:
    return OkaeriError("設定テーブルへの書き込みに失敗しました（テスト）", "the config table failed (test)")


def test_a_crash_after_the_credit_before_its_count_counts_once_on_the_retry(stack: Stack) -> None:
    _, thanks = first_order_thanked(stack)
    plan = FaultPlan()
    plan.arm("config.count_once", config_table_failed)  # the credit's count: the first of the order's
    failing = replace(stack.schedule, config=faulty(stack.schedule.config, plan, "config"))

    second = order_arrives(stack, "mikan-10000002", SECOND_AT, 7300)
    [insert] = stream_records(stack)
    response = schedule_handler.handle({"Records": [insert]}, failing)

    assert plan.fired == [("config.count_once", "OkaeriError")]
    assert response["batchItemFailures"] == [{"itemIdentifier": sequence_number(insert)}]
    record = stack.schedule.orders.get(SHOP_ID, second)
    assert record is not None
    assert record.credit is not None  # written before the crash …
    assert ("2026-12-06", PLAN, "thanks") not in counters(stack)  # … its count not
    # Lambda retries the failed record (twice, as it may), then the credit's own change comes
    for _ in range(2):
        assert schedule_handler.handle({"Records": [insert]}, stack.schedule)["batchItemFailures"] == []
    assert [record["eventName"] for record in stream_twice(stack)] == ["MODIFY"]
    assert_credited_once(stack, second, thanks)
