"""What each mail earns (issue #15): holdout groups, A/B variants, last-touch credit and repeat runs.

Pure decisions, no I/O; the schedule service applies them and keeps the counters:

- a run is *held out* when the hash of (shop, customer, scenario) falls in the scenario's
  ``holdout_percent``: the same customer is always in the same group for that scenario;
- a delivery carries the variant its id's hash picks among the step's weighted variants (so a
  re-plan, which keeps the id, keeps it);
- an order is credited to the most recent mail sent to its customer in the shop before it, within
  the shop's ``attribution_days`` (the window's end included), never a mail of the order itself;
- a run *repeats* when its customer orders again within the scenario's ``repeat_days`` of the run's
  start (an order of the run's own order key does not count).

The counters live in the daily stats rows: per step (``step_stats_id``: the step, or
``<step>@<variant>``) ``sent``, ``held_out``, ``converted``, ``revenue``; per scenario (step ``*``)
the runs and repeats of each group (``run_counter``, ``repeat_counter``), on the run's start day.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from okaeri.models import Delivery, DeliveryStatus, OrderRecord, Step
from okaeri.models.delivery import PLANNER_SKIPS, REPLANNED
from okaeri.models.records import Credit
from okaeri.models.scenario import Variant

#: The stats row of a whole scenario (its runs and repeats), as the shop-wide rows use ``*``.
SCENARIO_ROW: Final = "*"
VARIANT_SEPARATOR: Final = "@"
#: Hash buckets a holdout share is drawn from (0.01% steps).
_BUCKETS: Final = 10_000
#: Skip reasons that mean the planner never planned the mail (the run did not reach the customer).


def _bucket(*parts: str) -> int:
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % _BUCKETS


def in_holdout(shop_id: str, customer_id: str, scenario_id: str, percent: int) -> bool:
    """Whether the customer's runs of the scenario are held out (deterministic, never re-drawn)."""
    return percent > 0 and _bucket("holdout", shop_id, customer_id, scenario_id) < percent * _BUCKETS // 100


def pick_variant(step: Step, delivery_id: str) -> Variant | None:
    """The variant of ``step`` the delivery carries, by weight (None: the step has no variants)."""
    if step.variants is None:
        return None
    point = _bucket("variant", delivery_id) * sum(variant.weight for variant in step.variants) // _BUCKETS
    for variant in step.variants:
        if point < variant.weight:
            return variant
        point -= variant.weight
    return step.variants[-1]  # not reached: point < the total weight


def step_stats_id(step_id: str, variant: str | None) -> str:
    """The stats row id of a step's mails (``<step>@<variant>`` for an A/B variant's)."""
    return step_id if variant is None else f"{step_id}{VARIANT_SEPARATOR}{variant}"


def split_stats_id(stats_id: str) -> tuple[str, str | None]:
    """``step_stats_id`` read back: (step id, variant or None)."""
    step_id, separator, variant = stats_id.partition(VARIANT_SEPARATOR)
    return step_id, (variant if separator else None)


def run_counter(held_out: bool) -> str:
    return "runs_held_out" if held_out else "runs_mailed"


def repeat_counter(held_out: bool) -> str:
    return "repeated_held_out" if held_out else "repeated_mailed"


def order_time(record: OrderRecord) -> datetime:
    """When the order was placed: the time it names, else when it was received."""
    return record.order.ordered_at or record.received_at


def credit_for(
    record: OrderRecord, deliveries: Iterable[Delivery], *, window_days: int, zone: ZoneInfo
) -> Credit | None:
    """The last mail sent to the customer before ``record``'s order within ``window_days``, as the
    order's credit; None when there is none (or the order is cancelled)."""
    if record.status == "cancelled":
        return None
    placed = order_time(record)
    since = placed - timedelta(days=window_days)
    candidates = [
        delivery
        for delivery in deliveries
        if delivery.status == DeliveryStatus.SENT
        and delivery.sent_at is not None
        and delivery.order_key != record.order_key
        and since <= delivery.sent_at < placed
    ]
    if not candidates:
        return None
    touch = max(candidates, key=lambda delivery: (delivery.sent_at or placed, delivery.id))
    sent_at = touch.sent_at or placed
    return Credit(
        delivery_id=touch.id,
        scenario_id=touch.scenario_id,
        step_id=touch.step_id,
        variant=touch.variant,
        sent_at=sent_at,
        hours=round((placed - sent_at).total_seconds() / 3600, 1),
        total=record.order.total or 0,
        day=placed.astimezone(zone).date(),
    )


@dataclass(frozen=True)
class RunStart:
    """A run as its deliveries tell it: what the results count it under."""

    run_id: str
    scenario_id: str
    scenario_version: int
    order_key: str
    started_at: datetime
    held_out: bool


def run_reached(deliveries: Iterable[Delivery]) -> bool:
    """Whether a run counts in the results: some mail of it was planned (or held out), and it was not
    superseded by better order data (every mail cancelled ``replanned``)."""
    return any(
        not (delivery.status == DeliveryStatus.SKIPPED and delivery.reason in PLANNER_SKIPS)
        and not (delivery.status == DeliveryStatus.CANCELLED and delivery.reason == REPLANNED)
        for delivery in deliveries
    )


def runs_started(deliveries: Iterable[Delivery]) -> list[RunStart]:
    """The runs (with a start time, that count) among a customer's deliveries."""
    grouped: dict[str, list[Delivery]] = {}
    for delivery in deliveries:
        if delivery.run_started_at is not None:
            grouped.setdefault(delivery.run_id, []).append(delivery)
    starts = []
    for run_id, members in grouped.items():
        if not run_reached(members):
            continue
        first = members[0]
        assert first.run_started_at is not None
        starts.append(
            RunStart(
                run_id=run_id,
                scenario_id=first.scenario_id,
                scenario_version=first.scenario_version,
                order_key=first.order_key,
                started_at=first.run_started_at,
                held_out=first.held_out,
            )
        )
    return starts


def repeats(record: OrderRecord, run: RunStart, days: int) -> bool:
    """Whether ``record``'s order repeats ``run``: an open order of another order key, placed after
    the run's start and at most ``days`` (its scenario's ``repeat_days``) after it."""
    placed = order_time(record)
    return (
        record.status == "open"
        and record.order.kind == "order"
        and record.order_key != run.order_key
        and run.started_at < placed <= run.started_at + timedelta(days=days)
    )


def repeated_runs(
    record: OrderRecord, deliveries: Iterable[Delivery], repeat_days: Callable[[RunStart], int | None]
) -> list[tuple[RunStart, int]]:
    """The customer's runs that ``record``'s order repeats (see ``repeats``), each with its
    ``repeat_days`` (None from ``repeat_days``: the scenario is gone; not counted)."""
    found = []
    for run in runs_started(deliveries):
        days = repeat_days(run)
        if days is not None and repeats(record, run, days):
            found.append((run, days))
    return found
