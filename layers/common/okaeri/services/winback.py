"""Win-back (issue #16, SPEC: ``trigger: lapsed``): the daily job that starts a run for every buyer
whose last order in the shop has just become ``lapsed_days`` old.

A recurring schedule runs it every hour (infra/capabilities/scheduling.py), so each shop's day is
taken soon after its own midnight. For each shop on the win-back registry (``ports.WinbackRegistry``:
listed by one Query, no scan) it takes every day from the one after the last day it finished
(``done_through``) to today, in the shop's time zone, at most ``CATCH_UP_DAYS`` of them; for each
active ``lapsed`` scenario and each such day it reads the customers whose last open order was
``lapsed_days`` before that day (the customers table's ``by_last_order`` index: a customer who has
ordered since has a later day there, an erased one is not there at all) and starts their run:

- planned against their last order (``Orders.get``: the mail is rendered from it), the scenario's
  conditions checked on that order with the customer's order count (``first_order``,
  ``min_order_count``);
- its base date the day the customer lapsed; a day the job missed and catches up later is planned
  from the day the job runs instead, so no step of it is lost as ``past`` (a 3-day-late job sends
  the win-back 3 days late, rather than not at all);
- named by the last order, the scenario and the lapse day (``winback_run_id`` /
  ``winback_delivery_id``): the job meeting the same lapse twice (run twice, a crash before the day
  was noted done) finds its mails already there;
- the repeat policy (``once``: one win-back per customer and scenario, ever; ``skip_if_active``;
  ``restart``; ``every_time``) and the holdout as for an order's run, its start counted in the
  results, its mails woken by one-off schedules (``services/schedule.py``).

The day is noted done only after every customer of it is started, so a failure is taken again at
the next hour. A shop whose registry entry has no day yet starts with today (saving a win-back
scenario does not mail the customers who lapsed before it existed).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from okaeri.errors import OkaeriError, PlanningError
from okaeri.models import CustomerRecord, Delivery, OrderRecord, PlanResult, Scenario, Shop
from okaeri.planner import lapse_day, needs_runs, plan_lapsed, winback_delivery_id, winback_run_id
from okaeri.ports import Customers, WinbackRegistry, WinbackShop
from okaeri.services.schedule import RunKeys, ScheduleDeps, ScheduleOutcome, start_customer_run

#: The most days one invocation takes for a shop: the job may have been stopped for a while, but a
#: buyer who lapsed more than two weeks ago is not won back by a mail that late.
CATCH_UP_DAYS = 14


@dataclass(frozen=True)
class WinbackDeps:
    """The schedule function's stores (deliveries, wake-ups, orders, the cached config), the customers
    (their ``by_last_order`` index) and the registry of shops with a win-back scenario."""

    schedule: ScheduleDeps
    customers: Customers
    registry: WinbackRegistry


@dataclass
class WinbackReport:
    """What one invocation did: the days taken per shop, and every customer met (``runs``: the
    schedule service's outcome, ``skipped``: ``(customer id, scenario id, why)`` when no run was even
    planned). ``errors``: ``(shop id, error code)`` of shops left for the next hour."""

    days: dict[str, list[date]] = field(default_factory=dict)
    runs: ScheduleOutcome = field(default_factory=ScheduleOutcome)
    started: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str, str]] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)


def days_to_take(done_through: date | None, today: date, *, catch_up: int = CATCH_UP_DAYS) -> list[date]:
    """The days after ``done_through`` up to ``today`` (both ends as days in the shop's zone), the
    last ``catch_up`` at most; just today when nothing was done yet."""
    if done_through is None:
        return [today]
    first = max(done_through + timedelta(days=1), today - timedelta(days=catch_up - 1))
    return [first + timedelta(days=n) for n in range((today - first).days + 1)]


def run_winback(deps: WinbackDeps) -> WinbackReport:
    """Every registered shop's days since the last one done (see the module's docstring).

    One shop's trouble does not hold up the others: its error is reported (``errors``) and its days
    stay undone, for the next hour; the handler then fails the invocation so that it is retried and,
    failing again, reaches the dead-letter queue and its alarm."""
    report = WinbackReport()
    for entry in deps.registry.winback_shops():
        try:
            _take_shop(deps, entry, report)
        except OkaeriError as exc:
            report.errors.append((entry.shop_id, exc.code))
        except Exception as exc:  # a store's error (throttling, …): reported, the handler raises it
            report.errors.append((entry.shop_id, type(exc).__name__))
    return report


def _take_shop(deps: WinbackDeps, entry: WinbackShop, report: WinbackReport) -> None:
    shop = deps.schedule.config.shop(entry.shop_id)
    if shop is None:
        return
    today = deps.schedule.clock.now().astimezone(shop.tz).date()
    days = days_to_take(entry.done_through, today)
    if not days:
        return
    scenarios = [s for s in deps.schedule.config.active_scenarios(shop.id) if s.trigger == "lapsed"]
    for day in days:
        for scenario in scenarios:
            lapsed_from = day - timedelta(days=scenario.lapsed_days or 0)
            for customer in deps.customers.lapsed_on(shop.id, lapsed_from):
                _win_back(deps, _Lapse(shop, scenario, customer, lapsed_on=day, base=today), report)
    deps.registry.winback_done(shop.id, today)
    report.days[shop.id] = days


@dataclass(frozen=True)
class _Lapse:
    """One customer met for one scenario: lapsed on ``lapsed_on``, their run's steps from ``base``."""

    shop: Shop
    scenario: Scenario
    customer: CustomerRecord
    lapsed_on: date
    base: date


