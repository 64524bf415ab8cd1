"""The whole pipeline in moto, through the real handlers.

Raw mails put into S3 → ingest → the orders table's stream records read back from moto →
schedule → each created schedule's input handed to send at its time → mails in moto's SES
outbox, and on a real STARTTLS + AUTH relay on 127.0.0.1 for Rakuten's masked addresses.
"""

from __future__ import annotations

import email
import email.policy
import json
from collections import Counter
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import boto3
from boto3.dynamodb.conditions import Key

from functions.ingest import handler as ingest_handler
from functions.schedule import handler as schedule_handler
from functions.send import handler as send_handler
from tests.conftest import FIXTURES
from tests.integration.conftest import REGION
from tests.integration.pipeline.conftest import (
    GROUP,
    SHOP_ID,
    Stack,
    put_mail,
    s3_event,
    schedules,
    stream_records,
)

MAILS = FIXTURES / "mail"
TOKYO = ZoneInfo("Asia/Tokyo")


def ingest(stack: Stack, name: str, *, key_suffix: str = "") -> dict[str, Any]:
    key = f"inbound/{SHOP_ID}/{name}{key_suffix}"
    put_mail(key, (MAILS / f"{name}.eml").read_bytes())
    [result] = ingest_handler.handle(s3_event(key), stack.ingest)["results"]
    return result


def pump_stream(stack: Stack) -> int:
    records = stream_records(stack)
    if records:
        response = schedule_handler.handle({"Records": records}, stack.schedule)
        assert response["batchItemFailures"] == []
    return len(records)


def schedule_time(schedule: dict[str, Any]) -> datetime:
    expression = schedule["ScheduleExpression"]
    assert expression.startswith("at(")
    zone = ZoneInfo(schedule["ScheduleExpressionTimezone"])
    return datetime.fromisoformat(expression[3:-1]).replace(tzinfo=zone)


def fire_due_schedules(stack: Stack, until: datetime) -> list[dict[str, Any]]:
    """Fire every schedule due by ``until`` in time order, as EventBridge Scheduler would (then delete it)."""
    client = boto3.client("scheduler", region_name=REGION)
    results = []
    for _ in range(1000):  # bounded
        due = sorted(
            ((schedule_time(s), name, s) for name, s in schedules().items() if schedule_time(s) <= until),
            key=lambda entry: entry[0],
        )
        if not due:
            break
        at, name, schedule = due[0]
        stack.clock.set(max(stack.clock.now(), at))
        results.append(send_handler.handle_wake_up(json.loads(schedule["Target"]["Input"]), stack.send))
        client.delete_schedule(Name=name, GroupName=GROUP)  # ActionAfterCompletion=DELETE
    stack.clock.set(max(stack.clock.now(), until))
    return results


def all_deliveries(stack: Stack) -> list[dict[str, Any]]:
    table = boto3.resource("dynamodb", region_name=REGION).Table(stack.tables["deliveries"])
    return list(table.query(KeyConditionExpression=Key("pk").eq(SHOP_ID))["Items"])


def receptions(stack: Stack) -> dict[str, str]:
    table = boto3.resource("dynamodb", region_name=REGION).Table(stack.tables["logs"])
    items = table.query(KeyConditionExpression=Key("pk").eq(f"{SHOP_ID}#reception"))["Items"]
    return {str(item["s3_key"]).rsplit("/", 1)[-1]: str(item["result"]) for item in items}


def test_mails_in_become_planned_mails_out(stack: Stack) -> None:
    # --- mails arrive --------------------------------------------------------------------------
    assert ingest(stack, "eccube-html-gift")["result"] == "parsed"
    assert ingest(stack, "yahoo-iso2022-company")["result"] == "parsed"
    assert ingest(stack, "rakuten-iso2022-nec")["result"] == "parsed"  # a masked address: relay
    assert ingest(stack, "rakuten-utf8-qp")["result"] == "parsed"
    assert ingest(stack, "newsletter") == {
        "key": f"inbound/{SHOP_ID}/newsletter", "result": "not_an_order", "reason": "not_an_order", "order": None,
    }  # fmt: skip
    assert pump_stream(stack) == 4
    planned = all_deliveries(stack)
    assert len(planned) == 12  # four orders × three steps
    assert {item["status"] for item in planned} == {"scheduled"}
    assert set(schedules()) == {str(item["sk"]) for item in planned}

    # --- the same mail again (another key), a shipment, a cancellation of an unknown order ---------
    assert ingest(stack, "yahoo-iso2022-company", key_suffix="-resent")["result"] == "duplicate"
    assert ingest(stack, "rakuten-shipped")["result"] == "parsed"
    pump_stream(stack)
    assert len(all_deliveries(stack)) == 12  # nothing new: same ids
    rakuten = [d for d in all_deliveries(stack) if "512034-20261205-1000000077" in str(d["order_key"])]
    thanks = next(d for d in rakuten if d["step_id"] == "thanks")
    assert datetime.fromisoformat(str(thanks["send_at"])).astimezone(TOKYO) == datetime(
        2026, 12, 7, 10, tzinfo=TOKYO
    )

    # --- time passes: every wake-up fires at its time ----------------------------------------------
    outcomes = fire_due_schedules(stack, datetime(2027, 2, 1, tzinfo=TOKYO))
    assert Counter(outcome["status"] for outcome in outcomes) == Counter({"sent": 12}), outcomes
    final = all_deliveries(stack)
    assert {item["status"] for item in final} == {"sent"}

    # --- what went out ------------------------------------------------------------------------------
    ses_mail = stack.ses_outbox()
    relay_mail = stack.relay.messages
    assert len(ses_mail) == 6  # two ordinary buyers × three steps
    assert len(relay_mail) == 6  # two masked Rakuten buyers × three steps, via the relay
    assert all(rcpt.endswith(".fw.rakuten.ne.jp") for message in relay_mail for rcpt in message.rcpt_tos)
    message_ids = [str(item["message_id"]) for item in final]
    assert len(set(message_ids)) == 12  # each delivery sent once, with its own id
    love = [
        email.message_from_bytes(m.data, policy=email.policy.default)
        for m in relay_mail
        if b"List-Unsubscribe" in m.data
    ]
    assert love
    for message in love:
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # --- every mail has its reception entry ----------------------------------------------------------
    assert receptions(stack) == {
        "eccube-html-gift": "parsed",
        "yahoo-iso2022-company": "parsed",
        "yahoo-iso2022-company-resent": "duplicate",
        "rakuten-iso2022-nec": "parsed",
        "rakuten-utf8-qp": "parsed",
        "rakuten-shipped": "parsed",
        "newsletter": "not_an_order",
    }
