"""The local stack's clock: real time by default, moved forward on demand (``POST /dev/clock``).

Every handler gets it through ``okaeri.wiring.build_*_deps(settings, clock)``: nothing is
monkey-patched. It ticks with real time from where it was last set (``ticking=False`` freezes it,
which the tests use); it never goes back, so a mail sent "at" a moment stays in the past.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from okaeri.errors import BadRequestError, ConflictError

#: How far one request may move the clock (a year and a bit: every step of every scenario fits).
MAX_ADVANCE = timedelta(days=400)
_UNITS = {"d": "days", "h": "hours", "m": "minutes", "s": "seconds"}
_DURATION = re.compile(r"(?:\s*(\d{1,6})\s*([dhms]))+\s*", re.IGNORECASE)
_PART = re.compile(r"(\d{1,6})\s*([dhms])", re.IGNORECASE)


def parse_duration(text: str) -> timedelta:
    """``3d``, ``12h``, ``90m``, ``30s`` or combinations such as ``1d12h``: a forward duration."""
    if len(text) > 40 or not _DURATION.fullmatch(text):
        raise BadRequestError(
            f"時間の長さが読めません: {text[:40]!r}（例: 3d、12h、90m、1d12h）",
            f"not a duration: {text[:40]!r} (e.g. 3d, 12h, 90m, 1d12h)",
        )
    delta = timedelta()
    for amount, unit in _PART.findall(text):
        delta += timedelta(**{_UNITS[unit.lower()]: int(amount)})
    if not timedelta() < delta <= MAX_ADVANCE:
        raise BadRequestError(
            f"時計は 1 秒から {MAX_ADVANCE.days} 日まで進められます: {text}",
            f"the clock moves forward by 1 second to {MAX_ADVANCE.days} days at a time: {text}",
        )
    return delta


class DevClock:
    """``ports.Clock``: a moment plus, when ticking, the real time elapsed since it was set."""

    def __init__(
        self,
        start: datetime | None = None,
        *,
        ticking: bool = True,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if start is not None and start.tzinfo is None:
            raise ValueError("the clock's start needs a timezone")
        self._lock = threading.Lock()
        self._monotonic = monotonic
        self._ticking = ticking
        self._base = (start or datetime.now(UTC)).astimezone(UTC)
        self._set_at = monotonic()

    @property
    def ticking(self) -> bool:
        return self._ticking

    def now(self) -> datetime:
        with self._lock:
            return self._now()

    def check_forward(self, moment: datetime) -> None:
        """``moment`` is timezone-aware and not before now (400 / 409 otherwise)."""
        if moment.tzinfo is None:
            raise BadRequestError(
                "日時にタイムゾーン（+09:00 など）を付けてください",
                "give the date-time a UTC offset such as +09:00",
            )
        current = self.now()
        if moment < current:
            raise ConflictError(
                f"時計を戻すことはできません（現在 {current.isoformat()}）",
                f"the clock cannot go back (it is {current.isoformat()})",
            )

    def reach(self, moment: datetime) -> datetime:
        """Move forward to ``moment`` when it is later than now (a wake-up fired at its time)."""
        with self._lock:
            if moment > self._now():
                self._base, self._set_at = moment.astimezone(UTC), self._monotonic()
            return self._now()

    def _now(self) -> datetime:
        if not self._ticking:
            return self._base
        return self._base + timedelta(seconds=self._monotonic() - self._set_at)
