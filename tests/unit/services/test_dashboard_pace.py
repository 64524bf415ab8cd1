"""The dashboard's pace ahead: hours whose planned mails the SES rate cannot send within the window."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

import pytest

from okaeri.services.dashboard import PACE_HOURS, Pace, minutes_needed, slow_hours, window_capacity
from tests.unit.services.support import at, fixture_shop

NOW = at("2026-12-04 09:40")


class PlannedAt:
    """Planned mails at given times, counted as the COUNT query does (``since`` ≤ t < ``until``)."""

    def __init__(self, planned: Counter[datetime]) -> None:
        self.planned = planned
        self.queries: list[tuple[datetime, datetime]] = []

    def count_scheduled(self, shop_id: str, since: datetime, until: datetime) -> int:
        self.queries.append((since, until))
        return sum(n for moment, n in self.planned.items() if since <= moment < until)


def test_the_capacity_and_the_time_needed() -> None:
    assert window_capacity(14, 30) == 25_200  # 14 mails a second for 30 minutes
    assert window_capacity(14, 0) == 840  # no window: a minute's worth
    assert minutes_needed(100_000, 14) == 120  # the sale of issue #14: about two hours
    assert minutes_needed(840, 14) == 1
    assert minutes_needed(841, 14) == 2


def test_a_sale_hour_beyond_the_window_is_named_with_how_long_it_takes() -> None:
    shop = fixture_shop()  # window 30 minutes
    planned = PlannedAt(Counter({at("2026-12-04 10:00"): 100_000, at("2026-12-04 19:00"): 25_200}))
    [slow] = slow_hours(Pace(14, planned), shop, NOW)
    assert (slow.hour, slow.planned, slow.minutes_needed, slow.window_minutes, slow.send_rate) == (
        at("2026-12-04 10:00"),
        100_000,
        120,
        30,
        14,
    )
    assert slow.hour.utcoffset() == timedelta(hours=9)  # in the shop's time
    assert len(planned.queries) <= 12  # the two days, then halves down to the hour (not 48 hours)


def test_every_slow_hour_is_found_and_a_busy_day_spread_thin_is_not_slow() -> None:
    sale = at("2026-12-05 10:00")
    planned = PlannedAt(
        Counter(
            {at("2026-12-04 21:00"): 26_000, sale: 30_000, sale + timedelta(hours=1): 50_000}
            | {at("2026-12-05 00:00") + timedelta(hours=n): 20_000 for n in range(8)}  # each under 25,200
        )
    )
    found = slow_hours(Pace(14, planned), fixture_shop(), NOW)
    assert [(s.hour, s.planned, s.minutes_needed) for s in found] == [
        (at("2026-12-04 21:00"), 26_000, 31),
        (sale, 30_000, 36),
        (sale + timedelta(hours=1), 50_000, 60),
    ]


def test_a_quiet_shop_costs_one_count() -> None:
    planned = PlannedAt(Counter({at("2026-12-04 10:00"): 3_000, at("2026-12-05 10:00"): 3_000}))
    assert slow_hours(Pace(14, planned), fixture_shop(), NOW) == []
    [(since, until)] = planned.queries
    assert (since, until - since) == (at("2026-12-04 09:00"), timedelta(hours=PACE_HOURS))


@pytest.mark.parametrize(("send_rate", "slow"), [(14, True), (100, False)])
def test_a_higher_rate_clears_the_warning(send_rate: int, slow: bool) -> None:
    planned = PlannedAt(Counter({at("2026-12-04 10:00"): 100_000}))
    assert bool(slow_hours(Pace(send_rate, planned), fixture_shop(), NOW)) is slow


def test_the_current_hour_counts_and_the_hours_after_the_two_days_do_not() -> None:
    planned = PlannedAt(Counter({at("2026-12-04 09:00"): 30_000, at("2026-12-06 09:00"): 30_000}))
    assert [s.hour for s in slow_hours(Pace(14, planned), fixture_shop(), NOW)] == [at("2026-12-04 09:00")]
