"""The fault matrix on the real adapters: moto for AWS, a real STARTTLS + AUTH relay for Rakuten.

The same month of みかん山房's life as the service-level matrix (``tests/unit/services/test_faults.py``)
— three order mails (Yahoo!, EC-CUBE, and a Rakuten one whose masked address needs the relay) and a
shipping mail, the 3-step scenario, EventBridge Scheduler's one-off schedules firing (read back from
moto, deleted as they fire), the sweeper running whenever something may be waiting for it — driven
through the handlers (``functions/*/handler.py``) with one fault injected per row:

- events delivered twice: every S3 event, stream batch and wake-up;
- a process dying at each point of the send (``Crash``: the invocation is retried once);
- SES throttling (before the call reaches moto) and the relay refusing, answering 451, or dropping
  the connection after DATA (the relay's own fault modes);
- wake-ups that never fire (only the sweeper sends), and an address suppressed beforehand.

What SPEC §1 decision 4 promises, counted over what moto's SES and the relay really received
(each message mapped to its delivery by Message-ID, see ``TappedTransport``): no mail accepted
twice, none lost (each delivery ends ``sent``, ``unknown`` exactly where the send was ambiguous, or
``skipped`` with a reason), and every ambiguous case ``unknown``.
"""

from __future__ import annotations

import functools
import json
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.dynamodb.models import dynamodb_backends

from functions.ingest import handler as ingest_handler
from functions.schedule import handler as schedule_handler
from functions.send import handler as send_handler
from okaeri.aws.clients import scheduler_client
from okaeri.aws.deliveries import COUNTS_SUFFIX, delivery_from_item
from okaeri.aws.dynamo import from_item
from okaeri.models import Delivery
from okaeri.ports import Transport
from tests.fakes import FaultPlan, RecordingSleep, crash, faulty, throttled
from tests.integration.conftest import REGION
from tests.integration.pipeline.conftest import (
    GROUP,
    SHOP_ID,
    Stack,
    accepted_per_delivery,
    put_mail,
    s3_event,
    stream_records,
    tap_transports,
)
from tests.integration.pipeline.test_pipeline import MAILS, schedule_time
from tests.support.smtp_relay import Mode, SmtpRelayServer
from tests.support.tables import format_table, stash_summary
from tests.unit.services.test_faults import ARRIVALS, DELIVERIES, END, HEAD, Row, invoke, settled

SWEEP_GRACE = timedelta(minutes=5)  # okaeri.services.sweep.sweep's default
MAX_WAKE_UPS = 500
ROWS_KEY = pytest.StashKey[dict[str, "Row"]]()


# --- the rig: the stack with its send deps wrapped ---------------------------------------------------


class ScriptedRelay:
    """A relay transport that sets the test relay's mode before each connection: the modes in
    ``script`` one by one, then ``accept``."""

    def __init__(
        self, inner: Transport, server: SmtpRelayServer, script: list[Mode], fired: list[str]
    ) -> None:
        self.name = inner.name
        self._inner, self._server, self._script, self._fired = inner, server, script, fired

    def send(self, *, sender: str, recipient: str, raw: bytes, tags: Mapping[str, str]) -> str:
        mode: Mode = self._script.pop(0) if self._script else "accept"
        if mode != "accept":
            self._fired.append(f"relay:{mode}")
        self._server.mode = mode
        return self._inner.send(sender=sender, recipient=recipient, raw=raw, tags=tags)


@dataclass
class Rig:
    """The stack, with the send deps' SES transport and deliveries behind one fault plan, the relay
    transports scripted, and both ways out tapped (Message-ID → delivery)."""

    stack: Stack
    plan: FaultPlan = field(default_factory=FaultPlan)
    tapped: dict[str, str] = field(default_factory=dict)
    relay_script: list[Mode] = field(default_factory=list)
    relay_fired: list[str] = field(default_factory=list)

    @classmethod
    def around(cls, stack: Stack) -> Rig:
        rig = cls(stack)
        rig.tapped = tap_transports(stack)
        relay_for = stack.send.relay_for
        stack.send = replace(
            stack.send,
            ses=faulty(stack.send.ses, rig.plan, "ses"),
            deliveries=faulty(stack.send.deliveries, rig.plan, "deliveries"),
            relay_for=lambda relay: ScriptedRelay(
                relay_for(relay), stack.relay, rig.relay_script, rig.relay_fired
            ),
        )
        return rig


# --- the faults --------------------------------------------------------------------------------------


def _nothing(rig: Rig) -> None:
    """No fault armed."""


def _arm(point: str, error: Callable[[], BaseException], **how: Any) -> Callable[[Rig], None]:
    return lambda rig: rig.plan.arm(point, error, **how)


