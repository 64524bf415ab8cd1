"""Orders as a customer's figures see them (``okaeri.customer_figures.CustomerOrder``), for tests that
count orders for a buyer directly."""

from __future__ import annotations

from datetime import UTC, datetime

from okaeri.customer_figures import CustomerOrder

#: when an order counted by ``counted_order`` was placed, unless a test says otherwise
ORDERED_AT = datetime(2026, 12, 1, 1, tzinfo=UTC)


def counted_order(
    order_key: str, *, at: datetime = ORDERED_AT, total: int = 0, **fields: object
) -> CustomerOrder:
    """``order_key`` placed ``at`` (its day in Tokyo) for ``total`` yen, as ingest counts it."""
    from zoneinfo import ZoneInfo

    day = at.astimezone(ZoneInfo("Asia/Tokyo")).date()
    return CustomerOrder(order_key=order_key, at=at, day=day, total=total, **fields)  # type: ignore[arg-type]
