"""Planning (SPEC §2): which scenarios an order starts, and when each of their steps is sent.

Pure functions over the models: no clock (``now`` is an argument), no I/O, no AWS. Every time is
computed as a wall-clock time in the shop's zone and only then turned into an instant, so quiet
hours, business days and DST gaps/overlaps are all judged on the time the buyer sees.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from fnmatch import fnmatchcase
from zoneinfo import ZoneInfo

from okaeri.calendar import BusinessCalendar, estimated_ship_date, order_day, to_shop_time
from okaeri.errors import PlanningError
from okaeri.models.delivery import (
    PLANNER_SKIPS,
    Delivery,
    DeliveryStatus,
    PlannedDelivery,
    PlanResult,
    Run,
    Skip,
    SkippedStep,
)
from okaeri.models.order import Order
from okaeri.models.scenario import ORDER_TRIGGERS, Conditions, RepeatPolicy, Scenario, Step
from okaeri.models.shop import QuietHours, Shop

#: A send time missed by less than this is sent at once; by more, the step is skipped ("past").
LATE_LIMIT = timedelta(hours=24)
#: EventBridge Scheduler names: 1–64 characters of ``[0-9A-Za-z-_.]``.
MAX_ID_LENGTH = 64
_ID_UNSAFE = re.compile(r"[^0-9A-Za-z_.-]+")
_ID_PREFIX_PART = 14  # two readable parts + two dots + 32 hex digits = 62 characters at most
_ID_DIGEST_HEX = 32  # 128 bits: collisions are out of reach for any number of deliveries
_DST_ROUNDS = 4  # quiet hours / business days / a DST gap can push a time forward a few times

type Outcome = PlannedDelivery | SkippedStep

# --- scenario selection ---------------------------------------------------------------------------

_ConditionCheck = Callable[[Conditions, Order, int], bool]


def _sources_ok(cond: Conditions, order: Order, _count: int) -> bool:
    return not cond.sources or order.source in cond.sources


def _skus_ok(cond: Conditions, order: Order, _count: int) -> bool:
    if not cond.skus:
        return True
    skus = [item.sku for item in order.items if item.sku is not None]
    return any(fnmatchcase(sku, pattern) for sku in skus for pattern in cond.skus)


def _first_order_ok(cond: Conditions, _order: Order, count: int) -> bool:
    return cond.first_order is None or cond.first_order == (count == 1)


def _payment_ok(cond: Conditions, order: Order, _count: int) -> bool:
    return not cond.payment_methods or order.payment_method in cond.payment_methods


def _prefecture_ok(cond: Conditions, order: Order, _count: int) -> bool:
    return not cond.prefectures or order.ship_to.prefecture in cond.prefectures


def _gift_ok(cond: Conditions, order: Order, _count: int) -> bool:
    # an order that does not say it is a gift is not one
    return cond.gift is None or cond.gift == bool(order.is_gift)


def _min_total_ok(cond: Conditions, order: Order, _count: int) -> bool:
    return cond.min_total is None or (order.total is not None and order.total >= cond.min_total)


def _min_order_count_ok(cond: Conditions, _order: Order, count: int) -> bool:
    return cond.min_order_count is None or count >= cond.min_order_count


_CONDITION_CHECKS: tuple[_ConditionCheck, ...] = (
    _sources_ok,
    _skus_ok,
    _first_order_ok,
    _payment_ok,
    _prefecture_ok,
    _gift_ok,
    _min_total_ok,
    _min_order_count_ok,
)


def conditions_match(conditions: Conditions, order: Order, *, order_count: int) -> bool:
    """Every given condition holds (an omitted or empty one allows anything).

    ``order_count`` is this order's rank among the customer's orders at the shop (1 = first).
    SKU conditions are case-sensitive globs; one matching item is enough.
    """
    return all(check(conditions, order, order_count) for check in _CONDITION_CHECKS)


def select_scenarios(scenarios: Sequence[Scenario], order: Order, *, order_count: int) -> list[Scenario]:
    """Per trigger, the active matching scenario of highest priority (first given wins a tie)."""
    best: dict[str, tuple[int, Scenario]] = {}
    for index, scenario in enumerate(scenarios):
        if not scenario.active or not conditions_match(scenario.conditions, order, order_count=order_count):
            continue
        current = best.get(scenario.trigger)
        if current is None or scenario.priority > current[1].priority:
            best[scenario.trigger] = (index, scenario)
    ranked = sorted(best.values(), key=lambda pair: (-pair[1].priority, pair[0]))
    return [scenario for _, scenario in ranked]


# --- dates ----------------------------------------------------------------------------------------


def _known_ship_date(shop: Shop, order: Order) -> date | None:
    if isinstance(order.shipped_at, datetime):
        return to_shop_time(shop, order.shipped_at).date()
    if order.shipped_at is not None:
        return order.shipped_at
    if order.ordered_at is not None:
        return estimated_ship_date(shop, order.ordered_at)
    return None


def ship_date(shop: Shop, order: Order) -> date:
    """The shipment's local date when known, else the estimate from the order time."""
    shipped = _known_ship_date(shop, order)
    if shipped is None:
        raise PlanningError(
            f"注文 {order.order_id} には注文日時も出荷日もないため、送信日時を決められません",
            f"order {order.order_id} has neither an order time nor a ship date: it cannot be planned",
        )
    return shipped


