"""The business calendar: which days a shop works, and the order → accept → ship dates."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from okaeri.calendar import (
    BusinessCalendar,
    accept_day,
    estimated_ship_date,
    holiday_name,
    holidays_in_year,
    order_day,
)
from okaeri.errors import PlanningError
from okaeri.models import CalendarSettings

from .builders import make_shop

WEEKEND_AND_HOLIDAYS = BusinessCalendar(CalendarSettings())


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


@pytest.mark.parametrize(
    ("day", "reason"),
    [
        (date(2026, 11, 20), None),  # a Friday
        (date(2026, 11, 21), "weekday:sat"),
        (date(2026, 11, 22), "weekday:sun"),
        (date(2026, 11, 23), "holiday:勤労感謝の日"),
        (date(2026, 5, 6), "holiday:憲法記念日 振替休日"),
        (date(2026, 9, 22), "holiday:国民の休日"),
        (date(2026, 5, 3), "holiday:憲法記念日"),  # a Sunday: the holiday is the better reason
    ],
)
def test_closure_reasons_for_the_admin_calendar(day: date, reason: str | None) -> None:
    assert WEEKEND_AND_HOLIDAYS.closure_reason(day) == reason
    assert WEEKEND_AND_HOLIDAYS.is_business_day(day) is (reason is None)


def test_open_dates_win_over_closed_weekdays_and_holidays() -> None:
    calendar = BusinessCalendar(CalendarSettings(open_dates=[date(2026, 11, 23), date(2026, 11, 21)]))
    assert calendar.is_business_day(date(2026, 11, 23))
    assert calendar.is_business_day(date(2026, 11, 21))
    assert calendar.closure_reason(date(2026, 11, 22)) == "weekday:sun"


def test_closed_dates_close_a_working_day() -> None:
    calendar = BusinessCalendar(CalendarSettings(closed_dates=[date(2026, 12, 29)]))
    assert calendar.closure_reason(date(2026, 12, 29)) == "closed_date"


def test_a_shop_that_works_on_holidays() -> None:
    calendar = BusinessCalendar(CalendarSettings(closed_weekdays=["wed"], closed_on_public_holidays=False))
    assert calendar.is_business_day(date(2026, 11, 23))  # 勤労感謝の日, a Monday
    assert calendar.is_business_day(date(2026, 11, 22))  # Sunday
    assert calendar.closure_reason(date(2026, 11, 25)) == "weekday:wed"


def test_next_business_day() -> None:
    friday = date(2026, 11, 20)
    assert WEEKEND_AND_HOLIDAYS.next_business_day(friday) == date(2026, 11, 24)
    assert WEEKEND_AND_HOLIDAYS.next_business_day(friday, include_today=True) == friday
    assert WEEKEND_AND_HOLIDAYS.next_business_day(date(2026, 5, 2), include_today=True) == date(2026, 5, 7)


def test_next_business_day_gives_up_on_a_calendar_closed_for_good() -> None:
    always_closed = BusinessCalendar(
        CalendarSettings(closed_weekdays=["mon", "tue", "wed", "thu", "fri", "sat", "sun"])
    )
    with pytest.raises(PlanningError) as caught:
        always_closed.next_business_day(date(2026, 1, 1))
    assert "営業日" in caught.value.message_ja
    assert "business day" in caught.value.message_en


def test_add_business_days() -> None:
    friday = date(2026, 11, 20)
    assert WEEKEND_AND_HOLIDAYS.add_business_days(friday, 0) == friday
    assert WEEKEND_AND_HOLIDAYS.add_business_days(friday, 1) == date(2026, 11, 24)
    assert WEEKEND_AND_HOLIDAYS.add_business_days(friday, 3) == date(2026, 11, 26)
    with pytest.raises(ValueError, match="negative"):
        WEEKEND_AND_HOLIDAYS.add_business_days(friday, -1)


def test_holiday_lookups() -> None:
    assert holiday_name(date(2026, 11, 23)) == "勤労感謝の日"
    assert holiday_name(date(2026, 11, 24)) is None
    days = holidays_in_year(2026)
    assert days == sorted(days)
    assert (date(2026, 9, 22), "国民の休日") in days
    assert all(day.year == 2026 for day, _ in days)


@pytest.mark.parametrize(
    ("ordered_at", "expected"),
    [
        ("2026-10-15T11:59:59+09:00", date(2026, 10, 15)),
        ("2026-10-15T12:00:00+09:00", date(2026, 10, 16)),  # at the cutoff: the next day
        ("2026-10-15T03:00:00+00:00", date(2026, 10, 16)),  # 12:00 in Tokyo, given in UTC
        ("2026-10-14T23:30:00-05:00", date(2026, 10, 16)),  # 13:30 on the 15th in Tokyo
        ("2026-10-15T00:00:00+09:00", date(2026, 10, 15)),
    ],
)
def test_order_day_is_local_and_respects_the_cutoff(ordered_at: str, expected: date) -> None:
    assert order_day(make_shop(), at(ordered_at)) == expected


def test_a_naive_order_time_is_refused() -> None:
    with pytest.raises(PlanningError):
        order_day(make_shop(), datetime(2026, 10, 15, 10, 0))


def test_cutoff_in_another_zone() -> None:
    shop = make_shop(timezone="Europe/Berlin", cutoff=time(15, 0))
    assert order_day(shop, at("2026-10-15T14:59:00+02:00")) == date(2026, 10, 15)
    assert order_day(shop, at("2026-10-15T13:00:00+00:00")) == date(2026, 10, 16)


def test_accept_and_estimated_ship_dates() -> None:
    shop = make_shop(ship_lead_business_days=2)
    saturday_evening = at("2026-11-21T19:00:00+09:00")
    assert accept_day(shop, saturday_evening) == date(2026, 11, 24)
    assert estimated_ship_date(shop, saturday_evening) == date(2026, 11, 26)
    same_day = make_shop(ship_lead_business_days=0)
    assert estimated_ship_date(same_day, at("2026-11-20T09:00:00+09:00")) == date(2026, 11, 20)
