"""Schedule: an order change (a DynamoDB stream record) → deliveries and their one-off wake-ups.

DynamoDB is the truth and a schedule only wakes the sender (SPEC §1, decisions 1–2): every
planned mail is a delivery item with a deterministic id, created only if absent, and its
schedule is named by that id, so the same stream record applied twice changes nothing more.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from okaeri.errors import PlanningError
from okaeri.identity import customer_id_for
from okaeri.models import (
    PENDING_STATUSES,
    Delivery,
    OrderRecord,
    PlannedDelivery,
    PlanResult,
    Run,
    Scenario,
    Shop,
)
from okaeri.planner import apply_repeat_policy, delivery_id, plan_order, replan_on_shipment, run_id
from okaeri.ports import Clock, Deliveries, Schedules, ShopConfig

PAYLOAD_SHOP = "shop"
PAYLOAD_DELIVERY = "delivery"


@dataclass(frozen=True)
class ScheduleDeps:
    config: ShopConfig
    deliveries: Deliveries
    schedules: Schedules
    clock: Clock


@dataclass
class ScheduleOutcome:
    """What one order change did, for the handler's log and metrics.

    Delivery ids in ``created`` / ``existing`` / ``cancelled`` / ``moved``. ``skipped`` pairs say
    what was not planned and why: a delivery id (a stored delivery skipped on re-planning),
    ``scenario/step`` (a step the planner skipped) or ``scenario`` (a whole run a repeat policy
    refused). ``note`` says why nothing was planned at all (``no_recipient``, ``unknown_shop``,
    ``no_scenario``, ``unplannable``).
    """

    created: list[str] = field(default_factory=list)
    existing: list[str] = field(default_factory=list)
    cancelled: list[str] = field(default_factory=list)
    moved: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    note: str | None = None


def on_order_change(deps: ScheduleDeps, old: OrderRecord | None, new: OrderRecord | None) -> ScheduleOutcome:
    """Plan a new order, re-plan on a shipment, stop on a cancellation; any other change does nothing."""
    outcome = ScheduleOutcome()
    if new is None:
        return outcome
    if new.status == "cancelled":
        if old is None or old.status != "cancelled":
            _cancel_order(deps, new, outcome)
    elif old is None:
        _plan_new(deps, new, outcome)
    elif old.order.shipped_at != new.order.shipped_at:
        _on_shipment(deps, new, outcome)
    return outcome


# --- wake-ups -----------------------------------------------------------------------------------


def wake_up_payload(shop_id: str, delivery_id: str) -> dict[str, str]:
    """What a schedule hands the send function: which shop, which delivery."""
    return {PAYLOAD_SHOP: shop_id, PAYLOAD_DELIVERY: delivery_id}


def _wake_up(shop: Shop, delivery_id: str, at: datetime) -> dict[str, Any]:
    return {
        "name": delivery_id,
        "at": at,
        "timezone": shop.timezone,
        "payload": wake_up_payload(shop.id, delivery_id),
        "window_minutes": shop.flexible_window_minutes,
    }


def create_wake_up(schedules: Schedules, shop: Shop, delivery_id: str, at: datetime) -> bool:
    """The delivery's one-off schedule; False when it exists already (that is fine)."""
    return schedules.create(**_wake_up(shop, delivery_id, at))


def move_wake_up(schedules: Schedules, shop: Shop, delivery_id: str, at: datetime) -> None:
    """Move the delivery's schedule (the adapter creates it again when it is gone)."""
    schedules.update(**_wake_up(shop, delivery_id, at))


def _stop(deps: ScheduleDeps, shop_id: str, delivery_id: str, reason: str) -> bool:
    """A still-scheduled delivery → ``cancelled``, and its wake-up removed."""
    if deps.deliveries.finish(
        shop_id, delivery_id, status="cancelled", reason=reason, from_status=["scheduled"]
    ):
        deps.schedules.delete(delivery_id)
        return True
    return False


# --- a new order --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Buyer:
    shop: Shop
    record: OrderRecord
    customer_id: str
    email: str
    now: datetime


def _plan_new(deps: ScheduleDeps, record: OrderRecord, outcome: ScheduleOutcome) -> None:
    shop = deps.config.shop(record.shop_id)
    if shop is None:
        outcome.note = "unknown_shop"
        return
    email = record.order.customer.email
    if not email:
        outcome.note = "no_recipient"
        return
    scenarios = {scenario.id: scenario for scenario in deps.config.active_scenarios(shop.id)}
    now = deps.clock.now()
    try:
        plans = plan_order(
            shop, list(scenarios.values()), record.order, now=now, order_count=record.order_rank
        )
    except PlanningError:
        outcome.note = "unplannable"
        return
    if not plans:
        outcome.note = "no_scenario"
        return
    buyer = _Buyer(shop, record, record.customer_id or customer_id_for(email), email, now)
    known = deps.deliveries.by_customer(shop.id, buyer.customer_id)
    for plan in plans:
        assert plan.scenario is not None, "plan_order only returns plans of a scenario"
        _start_run(deps, buyer, scenarios[plan.scenario], plan=plan, known=known, outcome=outcome)