def base_date(shop: Shop, scenario: Scenario, order: Order, shipped: date) -> date:
    """The day a scenario's offsets count from: order day, ship date (``shipped``) or arrival date."""
    if scenario.trigger == "ordered":
        if order.ordered_at is None:
            raise PlanningError(
                f"注文 {order.order_id} には注文日時がないため、"
                f"注文時シナリオ {scenario.id} を計画できません",
                f"order {order.order_id} has no order time: "
                f"scenario {scenario.id} (trigger: ordered) cannot be planned",
            )
        return order_day(shop, order.ordered_at)
    if scenario.trigger == "shipped":
        return shipped
    if order.delivered_at is not None:
        return order.delivered_at
    return shipped + timedelta(days=shop.transit_days_to(order.ship_to.prefecture))


# --- send times -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _StepContext:
    """What every step of one scenario run is planned against."""

    calendar: BusinessCalendar
    quiet_hours: QuietHours | None
    tz: ZoneInfo
    base: date
    ship: date
    max_window_days: int
    now: datetime  # in the shop's zone
    #: the day the shop's ``max_window_days`` counts from: the ship date, or a win-back's base date
    window_from: date


def _context(
    shop: Shop, scenario: Scenario, order: Order, now: datetime, *, lapse_base: date | None = None
) -> _StepContext:
    """``lapse_base``: a win-back run's base date (``trigger: lapsed``), which its window counts from."""
    if lapse_base is None:
        shipped = ship_date(shop, order)
        base = base_date(shop, scenario, order, shipped)
    else:  # the last order's ship date, for the record (and the send-time mall rules) only
        shipped = _known_ship_date(shop, order) or lapse_base
        base = lapse_base
    return _StepContext(
        calendar=BusinessCalendar.from_shop(shop),
        quiet_hours=shop.quiet_hours,
        tz=shop.tz,
        base=base,
        ship=shipped,
        max_window_days=shop.max_window_days,
        now=to_shop_time(shop, now),
        window_from=shipped if lapse_base is None else lapse_base,
    )


def _after_quiet_hours(wall: datetime, quiet: QuietHours | None) -> datetime:
    """``wall`` itself, or the end of the quiet hours it falls in (start inclusive, end exclusive)."""
    if quiet is None:
        return wall
    moment = wall.time()
    if quiet.start < quiet.end:  # e.g. 12:00–13:00, within one day
        inside_today = quiet.start <= moment < quiet.end
    elif moment >= quiet.start:  # e.g. 22:00 in 21:00–08:00: ends tomorrow morning
        return datetime.combine(wall.date() + timedelta(days=1), quiet.end)
    else:  # e.g. 05:00 in 21:00–08:00: ends this morning
        inside_today = moment < quiet.end
    return datetime.combine(wall.date(), quiet.end) if inside_today else wall


def _wall_clock(moment: datetime) -> datetime:
    return moment.replace(tzinfo=None)


