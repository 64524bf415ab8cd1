"""The fault matrix: three orders through ingest → schedule → send under each fault.

Each row drives the same month of a shop's life — three order mails (Yahoo!, EC-CUBE, and a
Rakuten one whose masked address needs the relay) and a shipping mail, a 3-step scenario, the
scheduler firing wake-ups, the sweeper running every five minutes — with one fault injected,
and checks what SPEC §1 decision 4 promises: no mail accepted twice by the transports, none
lost (each delivery ends ``sent``, or ``unknown`` exactly where the send was ambiguous, or
``skipped`` with a reason), and every ambiguous case ``unknown``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import astuple, dataclass, fields
from datetime import UTC, datetime, timedelta

import pytest

from okaeri.models import Delivery
from tests.fakes import Crash, crash
from tests.support.tables import format_table, stash_summary
from tests.unit.services.support import World, at

ARRIVALS = (
    ("yahoo-forwarded-inline", at("2026-12-03 09:25")),
    ("eccube-html-gift", at("2026-12-04 12:40")),
    ("rakuten-utf8-qp", at("2026-12-05 07:10")),
    ("rakuten-shipped", at("2026-12-07 16:05")),
)
END = at("2027-01-10 00:00")
DELIVERIES = 9  # three orders × three steps
SWEEP_EVERY = timedelta(minutes=5)
GRACE = timedelta(minutes=5)
MAX_WAKE_UPS = 2_000


def _nothing(world: World) -> None:
    """No fault armed."""


@dataclass(frozen=True)
class Fault:
    name: str
    arm: Callable[[World], None] = _nothing
    copies: int = 1  # every S3 event, stream record and schedule invocation delivered this many times
    schedules_fire: bool = True
    ambiguous: int = 0  # deliveries the fault leaves in doubt: they must end ``unknown``
    skipped: int = 0  # deliveries that must end ``skipped`` (with a reason)


def _bounced_buyer(world: World) -> None:
    """The Yahoo! buyer's address hard-bounced before: their three mails are skipped, not lost."""
    world.customers.suppress(
        "mikan-sanbo", "sho.nakamura@example.com", reason="bounce", at=ARRIVALS[0][1], delivery_id=None
    )


FAULTS = (
    Fault("no fault"),
    Fault("every event delivered twice", copies=2),
    Fault("crash after claim, before the SES call", lambda w: w.ses.crash(), ambiguous=1),
    Fault("crash after SES accepted", lambda w: w.ses.crash(after_accept=True), ambiguous=1),
    Fault("crash before mark_sent", lambda w: w.faults.arm("deliveries.mark_sent", crash()), ambiguous=1),
    Fault("crash after mark_sent", lambda w: w.faults.arm("deliveries.mark_sent", crash(), when="after")),
    Fault("SES throttles every other call", lambda w: w.ses.throttle_every(2)),
    Fault("SES throttles four times in a row", lambda w: w.ses.throttle(times=4)),
    Fault("relay refuses twice (retryable)", lambda w: w.relay.refuse(retryable=True, times=2)),
    Fault("relay drops after DATA", lambda w: w.relay.drop_after_data(), ambiguous=1),
    Fault("schedules never fire (sweeper only)", schedules_fire=False),
    Fault("a buyer's address bounced before", _bounced_buyer, skipped=3),
)

FAULT = {fault.name: fault for fault in FAULTS}


# --- the timeline ---------------------------------------------------------------------------------


