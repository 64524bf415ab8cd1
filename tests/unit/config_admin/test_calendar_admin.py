"""The calendar as the admin page shows and edits it: a year's closed days, one-day toggles."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from okaeri.calendar import BusinessCalendar
from okaeri.errors import ConfigError
from okaeri.models import CalendarSettings, Shop, load_document
from okaeri.services.config_admin import (
    calendar_days,
    calendar_year,
    closure_reasons,
    edit_calendar,
    sample_ship_date,
    set_day_open,
)
from tests.conftest import FIXTURES

MONDAY_MORNING = datetime.fromisoformat("2026-11-30T07:00:00+09:00")


@pytest.fixture
def shop() -> Shop:
    # closed on Sundays, public holidays, 2026-12-31 and 2027-01-01; cutoff 13:00; lead 1 day
    return load_document(Shop, FIXTURES / "config" / "shop.yaml")


def test_the_year_lists_every_closed_day_with_its_reasons(shop: Shop) -> None:
    days = {day.date: day for day in calendar_days(shop.calendar, 2026)}
    assert days[date(2026, 1, 1)].reasons == ["holiday"]
    assert days[date(2026, 1, 1)].holiday == "元日"
    assert days[date(2026, 1, 4)].reasons == ["weekday"]
    assert days[date(2026, 1, 4)].weekday == "sun"
    assert days[date(2026, 12, 31)].reasons == ["closed_date"]
    assert date(2026, 12, 1) not in days  # an ordinary Tuesday
    assert all(not day.open for day in days.values())
    # exactly the days the planner's calendar closes
    calendar = BusinessCalendar(shop.calendar)
    closed = {day for day in days if not days[day].open}
    year = [date.fromordinal(n) for n in range(date(2026, 1, 1).toordinal(), date(2027, 1, 1).toordinal())]
    assert closed == {day for day in year if not calendar.is_business_day(day)}


def test_a_day_closed_by_two_rules_names_both(shop: Shop) -> None:
    # 2026-05-03 憲法記念日 is a Sunday
    assert closure_reasons(shop.calendar, date(2026, 5, 3)) == ["holiday", "weekday"]


def test_an_open_date_is_listed_with_what_it_overrides(shop: Shop) -> None:
    opened = set_day_open(shop, date(2026, 11, 23), True)  # 勤労感謝の日
    assert opened.calendar.open_dates == [date(2026, 11, 23)]
    [day] = [d for d in calendar_days(opened.calendar, 2026) if d.date == date(2026, 11, 23)]
    assert day.open
    assert day.reasons == ["holiday"]
    assert day.holiday == "勤労感謝の日"


def test_closing_an_open_weekday_adds_a_closed_date_and_is_idempotent(shop: Shop) -> None:
    closed = set_day_open(shop, date(2026, 12, 1), False)
    assert closed.calendar.closed_dates == [date(2026, 12, 1), date(2026, 12, 31), date(2027, 1, 1)]
    assert set_day_open(closed, date(2026, 12, 1), False) == closed
    assert set_day_open(closed, date(2026, 12, 1), True) == shop  # back as it was


def test_closing_a_day_rules_close_writes_nothing(shop: Shop) -> None:
    assert set_day_open(shop, date(2026, 12, 6), False) == shop  # a Sunday
    opened = set_day_open(shop, date(2026, 12, 6), True)
    assert opened.calendar.open_dates == [date(2026, 12, 6)]
    assert set_day_open(opened, date(2026, 12, 6), False) == shop


def test_opening_a_closed_date_only_removes_it(shop: Shop) -> None:
    opened = set_day_open(shop, date(2026, 12, 31), True)  # a Thursday, closed by date only
    assert opened.calendar.closed_dates == [date(2027, 1, 1)]
    assert opened.calendar.open_dates == []


@given(
    day=st.dates(min_value=date(2026, 1, 1), max_value=date(2027, 12, 31)),
    open_=st.booleans(),
    closed=st.lists(st.dates(min_value=date(2026, 1, 1), max_value=date(2027, 12, 31)), max_size=5),
)
def test_a_toggle_always_gives_the_asked_state_and_never_both_lists(
    day: date, open_: bool, closed: list[date]
) -> None:
    shop = load_document(Shop, FIXTURES / "config" / "shop.yaml")
    shop = shop.model_copy(
        update={"calendar": CalendarSettings(closed_weekdays=["sun"], closed_dates=closed)}
    )
    toggled = set_day_open(shop, day, open_)
    assert BusinessCalendar(toggled.calendar).is_business_day(day) is open_
    assert not set(toggled.calendar.closed_dates) & set(toggled.calendar.open_dates)
    assert set_day_open(toggled, day, open_) == toggled
    CalendarSettings.model_validate(toggled.calendar.model_dump())  # still a valid calendar


def test_the_sample_ship_date_follows_cutoff_and_closed_days(shop: Shop) -> None:
    sample = sample_ship_date(shop, MONDAY_MORNING)
    assert (sample.order_day, sample.accept_day, sample.ship_date) == (
        date(2026, 11, 30),
        date(2026, 11, 30),
        date(2026, 12, 1),
    )
    after_cutoff = sample_ship_date(shop, MONDAY_MORNING.replace(hour=13))
    assert after_cutoff.order_day == date(2026, 12, 1)
    assert after_cutoff.ship_date == date(2026, 12, 2)
    closed_tuesday = set_day_open(shop, date(2026, 12, 1), False)
    assert sample_ship_date(closed_tuesday, MONDAY_MORNING).ship_date == date(2026, 12, 2)


def test_the_year_view_carries_rules_holidays_and_the_sample(shop: Shop) -> None:
    view = calendar_year(shop, 2027, MONDAY_MORNING)
    assert view.year == 2027
    assert view.closed_weekdays == ["sun"]
    assert view.cutoff == time(13, 0)
    assert view.ship_lead_business_days == 1
    assert view.holidays[0].date == date(2027, 1, 1)
    assert view.holidays[0].name == "元日"
    assert all(day.date.year == 2027 for day in view.days)
    assert view.sample.ship_date == date(2026, 12, 1)


def test_a_calendar_edit_replaces_the_given_fields_only(shop: Shop) -> None:
    edited = edit_calendar(shop, {"closed_weekdays": ["sat", "sun"], "cutoff": "15:30"})
    assert edited.calendar.closed_weekdays == ["sat", "sun"]
    assert edited.cutoff == time(15, 30)
    assert edited.calendar.closed_dates == shop.calendar.closed_dates
    assert edited.ship_lead_business_days == shop.ship_lead_business_days
    assert edited.name == shop.name


def test_a_calendar_edit_with_a_day_both_open_and_closed_is_refused(shop: Shop) -> None:
    with pytest.raises(ConfigError) as refused:
        edit_calendar(shop, {"open_dates": ["2026-12-31"]})
    assert "2026-12-31" in refused.value.problems[0]
    assert "calendar" in refused.value.problems[0]