def _resolve(wall: datetime, tz: ZoneInfo) -> datetime:
    """The instant a wall-clock time names in ``tz``.

    An ambiguous time (the repeated hour when clocks go back) is its first occurrence (fold=0);
    a time that does not exist (skipped when clocks go forward) becomes the first instant after
    the gap, i.e. the transition itself.
    """
    moment = wall.replace(tzinfo=tz, fold=0).astimezone(UTC).astimezone(tz)
    if _wall_clock(moment) == wall:
        return moment
    # In a gap, fold=1 reads the wall time with the offset after the transition (an instant
    # before it) and fold=0 with the offset before it (an instant after it): bisect between.
    before = int(wall.replace(tzinfo=tz, fold=1).timestamp())
    after = int(wall.replace(tzinfo=tz, fold=0).timestamp())
    while after - before > 1:
        middle = (before + after) // 2
        if _wall_clock(datetime.fromtimestamp(middle, tz)) >= wall:
            after = middle
        else:
            before = middle
    return datetime.fromtimestamp(after, tz)


def _adjust(ctx: _StepContext, step: Step, wall: datetime) -> datetime:
    wall = _after_quiet_hours(wall, ctx.quiet_hours)
    if step.business_days_only:
        day = ctx.calendar.next_business_day(wall.date(), include_today=True)
        wall = datetime.combine(day, wall.time())
    return wall


def _send_time(ctx: _StepContext, step: Step) -> datetime:
    """Base date + offset at hour:00, out of quiet hours, on a business day if asked, in ``tz``."""
    assert step.offset_days is not None, "a Step without immediate has offset_days"
    assert step.hour is not None, "a Step without immediate has an hour"
    wall = datetime.combine(ctx.base + timedelta(days=step.offset_days), time(step.hour))
    for _ in range(_DST_ROUNDS):
        wall = _adjust(ctx, step, wall)
        moment = _resolve(wall, ctx.tz)
        if _wall_clock(moment) == wall:
            return moment
        wall = _wall_clock(moment)  # a DST gap moved it forward: check the rules again
    raise PlanningError(
        f"ステップ {step.id} の送信日時を決められません（夏時間の切り替えと送信停止時間の組み合わせ）",
        f"step {step.id}: no send time found (daylight-saving change against quiet hours)",
    )


def _in_window(ctx: _StepContext, step: Step, send_at: datetime, *, at_once: bool) -> Outcome:
    if (send_at.astimezone(ctx.tz).date() - ctx.window_from).days > ctx.max_window_days:
        return SkippedStep(step=step.id, reason=Skip.BEYOND_MAX_WINDOW)
    return PlannedDelivery(step=step.id, send_at=send_at, at_once=at_once)


def _plan_step(ctx: _StepContext, step: Step) -> Outcome:
    if step.immediate:
        return _in_window(ctx, step, ctx.now, at_once=True)
    planned = _send_time(ctx, step)
    late = ctx.now.astimezone(UTC) - planned.astimezone(UTC)
    if late >= LATE_LIMIT:
        return SkippedStep(step=step.id, reason=Skip.PAST)
    if late > timedelta(0):
        return _in_window(ctx, step, ctx.now, at_once=True)
    return _in_window(ctx, step, planned, at_once=False)


# --- plans ----------------------------------------------------------------------------------------


def plan_scenario(
    shop: Shop, scenario: Scenario, order: Order, *, now: datetime, lapse_base: date | None = None
) -> PlanResult:
    """Each step's send time (or why it is skipped), in the scenario's step order (``lapse_base``:
    a win-back's base date, see :func:`plan_lapsed`)."""
    ctx = _context(shop, scenario, order, now, lapse_base=lapse_base)
    outcomes = [_plan_step(ctx, step) for step in scenario.steps]
    return PlanResult(
        scenario=scenario.id,
        scenario_version=scenario.version,
        trigger=scenario.trigger,
        ship_date=ctx.ship,
        deliveries=[outcome for outcome in outcomes if isinstance(outcome, PlannedDelivery)],
        skipped=[outcome for outcome in outcomes if isinstance(outcome, SkippedStep)],
    )


def plan_order(
    shop: Shop,
    scenarios: Sequence[Scenario],
    order: Order,
    *,
    now: datetime,
    order_count: int = 1,
) -> list[PlanResult]:
    """The plans of the scenarios an order starts, highest priority first.

    No matching scenario gives an empty list (``okaeri plan`` prints ``"scenario": null``). An
    ``ordered`` scenario does not fire for an order that carries no order time (a shipment seen
    before its order); its shipped/delivered scenarios are still planned.
    """
    candidates = [
        s
        for s in scenarios
        if s.trigger in ORDER_TRIGGERS and (s.trigger != "ordered" or order.ordered_at is not None)
    ]
    chosen = select_scenarios(candidates, order, order_count=order_count)
    return [plan_scenario(shop, scenario, order, now=now) for scenario in chosen]


