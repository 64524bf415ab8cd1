"""The shop's settings and calendar through the admin API over the fakes."""

from __future__ import annotations

from tests.unit.api.conftest import BASE, Admin
from tests.unit.services.support import SHOP_ID


def test_settings_are_saved_and_only_a_change_is_audited(admin: Admin) -> None:
    shop = admin.staff.get(f"{BASE}/settings").json()
    answer = admin.manager.put(f"{BASE}/settings", {**shop, "name": "みかん山房（本店）"})
    assert (answer.status, answer.json()["name"]) == (200, "みかん山房（本店）")
    assert admin.manager.put(f"{BASE}/settings", {**shop, "name": "みかん山房（本店）"}).status == 200
    assert [(e.action, e.detail["fields"]) for e in admin.world.logs.audits] == [
        ("settings.update", ["name"])
    ]
    answer = admin.manager.put(f"{BASE}/settings", {**shop, "id": "other"})
    assert answer.status == 422
    assert admin.staff.put(f"{BASE}/settings", shop).status == 403


def test_a_day_is_closed_and_opened_again(admin: Admin) -> None:
    answer = admin.manager.post(f"{BASE}/calendar/days", {"date": "2026-11-25", "open": False})
    assert answer.status == 200, answer.text
    assert (answer.json()["open"], answer.json()["reasons"]) == (False, ["closed_date"])
    shop = admin.world.config.shop(SHOP_ID)
    assert shop is not None
    assert "2026-11-25" in {day.isoformat() for day in shop.calendar.closed_dates}
    again = admin.manager.post(f"{BASE}/calendar/days", {"date": "2026-11-25", "open": False})
    assert again.json()["open"] is False
    assert [e.action for e in admin.world.logs.audits] == ["calendar.day"]  # the same request: no change
    assert admin.manager.post(f"{BASE}/calendar/days", {"date": "2026-11-25", "open": True}).json()["open"]
    year = admin.staff.get(f"{BASE}/calendar").json()
    assert year["year"] == 2026
    answer = admin.manager.put(f"{BASE}/calendar", {"ship_lead_business_days": 2})
    assert (answer.status, answer.json()["ship_lead_business_days"]) == (200, 2)