def _sweep_tick(moment: datetime) -> datetime:
    """The first run of the every-five-minutes sweeper at or after ``moment``."""
    step = int(SWEEP_EVERY.total_seconds())
    seconds = -(-int(moment.timestamp()) // step) * step
    return datetime.fromtimestamp(seconds, UTC).astimezone(moment.tzinfo)


def _sweeper_time(delivery: Delivery, window: timedelta) -> datetime | None:
    if delivery.status == "sending" and delivery.lease_until is not None:
        return _sweep_tick(delivery.lease_until + timedelta(seconds=1))  # expired once past
    if delivery.status == "scheduled":
        return _sweep_tick(delivery.send_at + window + GRACE)
    return None


def _next_wake_up(world: World) -> datetime | None:
    shop = world.config.shop("mikan-sanbo")
    assert shop is not None
    window = timedelta(minutes=shop.flexible_window_minutes)
    times = [world.schedules.next_at(), *(_sweeper_time(d, window) for d in world.deliveries.all())]
    return min((moment for moment in times if moment is not None), default=None)


def invoke(call: Callable[[], object]) -> int:
    """One Lambda invocation; when the process dies, its caller retries it once. Returns the crashes."""
    try:
        call()
    except Crash:
        call()
        return 1
    return 0


def _run_until(world: World, until: datetime, copies: int) -> int:
    crashes = 0
    for _ in range(MAX_WAKE_UPS):
        moment = _next_wake_up(world)
        if moment is None or moment > until:
            return crashes
        world.clock.set(max(moment, world.clock.now()))
        for entry in world.schedules.fire_due(world.clock.now()):
            for _ in range(copies):
                crashes += invoke(functools.partial(world.send, entry.payload["delivery"]))
        crashes += invoke(lambda: world.sweep(grace=GRACE))
    raise AssertionError(f"the timeline did not settle after {MAX_WAKE_UPS} wake-ups")


def drive(fault: Fault) -> tuple[World, int]:
    world = World.create(ARRIVALS[0][1])
    world.schedules.fires = fault.schedules_fire
    fault.arm(world)
    crashes = 0
    for name, when in ARRIVALS:
        crashes += _run_until(world, when, fault.copies)
        world.clock.set(when)
        for _ in range(fault.copies):
            world.receive(name)
        for record in world.orders.drain_stream():
            for _ in range(fault.copies):
                world.apply(record)
    crashes += _run_until(world, END, fault.copies)
    return world, crashes


# --- measuring ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    fault: str
    deliveries: int
    sent: int
    unknown: int
    skipped: int
    duplicates: int
    lost: tuple[str, ...]
    stray: int  # messages accepted for no delivery
    fired: int
    crashes: int

    def cells(self) -> tuple[object, ...]:
        return tuple(len(value) if isinstance(value, tuple) else value for value in astuple(self))


HEAD = tuple(column.name for column in fields(Row))


def settled(delivery: Delivery, accepted: int) -> bool:
    if delivery.status == "sent":
        return accepted == 1
    if delivery.status == "unknown":
        return accepted <= 1
    return delivery.status == "skipped" and bool(delivery.reason) and accepted == 0


def measure(fault: Fault, world: World, crashes: int) -> Row:
    accepted = world.accepted()
    deliveries = world.deliveries.all()
    statuses = [d.status for d in deliveries]
    fired = world.faults.fired + world.ses.faults.fired + world.relay.faults.fired
    return Row(
        fault=fault.name,
        deliveries=len(deliveries),
        sent=statuses.count("sent"),
        unknown=statuses.count("unknown"),
        skipped=statuses.count("skipped"),
        duplicates=sum(1 for count in accepted.values() if count > 1),
        lost=tuple(d.id for d in deliveries if not settled(d, accepted.get(d.id, 0))),
        stray=len(set(accepted) - {d.id for d in deliveries}),
        fired=len(fired),
        crashes=crashes,
    )


def render(rows: list[Row]) -> str:
    table = format_table(HEAD, [row.cells() for row in rows])
    return f"fault matrix (3 orders × 3 steps, service level)\n{table}"


@pytest.fixture(scope="module")
def matrix(request: pytest.FixtureRequest) -> dict[str, Row]:
    rows = {fault.name: measure(fault, *drive(fault)) for fault in FAULTS}
    stash_summary(request.config, "okaeri fault matrix", render(list(rows.values())))
    return rows


# --- the promises ---------------------------------------------------------------------------------


@pytest.mark.parametrize("fault", FAULTS, ids=[fault.name for fault in FAULTS])
def test_no_mail_is_sent_twice_or_lost(matrix: dict[str, Row], fault: Fault) -> None:
    row = matrix[fault.name]
    assert row.deliveries == DELIVERIES
    assert row.duplicates == 0
    assert row.stray == 0
    assert row.lost == ()
    expected_sent = DELIVERIES - fault.ambiguous - fault.skipped
    assert (row.sent, row.unknown, row.skipped) == (expected_sent, fault.ambiguous, fault.skipped)


@pytest.mark.parametrize(
    "fault", [f for f in FAULTS if f.arm is not _nothing and not f.skipped], ids=lambda f: f.name
)
def test_every_injected_fault_really_happened(matrix: dict[str, Row], fault: Fault) -> None:
    assert matrix[fault.name].fired > 0


def test_the_matrix_is_reported(
    matrix: dict[str, Row], record_property: Callable[[str, object], None]
) -> None:
    text = render(list(matrix.values()))
    record_property("fault_matrix", text)
    print(f"\n{text}")
    assert text.count("\n") == len(FAULTS) + 2


def test_a_crash_mid_send_is_retried_by_the_caller_without_a_second_mail() -> None:
    world, crashes = drive(FAULT["crash after SES accepted"])
    assert crashes == 1
    [unknown] = [d for d in world.deliveries.all() if d.status == "unknown"]
    assert world.accepted()[unknown.id] == 1
    assert unknown.reason == "lease_expired"


def test_without_wake_ups_the_sweeper_sends_everything_within_its_window() -> None:
    world, _ = drive(FAULT["schedules never fire (sweeper only)"])
    shop = world.config.shop("mikan-sanbo")
    assert shop is not None
    latest = timedelta(minutes=shop.flexible_window_minutes) + GRACE + SWEEP_EVERY
    for delivery in world.deliveries.all():
        assert delivery.sent_at is not None
        assert timedelta(0) <= delivery.sent_at - delivery.send_at <= latest
