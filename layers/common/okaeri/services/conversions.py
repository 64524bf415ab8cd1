"""What an order earns its mails (issue #15), applied by the schedule service on the orders stream.

Every intake (mail, CSV, webhook) stores an order through ``ingest.apply_order``; the orders
table's stream brings each change here, once per change and in order per order:

- a new order (or the order mail after its stub) is credited to the last mail sent to its customer
  within the shop's ``attribution_days`` (``okaeri.attribution.credit_for``): the credit is written
  on the order (once: a conditional write), on the delivery (``conversions``) and counted as
  ``converted`` and ``revenue`` of the mail's step (and variant) on the order's day;
- it also repeats the customer's runs started within their scenario's ``repeat_days`` (counted
  ``repeated_mailed`` / ``repeated_held_out`` on the run's start day);
- a cancellation of a credited order takes the credit's counts back (on the same day), and a run it
  repeated that no other open order of the customer repeats is no longer counted as repeated.

Each count is made with ``ShopConfig.count_once`` under a key of its own (``credit#<order>``,
``uncredit#<order>``, ``repeat#<run>``, ``run#<run>``, ``held#<delivery>``, ``skip#<delivery>``), so an event applied
twice, or retried after a crash between two writes, counts once. A customer's first order reads
nothing more: no mail can have gone to them before it.

A mail stopped by its customer's new order (``reordered``) or by the shop's frequency cap
(``frequency_cap``, issue #16) is counted on its step's row under the reason's name, on the day of
the skip (``count_skip``); a held-out mail that a new order stops stays counted as ``held_out``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Protocol

from okaeri.attribution import (
    SCENARIO_ROW,
    RunStart,
    credit_for,
    order_time,
    repeat_counter,
    repeated_runs,
    repeats,
    run_counter,
    step_stats_id,
)
from okaeri.models import Delivery, DeliveryStatus, OrderRecord, Shop
from okaeri.models.delivery import Conversion, Skip
from okaeri.models.records import Credit
from okaeri.ports import Clock, Deliveries, OnceCount, Orders, ShopConfig


class ConversionDeps(Protocol):
    @property
    def config(self) -> ShopConfig: ...

    @property
    def deliveries(self) -> Deliveries: ...

    @property
    def orders(self) -> Orders: ...

    @property
    def clock(self) -> Clock: ...


#: The skips counted on their step's row, each under its own name (issue #16).
COUNTED_SKIPS: frozenset[str] = frozenset({Skip.REORDERED, Skip.FREQUENCY_CAP})


def count_skip(deps: ConversionDeps, shop: Shop, delivery: Delivery, reason: str) -> None:
    """Count a mail skipped for ``reason`` (one of ``COUNTED_SKIPS``; any other is not counted) on
    its step's (and variant's) row today, once per delivery (``skip#<delivery>``)."""
    if reason not in COUNTED_SKIPS:
        return
    now = deps.clock.now()
    step = step_stats_id(delivery.step_id, delivery.variant)
    count = OnceCount(
        f"skip#{delivery.id}", now.astimezone(shop.tz).date(), delivery.scenario_id, step, {reason: 1}, now
    )
    deps.config.count_once(shop.id, count)


def may_have_earlier_mail(record: OrderRecord) -> bool:
    """Whether mails can have gone to the order's customer before it: not for their first order."""
    return record.customer_id is not None and record.order_rank > 1 and record.status == "open"


def credit_order(
    deps: ConversionDeps, shop: Shop, record: OrderRecord, deliveries: Sequence[Delivery]
) -> Credit | None:
    """Credit the order to its last touch (see the module's docstring); the credit, or None."""
    credit = credit_for(record, deliveries, window_days=shop.attribution_days, zone=shop.tz)
    if credit is None:
        return None
    if not deps.orders.set_credit(shop.id, record.order_key, credit):
        stored = deps.orders.get(shop.id, record.order_key)
        if stored is None or stored.credit is None:
            return None  # cancelled (or gone) meanwhile: nothing to count
        credit = stored.credit  # credited before (this event again): finish what it began
    conversion = Conversion(
        order_key=record.order_key,
        order_id=record.order.order_id,
        total=credit.total,
        hours=credit.hours,
        at=order_time(record),
    )
    deps.deliveries.add_conversion(shop.id, credit.delivery_id, conversion)
    _count(deps, shop.id, f"credit#{record.order_key}", credit, converted=1, revenue=credit.total)
    return credit


def take_back_credit(deps: ConversionDeps, record: OrderRecord) -> None:
    """A cancelled order's credit: its counts taken back, its conversion marked cancelled."""
    credit = record.credit
    if credit is None:
        return
    deps.deliveries.cancel_conversion(record.shop_id, credit.delivery_id, record.order_key)
    _count(deps, record.shop_id, f"uncredit#{record.order_key}", credit, converted=-1, revenue=-credit.total)


def _count(
    deps: ConversionDeps, shop_id: str, key: str, credit: Credit, *, converted: int, revenue: int
) -> None:
    step = step_stats_id(credit.step_id, credit.variant)
    counters = {"converted": converted, "revenue": revenue}
    deps.config.count_once(
        shop_id, OnceCount(key, credit.day, credit.scenario_id, step, counters, deps.clock.now())
    )


def count_repeats(
    deps: ConversionDeps, shop: Shop, record: OrderRecord, deliveries: Sequence[Delivery]
) -> list[str]:
    """Count the customer's runs this order repeats (each run once, whatever the number of orders
    repeating it); their run ids."""
    repeated = repeated_runs(record, deliveries, _repeat_days(deps, shop))
    for run, _ in repeated:
        deps.config.count_once(shop.id, _repeat_count(deps, shop, run))
    return [run.run_id for run, _ in repeated]


def take_back_repeats(deps: ConversionDeps, record: OrderRecord) -> list[str]:
    """A cancelled order's repeats: each run it repeated that no other open order of the customer
    repeats is counted as not repeated again (a later order may repeat it then). Reads the
    customer's deliveries and, when the order repeated a run, their orders; their run ids."""
    shop = deps.config.shop(record.shop_id)
    if shop is None or record.customer_id is None or record.order_rank <= 1:
        return []
    deliveries = deps.deliveries.by_customer(shop.id, record.customer_id)
    as_placed = record.model_copy(update={"status": "open"})
    repeated = repeated_runs(as_placed, deliveries, _repeat_days(deps, shop))
    if not repeated:
        return []
    others = [
        order
        for order in deps.orders.by_customer(shop.id, record.customer_id)
        if order.order_key != record.order_key
    ]
    taken_back = []
    for run, days in repeated:
        if not any(repeats(order, run, days) for order in others):
            deps.config.take_back(shop.id, _repeat_count(deps, shop, run))
            taken_back.append(run.run_id)
    return taken_back


def _repeat_days(deps: ConversionDeps, shop: Shop) -> Callable[[RunStart], int | None]:
    def repeat_days(run: RunStart) -> int | None:
        scenario = deps.config.scenario_version(shop.id, run.scenario_id, run.scenario_version)
        return None if scenario is None else scenario.repeat_days

    return repeat_days


def _repeat_count(deps: ConversionDeps, shop: Shop, run: RunStart) -> OnceCount:
    """A run's repeat, counted on its start day (``repeat#<run>``)."""
    day = run.started_at.astimezone(shop.tz).date()
    counters = {repeat_counter(run.held_out): 1}
    return OnceCount(f"repeat#{run.run_id}", day, run.scenario_id, SCENARIO_ROW, counters, deps.clock.now())


def count_run_start(
    deps: ConversionDeps, shop: Shop, run: Sequence[Delivery], *, started_at: datetime
) -> None:
    """Count a run that reached its customer (or was held out) on its start day: the run in its group,
    and each mail held out in its step's ``held_out``."""
    _count_run(deps, shop, run, started_at=started_at, sign=1)


def uncount_run(deps: ConversionDeps, shop: Shop, run: Sequence[Delivery]) -> None:
    """Take back the counts of a run superseded before any of its mails went out (better order data
    chose another scenario): it never reached its customer. ``run``: its deliveries as they were
    when it was counted (the held-out ones ``skipped``/``holdout``)."""
    started_at = run[0].run_started_at
    if started_at is not None:  # a run planned before issue #15 was never counted
        _count_run(deps, shop, run, started_at=started_at, sign=-1)


def _count_run(
    deps: ConversionDeps, shop: Shop, run: Sequence[Delivery], *, started_at: datetime, sign: int
) -> None:
    first = run[0]
    day = started_at.astimezone(shop.tz).date()
    now = deps.clock.now()
    prefix = "" if sign > 0 else "un"  # run#… counts it, unrun#… takes it back (each once)
    counters = {run_counter(first.held_out): sign}
    deps.config.count_once(
        shop.id, OnceCount(f"{prefix}run#{first.run_id}", day, first.scenario_id, SCENARIO_ROW, counters, now)
    )
    for delivery in run:
        if delivery.status == DeliveryStatus.SKIPPED and delivery.reason == Skip.HOLDOUT:
            step = step_stats_id(delivery.step_id, delivery.variant)
            held = {"held_out": sign}
            count = OnceCount(f"{prefix}held#{delivery.id}", day, delivery.scenario_id, step, held, now)
            deps.config.count_once(shop.id, count)