def _relay(*modes: Mode) -> Callable[[Rig], None]:
    return lambda rig: rig.relay_script.extend(modes)


def _bounced_buyer(rig: Rig) -> None:
    """The Yahoo! buyer's address hard-bounced before: their three mails are skipped, not lost."""
    rig.stack.send.customers.suppress(
        SHOP_ID, "sho.nakamura@example.com", reason="bounce", at=ARRIVALS[0][1], delivery_id=None
    )


@dataclass(frozen=True)
class Fault:
    name: str
    arm: Callable[[Rig], None] = _nothing
    copies: int = 1  # every S3 event, stream batch and wake-up delivered this many times
    schedules_fire: bool = True
    ambiguous: int = 0  # deliveries left in doubt: they must end ``unknown``…
    in_doubt_accepted: int = 0  # …with this many messages really accepted for each
    skipped: int = 0  # deliveries that must end ``skipped`` (with a reason)


FAULTS = (
    Fault("no fault"),
    Fault("every event delivered twice", copies=2),
    Fault("crash after claim", _arm("deliveries.claim", crash(), when="after"), ambiguous=1),
    Fault("crash after SES accepted", _arm("ses.send", crash(), when="after"), ambiguous=1, in_doubt_accepted=1),
    Fault("crash before mark_sent", _arm("deliveries.mark_sent", crash()), ambiguous=1, in_doubt_accepted=1),
    Fault("crash after mark_sent", _arm("deliveries.mark_sent", crash(), when="after")),
    Fault("SES throttles every other call", _arm("ses.send", throttled, times=None, every=2)),
    Fault("SES throttles four times in a row", _arm("ses.send", throttled, times=4)),
    Fault("relay refuses connections twice", _relay("refuse", "refuse")),
    Fault("relay answers 451 after DATA", _relay("data_451")),
    Fault("relay drops after DATA", _relay("drop_after_data"), ambiguous=1, in_doubt_accepted=1),
    Fault("schedules never fire (sweeper only)", schedules_fire=False),
    Fault("a buyer's address bounced before", _bounced_buyer, skipped=3),
)  # fmt: skip


# --- the timeline ------------------------------------------------------------------------------------


