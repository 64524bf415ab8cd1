"""A customer's order figures (issue #16): what every intake, cancellation and erasure keeps current.

Pure: the adapters read the stored figures, ask here what they become, and write them back only if
nobody wrote in between (a revision number). Each order is counted once (``order_keys``), its
details (total, SKUs) added once (``detailed_keys``: a shipment seen before its order counts the
order, the order mail adds what it bought), and a cancellation takes it back once
(``cancelled_keys``). Orders may come in any order: the first and last order times are the earliest
and latest of the open orders, whatever came first.

``order_count`` and ``total_spent`` are over the open orders; ``sources`` and ``skus`` over the
open orders as last recomputed (a cancellation recomputes them from the customer's other orders);
``prefecture`` is the latest order's ship-to prefecture; ``last_order_day`` the latest order's day
in the shop's time zone — what the win-back job's index is keyed on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, tzinfo

from okaeri.models.order import Order


@dataclass(frozen=True)
class CustomerOrder:
    """What the figures need of one order: its key, time and day, total, source, ship-to, SKUs.

    ``detailed``: the order itself was read (an order mail, a CSV row, a webhook); a shipment seen
    first names the order and its buyer only.
    """

    order_key: str
    at: datetime
    day: date
    total: int = 0
    source: str | None = None
    prefecture: str | None = None
    skus: tuple[str, ...] = ()
    detailed: bool = True


def customer_order(order: Order, *, received_at: datetime, zone: tzinfo) -> CustomerOrder:
    """The figures' view of an order: its time is ``ordered_at``, else when it was received."""
    at = order.ordered_at or received_at
    return CustomerOrder(
        order_key=order.key,
        at=at,
        day=at.astimezone(zone).date(),
        total=order.total or 0,
        source=order.source,
        prefecture=order.ship_to.prefecture,
        skus=tuple(sorted({item.sku for item in order.items if item.sku})),
        detailed=order.kind == "order",
    )


@dataclass(frozen=True)
class Figures:
    """A customer's figures as stored, with the keys that make every change happen once."""

    order_keys: frozenset[str] = frozenset()
    detailed_keys: frozenset[str] = frozenset()
    cancelled_keys: frozenset[str] = frozenset()
    order_count: int = 0
    total_spent: int = 0
    first_order_at: datetime | None = None
    last_order_at: datetime | None = None
    last_order_day: date | None = None
    last_order_key: str | None = None
    prefecture: str | None = None
    sources: frozenset[str] = frozenset()
    skus: frozenset[str] = frozenset()
    #: the number of writes so far: a write is refused when another came in between
    rev: int = 0
    #: erased (個人情報保護法): still counted, but out of the index (no win-back, no segment)
    erased: bool = False


@dataclass(frozen=True)
class Counted:
    """What ``after_order`` decided: the new figures (None: nothing to write) and the order's rank."""

    figures: Figures | None
    rank: int


def after_order(figures: Figures, order: CustomerOrder) -> Counted:
    """The figures with ``order`` counted (once) and its details added (once).

    The rank is the customer's open-order count with this order (1 = first), as when it was first
    counted; a cancelled order is not counted again.
    """
    key = order.order_key
    if key in figures.cancelled_keys:
        return Counted(None, max(figures.order_count, 1))
    counted = key in figures.order_keys
    detailing = order.detailed and key not in figures.detailed_keys
    if counted and not detailing:
        return Counted(None, max(figures.order_count, 1))
    new = figures
    if not counted:
        new = replace(
            new,
            order_keys=new.order_keys | {key},
            order_count=new.order_count + 1,
            first_order_at=_earlier(new.first_order_at, order.at),
        )
        if new.last_order_at is None or order.at >= new.last_order_at:
            new = replace(
                new,
                last_order_at=order.at,
                last_order_day=order.day,
                last_order_key=key,
                prefecture=order.prefecture,
            )
    if detailing:
        new = replace(
            new,
            detailed_keys=new.detailed_keys | {key},
            total_spent=new.total_spent + order.total,
            skus=new.skus | set(order.skus),
        )
        if new.last_order_key == key and order.prefecture:
            new = replace(new, prefecture=order.prefecture)
    if order.source:
        new = replace(new, sources=new.sources | {order.source})
    new = replace(new, rev=new.rev + 1)
    return Counted(new, new.order_count if not counted else max(figures.order_count, 1))


def after_cancel(
    figures: Figures, cancelled: CustomerOrder, others: Sequence[CustomerOrder]
) -> Figures | None:
    """The figures with a cancelled order taken back (once); None when there is nothing to change.

    ``others``: the customer's other open orders (what the first/last order, the sources and SKUs
    are recomputed from). An order cancelled before it was counted is only remembered, so that its
    order mail, when it comes, does not count it.
    """
    key = cancelled.order_key
    if key in figures.cancelled_keys:
        return None
    new = replace(figures, cancelled_keys=figures.cancelled_keys | {key}, rev=figures.rev + 1)
    if key not in figures.order_keys:
        return new
    remaining = [order for order in others if order.order_key != key]
    latest = max(remaining, key=lambda order: order.at, default=None)
    new = replace(
        new,
        order_count=max(figures.order_count - 1, 0),
        total_spent=figures.total_spent - (cancelled.total if key in figures.detailed_keys else 0),
        first_order_at=min((order.at for order in remaining), default=None),
        sources=frozenset(order.source for order in remaining if order.source),
        skus=frozenset(sku for order in remaining for sku in order.skus),
    )
    if figures.last_order_key == key or latest is None:
        new = replace(
            new,
            last_order_at=None if latest is None else latest.at,
            last_order_day=None if latest is None else latest.day,
            last_order_key=None if latest is None else latest.order_key,
            prefecture=None if latest is None else latest.prefecture,
        )
    return new


def _earlier(current: datetime | None, candidate: datetime) -> datetime:
    return candidate if current is None or candidate < current else current


def figures_from_orders(orders: Sequence[tuple[CustomerOrder, bool]], *, rev: int) -> Figures:
    """A customer's figures made again from all their orders (each with whether it is cancelled), as
    if every order had come once and each cancellation after it: what ``okaeri refigure-customers``
    writes for a customer item from before the figures. ``rev``: the revision to write."""
    figures = Figures()
    for order, _ in orders:
        figures = after_order(figures, order).figures or figures
    still_open = [order for order, cancelled in orders if not cancelled]
    for order, cancelled in orders:
        if cancelled:
            figures = after_cancel(figures, order, still_open) or figures
    return replace(figures, rev=rev)