def _win_back(deps: WinbackDeps, lapse: _Lapse, report: WinbackReport) -> None:
    """Start the scenario's run for the customer (see the module's docstring)."""
    shop, scenario, customer = lapse.shop, lapse.scenario, lapse.customer
    prepared = _prepare(deps, lapse)
    if isinstance(prepared, str):
        report.skipped.append((customer.customer_id, scenario.id, prepared))
        return
    record, plan = prepared
    keys = _keys(deps, lapse, record.order_key)
    known: list[Delivery] = (
        deps.schedule.deliveries.by_customer(shop.id, customer.customer_id)
        if needs_runs(scenario.repeat_policy)
        else []
    )
    if start_customer_run(
        deps.schedule,
        shop=shop,
        record=record,
        customer_id=customer.customer_id,
        email=customer.email,
        scenario=scenario,
        plan=plan,
        keys=keys,
        known=known,
        outcome=report.runs,
    ):
        report.started.append(keys.run_id)


def _prepare(deps: WinbackDeps, lapse: _Lapse) -> tuple[OrderRecord, PlanResult] | str:
    """The customer's last order and the run's plan, or why there is no run (a skip reason)."""
    customer = lapse.customer
    why = _not_lapsed(customer, lapse.scenario, lapse.lapsed_on)
    if why is not None:
        return why
    assert customer.last_order_key is not None, "_not_lapsed: the customer has a last order"
    record = deps.schedule.orders.get(lapse.shop.id, customer.last_order_key)
    if record is None or record.status == "cancelled":
        return "order_missing"
    try:
        plan = plan_lapsed(
            lapse.shop,
            lapse.scenario,
            record.order,
            order_count=customer.order_count,
            base=lapse.base,
            now=deps.schedule.clock.now(),
        )
    except PlanningError:
        return "unplannable"
    return "conditions" if plan is None else (record, plan)


def _not_lapsed(customer: CustomerRecord, scenario: Scenario, lapsed_on: date) -> str | None:
    """Why the index's answer is no lapse after all (it is eventually consistent), or None."""
    if customer.erased_at is not None:
        return "erased"
    if customer.last_order_day is None or customer.last_order_key is None:
        return "no_order"
    if lapse_day(customer.last_order_day, scenario) != lapsed_on:
        return "ordered_since"
    if not customer.email:
        return "no_recipient"
    return None


def _keys(deps: WinbackDeps, lapse: _Lapse, order_key: str) -> RunKeys:
    """The run's names: by the last order, the scenario and the lapse day; started now."""
    names = {"shop_id": lapse.shop.id, "order_key": order_key, "scenario_id": lapse.scenario.id}
    return RunKeys(
        run_id=winback_run_id(**names, lapsed_on=lapse.lapsed_on),
        started_at=deps.schedule.clock.now(),
        delivery_id=lambda step: winback_delivery_id(**names, lapsed_on=lapse.lapsed_on, step_id=step.id),
    )
