"""``/dashboard``: orders and mails per shop day, per-step results, mails waiting or in doubt."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from okaeri.aws.clients import dynamodb_client
from okaeri.aws.deliveries import COUNTERS, DUE_SHARDS
from tests.integration.api.conftest import OTHER_SHOP, Api
from tests.integration.api.ops_helpers import BASE, HIKARI, make_unknown, plan_orders
from tests.integration.pipeline.conftest import SHOP_ID
from tests.integration.pipeline.test_pipeline import fire_due_schedules, ingest

TOKYO = ZoneInfo("Asia/Tokyo")
DASHBOARD = f"{BASE}/dashboard"
SCENARIO = "thanks-like-love"


def test_the_dashboard_sums_the_period(api: Api) -> None:
    planned = plan_orders(api)
    config = api.stack.admin.config
    for _ in range(2):  # orders counted on a day of their own (ingest counts under scenario "*")
        config.count(SHOP_ID, day=date(2026, 12, 3), scenario_id="*", step_id="*", counter="orders")
    config.count(SHOP_ID, day=date(2026, 12, 7), scenario_id=SCENARIO, step_id="thanks", counter="bounced")
    config.count(SHOP_ID, day=date(2026, 11, 1), scenario_id=SCENARIO, step_id="thanks", counter="sent")
    assert ingest(api.stack, "kurashi-order")["result"] == "failed"
    fire_due_schedules(api.stack, datetime(2026, 12, 8, 12, tzinfo=TOKYO))  # the four thanks mails
    in_doubt = make_unknown(api, planned.one(HIKARI, "like"))

    answer = api.staff.get(DASHBOARD, days=10)
    assert answer.status == 200, answer.text
    board = answer.json()
    assert (board["day_from"], board["day_to"]) == ("2026-11-29", "2026-12-08")
    days = {row["day"]: row for row in board["days"]}
    assert list(days) == [(date(2026, 11, 29) + timedelta(days=n)).isoformat() for n in range(10)]
    counted = {
        row.day.isoformat(): row.counters.get("orders", 0)
        for row in config.stats(SHOP_ID, date(2026, 11, 29), date(2026, 12, 8))
        if row.scenario_id == "*"
    }
    assert {day: row["orders"] for day, row in days.items() if row["orders"]} == {
        day: n for day, n in counted.items() if n
    }
    assert days["2026-12-03"]["orders"] == 2  # ingest counts on the day a mail arrives: 12-06 here
    thanks_days = Counter(
        d.send_at.astimezone(TOKYO).date().isoformat()
        for d in planned.deliveries.values()
        if d.step_id == "thanks"
    )
    assert {day: row["sent"] for day, row in days.items() if row["sent"]} == dict(thanks_days)
    assert board["steps"] == [
        {
            "scenario_id": SCENARIO,
            "step_id": "thanks",
            "sent": 4,
            "delivered": 0,
            "bounced": 1,
            "complained": 0,
            "unsubscribed": 0,
            "opened": 0,
            "clicked": 0,
        }
    ]
    assert (board["waiting"], board["unknown"]) == (12 - 4 - 1, 1)
    assert [d["id"] for d in board["latest_unknown"]] == [in_doubt.id]
    assert board["failed_receptions"] == 1
    assert board["latest_failed_receptions"][0]["s3_key"] == f"inbound/{SHOP_ID}/kurashi-order"


def test_a_short_period_leaves_older_days_out(api: Api) -> None:
    plan_orders(api)
    api.stack.admin.config.count(
        SHOP_ID, day=date(2026, 11, 28), scenario_id="*", step_id="*", counter="orders"
    )
    board = api.staff.get(DASHBOARD, days=1).json()
    assert [row["day"] for row in board["days"]] == ["2026-11-30"]
    assert board["days"][0]["orders"] == 0
    assert board["waiting"] == 12
    default = api.staff.get(DASHBOARD).json()
    assert len(default["days"]) == 30
    assert sum(row["orders"] for row in default["days"]) >= 1


def test_days_are_bounded_and_shops_kept_apart(api: Api) -> None:
    plan_orders(api)
    assert api.staff.get(DASHBOARD, days=0).status == 422
    assert api.staff.get(DASHBOARD, days=367).status == 422
    assert api.outsider.get(DASHBOARD).error_code == "forbidden_shop"
    theirs = api.owner.get(f"/api/shops/{OTHER_SHOP}/dashboard", days=7).json()
    assert (theirs["waiting"], theirs["unknown"], theirs["steps"]) == (0, 0, [])
    assert {row["orders"] for row in theirs["days"]} == {0}


def deliveries_reads(api: Api) -> list[tuple[str, str, int]]:
    """One dashboard view's requests to the deliveries table: (operation, index, items read)."""
    table = api.stack.tables["deliveries"]
    seen: list[tuple[str, str, int]] = []
    pending: list[tuple[str, str]] = []

    def before(params: dict[str, Any], model: Any, **_: Any) -> None:
        if params.get("TableName") == table:
            pending.append((model.name, str(params.get("IndexName", "-"))))

    def after(parsed: dict[str, Any], model: Any, **_: Any) -> None:
        if pending and pending[0][0] == model.name:
            name, index = pending.pop(0)
            seen.append((name, index, int(parsed.get("ScannedCount", len(parsed.get("Items", []))))))

    events = dynamodb_client().meta.events
    events.register("provide-client-params.dynamodb", before, unique_id="dashboard-reads-before")
    events.register("after-call.dynamodb", after, unique_id="dashboard-reads-after")
    try:
        assert api.staff.get(DASHBOARD, days=30).status == 200
    finally:
        events.unregister("provide-client-params.dynamodb", unique_id="dashboard-reads-before")
        events.unregister("after-call.dynamodb", unique_id="dashboard-reads-after")
    return seen


def test_a_view_reads_counters_not_deliveries(api: Api) -> None:
    planned = plan_orders(api)
    make_unknown(api, planned.one(HIKARI, "like"))
    few = deliveries_reads(api)
    deliveries = api.stack.admin.deliveries
    template = planned.one(HIKARI, "love")
    for n in range(150):  # more mails planned within the 30 days shown (beyond the pace's two days)
        send_at = datetime(2026, 12, 20, tzinfo=TOKYO) + timedelta(minutes=n)
        assert deliveries.put_new(
            template.model_copy(update={"id": f"{template.id}-{n}", "send_at": send_at})
        )
    many = deliveries_reads(api)

    def counters(reads: list[tuple[str, str, int]]) -> list[tuple[str, str, int]]:
        return [read for read in reads if read[1] == "-"]  # the query of the shop's counter shards

    assert [read for read in many if read not in counters(many)] == [
        read for read in few if read not in counters(few)
    ]  # the same requests, each reading the same number of items, the counters apart:
    assert [(op, n <= len(COUNTERS) * DUE_SHARDS) for op, _, n in counters(many)] == [("Query", True)]
    assert ("Query", "due", 1) in few  # the latest unknown: one item under unknown#<shop>
    board = api.staff.get(DASHBOARD, days=30).json()
    assert (board["waiting"], board["unknown"]) == (12 - 1 + 150, 1)
