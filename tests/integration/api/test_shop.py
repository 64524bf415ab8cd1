"""Shop settings and the business calendar through the admin API."""

from __future__ import annotations

from typing import Any

from tests.integration.api.conftest import OTHER_SHOP, Api
from tests.integration.api.ops_helpers import audit_entries
from tests.integration.pipeline.conftest import SHOP_ID

BASE = f"/api/shops/{SHOP_ID}"


def settings(api: Api) -> dict[str, Any]:
    answer = api.staff.get(f"{BASE}/settings")
    assert answer.status == 200, answer.text
    return dict(answer.json())


def test_staff_read_the_settings_and_a_manager_saves_them(api: Api) -> None:
    shop = settings(api)
    assert shop["id"] == SHOP_ID
    assert shop["compliance"] == "rakuten"
    edited = {**shop, "name": "みかん山房 本店", "max_window_days": 30}
    answer = api.manager.put(f"{BASE}/settings", edited)
    assert answer.status == 200, answer.text
    assert answer.json()["name"] == "みかん山房 本店"
    assert settings(api)["max_window_days"] == 30
    stored = api.stack.admin.config.shop(SHOP_ID)
    assert stored is not None
    assert stored.name == "みかん山房 本店"
    [entry] = [e for e in audit_entries(api) if e["action"] == "settings.update"]
    assert entry["detail"]["fields"] == ["name", "max_window_days"]
    assert entry["detail"]["by"] == "manager@okaeri.test"
    # the same settings again change nothing and log nothing
    assert api.manager.put(f"{BASE}/settings", edited).status == 200
    assert len([e for e in audit_entries(api) if e["action"] == "settings.update"]) == 1


def test_staff_cannot_save_settings_and_an_outsider_cannot_read_them(api: Api) -> None:
    shop = settings(api)
    answer = api.staff.put(f"{BASE}/settings", {**shop, "name": "乗っ取り"})
    assert (answer.status, answer.error_code) == (403, "forbidden_role")
    answer = api.outsider.get(f"{BASE}/settings")
    assert (answer.status, answer.error_code) == (403, "forbidden_shop")
    assert "みかん" not in answer.text
    assert settings(api)["name"] == "みかん山房"


def test_bad_settings_are_refused_naming_each_field(api: Api) -> None:
    shop = settings(api)
    bad = {**shop, "calendar": {**shop["calendar"], "closed_weekdays": ["funday"]}, "colour": "red"}
    answer = api.manager.put(f"{BASE}/settings", bad)
    assert answer.status == 422
    details = answer.json()["error"]["details"]
    assert any(line.startswith("calendar.closed_weekdays.0:") for line in details), details
    assert any(line.startswith("colour:") for line in details), details
    answer = api.manager.put(f"{BASE}/settings", {**shop, "id": OTHER_SHOP})
    assert (answer.status, answer.error_code) == (422, "invalid_config")
    assert answer.json()["error"]["details"][0].startswith("id: ")
    assert api.stack.admin.config.shop(OTHER_SHOP) is not None
    assert settings(api) == shop


def test_the_calendar_lists_the_years_closed_days_and_holidays(api: Api) -> None:
    answer = api.staff.get(f"{BASE}/calendar", year=2026)
    assert answer.status == 200, answer.text
    calendar = answer.json()
    assert calendar["year"] == 2026
    assert calendar["closed_weekdays"] == ["sun"]
    assert calendar["cutoff"].startswith("13:00")
    holidays = {day["date"]: day["name"] for day in calendar["holidays"]}
    assert holidays["2026-11-23"] == "勤労感謝の日"
    assert len(holidays) >= 16
    days = {day["date"]: day for day in calendar["days"]}
    assert days["2026-11-23"] == {
        "date": "2026-11-23", "weekday": "mon", "open": False, "reasons": ["holiday"], "holiday": "勤労感謝の日"
    }  # fmt: skip
    assert days["2026-12-31"]["reasons"] == ["closed_date"]
    assert days["2026-12-06"]["reasons"] == ["weekday"]
    assert "2026-12-01" not in days
    # the clock says Monday 2026-11-30 07:00: accepted today, shipped the next business day
    assert calendar["sample"]["ship_date"] == "2026-12-01"
    assert api.staff.get(f"{BASE}/calendar").json()["year"] == 2026  # this year by default
    assert api.staff.get(f"{BASE}/calendar", year=1999).status == 422