# --- win-back (trigger: lapsed) ------------------------------------------------------------------


def lapse_day(last_order_day: date, scenario: Scenario) -> date:
    """The day a customer whose last order was on ``last_order_day`` lapses for ``scenario``."""
    assert scenario.lapsed_days is not None, "a lapsed scenario has lapsed_days (the model checks it)"
    return last_order_day + timedelta(days=scenario.lapsed_days)


def plan_lapsed(
    shop: Shop, scenario: Scenario, last_order: Order, *, order_count: int, base: date, now: datetime
) -> PlanResult | None:
    """A win-back run of ``scenario`` for a customer whose last order is ``last_order`` (their
    ``order_count`` open orders in the shop), its steps counted from ``base``; None when the scenario
    is not an active ``lapsed`` one or its conditions do not hold for that order.

    ``base`` is the day the customer lapsed, or, when the daily job catches up a day it missed, the
    day it runs (services/winback.py). The steps are planned as any scenario's (offset and hour,
    quiet hours, business days, late by less than 24 h: at once, else ``past``); the shop's
    ``max_window_days`` counts from ``base``, not from the last order's shipping.
    """
    if not scenario.active or scenario.trigger != "lapsed":
        return None
    if not conditions_match(scenario.conditions, last_order, order_count=order_count):
        return None
    return plan_scenario(shop, scenario, last_order, now=now, lapse_base=base)


# --- identities -----------------------------------------------------------------------------------


def _stable_id(kind: str, readable: tuple[str, str], *parts: str | int) -> str:
    """``<readable>.<readable>.<hash>``: deterministic, at most 64 schedule-name-safe characters."""
    canonical = json.dumps([kind, *parts], ensure_ascii=False, separators=(",", ":"))
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:_ID_DIGEST_HEX]
    prefix = ".".join(_ID_UNSAFE.sub("-", text)[:_ID_PREFIX_PART] for text in readable)
    return f"{prefix}.{digest}"


def delivery_id(
    *, shop_id: str, order_key: str, scenario_id: str, scenario_version: int, step_id: str
) -> str:
    """The delivery's id, also the name of its one-off schedule (SPEC §1, decisions 2 and 4)."""
    return _stable_id(
        "delivery",
        (shop_id, step_id),
        shop_id,
        order_key,
        scenario_id,
        scenario_version,
        step_id,
    )


def run_id(*, shop_id: str, order_key: str, scenario_id: str) -> str:
    """The id of the run an order starts for a scenario (the same event gives the same run)."""
    return _stable_id("run", (shop_id, scenario_id), shop_id, order_key, scenario_id)


def winback_run_id(*, shop_id: str, order_key: str, scenario_id: str, lapsed_on: date) -> str:
    """The id of a win-back run: the customer's last order (``order_key``), the scenario and the day
    they lapsed. One lapse is one run, whenever and however often the job meets it."""
    return _stable_id(
        "winback-run", (shop_id, scenario_id), shop_id, order_key, scenario_id, lapsed_on.isoformat()
    )


def winback_delivery_id(
    *, shop_id: str, order_key: str, scenario_id: str, lapsed_on: date, step_id: str
) -> str:
    """A win-back mail's id (and its schedule's name). Unlike an order's mail it leaves the scenario's
    version out: the job meeting the same lapse again after an edit of the scenario finds the mails
    it made before instead of making a second set."""
    return _stable_id(
        "winback", (shop_id, step_id), shop_id, order_key, scenario_id, lapsed_on.isoformat(), step_id
    )


# --- repeat policies ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RepeatDecision:
    """Whether a new run starts, which pending deliveries it cancels, and why (for the log)."""

    start: bool
    cancel_delivery_ids: tuple[str, ...] = ()
    reason: str | None = None


_START = RepeatDecision(start=True)


#: Repeat policies whose decision never looks at the customer's other runs.
POLICIES_WITHOUT_RUNS: frozenset[RepeatPolicy] = frozenset({"every_time"})


def needs_runs(policy: RepeatPolicy) -> bool:
    """Whether :func:`apply_repeat_policy` needs the customer's runs for ``policy`` (``every_time``
    starts whatever they are, so the caller may skip reading them)."""
    return policy not in POLICIES_WITHOUT_RUNS


