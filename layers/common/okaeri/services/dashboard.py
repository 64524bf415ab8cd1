"""The dashboard: a shop's last ``days`` days at a glance, in its own time zone.

- per day: orders (the ``orders`` counter ingest keeps under scenario ``*`` / step ``*``; a day
  without that counter shows 0, the orders table is never scanned for it) and mails sent (the
  steps' ``sent`` counters);
- per scenario step, over the period: sent, delivered, bounced, complained, unsubscribed, opened,
  clicked (the ``stats#`` counters the send service, SES events and unsubscribes keep);
- now: mails waiting (``scheduled``, or ``sending`` this moment) and mails in doubt (``unknown``:
  the operator resends or drops them), whatever their send time: the shop's counters, which each
  change of status keeps in the same write (``Deliveries.counts``, one query), and the latest few
  ``unknown`` ones from the ``due`` index (``Deliveries.latest_unknown``, ``LATEST`` items). No
  delivery of the period is read, so a view costs the same at ten mails or a million, and the
  numbers are exact at any volume;
- receptions that failed in the period (a mail that looked like an order but could not be read:
  often a mask to add), with the latest few;
- the pace ahead (``slow_hours``): the hours of the next two days whose planned mails the SES
  rate cannot send within the shop's flexible window, and how long they will take instead (the
  mails wait their turn and go out late; raising the SES quota and ``send_rate`` is the cure).
  Counted with COUNT queries on the deliveries' ``by_time`` index, no item read back: one for the
  two days, and more (halving the period) only when they hold more than one window's worth.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Final

from pydantic import BaseModel

from okaeri.attribution import split_stats_id
from okaeri.models import Delivery, ReceptionEntry, Shop
from okaeri.ports import PlannedMails
from okaeri.services.documents import shop_of
from okaeri.services.operations import OperationsDeps

#: The counters shown per step, in this order.
STEP_COUNTERS: Final = ("sent", "delivered", "bounced", "complained", "unsubscribed", "opened", "clicked")
#: The scenario and step ids of the shop-wide counters (orders per day).
ALL: Final = "*"
ORDERS_COUNTER: Final = "orders"
LATEST: Final = 5
MAX_DAYS: Final = 366
#: How far ahead the pace is looked at (hours, from the start of the current one).
PACE_HOURS: Final = 48


class DayFigures(BaseModel):
    day: date
    orders: int = 0
    sent: int = 0


class StepFigures(BaseModel):
    scenario_id: str
    step_id: str
    sent: int = 0
    delivered: int = 0
    bounced: int = 0
    complained: int = 0
    unsubscribed: int = 0
    opened: int = 0
    clicked: int = 0


class SlowHour(BaseModel):
    """An hour whose planned mails take longer than the flexible window at the SES rate."""

    hour: datetime  # its start, in the shop's time zone
    planned: int  # mails ``scheduled`` within the hour
    minutes_needed: int  # at ``send_rate``, rounded up
    window_minutes: int  # the shop's flexible window: the time they should have taken at most
    send_rate: int


@dataclass(frozen=True)
class Pace:
    """What the pace ahead is judged from: the SES rate (mails a second) and the planned mails."""

    send_rate: int
    planned: PlannedMails


def window_capacity(send_rate: int, window_minutes: int) -> int:
    """How many mails the rate sends within the window (a window of 0 counts as one minute)."""
    return send_rate * max(window_minutes, 1) * 60


def minutes_needed(planned: int, send_rate: int) -> int:
    """How long ``planned`` mails take at ``send_rate`` a second, in whole minutes (rounded up)."""
    return -(-planned // (send_rate * 60))


def slow_hours(pace: Pace, shop: Shop, now: datetime) -> list[SlowHour]:
    """The hours of the next ``PACE_HOURS`` (from the start of this one, in the shop's time) whose
    ``scheduled`` mails outnumber what ``send_rate`` sends within the shop's flexible window.

    A period holding no more than one window's worth cannot hold a slow hour, so the two days are
    counted once and only a period over that is halved and counted again (the second half's count
    is the period's less the first's): one query for a quiet shop, a dozen for one sale hour."""
    window = shop.flexible_window_minutes
    capacity = window_capacity(pace.send_rate, window)
    start = now.astimezone(shop.tz).replace(minute=0, second=0, microsecond=0).astimezone(UTC)

    def count(since: datetime, hours: int) -> int:
        return pace.planned.count_scheduled(shop.id, since, since + timedelta(hours=hours))

    def over(since: datetime, hours: int, planned: int) -> list[tuple[datetime, int]]:
        if planned <= capacity:
            return []
        if hours == 1:
            return [(since, planned)]
        half = hours // 2
        first = count(since, half)
        later = since + timedelta(hours=half)
        return over(since, half, first) + over(later, hours - half, planned - first)

    return [
        SlowHour(
            hour=hour.astimezone(shop.tz),
            planned=planned,
            minutes_needed=minutes_needed(planned, pace.send_rate),
            window_minutes=window,
            send_rate=pace.send_rate,
        )
        for hour, planned in over(start, PACE_HOURS, count(start, PACE_HOURS))
    ]


class Dashboard(BaseModel):
    day_from: date
    day_to: date
    days: list[DayFigures]
    steps: list[StepFigures]
    waiting: int
    unknown: int
    latest_unknown: list[Delivery]
    failed_receptions: int
    latest_failed_receptions: list[ReceptionEntry]
    slow_hours: list[SlowHour] = []


def dashboard(deps: OperationsDeps, shop_id: str, *, days: int, pace: Pace | None = None) -> Dashboard:
    shop = shop_of(deps.config, shop_id)
    today = deps.clock.now().astimezone(shop.tz).date()
    day_from = today - timedelta(days=days - 1)
    since = datetime.combine(day_from, time(), tzinfo=shop.tz)
    per_day = {
        day_from + timedelta(days=n): DayFigures(day=day_from + timedelta(days=n)) for n in range(days)
    }
    per_step: defaultdict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for row in deps.config.stats(shop_id, day_from, today):
        figures = per_day.get(row.day)
        if ALL in (row.scenario_id, row.step_id):
            if figures is not None:
                figures.orders += row.counters.get(ORDERS_COUNTER, 0)
            continue
        if figures is not None:
            figures.sent += row.counters.get("sent", 0)
        # an A/B variant's mails are counted in a row of their own: shown with their step
        per_step[(row.scenario_id, split_stats_id(row.step_id)[0])].update(
            {name: row.counters.get(name, 0) for name in STEP_COUNTERS}
        )
    counts = deps.deliveries.counts(shop_id)
    failed = [entry for entry in deps.logs.receptions_since(shop_id, since) if entry.result == "failed"]
    return Dashboard(
        day_from=day_from,
        day_to=today,
        days=list(per_day.values()),
        steps=[
            StepFigures(scenario_id=scenario_id, step_id=step_id, **dict(counters))
            for (scenario_id, step_id), counters in sorted(per_step.items())
        ],
        waiting=counts.get("waiting", 0),
        unknown=counts.get("unknown", 0),
        latest_unknown=deps.deliveries.latest_unknown(shop_id, limit=LATEST),
        failed_receptions=len(failed),
        latest_failed_receptions=failed[:LATEST],  # newest first already
        slow_hours=[] if pace is None else slow_hours(pace, shop, deps.clock.now()),
    )
