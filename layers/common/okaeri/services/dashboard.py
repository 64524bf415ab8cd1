"""The dashboard: a shop's last ``days`` days at a glance, in its own time zone.

- per day: orders (the ``orders`` counter ingest keeps under scenario ``*`` / step ``*``; a day
  without that counter shows 0, the orders table is never scanned for it) and mails sent (the
  steps' ``sent`` counters);
- per scenario step, over the period: sent, delivered, bounced, complained, unsubscribed, opened,
  clicked (the ``stats#`` counters the send service, SES events and unsubscribes keep);
- now: mails waiting (``scheduled``) and mails in doubt (``unknown``: the operator resends or
  drops them), with the latest few; read from the shop's deliveries whose send time falls in the
  period or later (a mail still ``scheduled`` from before the period would be a stuck one, which
  the sweeper sends);
- receptions that failed in the period (a mail that looked like an order but could not be read:
  often a mask to add), with the latest few.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, datetime, time, timedelta
from typing import Final

from pydantic import BaseModel

from okaeri.models import Delivery, ReceptionEntry
from okaeri.services.operations import OperationsDeps, shop_of

#: The counters shown per step, in this order.
STEP_COUNTERS: Final = ("sent", "delivered", "bounced", "complained", "unsubscribed", "opened", "clicked")
#: The scenario and step ids of the shop-wide counters (orders per day).
ALL: Final = "*"
ORDERS_COUNTER: Final = "orders"
LATEST: Final = 5
MAX_DAYS: Final = 366


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


def dashboard(deps: OperationsDeps, shop_id: str, *, days: int) -> Dashboard:
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
        per_step[(row.scenario_id, row.step_id)].update(
            {name: row.counters.get(name, 0) for name in STEP_COUNTERS}
        )
    waiting, unknown = _pending(deps, shop_id, since)
    failed = [entry for entry in deps.logs.receptions_since(shop_id, since) if entry.result == "failed"]
    return Dashboard(
        day_from=day_from,
        day_to=today,
        days=list(per_day.values()),
        steps=[
            StepFigures(scenario_id=scenario_id, step_id=step_id, **dict(counters))
            for (scenario_id, step_id), counters in sorted(per_step.items())
        ],
        waiting=waiting,
        unknown=len(unknown),
        latest_unknown=sorted(unknown, key=lambda d: d.send_at, reverse=True)[:LATEST],
        failed_receptions=len(failed),
        latest_failed_receptions=failed[:LATEST],  # newest first already
    )


def _pending(deps: OperationsDeps, shop_id: str, since: datetime) -> tuple[int, list[Delivery]]:
    """How many mails wait (``scheduled``), and the ``unknown`` ones, from ``since`` on."""
    waiting = 0
    unknown: list[Delivery] = []
    for delivery in deps.deliveries.by_send_time(shop_id, since):
        if delivery.status == "scheduled":
            waiting += 1
        elif delivery.status == "unknown":
            unknown.append(delivery)
    return waiting, unknown
