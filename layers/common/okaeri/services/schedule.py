"""Schedule: an order change (a DynamoDB stream record) → deliveries and their one-off wake-ups.

DynamoDB is the truth and a schedule only wakes the sender (SPEC §1, decisions 1–2): every
planned mail is a delivery item with a deterministic id, created only if absent, and its
schedule is named by that id, so the same stream record applied twice changes nothing more.

Mails arrive in any order (issue #13): a shipment seen before its order leaves a stub, planned on
what the stub knows. When better data comes (the order mail after its stub, a ship date, a
delivery date) the order is planned again, scenario choice included: a run none of whose mails
has gone out yet is replaced when another scenario now wins its trigger (its pending deliveries end
``cancelled``, reason ``replanned``), and when it stays, the steps the planner skipped on the poorer
data (``past``, ``beyond_max_window``) that are plannable now are scheduled after all; a run that
has sent a mail stays, and only its pending steps move (a skipped step stays skipped). Every such
change is appended to the delivery's ``history`` (``PlanChange``, ``moved`` for a revived step).

A customer's new order stops their earlier runs (issue #16, docs/journeys-reorder-and-cap.md): the
pending mails of the runs that started before it, of steps their pinned scenario version stops on
reorder, end ``skipped``/``reordered`` (wake-ups deleted), and so do the held-out mails of such
steps that would have gone after it. The stop comes before the order's own runs start, so a
``repeat_policy`` looks at the runs as the stop left them. The send checks it again (send.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any, Protocol

from okaeri.attribution import in_holdout, order_time, pick_variant, run_reached
from okaeri.errors import PlanningError
from okaeri.identity import customer_id_for
from okaeri.models import (
    MAILED_STATUSES,
    PENDING_STATUSES,
    Delivery,
    DeliveryStatus,
    OrderRecord,
    PlanChange,
    PlannedDelivery,
    PlanResult,
    ReplanReason,
    Run,
    Scenario,
    Shop,
    Step,
)
from okaeri.models.delivery import PLANNER_SKIPS, REPLANNED, Skip
from okaeri.models.scenario import ORDER_TRIGGERS
from okaeri.planner import (
    apply_repeat_policy,
    delivery_id,
    needs_runs,
    plan_order,
    replan_on_shipment,
    revive_skipped,
    run_id,
)
from okaeri.ports import Clock, Deliveries, Orders, Schedules, ShopConfig
from okaeri.services.conversions import (
    count_repeats,
    count_run_start,
    count_skip,
    credit_order,
    may_have_earlier_mail,
    take_back_credit,
    take_back_repeats,
    uncount_run,
)

PAYLOAD_SHOP = "shop"
PAYLOAD_DELIVERY = "delivery"
#: A run with a delivery in one of these states has (or may have) mailed the buyer: it stays.
GONE_OUT = frozenset({DeliveryStatus.SENDING, DeliveryStatus.SENT, DeliveryStatus.UNKNOWN})


@dataclass(frozen=True)
class ScheduleDeps:
    config: ShopConfig
    deliveries: Deliveries
    schedules: Schedules
    clock: Clock
    orders: Orders  # an order's credit (issue #15)


@dataclass
class ScheduleOutcome:
    """What one order change did, for the handler's log and metrics.

    Delivery ids in ``created`` / ``existing`` / ``cancelled`` / ``moved`` (a step skipped before and
    planned now, on better data, is ``moved`` too). ``skipped`` pairs say
    what was not planned and why: a delivery id (a stored delivery skipped on re-planning),
    ``scenario/step`` (a step the planner skipped) or ``scenario`` (a whole run a repeat policy
    refused). ``note`` says why nothing was planned at all (``no_recipient``, ``unknown_shop``,
    ``no_scenario``, ``unplannable``). ``credited``: the delivery the order was credited to;
    ``repeated``: the customer's runs the order repeats (issue #15); ``stopped``: the mails of the
    customer's earlier runs the order stopped (skipped ``reordered``, issue #16).
    """

    created: list[str] = field(default_factory=list)
    existing: list[str] = field(default_factory=list)
    cancelled: list[str] = field(default_factory=list)
    moved: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    note: str | None = None
    credited: str | None = None
    repeated: list[str] = field(default_factory=list)
    stopped: list[str] = field(default_factory=list)


def on_order_change(deps: ScheduleDeps, old: OrderRecord | None, new: OrderRecord | None) -> ScheduleOutcome:
    """Plan a new order (or stub), re-plan on better data, stop on a cancellation; nothing otherwise."""
    outcome = ScheduleOutcome()
    if new is None:
        return outcome
    if new.status == "cancelled":
        if old is None or old.status != "cancelled":
            _cancel_order(deps, new, outcome)
            take_back_credit(deps, new)
            take_back_repeats(deps, new)
        return outcome
    known = None
    if new.order.kind == "order" and (old is None or old.order.kind != "order"):
        known = _earned(deps, new, outcome)
        if known is not None:  # before the order's runs start: their repeat policies see the stop
            known = _stop_earlier_runs(deps, new, known, outcome)
    if old is None:
        _plan_new(deps, new, outcome, known=known)
    elif (news := better_data(old, new)) is not None:
        _replan(deps, new, outcome, reason=news, known=known)
    return outcome


def _earned(deps: ScheduleDeps, record: OrderRecord, outcome: ScheduleOutcome) -> list[Delivery] | None:
    """A new order: credited to its last touch, and the runs it repeats counted (issue #15). The
    customer's deliveries, when they were read (a first order reads none: it had no mail before)."""
    shop = deps.config.shop(record.shop_id)
    if shop is None or not may_have_earlier_mail(record):
        return None
    assert record.customer_id is not None, "may_have_earlier_mail: the order names its customer"
    known = deps.deliveries.by_customer(shop.id, record.customer_id)
    credit = credit_order(deps, shop, record, known)
    outcome.credited = None if credit is None else credit.delivery_id
    outcome.repeated = count_repeats(deps, shop, record, known)
    return known


def _stop_earlier_runs(
    deps: ScheduleDeps, record: OrderRecord, known: list[Delivery], outcome: ScheduleOutcome
) -> list[Delivery]:
    """Stop the customer's earlier runs on their new order (see the module's docstring); ``known``
    as it is after the stop.

    Earlier: another order's run that started before this order's time (an earlier order arriving
    after a later one stops nothing here; the send refuses its mails). A stopped mail is counted on
    its step's row (``count_skip``); found stopped already (this record again, after a crash between
    the stop and its count), it is counted again, once all the same."""
    shop = deps.config.shop(record.shop_id)
    if shop is None:
        return known
    placed = order_time(record)
    versions: dict[tuple[str, int], Scenario | None] = {}

    def covered(delivery: Delivery) -> tuple[Scenario, Step] | None:
        key = (delivery.scenario_id, delivery.scenario_version)
        if key not in versions:
            versions[key] = deps.config.scenario_version(shop.id, *key)
        scenario = versions[key]
        if scenario is None:
            return None
        step = scenario.find_step(delivery.step_id)
        return (scenario, step) if step is not None and scenario.stops_on_reorder(step) else None

    after: list[Delivery] = []
    for delivery in known:
        earlier = (
            delivery.order_key != record.order_key
            and delivery.run_started_at is not None
            and delivery.run_started_at < placed
        )
        pinned = covered(delivery) if earlier else None
        stopped = None
        if pinned is not None:
            mailed = not (delivery.held_out and _holds_out(*pinned))
            stopped = _stop_on_reorder(deps, shop, delivery, placed, mailed=mailed)
        if stopped is not None and delivery.reason != Skip.REORDERED:
            outcome.stopped.append(delivery.id)
        after.append(stopped or delivery)
    return after


def _stop_on_reorder(
    deps: ScheduleDeps, shop: Shop, delivery: Delivery, placed: datetime, *, mailed: bool
) -> Delivery | None:
    """One covered mail of an earlier run: ``scheduled`` → ``skipped``/``reordered`` and its wake-up
    deleted; held out and due after the new order → ``reordered`` too. The mail as it is now when it
    is (or was already) stopped, else None. ``mailed``: a mail of the mailed group (not one its run's
    holdout kept back), counted ``reordered`` on its step's row."""
    stopped = delivery.model_copy(update={"status": DeliveryStatus.SKIPPED, "reason": Skip.REORDERED})
    if delivery.status == DeliveryStatus.SCHEDULED:
        if not stop_scheduled(deps, shop.id, delivery.id, Skip.REORDERED, status=DeliveryStatus.SKIPPED):
            return None  # claimed (or changed) meanwhile: the send decides
    elif delivery.status == DeliveryStatus.SKIPPED and delivery.reason == Skip.HOLDOUT:
        if delivery.send_at <= placed or not deps.deliveries.finish(
            shop.id,
            delivery.id,
            status=DeliveryStatus.SKIPPED,
            reason=Skip.REORDERED,
            from_status=[DeliveryStatus.SKIPPED],
        ):
            return None
    elif delivery.status != DeliveryStatus.SKIPPED or delivery.reason != Skip.REORDERED:
        return None
    if mailed:
        count_skip(deps, shop, stopped, Skip.REORDERED)
    return stopped


def better_data(old: OrderRecord, new: OrderRecord) -> ReplanReason | None:
    """What the change brought that planning depends on, or None (an erasure, a raw key, …).

    The order mail after its stub brings the buyer, the items, the total and the customer's rank;
    a shipment its ship date; a delivery event the arrival date.
    """
    if old.order.kind != "order" and new.order.kind == "order":
        return "order_arrived"
    if old.order.shipped_at != new.order.shipped_at:
        return "shipment"
    if old.order.delivered_at != new.order.delivered_at:
        return "delivered"
    return None


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


class WakeUps(Protocol):
    """Deps holding the deliveries and their wake-ups (the pipeline's and the operators')."""

    @property
    def deliveries(self) -> Deliveries: ...

    @property
    def schedules(self) -> Schedules: ...


def stop_scheduled(
    deps: WakeUps,
    shop_id: str,
    delivery_id: str,
    reason: str,
    *,
    note: PlanChange | None = None,
    status: DeliveryStatus = DeliveryStatus.CANCELLED,
) -> bool:
    """A still-scheduled delivery → ``cancelled`` (or ``status``: ``skipped`` for a rule's stop), and
    its wake-up removed; False when it was not ``scheduled`` (any more)."""
    if deps.deliveries.finish(
        shop_id,
        delivery_id,
        status=status,
        reason=reason,
        from_status=[DeliveryStatus.SCHEDULED],
        note=note,
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


@dataclass(frozen=True)
class RunKeys:
    """How a run and its mails are named, and when it started (``run_started_at``, the day its
    results are counted on). An order's run: :func:`order_run_keys`; a win-back: services/winback.py."""

    run_id: str
    started_at: datetime
    delivery_id: Callable[[Step], str]


def order_run_keys(shop: Shop, record: OrderRecord, scenario: Scenario) -> RunKeys:
    """The run an order starts: named by the order and the scenario (its mails by the version too),
    started at the order's time."""

    mail_id = partial(
        delivery_id,
        shop_id=shop.id,
        order_key=record.order_key,
        scenario_id=scenario.id,
        scenario_version=scenario.version,
    )
    return RunKeys(
        run_id=run_id(shop_id=shop.id, order_key=record.order_key, scenario_id=scenario.id),
        started_at=order_time(record),
        delivery_id=lambda step: mail_id(step_id=step.id),
    )


def start_customer_run(
    deps: ScheduleDeps,
    *,
    shop: Shop,
    record: OrderRecord,
    customer_id: str,
    email: str,
    scenario: Scenario,
    plan: PlanResult,
    keys: RunKeys,
    known: list[Delivery],
    outcome: ScheduleOutcome,
) -> bool:
    """Start a run that no order of its own starts (a win-back, services/winback.py): ``record`` is
    the order its mails are rendered from, ``known`` the customer's deliveries (what the repeat
    policy looks at), ``keys`` how it is named; the repeat policy, the holdout, the counters and the
    wake-ups as for an order's run. False when the repeat policy refused it."""
    buyer = _Buyer(shop, record, customer_id, email, deps.clock.now())
    return _start_run(deps, buyer, scenario, plan=plan, known=known, outcome=outcome, keys=keys)


def _plan_new(
    deps: ScheduleDeps, record: OrderRecord, outcome: ScheduleOutcome, *, known: list[Delivery] | None = None
) -> None:
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
    known = _customer_runs(deps, buyer, [scenarios[plan.scenario] for plan in plans if plan.scenario], known)
    for plan in plans:
        assert plan.scenario is not None, "plan_order only returns plans of a scenario"
        _start_run(deps, buyer, scenarios[plan.scenario], plan=plan, known=known, outcome=outcome)


def _customer_runs(
    deps: ScheduleDeps, buyer: _Buyer, chosen: Iterable[Scenario], known: list[Delivery] | None
) -> list[Delivery]:
    """The customer's deliveries (``known``: read already), read (``by_customer``, a query) only when
    a chosen scenario's repeat policy looks at their runs: ``every_time`` starts whatever they are
    (issue #14)."""
    if not any(needs_runs(scenario.repeat_policy) for scenario in chosen):
        return []
    return known if known is not None else deps.deliveries.by_customer(buyer.shop.id, buyer.customer_id)


def runs_of(deliveries: Iterable[Delivery], scenario_id: str) -> list[Run]:
    """A customer's runs of one scenario, from their deliveries (pending = scheduled or sending;
    mailed = sent, or ``unknown``: it may have gone out)."""
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
        elif delivery.status in MAILED_STATUSES:
            run.mailed = True
    return list(runs.values())


def _start_run(
    deps: ScheduleDeps,
    buyer: _Buyer,
    scenario: Scenario,
    *,
    plan: PlanResult,
    known: list[Delivery],
    outcome: ScheduleOutcome,
    replaces: tuple[ReplanReason, str] | None = None,
    keys: RunKeys | None = None,
) -> bool:
    """Start the order's run of ``scenario`` (``replaces``: the news and the superseded scenario;
    ``keys``: how the run is named, the order's run unless given); False when the repeat policy
    refused it."""
    shop_id = buyer.shop.id
    keys = keys or order_run_keys(buyer.shop, buyer.record, scenario)
    new_run = keys.run_id
    decision = apply_repeat_policy(scenario.repeat_policy, runs_of(known, scenario.id), new_run_id=new_run)
    if not decision.start:
        outcome.skipped.append((scenario.id, decision.reason or "repeat_policy"))
        return False
    for pending in decision.cancel_delivery_ids:
        if stop_scheduled(deps, shop_id, pending, "repeat_restart"):
            outcome.cancelled.append(pending)
    outcome.skipped.extend((f"{scenario.id}/{step.step}", step.reason) for step in plan.skipped)
    run = _RunStart(
        new_run, in_holdout(shop_id, buyer.customer_id, scenario.id, scenario.holdout_percent), keys
    )
    # A step the planner skipped is kept as a ``skipped`` mail (no wake-up), dated when it was
    # decided, so the order and the deliveries say what became of it and why.
    skipped = [
        _delivery(
            deps,
            buyer,
            scenario,
            plan=plan,
            planned=PlannedDelivery(step=skip.step, send_at=buyer.now),
            run=run,
        ).model_copy(update={"status": DeliveryStatus.SKIPPED, "reason": skip.reason})
        for skip in plan.skipped
    ]
    planned = [
        _noted(_delivery(deps, buyer, scenario, plan=plan, planned=step, run=run), buyer, replaces)
        for step in plan.deliveries
    ]
    # the run's mails in one request; then each new one's wake-up
    written = deps.deliveries.put_all([*skipped, *planned])[len(skipped) :]
    if planned:  # a run none of whose steps could be planned never reached the customer: not counted
        count_run_start(deps, buyer.shop, [*skipped, *planned], started_at=keys.started_at)
    for delivery, new in zip(planned, written, strict=True):
        if delivery.reason == Skip.HOLDOUT:
            outcome.skipped.append((delivery.id, Skip.HOLDOUT))
            continue
        if new:
            outcome.created.append(delivery.id)
            create_wake_up(deps.schedules, buyer.shop, delivery.id, delivery.send_at)
            continue
        outcome.existing.append(delivery.id)
        stored = deps.deliveries.get(shop_id, delivery.id)
        if stored is not None and stored.status == DeliveryStatus.SCHEDULED:
            # the same record again, perhaps after a crash between the put and the schedule
            create_wake_up(deps.schedules, buyer.shop, stored.id, stored.send_at)
    return True


def _noted(delivery: Delivery, buyer: _Buyer, replaces: tuple[ReplanReason, str] | None) -> Delivery:
    """A new run's mail, with the note of the scenario it replaces (when it does)."""
    if replaces is None:
        return delivery
    note = PlanChange(
        at=buyer.now,
        delivery_id=delivery.id,
        change="replaces",
        reason=replaces[0],
        scenario_from=replaces[1],
        scenario_to=delivery.scenario_id,
        send_at_to=delivery.send_at,
    )
    return delivery.model_copy(update={"history": [note]})


@dataclass(frozen=True)
class _RunStart:
    """A run being started: its id, its group (held out or mailed) and how it is named."""

    run_id: str
    held_out: bool
    keys: RunKeys


def _holds_out(scenario: Scenario, step: Step) -> bool:
    """Whether a held-out run keeps this step from its customer (``advertising_only``: only its
    coupon and promotion mails)."""
    return scenario.holdout_scope == "whole_run" or step.is_advertising


def _delivery(
    deps: ScheduleDeps,
    buyer: _Buyer,
    scenario: Scenario,
    *,
    plan: PlanResult,
    planned: PlannedDelivery,
    run: _RunStart,
) -> Delivery:
    step = scenario.step(planned.step)
    planned_id = run.keys.delivery_id(step)
    variant = pick_variant(step, planned_id)
    template_id = step.template_of(None if variant is None else variant.id)
    template = deps.config.template(buyer.shop.id, template_id)  # the current version, pinned
    held = run.held_out and _holds_out(scenario, step)
    return Delivery(
        id=planned_id,
        shop_id=buyer.shop.id,
        order_key=buyer.record.order_key,
        run_id=run.run_id,
        customer_id=buyer.customer_id,
        customer_email=buyer.email,
        scenario_id=scenario.id,
        scenario_version=scenario.version,
        step_id=step.id,
        template_id=template_id,
        template_version=None if template is None else template.version,
        ship_date=plan.ship_date,
        send_at=planned.send_at,
        variant=None if variant is None else variant.id,
        held_out=run.held_out,
        run_started_at=run.keys.started_at,
        **({"status": DeliveryStatus.SKIPPED, "reason": Skip.HOLDOUT} if held else {}),
    )


# --- better data: re-planning --------------------------------------------------------------------


@dataclass
class _OrderRun:
    """One run this order started, as its deliveries show it."""

    scenario_id: str
    version: int
    deliveries: list[Delivery] = field(default_factory=list)

    @property
    def gone_out(self) -> bool:
        return any(delivery.status in GONE_OUT for delivery in self.deliveries)

    @property
    def superseded(self) -> bool:
        """Every delivery of it was cancelled by an earlier re-planning."""
        return all(d.status == DeliveryStatus.CANCELLED and d.reason == REPLANNED for d in self.deliveries)


def _order_runs(deliveries: Iterable[Delivery]) -> list[_OrderRun]:
    runs: dict[str, _OrderRun] = {}
    for delivery in sorted(deliveries, key=lambda d: (d.run_id, d.scenario_version, d.id)):
        run = runs.setdefault(delivery.run_id, _OrderRun(delivery.scenario_id, delivery.scenario_version))
        run.deliveries.append(delivery)
    return [run for run in runs.values() if not run.superseded]


def _replan(
    deps: ScheduleDeps,
    record: OrderRecord,
    outcome: ScheduleOutcome,
    *,
    reason: ReplanReason,
    known: list[Delivery] | None = None,
) -> None:
    """Plan the order again on what is known now (see the module's docstring)."""
    runs = _order_runs(deps.deliveries.by_order(record.shop_id, record.order_key))
    if not runs:  # the order planned nothing yet (a stub without a buyer, no scenario matched, …)
        _plan_new(deps, record, outcome, known=known)
        return
    shop = deps.config.shop(record.shop_id)
    if shop is None:
        outcome.note = "unknown_shop"
        return
    now = deps.clock.now()
    scenarios = {scenario.id: scenario for scenario in deps.config.active_scenarios(shop.id)}
    email = record.order.customer.email
    try:
        plans = (
            plan_order(shop, list(scenarios.values()), record.order, now=now, order_count=record.order_rank)
            if email
            else []
        )
    except PlanningError:
        outcome.note = "unplannable"
        return
    chosen = {plan.trigger: plan for plan in plans}
    kept: set[str] = set()
    superseded: dict[str, str] = {}  # trigger → the scenario its replaced run had
    for run, scenario in _planned_runs(deps, shop.id, runs, outcome):
        plan = chosen.get(scenario.trigger)
        if run.gone_out or not email or (plan is not None and plan.scenario == scenario.id):
            kept.add(scenario.trigger)
            staying = _StayingRun(shop, scenario, record, run, outcome, now, reason)
            _move_pending(deps, staying)
            if not run.gone_out:
                _revive_skipped(deps, staying)
            continue
        superseded[scenario.trigger] = scenario.id
        new_scenario = None if plan is None else plan.scenario
        if run_reached(run.deliveries):  # before the cancellations: a retry after a crash finds it again
            uncount_run(deps, shop, run.deliveries)
        for delivery in run.deliveries:
            note = PlanChange(
                at=now,
                delivery_id=delivery.id,
                change="superseded",
                reason=reason,
                scenario_from=scenario.id,
                scenario_to=new_scenario,
                send_at_from=delivery.send_at,
            )
            if stop_scheduled(deps, shop.id, delivery.id, REPLANNED, note=note) or _stop_held_out(
                deps, delivery, note
            ):
                outcome.cancelled.append(delivery.id)
    starting = [plan for plan in plans if plan.trigger not in kept]
    if not starting:
        return
    assert email is not None, "plans are made only for an order with a recipient"
    buyer = _Buyer(shop, record, record.customer_id or customer_id_for(email), email, now)
    known = _customer_runs(
        deps, buyer, [scenarios[plan.scenario] for plan in starting if plan.scenario], known
    )
    for plan in starting:
        assert plan.scenario is not None, "plan_order only returns plans of a scenario"
        was = superseded.get(plan.trigger or "")
        _start_run(
            deps,
            buyer,
            scenarios[plan.scenario],
            plan=plan,
            known=known,
            outcome=outcome,
            replaces=None if was is None else (reason, was),
        )


def _planned_runs(
    deps: ScheduleDeps, shop_id: str, runs: Iterable[_OrderRun], outcome: ScheduleOutcome
) -> Iterable[tuple[_OrderRun, Scenario]]:
    """The order's own runs with their scenario versions; a win-back rendered from the order (trigger
    ``lapsed``) is not the order's plan and is left alone."""
    for run in runs:
        scenario = deps.config.scenario_version(shop_id, run.scenario_id, run.version)
        if scenario is None:
            outcome.skipped.append((run.scenario_id, "scenario_missing"))
        elif scenario.trigger in ORDER_TRIGGERS:
            yield run, scenario


def _stop_held_out(deps: ScheduleDeps, delivery: Delivery, note: PlanChange) -> bool:
    """A held-out mail of a superseded run → ``cancelled`` too, so the run reads as superseded."""
    if delivery.status != DeliveryStatus.SKIPPED or delivery.reason != Skip.HOLDOUT:
        return False
    return deps.deliveries.finish(
        delivery.shop_id,
        delivery.id,
        status=DeliveryStatus.CANCELLED,
        reason=REPLANNED,
        from_status=[DeliveryStatus.SKIPPED],
        note=note,
    )


@dataclass(frozen=True)
class _StayingRun:
    """A run the re-planning keeps, and why it was planned again."""

    shop: Shop
    scenario: Scenario
    record: OrderRecord
    run: _OrderRun
    outcome: ScheduleOutcome
    now: datetime
    reason: ReplanReason

    def moved(self, delivery_id: str, send_at_from: datetime, send_at_to: datetime) -> PlanChange:
        """The note of one of its steps moved to a new send time."""
        return PlanChange(
            at=self.now,
            delivery_id=delivery_id,
            change="moved",
            reason=self.reason,
            scenario_from=self.scenario.id,
            scenario_to=self.scenario.id,
            send_at_from=send_at_from,
            send_at_to=send_at_to,
        )


def _move_pending(deps: ScheduleDeps, staying: _StayingRun) -> None:
    """A run that stays: its still-scheduled steps move to the dates the new data gives."""
    shop, outcome = staying.shop, staying.outcome
    pending = [delivery for delivery in staying.run.deliveries if delivery.status == DeliveryStatus.SCHEDULED]
    replan = replan_on_shipment(shop, staying.scenario, staying.record.order, pending, now=staying.now)
    send_at = {delivery.id: delivery.send_at for delivery in pending}
    for moved, at in replan.moves:
        note = staying.moved(moved, send_at[moved], at)
        if deps.deliveries.reschedule(shop.id, moved, send_at=at, note=note):
            move_wake_up(deps.schedules, shop, moved, at)
            outcome.moved.append(moved)
    for skipped, why in replan.skips:
        if stop_scheduled(deps, shop.id, skipped, why, status=DeliveryStatus.SKIPPED):
            outcome.skipped.append((skipped, why))


def _revive_skipped(deps: ScheduleDeps, staying: _StayingRun) -> None:
    """A run none of whose mails has gone out: the steps the planner skipped on poorer data (``past``,
    ``beyond_max_window``) that the order as known now makes plannable are scheduled after all.

    The wake-up is made (or moved) before the conditional ``skipped → scheduled`` write: a crash
    between the two leaves the step skipped, and the same record again revives it then; once
    revived, a repeat finds it scheduled and changes nothing (no second wake-up, no second note).
    A wake-up left for a step that stayed skipped finds nothing to claim.
    """
    shop = staying.shop
    skipped = [delivery for delivery in staying.run.deliveries if delivery.status == DeliveryStatus.SKIPPED]
    if not skipped:
        return
    try:
        revived = revive_skipped(shop, staying.scenario, staying.record.order, skipped, now=staying.now)
    except PlanningError:
        return
    decided = {delivery.id: delivery.send_at for delivery in skipped}
    for revived_id, at in revived:
        note = staying.moved(revived_id, decided[revived_id], at)
        move_wake_up(deps.schedules, shop, revived_id, at)
        if deps.deliveries.revive(shop.id, revived_id, send_at=at, reasons=sorted(PLANNER_SKIPS), note=note):
            staying.outcome.moved.append(revived_id)


# --- a cancellation -----------------------------------------------------------------------------


def _cancel_order(deps: ScheduleDeps, record: OrderRecord, outcome: ScheduleOutcome) -> None:
    for delivery in deps.deliveries.by_order(record.shop_id, record.order_key):
        if delivery.status == DeliveryStatus.SCHEDULED and stop_scheduled(
            deps, record.shop_id, delivery.id, "order_cancelled"
        ):
            outcome.cancelled.append(delivery.id)
