"""The sweeper (SPEC §1, decision 3): what no wake-up took care of.

A recurring schedule runs it every few minutes. A delivery still ``sending`` after its lease is
ambiguous (the mail may have gone out) and becomes ``unknown`` — counted, never re-sent by
itself. A delivery still ``scheduled`` well after its time (its wake-up was never created, or
never fired) is sent now, through the same state machine as any wake-up.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from okaeri.errors import OkaeriError
from okaeri.models import Delivery
from okaeri.services.send import SendDeps, SendOutcome, send_delivery


@dataclass
class SweepReport:
    """``sent``: what the sweeper tried to send (any outcome); ``unknown``: leases it gave up on;
    ``errors``: (delivery id, error code) for deliveries it could not act on this time."""

    sent: list[SendOutcome] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)


def sweep(deps: SendDeps, *, limit: int = 200, grace: timedelta = timedelta(minutes=5)) -> SweepReport:
    """Mark expired leases ``unknown``, then send what its wake-up should have sent by now.

    A schedule normally fires within the shop's flexible window: only a delivery overdue by more
    than that window plus ``grace`` is the sweeper's, so the two rarely meet (and when they do,
    the claim lets only one of them send).
    """
    now = deps.clock.now()
    report = SweepReport()
    for delivery in deps.deliveries.expired_leases(now, limit=limit):
        if deps.deliveries.mark_unknown(delivery.shop_id, delivery.id, now=now):
            report.unknown.append(delivery.id)
    windows: dict[str, timedelta] = {}
    for delivery in deps.deliveries.due(now - grace, limit=limit):
        if not _overdue(deps, delivery, now - grace, windows):
            continue
        try:
            report.sent.append(send_delivery(deps, shop_id=delivery.shop_id, delivery_id=delivery.id))
        except OkaeriError as exc:  # one delivery's trouble must not hold up the others
            report.errors.append((delivery.id, exc.code))
    return report


def _overdue(deps: SendDeps, delivery: Delivery, cutoff: datetime, windows: dict[str, timedelta]) -> bool:
    window = windows.get(delivery.shop_id)
    if window is None:
        shop = deps.config.shop(delivery.shop_id)
        window = timedelta(minutes=shop.flexible_window_minutes if shop else 0)
        windows[delivery.shop_id] = window
    return delivery.send_at + window <= cutoff