def receive(rig: Rig, name: str, when: datetime, copies: int) -> None:
    """The mail arrives in S3; its event, then the orders stream's new records, reach their handlers."""
    key = f"inbound/{SHOP_ID}/{name}"
    put_mail(key, (MAILS / f"{name}.eml").read_bytes())
    event = s3_event(key, when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z"))
    for _ in range(copies):
        [result] = ingest_handler.handle(event, rig.stack.ingest)["results"]
        assert result["result"] == "parsed", result
    batch = stream_records(rig.stack)
    for _ in range(copies):
        assert schedule_handler.handle({"Records": batch}, rig.stack.schedule)["batchItemFailures"] == []


def _sweeper_time(delivery: Delivery, window: timedelta) -> datetime | None:
    """When the sweeper has something to do about ``delivery``: an expired lease, a missed wake-up."""
    if delivery.status == "sending" and delivery.lease_until is not None:
        return delivery.lease_until + timedelta(seconds=1)
    if delivery.status == "scheduled":
        return delivery.send_at + window + SWEEP_GRACE
    return None


def _wake_ups(fire: bool) -> dict[str, tuple[datetime, dict[str, Any]]]:
    """The schedules in moto (time, input); when schedules never fire, they are deleted instead."""
    client = scheduler_client()
    found = {}
    for summary in client.list_schedules(GroupName=GROUP)["Schedules"]:
        name = summary["Name"]
        if not fire:
            client.delete_schedule(Name=name, GroupName=GROUP)
            continue
        schedule = client.get_schedule(Name=name, GroupName=GROUP)
        found[name] = (schedule_time(dict(schedule)), json.loads(schedule["Target"]["Input"]))
    return found


def run_until(rig: Rig, until: datetime, fault: Fault) -> int:
    """Move the clock from one moment something is due to the next, up to ``until``: fire the wake-ups
    due then (each deleted as it fires), and run the sweeper when a delivery is waiting for it."""
    stack, crashes = rig.stack, 0
    window = timedelta(minutes=stack.shop.flexible_window_minutes)
    for _ in range(MAX_WAKE_UPS):
        wake_ups = _wake_ups(fault.schedules_fire)
        sweeps = [at for delivery in outcome(rig) if (at := _sweeper_time(delivery, window)) is not None]
        moment = min([*(at for at, _ in wake_ups.values()), *sweeps], default=None)
        if moment is None or moment > until:
            return crashes
        stack.clock.set(max(moment, stack.clock.now()))
        now = stack.clock.now()
        for name, (at, payload) in sorted(wake_ups.items(), key=lambda entry: entry[1][0]):
            if at <= now:
                scheduler_client().delete_schedule(Name=name, GroupName=GROUP)  # ActionAfterCompletion=DELETE
                wake_up = functools.partial(send_handler.handle_wake_up, payload, stack.send)
                crashes += sum(invoke(wake_up) for _ in range(fault.copies))
        if min(sweeps, default=until) <= now:
            crashes += invoke(lambda: send_handler.handle_sweep(stack.send))
    raise AssertionError(f"the timeline did not settle after {MAX_WAKE_UPS} wake-ups")


def drive(rig: Rig, fault: Fault) -> int:
    fault.arm(rig)
    crashes = 0
    for name, when in ARRIVALS:
        crashes += run_until(rig, when, fault)
        rig.stack.clock.set(max(when, rig.stack.clock.now()))
        receive(rig, name, when, fault.copies)
    return crashes + run_until(rig, END, fault)


def outcome(rig: Rig) -> list[Delivery]:
    """Every delivery as stored now, read from moto's table in-process (the driver reads it at every
    step to know when the sweeper is due; a query through the API costs a hundred times more)."""
    table = dynamodb_backends[DEFAULT_ACCOUNT_ID][REGION].get_table(rig.stack.tables["deliveries"])
    items = (from_item(item.to_json()["Attributes"]) for item in table.all_items())
    return [delivery_from_item(item) for item in items if not str(item["pk"]).endswith(COUNTS_SUFFIX)]


# --- measuring ---------------------------------------------------------------------------------------


def measure(fault: Fault, rig: Rig, crashes: int) -> Row:
    accepted = accepted_per_delivery(rig.stack, rig.tapped)
    deliveries = outcome(rig)
    ids = {delivery.id for delivery in deliveries}
    statuses = Counter(delivery.status for delivery in deliveries)
    return Row(
        fault=fault.name,
        deliveries=len(deliveries),
        sent=statuses["sent"],
        unknown=statuses["unknown"],
        skipped=statuses["skipped"],
        duplicates=sum(1 for delivery_id in ids if accepted[delivery_id] > 1),
        lost=tuple(d.id for d in deliveries if not settled(d, accepted[d.id])),
        stray=sum(count for delivery_id, count in accepted.items() if delivery_id not in ids),
        fired=len(rig.plan.fired) + len(rig.relay_fired),
        crashes=crashes,
    )


def report(config: pytest.Config, row: Row) -> None:
    """Add the row to the matrix printed in the terminal summary (rows in the order of ``FAULTS``)."""
    rows = config.stash.setdefault(ROWS_KEY, {})
    rows[row.fault] = row
    ordered = [rows[fault.name].cells() for fault in FAULTS if fault.name in rows]
    title = f"fault matrix on moto + the real relay (3 orders × 3 steps, {len(ordered)} faults)"
    stash_summary(config, "okaeri fault matrix (moto)", f"{title}\n{format_table(HEAD, ordered)}")


# --- the promises ------------------------------------------------------------------------------------


@pytest.mark.parametrize("fault", FAULTS, ids=[fault.name for fault in FAULTS])
def test_no_mail_is_accepted_twice_or_lost(
    stack: Stack, fault: Fault, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    rig = Rig.around(stack)
    slept = RecordingSleep()
    monkeypatch.setattr(time, "sleep", slept)  # nothing on the send path waits in-process
    crashes = drive(rig, fault)
    row = measure(fault, rig, crashes)
    report(request.config, row)

    assert row.deliveries == DELIVERIES
    assert (row.duplicates, row.stray, row.lost) == (0, 0, ())
    expected_sent = DELIVERIES - fault.ambiguous - fault.skipped
    assert (row.sent, row.unknown, row.skipped) == (expected_sent, fault.ambiguous, fault.skipped)
    accepted = accepted_per_delivery(stack, rig.tapped)
    for delivery in outcome(rig):
        if delivery.status == "unknown":
            assert (delivery.reason, accepted[delivery.id]) == ("lease_expired", fault.in_doubt_accepted)
    if fault.arm is not _nothing and not fault.skipped:
        assert row.fired > 0, "the fault was armed but never happened"
    assert row.crashes == sum(1 for _, error in rig.plan.fired if error == "Crash")
    assert slept.calls == []  # throttled sends were moved later, not waited for


def test_without_wake_ups_the_sweeper_sends_everything_within_its_window(stack: Stack) -> None:
    rig = Rig.around(stack)
    drive(rig, next(fault for fault in FAULTS if not fault.schedules_fire))
    window = timedelta(minutes=stack.shop.flexible_window_minutes)
    for delivery in outcome(rig):
        assert delivery.status == "sent"
        assert delivery.sent_at is not None
        assert timedelta(0) < delivery.sent_at - delivery.send_at <= window + SWEEP_GRACE
