"""Customer segments (issue #16): which of a shop's customers a list, a count or an export takes.

Pure. A segment combines, all optional:

- by orders: ``first`` (exactly one open order), ``repeat`` (2 or more), ``loyal`` (``min_orders``
  or more, 2–1000);
- by the last order's day (in the shop's time zone, ``today`` included): ``recent`` — ordered
  within the last ``days`` days (the last order's day is after ``today - days``: with 30 days,
  today and the 29 days before); ``lapsed`` — no order for ``days`` days (the last order's day is
  ``today - days`` or earlier: the day the win-back scenario of ``lapsed_days = days`` starts,
  and every day after). ``recent`` and ``lapsed`` of the same ``days`` split the customers in two;
- ``source`` (an order of theirs came from it), ``prefecture`` (the latest order's ship-to), ``sku``
  (they bought it, in an open order).

The adapters read the ``by_last_order`` index (``shop_id``, ``last_order_day``): the day bounds are
its key condition, the rest a filter. Erased customers are not in that index, so in no segment.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field

from okaeri.errors import OkaeriError
from okaeri.models import CustomerRecord

OrdersFilter = Literal["any", "first", "repeat", "loyal"]
LastOrderFilter = Literal["any", "recent", "lapsed"]
MIN_LOYAL: Final = 2
MAX_LOYAL: Final = 1000
MAX_DAYS: Final = 3650
MAX_TEXT: Final = 100


class SegmentError(OkaeriError):
    """A segment asked for with parameters that do not go together (answered 422, naming them)."""

    code = "invalid_segment"


class Segment(BaseModel):
    """Which customers: every condition given must hold."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    orders: OrdersFilter = "any"
    min_orders: int | None = Field(default=None, ge=MIN_LOYAL, le=MAX_LOYAL)
    last_order: LastOrderFilter = "any"
    days: int | None = Field(default=None, ge=1, le=MAX_DAYS)
    source: str | None = Field(default=None, min_length=1, max_length=MAX_TEXT)
    prefecture: str | None = Field(default=None, min_length=1, max_length=MAX_TEXT)
    sku: str | None = Field(default=None, min_length=1, max_length=MAX_TEXT)

    def check(self) -> Segment:
        """The segment when its parameters go together; a SegmentError naming the one that does not."""
        if self.orders == "loyal" and self.min_orders is None:
            raise SegmentError(
                "min_orders: 「常連」には注文回数の下限（2〜1000）を指定してください。",
                "min_orders: a loyal segment needs its least number of orders (2–1000).",
            )
        if self.orders != "loyal" and self.min_orders is not None:
            raise SegmentError(
                "min_orders: 注文回数の下限は orders=loyal（常連）のときだけ指定できます。",
                "min_orders: the least number of orders goes with orders=loyal only.",
            )
        if self.last_order != "any" and self.days is None:
            raise SegmentError(
                f"days: 「{'最近注文' if self.last_order == 'recent' else '休眠'}」には日数（1〜{MAX_DAYS}）を指定してください。",
                f"days: a {self.last_order} segment needs its number of days (1–{MAX_DAYS}).",
            )
        if self.last_order == "any" and self.days is not None:
            raise SegmentError(
                "days: 日数は last_order=recent（最近注文）か lapsed（休眠）のときだけ指定できます。",
                "days: the number of days goes with last_order=recent or lapsed only.",
            )
        return self

    @property
    def least_orders(self) -> int | None:
        """The least order count the segment takes (None: any)."""
        return {"first": 1, "repeat": 2, "loyal": self.min_orders}.get(self.orders)

    @property
    def most_orders(self) -> int | None:
        return 1 if self.orders == "first" else None

    def day_bounds(self, today: date) -> tuple[date | None, date | None]:
        """The last order's days the segment takes (both included; None: open)."""
        if self.days is None or self.last_order == "any":
            return None, None
        if self.last_order == "recent":
            return today - timedelta(days=self.days - 1), None
        return None, today - timedelta(days=self.days)

    def matches(self, customer: CustomerRecord, today: date) -> bool:
        """Whether the customer is in the segment (as the adapters' index query and filter decide)."""
        day = customer.last_order_day
        if day is None or customer.erased_at is not None:
            return False
        low, high = self.day_bounds(today)
        least, most = self.least_orders, self.most_orders
        return (
            (low is None or day >= low)
            and (high is None or day <= high)
            and (least is None or customer.order_count >= least)
            and (most is None or customer.order_count <= most)
            and (self.source is None or self.source in customer.sources)
            and (self.prefecture is None or customer.prefecture == self.prefecture)
            and (self.sku is None or self.sku in customer.skus)
        )

    def describe(self) -> dict[str, Any]:
        """The parameters given (for the audit log and the file name)."""
        return self.model_dump(exclude_defaults=True)
