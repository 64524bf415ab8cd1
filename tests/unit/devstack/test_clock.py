"""The local stack's clock: durations, moving forward only, frozen or ticking."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from okaeri.errors import BadRequestError, ConflictError
from okaeri_dev.clock import MAX_ADVANCE, DevClock, parse_duration

START = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "delta"),
    [
        ("3d", timedelta(days=3)),
        ("12h", timedelta(hours=12)),
        ("90m", timedelta(minutes=90)),
        ("30s", timedelta(seconds=30)),
        ("1d12h", timedelta(days=1, hours=12)),
        (" 2D 3H ", timedelta(days=2, hours=3)),
        ("400d", MAX_ADVANCE),
    ],
)
def test_durations(text: str, delta: timedelta) -> None:
    assert parse_duration(text) == delta


@pytest.mark.parametrize("text", ["", "3", "d", "3w", "-3d", "0d", "401d", "3d junk", "1.5d", "9" * 50 + "d"])
def test_what_is_not_a_forward_duration_is_refused_in_both_languages(text: str) -> None:
    with pytest.raises(BadRequestError) as refused:
        parse_duration(text)
    assert refused.value.message_ja
    assert refused.value.message_en


class FakeMonotonic:
    def __init__(self) -> None:
        self.seconds = 100.0

    def __call__(self) -> float:
        return self.seconds


def test_a_frozen_clock_stands_still_until_moved() -> None:
    ticks = FakeMonotonic()
    clock = DevClock(START, ticking=False, monotonic=ticks)
    ticks.seconds += 3600
    assert clock.now() == START
    assert clock.reach(START + timedelta(hours=2)) == START + timedelta(hours=2)
    assert clock.reach(START) == START + timedelta(hours=2)  # reach never goes back
    assert clock.ticking is False


def test_a_ticking_clock_follows_real_time_from_where_it_was_set() -> None:
    ticks = FakeMonotonic()
    clock = DevClock(START, monotonic=ticks)
    ticks.seconds += 90
    assert clock.now() == START + timedelta(seconds=90)
    clock.reach(START + timedelta(days=3))
    ticks.seconds += 10
    assert clock.now() == START + timedelta(days=3, seconds=10)


def test_the_clock_never_goes_back_and_wants_a_zone() -> None:
    clock = DevClock(START, ticking=False)
    clock.check_forward(START)
    clock.check_forward(START + timedelta(seconds=1))
    with pytest.raises(ConflictError):
        clock.check_forward(START - timedelta(seconds=1))
    with pytest.raises(BadRequestError):
        clock.check_forward(datetime(2026, 12, 1, 10))
    with pytest.raises(ValueError, match="timezone"):
        DevClock(datetime(2026, 12, 1, 10))


def test_by_default_the_clock_starts_at_the_real_time() -> None:
    before = datetime.now(UTC)
    assert before - timedelta(seconds=1) <= DevClock().now() <= datetime.now(UTC) + timedelta(seconds=1)
