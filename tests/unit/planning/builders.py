"""Builders for the planning tests: a shop, a scenario, an order with only what a test changes."""

from __future__ import annotations

from typing import Any

from okaeri.models import Order, Scenario, Shop

SHOP: dict[str, Any] = {
    "id": "kumo-ya",
    "name": "雲屋",
    "sender": {"address": "info@kumo-ya.example"},
    "calendar": {"closed_weekdays": ["sat", "sun"], "closed_on_public_holidays": True},
    "cutoff": "12:00",
    "ship_lead_business_days": 1,
    "quiet_hours": {"start": "21:00", "end": "08:00"},
    "max_window_days": 60,
    "transit_days": {"default": 1, "北海道": 2},
}
ORDER: dict[str, Any] = {
    "source": "rakuten",
    "order_id": "K-1",
    "ordered_at": "2026-11-20T10:00:00+09:00",
    "customer": {"email": "buyer@example.jp"},
    "ship_to": {"prefecture": "大阪府"},
    "items": [{"sku": "wagashi-12", "quantity": 1, "unit_price": 2000}],
    "payment_method": "クレジットカード",
    "total": 2000,
    "is_gift": False,
}


def make_shop(**changes: Any) -> Shop:
    calendar = SHOP["calendar"] | changes.pop("calendar", {})
    return Shop.model_validate(SHOP | {"calendar": calendar} | changes)


def make_order(**changes: Any) -> Order:
    return Order.model_validate(ORDER | changes)


def step(
    step_id: str, offset_days: int | None = None, hour: int | None = None, **extra: Any
) -> dict[str, Any]:
    timing = {} if offset_days is None else {"offset_days": offset_days, "hour": hour}
    return {"id": step_id, "template": "t", "purposes": ["thanks"]} | timing | extra


def make_scenario(scenario_id: str = "s", **changes: Any) -> Scenario:
    base: dict[str, Any] = {
        "id": scenario_id,
        "name": scenario_id,
        "trigger": "shipped",
        "steps": [step("a", 0, 10)],
    }
    return Scenario.model_validate(base | changes)
