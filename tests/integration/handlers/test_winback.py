"""Issue #16: the win-back job and its handler over DynamoDB and EventBridge Scheduler (moto).

The fixture shop sells outside the malls here (compliance ``none``) and saves a 90-day win-back.
Two buyers: one whose last order (09-01) lapses on 11-30, one whose last order (08-29) lapsed on
11-27, a day the job missed (it last ran on 11-26): the job on 11-30 catches that day up, planned
from 11-30. Run again, late or twice, it starts nothing more; the coupons go out once.
"""

from __future__ import annotations

from datetime import date, datetime

import boto3
from boto3.dynamodb.conditions import Key

from functions.schedule import handler as schedule_handler
from okaeri.aws.config import WINBACK_PK, DynamoConfig
from okaeri.aws.customers import DynamoCustomers
from okaeri.identity import customer_id_for
from okaeri.services.winback import WinbackDeps
from tests.integration.pipeline.conftest import REGION, SHOP_ID, Stack, schedules
from tests.integration.pipeline.test_pipeline import all_deliveries, fire_due_schedules
from tests.support.winback import buy, tea_order, winback_scenario

ON_TIME, CAUGHT_UP = "sakura.mori@example.jp", "ken.tanaka@example.jp"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace(" ", "T") + "+09:00")


def winback_stack(stack: Stack) -> WinbackDeps:
    """The shop outside the malls with the win-back saved, the two buyers' orders, the job's deps."""
    config = DynamoConfig(stack.tables["config"])
    config.put_shop(stack.shop.model_copy(update={"compliance": "none"}))
    config.save_scenario(SHOP_ID, winback_scenario())
    customers = stack.ingest.customers
    assert isinstance(customers, DynamoCustomers)
    for email, order_id, when in (
        (ON_TIME, "Y-1", at("2026-06-01 10:00")),
        (ON_TIME, "Y-2", at("2026-09-01 10:00")),
        (CAUGHT_UP, "Y-3", at("2026-08-29 18:00")),
    ):
        buy(stack.schedule.orders, customers, SHOP_ID, tea_order(email, order_id, when), zone=stack.shop.tz)
    return WinbackDeps(schedule=stack.schedule, customers=customers, registry=config)


def winback_items(stack: Stack) -> dict[str, dict[str, object]]:
    return {
        str(item["sk"]): item for item in all_deliveries(stack) if item.get("scenario_id") == "winback-90"
    }


def done_through(stack: Stack) -> str:
    table = boto3.resource("dynamodb", region_name=REGION).Table(stack.tables["config"])
    (item,) = table.query(KeyConditionExpression=Key("pk").eq(WINBACK_PK))["Items"]
    return str(item["done_through"])


def test_the_job_on_dynamodb_catches_a_missed_day_up_and_twice_starts_nothing_more(stack: Stack) -> None:
    deps = winback_stack(stack)
    stack.clock.set(at("2026-11-26 00:30"))
    assert schedule_handler.handle_winback(deps)["started"] == []  # the first run notes 11-26 done
    stack.clock.set(at("2026-11-30 00:30"))  # the runs of 11-27 to 11-29 were missed
    first = schedule_handler.handle_winback(deps)
    assert first["days"] == {SHOP_ID: ["2026-11-27", "2026-11-28", "2026-11-29", "2026-11-30"]}
    assert len(first["started"]) == 2
    assert done_through(stack) == "2026-11-30"
    items = winback_items(stack)
    mails = {(item["customer_email"], item["step_id"]): item for item in items.values()}
    assert sorted(mails) == sorted(
        (who, step) for who in (ON_TIME, CAUGHT_UP) for step in ("coupon", "reminder")
    )
    for who in (ON_TIME, CAUGHT_UP):  # both planned from the day the job ran
        assert datetime.fromisoformat(str(mails[(who, "coupon")]["send_at"])) == at("2026-11-30 10:00")
        assert mails[(who, "coupon")]["status"] == "scheduled"
    assert mails[(ON_TIME, "coupon")]["order_key"] == "yahoo#Y-2"  # the last order, not the first
    assert set(items) <= set(schedules())

    stack.clock.set(at("2026-11-30 01:30"))
    again = schedule_handler.handle_winback(deps)
    assert again["started"] == []
    assert again["days"] == {}
    config = DynamoConfig(stack.tables["config"])  # as if the day had not been noted done
    boto3.resource("dynamodb", region_name=REGION).Table(stack.tables["config"]).update_item(
        Key={"pk": WINBACK_PK, "sk": SHOP_ID}, UpdateExpression="REMOVE done_through"
    )
    assert config.winback_done(SHOP_ID, date(2026, 11, 26))
    retried = schedule_handler.handle_winback(deps)
    assert retried["created"] == []
    assert winback_items(stack) == items

    results = fire_due_schedules(stack, at("2026-11-30 10:05"))
    assert sorted(result["status"] for result in results) == ["sent", "sent"]
    assert sorted(message.destinations[0] for message in stack.ses_outbox()) == sorted([ON_TIME, CAUGHT_UP])
    assert customer_id_for(ON_TIME) in {str(item["customer_id"]) for item in items.values()}


def test_a_buyer_who_ordered_since_is_not_in_the_index_of_their_old_day(stack: Stack) -> None:
    deps = winback_stack(stack)
    customers = deps.customers
    buy(
        stack.schedule.orders,
        customers,
        SHOP_ID,
        tea_order(ON_TIME, "Y-9", at("2026-10-20 12:00")),
        zone=stack.shop.tz,
    )
    assert [c.customer_id for c in customers.lapsed_on(SHOP_ID, date(2026, 9, 1))] == []
    stack.clock.set(at("2026-11-29 00:30"))
    schedule_handler.handle_winback(deps)
    stack.clock.set(at("2026-11-30 00:30"))
    assert schedule_handler.handle_winback(deps)["started"] == []
    assert winback_items(stack) == {}