def apply_repeat_policy(
    policy: RepeatPolicy, existing_runs: Sequence[Run], *, new_run_id: str
) -> RepeatDecision:
    """Decide a new run against the customer's existing runs of the same scenario.

    A run that already has ``new_run_id`` means the same event came again: it starts (again),
    idempotently, and cancels nothing. Only a run that reached the customer counts (``Run.counts``:
    a mail sent or pending); one whose every step was skipped or cancelled is as if it never ran.
    """
    others = [run for run in existing_runs if run.run_id != new_run_id]
    if policy == "every_time" or len(others) < len(existing_runs):
        return _START
    if policy == "once":
        return RepeatDecision(start=False, reason="repeat_once") if any(r.counts for r in others) else _START
    active = [run for run in others if run.active]
    if policy == "skip_if_active":
        return RepeatDecision(start=False, reason="repeat_active") if active else _START
    cancelled = tuple(pending for run in active for pending in run.pending_delivery_ids)
    return RepeatDecision(
        start=True, cancel_delivery_ids=cancelled, reason="repeat_restart" if cancelled else None
    )


# --- re-planning ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Replan:
    """Pending deliveries to move (id, new send time) or to skip (id, reason)."""

    moves: tuple[tuple[str, datetime], ...] = ()
    skips: tuple[tuple[str, str], ...] = ()


def _replannable(delivery: Delivery, scenario: Scenario) -> bool:
    return (
        delivery.status == DeliveryStatus.SCHEDULED
        and delivery.scenario_id == scenario.id
        and delivery.scenario_version == scenario.version
        and any(step.id == delivery.step_id for step in scenario.steps)
    )


def _moves(delivery: Delivery, planned: PlannedDelivery, now: datetime) -> bool:
    current = delivery.send_at.astimezone(UTC)
    if planned.at_once:  # due now: only a delivery still waiting for a later time moves
        return current > now.astimezone(UTC)
    return current != planned.send_at.astimezone(UTC)


def replan_on_shipment(
    shop: Shop, scenario: Scenario, order: Order, pending: Sequence[Delivery], *, now: datetime
) -> Replan:
    """Re-plan the still-scheduled deliveries of a shipped/delivered scenario for a new ship date.

    ``order`` carries the shipment (``shipped_at``). Deliveries of another scenario or version,
    already being sent, or unchanged are left out, so applying the result twice changes nothing.
    """
    if scenario.trigger not in ("shipped", "delivered"):  # an order's time, or a lapse, never moves
        return Replan()
    ctx = _context(shop, scenario, order, now)
    moves: list[tuple[str, datetime]] = []
    skips: list[tuple[str, str]] = []
    for delivery in pending:
        if not _replannable(delivery, scenario):
            continue
        outcome = _plan_step(ctx, scenario.step(delivery.step_id))
        if isinstance(outcome, SkippedStep):
            skips.append((delivery.id, outcome.reason))
        elif _moves(delivery, outcome, ctx.now):
            moves.append((delivery.id, outcome.send_at))
    return Replan(moves=tuple(moves), skips=tuple(skips))


#: The reasons the planner skips a step (its time gone by, beyond the sending window): better order
#: data may undo them. A skip for any other reason (compliance, unsubscribed, …) is final.


def revive_skipped(
    shop: Shop, scenario: Scenario, order: Order, skipped: Sequence[Delivery], *, now: datetime
) -> tuple[tuple[str, datetime], ...]:
    """The steps the planner skipped that ``order``, as known now, makes plannable: (id, send time).

    Only ``skipped`` deliveries of this scenario version, skipped for a ``PLANNER_SKIPS`` reason,
    are looked at; the caller decides whether the run may still change (no mail of it gone out).
    """
    mine = [
        delivery
        for delivery in skipped
        if delivery.status == DeliveryStatus.SKIPPED
        and delivery.reason in PLANNER_SKIPS
        and delivery.scenario_id == scenario.id
        and delivery.scenario_version == scenario.version
        and any(step.id == delivery.step_id for step in scenario.steps)
    ]
    if not mine:
        return ()
    ctx = _context(shop, scenario, order, now)
    revived: list[tuple[str, datetime]] = []
    for delivery in mine:
        outcome = _plan_step(ctx, scenario.step(delivery.step_id))
        if isinstance(outcome, PlannedDelivery):
            revived.append((delivery.id, outcome.send_at))
    return tuple(revived)