def runs_of(deliveries: Iterable[Delivery], scenario_id: str) -> list[Run]:
    """A customer's runs of one scenario, from their deliveries (pending = scheduled or sending)."""
    runs: dict[str, Run] = {}
    for delivery in deliveries:
        if delivery.scenario_id != scenario_id:
            continue
        run = runs.setdefault(
            delivery.run_id,
            Run(run_id=delivery.run_id, scenario_id=scenario_id, order_key=delivery.order_key),
        )
        if delivery.status in PENDING_STATUSES:
            run.pending_delivery_ids.append(delivery.id)
    return list(runs.values())


def _start_run(
    deps: ScheduleDeps,
    buyer: _Buyer,
    scenario: Scenario,
    *,
    plan: PlanResult,
    known: list[Delivery],
    outcome: ScheduleOutcome,
) -> None:
    shop_id = buyer.shop.id
    new_run = run_id(shop_id=shop_id, order_key=buyer.record.order_key, scenario_id=scenario.id)
    decision = apply_repeat_policy(scenario.repeat_policy, runs_of(known, scenario.id), new_run_id=new_run)
    if not decision.start:
        outcome.skipped.append((scenario.id, decision.reason or "repeat_policy"))
        return
    for pending in decision.cancel_delivery_ids:
        if _stop(deps, shop_id, pending, "repeat_restart"):
            outcome.cancelled.append(pending)
    outcome.skipped.extend((f"{scenario.id}/{step.step}", step.reason) for step in plan.skipped)
    for planned in plan.deliveries:
        delivery = _delivery(deps, buyer, scenario, plan=plan, planned=planned, new_run=new_run)
        if deps.deliveries.put_new(delivery):
            outcome.created.append(delivery.id)
            create_wake_up(deps.schedules, buyer.shop, delivery.id, delivery.send_at)
            continue
        outcome.existing.append(delivery.id)
        stored = deps.deliveries.get(shop_id, delivery.id)
        if stored is not None and stored.status == "scheduled":
            # the same record again, perhaps after a crash between the put and the schedule
            create_wake_up(deps.schedules, buyer.shop, stored.id, stored.send_at)


def _delivery(
    deps: ScheduleDeps,
    buyer: _Buyer,
    scenario: Scenario,
    *,
    plan: PlanResult,
    planned: PlannedDelivery,
    new_run: str,
) -> Delivery:
    step = scenario.step(planned.step)
    template = deps.config.template(buyer.shop.id, step.template)  # the current version, pinned
    return Delivery(
        id=delivery_id(
            shop_id=buyer.shop.id,
            order_key=buyer.record.order_key,
            scenario_id=scenario.id,
            scenario_version=scenario.version,
            step_id=step.id,
        ),
        shop_id=buyer.shop.id,
        order_key=buyer.record.order_key,
        run_id=new_run,
        customer_id=buyer.customer_id,
        customer_email=buyer.email,
        scenario_id=scenario.id,
        scenario_version=scenario.version,
        step_id=step.id,
        template_id=step.template,
        template_version=None if template is None else template.version,
        ship_date=plan.ship_date,
        send_at=planned.send_at,
    )


# --- a shipment ---------------------------------------------------------------------------------


def _on_shipment(deps: ScheduleDeps, record: OrderRecord, outcome: ScheduleOutcome) -> None:
    deliveries = deps.deliveries.by_order(record.shop_id, record.order_key)
    if not deliveries:  # the shipment was seen first, or the order planned nothing yet
        _plan_new(deps, record, outcome)
        return
    shop = deps.config.shop(record.shop_id)
    if shop is None:
        outcome.note = "unknown_shop"
        return
    now = deps.clock.now()
    for (scenario_id, version), pending in _scheduled_by_version(deliveries).items():
        scenario = deps.config.scenario_version(shop.id, scenario_id, version)
        if scenario is None:
            outcome.skipped.append((scenario_id, "scenario_missing"))
            continue
        replan = replan_on_shipment(shop, scenario, record.order, pending, now=now)
        for moved, at in replan.moves:
            if deps.deliveries.reschedule(shop.id, moved, send_at=at):
                move_wake_up(deps.schedules, shop, moved, at)
                outcome.moved.append(moved)
        for skipped, reason in replan.skips:
            if deps.deliveries.finish(
                shop.id, skipped, status="skipped", reason=reason, from_status=["scheduled"]
            ):
                deps.schedules.delete(skipped)
                outcome.skipped.append((skipped, reason))


def _scheduled_by_version(deliveries: Iterable[Delivery]) -> Mapping[tuple[str, int], list[Delivery]]:
    groups: defaultdict[tuple[str, int], list[Delivery]] = defaultdict(list)
    for delivery in deliveries:
        if delivery.status == "scheduled":
            groups[(delivery.scenario_id, delivery.scenario_version)].append(delivery)
    return groups


# --- a cancellation -----------------------------------------------------------------------------


def _cancel_order(deps: ScheduleDeps, record: OrderRecord, outcome: ScheduleOutcome) -> None:
    for delivery in deps.deliveries.by_order(record.shop_id, record.order_key):
        if delivery.status == "scheduled" and _stop(deps, record.shop_id, delivery.id, "order_cancelled"):
            outcome.cancelled.append(delivery.id)
