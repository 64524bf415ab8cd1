"""``/dashboard`` over the fakes: orders and mails per shop day, per-step results, mails waiting or
in doubt, failed receptions and the hours the SES rate cannot keep up with (staff)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from okaeri.api import build_api
from tests.support.api_client import ApiClient
from tests.support.operations import HIKARI, make_unknown
from tests.unit.api.conftest import BASE, OTHER_SHOP, Admin, claims, fire_until, plan_orders, refused_below
from tests.unit.services.support import ADMIN_SETTINGS, SHOP_ID

TOKYO = ZoneInfo("Asia/Tokyo")
DASHBOARD = f"{BASE}/dashboard"
PLAN = "thanks-like-love"


def board(client: ApiClient, **query: Any) -> dict[str, Any]:
    answer = client.get(DASHBOARD, **query)
    assert answer.status == 200, answer.text
    return dict(answer.json())


def test_the_dashboard_sums_ten_days_of_a_busy_shop(admin: Admin) -> None:
    planned = plan_orders(admin)
    world = admin.world
    for _ in range(2):
        world.config.count(SHOP_ID, day=date(2026, 12, 3), scenario_id="*", step_id="*", counter="orders")
    world.config.count(SHOP_ID, day=date(2026, 12, 7), scenario_id=PLAN, step_id="thanks", counter="bounced")
    world.config.count(SHOP_ID, day=date(2026, 11, 1), scenario_id=PLAN, step_id="thanks", counter="sent")
    assert world.receive("kurashi-order").result == "failed"
    assert fire_until(admin, datetime(2026, 12, 8, 12, tzinfo=TOKYO)) == 4  # the four thanks mails
    in_doubt = make_unknown(world.deliveries, planned.one(HIKARI, "like"))

    seen = board(admin.staff, days=10)
    assert (seen["day_from"], seen["day_to"]) == ("2026-11-29", "2026-12-08")
    assert [row["day"] for row in seen["days"]] == [
        str(date(2026, 11, 29) + timedelta(days=n)) for n in range(10)
    ]
    assert {row["day"]: row["orders"] for row in seen["days"] if row["orders"]} == {
        "2026-11-30": 4,  # ingest counts the day the mails came
        "2026-12-03": 2,
    }
    assert {row["day"]: row["sent"] for row in seen["days"] if row["sent"]} == dict.fromkeys(
        ["2026-12-01", "2026-12-04", "2026-12-05", "2026-12-07"], 1
    )
    assert seen["steps"] == [
        {"scenario_id": PLAN, "step_id": "thanks", "sent": 4, "delivered": 0, "bounced": 1,
         "complained": 0, "unsubscribed": 0, "opened": 0, "clicked": 0}
    ]  # fmt: skip
    assert (seen["waiting"], seen["unknown"]) == (12 - 4 - 1, 1)
    assert [d["id"] for d in seen["latest_unknown"]] == [in_doubt.id]
    assert seen["failed_receptions"] == 1
    assert [e["s3_key"] for e in seen["latest_failed_receptions"]] == [f"inbound/{SHOP_ID}/kurashi-order"]
    assert seen["slow_hours"] == []
    assert board(admin.manager, days=10) == board(admin.owner, days=10) == seen
    refused_below(admin, "staff", "GET", DASHBOARD)


def test_the_period_is_one_to_366_shop_days_and_the_default_thirty(admin: Admin) -> None:
    plan_orders(admin)
    admin.world.config.count(SHOP_ID, day=date(2026, 11, 29), scenario_id="*", step_id="*", counter="orders")
    today = board(admin.staff, days=1)
    assert [(row["day"], row["orders"]) for row in today["days"]] == [("2026-11-30", 4)]
    assert (today["waiting"], today["unknown"], today["failed_receptions"]) == (12, 0, 0)
    default = board(admin.staff)
    assert (len(default["days"]), default["day_from"]) == (30, "2026-11-01")
    assert sum(row["orders"] for row in default["days"]) == 5
    assert len(board(admin.staff, days=366)["days"]) == 366
    for days in (0, 367, "ten"):
        answer = admin.staff.get(DASHBOARD, days=days)
        assert (answer.status, answer.error_code) == (422, "invalid_request"), days


def test_another_shop_sees_only_its_own(admin: Admin) -> None:
    plan_orders(admin)
    theirs = admin.owner.get(f"/api/shops/{OTHER_SHOP}/dashboard", days=7).json()
    assert (theirs["waiting"], theirs["unknown"], theirs["steps"], theirs["failed_receptions"]) == (
        0,
        0,
        [],
        0,
    )
    assert {row["orders"] for row in theirs["days"]} == {0}


def test_an_hour_with_more_mails_than_the_rate_sends_in_the_window_is_slow(admin: Admin) -> None:
    """At one mail a second and no flexible window, an hour holds 60 mails: the 61st makes it slow."""
    planned = plan_orders(admin)
    world = admin.world
    world.config.update_shop(SHOP_ID, lambda shop: shop.model_copy(update={"flexible_window_minutes": 0}))
    deps = replace(world.admin_deps(), settings=ADMIN_SETTINGS.model_copy(update={"send_rate": 1}))
    staff = ApiClient(build_api(deps)).as_user(claims("staff", f"{SHOP_ID}:staff"))
    assert board(staff)["slow_hours"] == []
    hour = datetime(2026, 12, 1, 9, tzinfo=TOKYO)  # within the next 48 hours of 2026-11-30 07:00
    love = planned.one(HIKARI, "love")
    for n in range(61):
        copy = love.model_copy(update={"id": f"{love.id}-{n}", "send_at": hour + timedelta(seconds=n)})
        assert world.deliveries.put_new(copy)
    [slow] = board(staff)["slow_hours"]
    assert slow == {
        "hour": "2026-12-01T09:00:00+09:00",
        "planned": 61,
        "minutes_needed": 2,
        "window_minutes": 0,
        "send_rate": 1,
    }
    assert board(admin.staff)["slow_hours"] == []  # at 14 a second they go out in time