def test_toggling_a_day_moves_the_sample_ship_date(api: Api) -> None:
    closed = api.manager.post(f"{BASE}/calendar/days", {"date": "2026-12-01", "open": False})
    assert closed.status == 200, closed.text
    assert closed.json()["open"] is False
    assert closed.json()["reasons"] == ["closed_date"]
    assert closed.json()["sample"]["ship_date"] == "2026-12-02"
    again = api.manager.post(f"{BASE}/calendar/days", {"date": "2026-12-01", "open": False})
    assert again.json() == closed.json()
    calendar = api.staff.get(f"{BASE}/calendar").json()
    assert calendar["closed_dates"] == ["2026-12-01", "2026-12-31", "2027-01-01"]
    assert calendar["sample"]["ship_date"] == "2026-12-02"
    [entry] = [e for e in audit_entries(api) if e["action"] == "calendar.day"]
    assert entry["detail"]["date"] == "2026-12-01"

    opened = api.manager.post(f"{BASE}/calendar/days", {"date": "2026-12-01", "open": True})
    assert opened.json()["open"] is True
    assert opened.json()["sample"]["ship_date"] == "2026-12-01"
    holiday = api.manager.post(f"{BASE}/calendar/days", {"date": "2026-11-23", "open": True})
    assert holiday.json() == {
        **holiday.json(),
        "open": True,
        "reasons": ["holiday"],
        "holiday": "勤労感謝の日",
    }
    calendar = api.staff.get(f"{BASE}/calendar").json()
    assert calendar["open_dates"] == ["2026-11-23"]
    assert calendar["closed_dates"] == ["2026-12-31", "2027-01-01"]
    [day] = [d for d in calendar["days"] if d["date"] == "2026-11-23"]
    assert day["open"] is True


def test_staff_cannot_toggle_a_day(api: Api) -> None:
    answer = api.staff.post(f"{BASE}/calendar/days", {"date": "2026-12-01", "open": False})
    assert (answer.status, answer.error_code) == (403, "forbidden_role")
    answer = api.outsider.post(f"{BASE}/calendar/days", {"date": "2026-12-01", "open": False})
    assert (answer.status, answer.error_code) == (403, "forbidden_shop")
    assert api.staff.get(f"{BASE}/calendar").json()["sample"]["ship_date"] == "2026-12-01"


def test_the_calendar_rules_are_saved_together(api: Api) -> None:
    answer = api.manager.put(
        f"{BASE}/calendar",
        {"closed_weekdays": ["sat", "sun"], "cutoff": "06:00", "ship_lead_business_days": 2},
    )
    assert answer.status == 200, answer.text
    calendar = answer.json()
    assert calendar["closed_weekdays"] == ["sat", "sun"]
    assert calendar["closed_dates"] == ["2026-12-31", "2027-01-01"]  # left out: kept
    # 07:00 is past the 06:00 cutoff: the order day is Tuesday, plus two business days
    assert calendar["sample"]["order_day"] == "2026-12-01"
    assert calendar["sample"]["ship_date"] == "2026-12-03"
    shop = api.stack.admin.config.shop(SHOP_ID)
    assert shop is not None
    assert shop.ship_lead_business_days == 2
    assert shop.name == "みかん山房"


def test_a_calendar_with_a_day_both_open_and_closed_is_refused(api: Api) -> None:
    answer = api.manager.put(f"{BASE}/calendar", {"open_dates": ["2026-12-31"]})
    assert (answer.status, answer.error_code) == (422, "invalid_config")
    assert any("2026-12-31" in line for line in answer.json()["error"]["details"])
    answer = api.manager.put(f"{BASE}/calendar", {"closed_weekdays": ["someday"], "holidays": True})
    assert answer.status == 422
    details = answer.json()["error"]["details"]
    assert any(line.startswith("closed_weekdays.0") for line in details), details
    assert any(line.startswith("holidays") for line in details), details
    assert api.staff.get(f"{BASE}/calendar").json()["open_dates"] == []
