"""Interfaces the domain needs from the outside world (adapters live in ``okaeri.aws``)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class Clock(Protocol):
    """Injected time, so the local stack and the tests can move it."""

    def now(self) -> datetime: ...


class CouponSource(Protocol):
    """Hands out the next unused code of a shop's coupon pool, once per delivery.

    Asking twice for the same (pool, delivery) returns the same code, so a re-render or a retried
    send never burns a second code.
    """

    def code_for(self, pool: str, delivery_id: str) -> str: ...
