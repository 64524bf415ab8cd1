"""A shop's business calendar: Japanese public holidays, closed weekdays, closures and openings.

Pure functions over the shop settings (no I/O). Holidays come from ``jpholiday`` (振替休日 and
国民の休日 included) and are cached per year: planning asks for them on every order.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from functools import lru_cache
from types import MappingProxyType

from okaeri.errors import PlanningError
from okaeri.models.shop import WEEKDAYS, CalendarSettings, Shop

#: How far ``next_business_day`` looks before it gives up (a calendar closed for good).
MAX_SEARCH_DAYS = 3 * 366
_ONE_DAY = timedelta(days=1)


@lru_cache(maxsize=64)
def _holidays_of(year: int) -> Mapping[date, str]:
    import jpholiday  # on the first holiday looked up: the send function rarely needs one

    table: dict[date, str] = {}
    for day, name in jpholiday.year_holidays(year):
        table.setdefault(day, name)  # jpholiday may list two names for one day: keep the first
    return MappingProxyType(table)


def holiday_name(day: date) -> str | None:
    """The Japanese public holiday on ``day`` (e.g. ``勤労感謝の日``, ``国民の休日``), or None."""
    return _holidays_of(day.year).get(day)


def holidays_in_year(year: int) -> list[tuple[date, str]]:
    """Every Japanese public holiday of ``year`` with its name, in date order."""
    return sorted(_holidays_of(year).items())


class BusinessCalendar:
    """Which days a shop works: open dates win, then closed dates, public holidays, weekdays."""

    __slots__ = ("_closed_dates", "_closed_weekdays", "_holidays_closed", "_open_dates")

    def __init__(self, settings: CalendarSettings) -> None:
        self._open_dates = frozenset(settings.open_dates)
        self._closed_dates = frozenset(settings.closed_dates)
        self._closed_weekdays = frozenset(WEEKDAYS.index(day) for day in settings.closed_weekdays)
        self._holidays_closed = settings.closed_on_public_holidays

    @classmethod
    def from_shop(cls, shop: Shop) -> BusinessCalendar:
        return cls(shop.calendar)

    def closure_reason(self, day: date) -> str | None:
        """Why the shop is closed on ``day`` (``closed_date``, ``holiday:<名前>``, ``weekday:sat``)."""
        if day in self._open_dates:
            return None
        if day in self._closed_dates:
            return "closed_date"
        if self._holidays_closed and (name := holiday_name(day)) is not None:
            return f"holiday:{name}"
        if day.weekday() in self._closed_weekdays:
            return f"weekday:{WEEKDAYS[day.weekday()]}"
        return None

    def is_business_day(self, day: date) -> bool:
        return self.closure_reason(day) is None

    def next_business_day(self, day: date, *, include_today: bool = False) -> date:
        """The first business day after ``day`` (or ``day`` itself with ``include_today``)."""
        candidate = day if include_today else day + _ONE_DAY
        for _ in range(MAX_SEARCH_DAYS):
            if self.is_business_day(candidate):
                return candidate
            candidate += _ONE_DAY
        raise PlanningError(
            f"{day.isoformat()} から {MAX_SEARCH_DAYS} 日以内に営業日がありません（営業日カレンダーを確認してください）",
            f"no business day within {MAX_SEARCH_DAYS} days after {day.isoformat()} "
            "(check the shop's calendar)",
        )

    def add_business_days(self, day: date, n: int) -> date:
        """``n`` business days after ``day`` (``n == 0`` gives ``day`` itself)."""
        if n < 0:
            raise ValueError(f"n must not be negative, got {n}")
        for _ in range(n):
            day = self.next_business_day(day)
        return day


def order_day(shop: Shop, ordered_at: datetime) -> date:
    """The local date of the order in the shop's zone; at or after the cutoff, the next day."""
    local = to_shop_time(shop, ordered_at)
    day = local.date()
    return day + _ONE_DAY if local.time() >= shop.cutoff else day


def accept_day(shop: Shop, ordered_at: datetime) -> date:
    """The order day, or the next business day when the shop is closed on it."""
    return _accept_day(BusinessCalendar.from_shop(shop), shop, ordered_at)


def estimated_ship_date(shop: Shop, ordered_at: datetime) -> date:
    """The accept day plus the shop's ``ship_lead_business_days`` business days."""
    calendar = BusinessCalendar.from_shop(shop)
    return calendar.add_business_days(_accept_day(calendar, shop, ordered_at), shop.ship_lead_business_days)


def _accept_day(calendar: BusinessCalendar, shop: Shop, ordered_at: datetime) -> date:
    return calendar.next_business_day(order_day(shop, ordered_at), include_today=True)


def to_shop_time(shop: Shop, moment: datetime) -> datetime:
    """``moment`` in the shop's zone; a naive datetime is refused (its zone would be a guess)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise PlanningError(
            f"タイムゾーンのない日時は扱えません: {moment.isoformat()}",
            f"a datetime without a UTC offset cannot be planned: {moment.isoformat()}",
        )
    return moment.astimezone(shop.tz)
