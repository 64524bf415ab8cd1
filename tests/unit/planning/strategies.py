"""Hypothesis strategies: random shops (zones with and without DST), scenarios and orders."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from hypothesis import strategies as st

from okaeri.models import Order, Scenario, Shop
from okaeri.models.shop import WEEKDAYS

ZONES = ("Asia/Tokyo", "America/New_York", "Europe/Berlin", "Australia/Sydney", "Australia/Lord_Howe")
FIRST, LAST = date(2025, 1, 1), date(2028, 12, 31)
# days on which some of ZONES change their clocks: planning should meet them often
DST_DAYS = tuple(
    date.fromisoformat(day)
    for day in (
        "2026-03-08", "2026-11-01", "2026-03-29", "2026-10-25", "2026-04-05", "2026-10-04",
        "2027-03-14", "2027-11-07", "2027-03-28", "2027-10-31", "2027-04-04", "2027-10-03",
    )
)  # fmt: skip

days = st.one_of(st.dates(FIRST, LAST), st.sampled_from(DST_DAYS))
minutes_of_day = st.builds(time, st.integers(0, 23), st.sampled_from([0, 0, 15, 30, 45]))


@st.composite
def quiet_hours(draw: st.DrawFn) -> dict[str, str] | None:
    if draw(st.booleans()):
        return None
    start = draw(minutes_of_day)
    end = draw(minutes_of_day.filter(lambda t: t != start))
    return {"start": start.strftime("%H:%M"), "end": end.strftime("%H:%M")}  # wraps when end < start


@st.composite
def shops(draw: st.DrawFn) -> Shop:
    closed = draw(st.lists(st.dates(FIRST, LAST), max_size=20, unique=True))
    opened = [
        day for day in draw(st.lists(st.dates(FIRST, LAST), max_size=5, unique=True)) if day not in closed
    ]
    data: dict[str, Any] = {
        "id": draw(st.from_regex(r"[a-z0-9][a-z0-9-]{0,39}", fullmatch=True)),
        "name": "テスト店",
        "timezone": draw(st.sampled_from(ZONES)),
        "sender": {"address": "shop@example.jp"},
        "calendar": {
            # at least one open weekday: a shop closed for good is tested on its own
            "closed_weekdays": draw(st.lists(st.sampled_from(WEEKDAYS), unique=True, max_size=6)),
            "closed_on_public_holidays": draw(st.booleans()),
            "closed_dates": closed,
            "open_dates": opened,
        },
        "cutoff": draw(minutes_of_day).strftime("%H:%M"),
        "ship_lead_business_days": draw(st.integers(0, 7)),
        "quiet_hours": draw(quiet_hours()),
        "max_window_days": draw(st.integers(1, 120)),
        "transit_days": {"default": draw(st.integers(0, 4)), "北海道": draw(st.integers(0, 6))},
    }
    return Shop.model_validate(data)


@st.composite
def steps(draw: st.DrawFn, index: int) -> dict[str, Any]:
    base = {"id": f"step-{index}", "template": "t", "purposes": ["thanks"]}
    if draw(st.integers(0, 9)) == 0:
        return base | {"immediate": True}
    offset = draw(st.one_of(st.integers(0, 3), st.integers(0, 130)))
    return base | {
        "offset_days": offset,
        "hour": draw(st.integers(0, 23)),
        "business_days_only": draw(st.booleans()),
    }


@st.composite
def scenarios(draw: st.DrawFn, trigger: str | None = None) -> Scenario:
    count = draw(st.integers(1, 5))
    return Scenario.model_validate(
        {
            "id": draw(st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_-]{0,10}", fullmatch=True)),
            "name": "シナリオ",
            "trigger": trigger or draw(st.sampled_from(["ordered", "shipped", "delivered"])),
            "version": draw(st.integers(1, 5)),
            "steps": [draw(steps(index)) for index in range(count)],
        }
    )


def _instant(day: date, minute: int) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC) + timedelta(minutes=minute)


instants = st.builds(_instant, days, st.integers(0, 24 * 60 - 1))


@st.composite
def orders(draw: st.DrawFn, shipped: bool | None = None) -> Order:
    ordered_at = draw(instants)
    shipped_at: date | datetime | None = None
    if shipped if shipped is not None else draw(st.booleans()):
        near = ordered_at.date() + timedelta(days=draw(st.integers(-2, 10)))
        shipped_at = draw(st.sampled_from([near, _instant(near, draw(st.integers(0, 1439)))]) | days)
    return Order.model_validate(
        {
            "source": "rakuten",
            "order_id": draw(st.from_regex(r"[0-9A-Za-z-]{1,20}", fullmatch=True)),
            "ordered_at": ordered_at.isoformat(),
            "ship_to": {"prefecture": draw(st.sampled_from(["北海道", "東京都", None]))},
            "items": [{"sku": "x-1"}],
            "shipped_at": shipped_at.isoformat() if shipped_at is not None else None,
        }
    )


def around(moment: datetime) -> st.SearchStrategy[datetime]:
    """A ``now`` from a day before to three weeks after ``moment`` (late steps included)."""
    return st.integers(-24 * 60, 21 * 24 * 60).map(lambda minutes: moment + timedelta(minutes=minutes))
