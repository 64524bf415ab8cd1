"""AWS calls and cost per order: orders driven through the real handlers in moto, counted at the SDK.

``measure()`` builds a small Okaeri in an in-process moto (tables from ``infra.tables``, the raw
mail bucket, the schedule group, an SES identity, the unsubscribe secret, the みかん山房 shop with
its three-step scenario) and drives ``ORDER_COUNT`` order mails through it the way AWS would:
each mail is put into S3 and its event handed to the ingest handler; the orders table's stream
records to the schedule handler; each one-off schedule's input, at its time, to the send
handler, which sends through SES. The mails are the project's Yahoo!ショッピング and EC-CUBE
fixture mails, each with its own order number, buyer and order time written into the raw bytes.
The orders come half an hour apart and everything happens in time order, the mails that fall due
going out between the orders, so that a repeat order (issue #15: every fourth order, by an earlier
buyer, after one of their mails and within the shop's attribution window) is credited to that mail;
``run`` also measures a baseline, the same orders with every one by a new buyer, and sets the two
side by side: what attribution adds.

The handlers get their dependencies from ``okaeri.wiring`` exactly as in Lambda, and run
behind the same Powertools logger and metrics decorators (tracing is off outside Lambda).
A botocore hook on the default boto3 session, from which the cached clients of
``okaeri.aws.clients`` are built, counts every call those clients make while a handler runs or
while a function's dependencies are built (what a cold start does). The bench's own calls
(setup, the uploads that stand in for SES, schedule bookkeeping, the look-ups behind the
capacity estimate) use a separate boto3 session and are never counted. moto runs with the shortcuts
of ``bench.fast_moto`` (the same answers, without the work that grew with every order).
"""

from __future__ import annotations

import contextlib
import heapq
import io
import json
import logging
import math
import os
import statistics
import sys
import time
import warnings
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from email.utils import format_datetime
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from bench import prices
from bench.deployment import Deployment, deployment
from bench.fast_moto import faster_moto
from bench.prices import REGION
from bench.report import Spread, Table, markdown, print_table

if TYPE_CHECKING:
    import boto3
    from aws_lambda_powertools.utilities.typing import LambdaContext

    from infra.tables import Index, TableDef
    from okaeri.services.ingest import IngestDeps
    from okaeri.services.schedule import ScheduleDeps
    from okaeri.services.send import SendDeps

ROOT = Path(__file__).resolve().parents[1]
MAILS = ROOT / "tests" / "fixtures" / "mail"
CONFIG = ROOT / "tests" / "fixtures" / "config"

#: Orders driven through the pipeline; ``OKAERI_BENCH_PIPELINE_ORDERS`` sets another count. Issue #14
#: asks for 2,000 or more. With moto as shipped each order cost more than the one before (a
#: transaction deep-copied its tables, a query walked the whole table): 200 orders took 12 minutes on
#: the busy 2-core machine of 2026-12-07. With ``bench.fast_moto`` the 2,000 took 10 minutes there
#: (9 of CPU), 11 min 22 s for ``python -m bench.pipeline`` with the synthesis and the INIT runs.
#: Issue #15's run (orders half an hour apart, a repeat order in four) makes some 43 calls an order
#: instead of 34: 1,000 orders took 370 s (327 s of CPU) there, so the 2,000 and their baseline of
#: ``BASELINE_ORDERS`` some 13 minutes, 15 with the synthesis and the INIT runs (not timed whole).
ORDER_COUNT = int(os.environ.get("OKAERI_BENCH_PIPELINE_ORDERS", "2000"))
#: Invocations of each function whose DynamoDB request units are estimated (the estimate reads the
#: items around every call, which doubles moto's work): the first ones, then the units per
#: invocation are scaled to all of them.
UNIT_SAMPLE = 50
STEPS = 3  # the scenario's mails per order: thanks, like, love
ACCOUNT = "123456789012"  # moto's default account
SHOP_ID = "mikan-sanbo"
BUCKET = "okaeri-raw-mail"
GROUP = "okaeri"
FUNCTIONS = ("ingest", "schedule", "send")

ONE_VCPU_MB = 1769  # Lambda gives a function one vCPU's worth of CPU at 1,769 MB, pro rata below
#: Share of invocations that start a new execution environment. A small shop's order mails come
#: minutes apart, so ingest and schedule (which the same mail triggers) are cold most of the
#: time; a step's mails are sent inside one time window, so send mostly finds a warm function.
COLD_SHARE = {"ingest": 0.8, "schedule": 0.8, "send": 0.2}
#: Lambda's own START, END and REPORT lines per invocation (bytes, assumed) and INIT_START per cold start.
PLATFORM_LOG_BYTES = 330
PLATFORM_INIT_LOG_BYTES = 110
#: Fresh interpreters loading each function for its INIT (the median of these, with min and max).
INIT_RUNS = 15
TOKYO = ZoneInfo("Asia/Tokyo")
SEND_UNTIL = datetime(2027, 3, 1, tzinfo=TOKYO)
#: The orders come one every ``ORDER_SPACING`` from ``FIRST_ORDER`` (2,000: six weeks, 48 a day), each
#: order mail ``MAIL_DELAY`` after its order; the mails that fall due go out between them, at their time.
FIRST_ORDER = datetime(2026, 10, 1, 9, 0, tzinfo=TOKYO)
ORDER_SPACING = timedelta(minutes=30)
MAIL_DELAY = timedelta(minutes=2)
#: Every ``REPEAT_EVERY``-th order is a repeat order (``Buyers``): an earlier buyer orders again,
#: ``REPEAT_GAP`` to the shop's attribution window less ``REPEAT_GAP`` after their latest mail.
REPEAT_EVERY = 4
REPEAT_GAP = timedelta(hours=1)
STEP_IDS = ("thanks", "like", "love")  # the scenario's steps, whose mails repeat orders follow in turn
#: The baseline: the same orders (times, mails), every one by a new buyer, the first
#: ``BASELINE_ORDERS`` of them (a first order makes the same calls whatever the run's size).
BASELINE_ORDERS = int(os.environ.get("OKAERI_BENCH_PIPELINE_BASELINE_ORDERS", str(max(1, ORDER_COUNT // 10))))
#: Kinds of schedule invocation: a new buyer's order, a repeat buyer's (attribution reads and writes),
#: and the stream record of the credit written on the order (it plans nothing). The last follows the
#: invocation before it on the same shard at once, so it finds a warm function: never a cold start.
NEW_BUYER = "new buyer's order"
REPEAT_BUYER = "repeat buyer's order"
CREDIT_RECORD = "the credit's stream record"
WARM_KINDS = frozenset({CREDIT_RECORD})


def cpu_factor(memory_mb: int) -> float:
    """How much longer a function of ``memory_mb`` takes than one core here: Lambda gives one vCPU at
    1,769 MB and a share of one below; more memory brings more vCPUs, which one Python thread
    cannot use, so never less than 1."""
    return max(1.0, ONE_VCPU_MB / memory_mb)


def handler_entry(function: str) -> str:
    """The template's name of a function the bench drives: its folder and its entry point."""
    return f"{function}:handler.handler"


# --- the order mails ------------------------------------------------------------------------------


@dataclass(frozen=True)
class MailSample:
    """A fixture mail, and the edits that make its copy another order, by a given buyer, at a given time."""

    name: str
    #: (bytes in the fixture, replacement format): {n} the order's number, {buyer} the buyer's,
    #: {at} the order time (Tokyo), {date} the same as a mail's Date field
    edits: tuple[tuple[bytes, str], ...]

    def raw(self, n: int, *, buyer: int, at: datetime) -> bytes:
        raw = (MAILS / f"{self.name}.eml").read_bytes()
        local = at.astimezone(TOKYO)
        for old, new in self.edits:
            if raw.count(old) != 1:
                raise RuntimeError(f"{self.name}.eml: expected {old!r} exactly once")
            text = new.format(n=n, buyer=buyer, at=local, date=format_datetime(local))
            raw = raw.replace(old, text.encode("ascii"))
        return raw


#: A buyer's orders all come in the same mall's mail (``SAMPLES[buyer % 2]``).
SAMPLES = (
    MailSample(
        "yahoo-iso2022-company",
        (
            (b"midori-cha-10000077", "midori-cha-2{n:07d}"),
            (b"ichiro@hikari", "ichiro.{buyer:04d}@hikari"),
            (b"Date: Wed, 02 Dec 2026 14:03:15 +0900", "Date: {date}"),
            # 注文日時：2026年12月02日 14時03分09秒, the kanji in ISO-2022-JP between the figures
            (
                b"2026\x1b$BG/\x1b(B12\x1b$B7n\x1b(B02\x1b$BF|\x1b(B 14\x1b$B;~\x1b(B03\x1b$BJ,\x1b(B09",
                "{at:%Y}\x1b$BG/\x1b(B{at:%m}\x1b$B7n\x1b(B{at:%d}\x1b$BF|\x1b(B {at:%H}\x1b$B;~\x1b(B{at:%M}"
                "\x1b$BJ,\x1b(B{at:%S}",
            ),
        ),
    ),
    MailSample(
        "eccube-html-gift",
        (
            (b"=9A2077<", "=9A{n:05d}<"),
            (b".nakajima@example.net<", ".nakajima.{buyer:04d}@example.net<"),
            (b"Date: Fri, 04 Dec 2026 12:35:00 +0900", "Date: {date}"),
            # ご注文日時：2026/12/04 12:34:56, cut by a quoted-printable soft break before the 6
            (b"2026/12/04 12:34:5=", "{at:%Y/%m/%d %H:%M}:5="),
        ),
    ),
)


# --- DynamoDB request units, estimated from item sizes ----------------------------------------------


def number_bytes(text: str) -> int:
    """A number's size: one byte per two significant digits, plus one."""
    digits = text.lstrip("-").replace(".", "").lstrip("0").split("e")[0].split("E")[0].rstrip("0")
    return (len(digits) + 1) // 2 + 1


def _text_bytes(text: str) -> int:
    return len(text.encode("utf-8"))


def _list_bytes(elements: Sequence[Mapping[str, Any]]) -> int:
    return 3 + sum(1 + value_bytes(element) for element in elements)


def _map_bytes(elements: Mapping[str, Mapping[str, Any]]) -> int:
    return 3 + sum(_text_bytes(name) + 1 + value_bytes(element) for name, element in elements.items())


#: DynamoDB's documented sizing rules, by type: a list or map costs 3 bytes plus 1 per element.
_SIZE_OF: dict[str, Callable[[Any], int]] = {
    "S": _text_bytes,
    "N": number_bytes,
    "B": len,
    "BOOL": lambda _: 1,
    "NULL": lambda _: 1,
    "SS": lambda texts: sum(map(_text_bytes, texts)),
    "NS": lambda numbers: sum(map(number_bytes, numbers)),
    "BS": lambda blobs: sum(map(len, blobs)),
    "L": _list_bytes,
    "M": _map_bytes,
}


def value_bytes(value: Mapping[str, Any]) -> int:
    """The size DynamoDB bills for one attribute value."""
    [(kind, data)] = value.items()
    return _SIZE_OF[kind](data)


def item_bytes(item: Mapping[str, Any] | None) -> int:
    """An item's size: attribute names (UTF-8) plus values."""
    return sum(_text_bytes(name) + value_bytes(value) for name, value in (item or {}).items())


def write_units(size: int) -> int:
    return max(1, math.ceil(size / 1024))


def read_units(size: int, *, consistent: bool) -> float:
    return max(1, math.ceil(size / 4096)) * (1.0 if consistent else 0.5)


def _keys(index: Index) -> list[str]:
    """An ``infra.tables.Index``'s key attributes."""
    return [name for name in (index.partition_key, index.sort_key) if name]


@dataclass
class Units:
    """Estimated request units: reads, writes to the table, writes to its global secondary indexes."""

    read: float = 0.0
    write: float = 0.0
    index_write: float = 0.0


@dataclass(frozen=True)
class _Target:
    """One item a write request touches."""

    table: str
    key: dict[str, Any]
    factor: int  # 2 inside a transaction
    new_size: int  # the item a Put writes (it is charged even when its condition fails)
    changes: bool  # False for a transaction's ConditionCheck


class CapacityEstimator:
    """Request units per call from the sizes of the items involved, looked up around each call.

    Reads: a GetItem is the item's size in 4 KB units (half for an eventually consistent read); a
    Query is the sum of the sizes of the items it reads (re-read without ``Select``), in 4 KB units.
    Writes: the larger of the item before and after, in 1 KB units, doubled inside a transaction
    (a ConditionCheck counts like a write of the item it checks), charged even when the condition
    fails. An item that changed also writes each global secondary index (all project ALL) whose
    key it has before or after: one write of the new entry, one delete of the old, or both when
    the index key moved.
    """

    def __init__(self, client: Any, tables: Mapping[str, TableDef]) -> None:
        self._client = client  # from the bench's own session: never counted
        self._tables = tables  # by table name
        self.phase: tuple[str, str] = ("", "")  # the function and the kind of invocation being estimated
        #: (function, kind of invocation, logical table)
        self.by_table: dict[tuple[str, str, str], Units] = defaultdict(Units)

    def logical(self, table: str) -> tuple[str, str, str]:
        return *self.phase, self._tables[table].logical_name

    def _get(self, table: str, key: Mapping[str, Any]) -> dict[str, Any] | None:
        item: dict[str, Any] | None = self._client.get_item(
            TableName=table, Key=key, ConsistentRead=True
        ).get("Item")
        return item

    def _key(self, table: str, item: Mapping[str, Any]) -> dict[str, Any]:
        definition = self._tables[table]
        return {name: item[name] for name in (definition.partition_key, definition.sort_key)}

    def targets(self, operation: str, params: Mapping[str, Any]) -> list[_Target]:
        if operation == "PutItem":
            item = params["Item"]
            return [
                _Target(params["TableName"], self._key(params["TableName"], item), 1, item_bytes(item), True)
            ]
        if operation in ("UpdateItem", "DeleteItem"):
            return [_Target(params["TableName"], params["Key"], 1, 0, True)]
        if operation == "TransactWriteItems":
            return [self._transact_target(action) for action in params["TransactItems"]]
        return []

    def _transact_target(self, action: Mapping[str, Any]) -> _Target:
        [(kind, body)] = action.items()
        table = body["TableName"]
        if kind == "Put":
            return _Target(table, self._key(table, body["Item"]), 2, item_bytes(body["Item"]), True)
        return _Target(table, body["Key"], 2, 0, kind != "ConditionCheck")

    def before(
        self, operation: str, params: Mapping[str, Any]
    ) -> list[tuple[_Target, dict[str, Any] | None]]:
        return [(target, self._get(target.table, target.key)) for target in self.targets(operation, params)]

    def after(
        self,
        operation: str,
        params: Mapping[str, Any],
        parsed: Mapping[str, Any],
        snapshot: Sequence[tuple[_Target, dict[str, Any] | None]],
    ) -> None:
        if operation == "GetItem":
            size = item_bytes(parsed.get("Item"))
            units = read_units(size, consistent=bool(params.get("ConsistentRead")))
            self.by_table[self.logical(params["TableName"])].read += units
        elif operation == "Query":
            self._query(params)
        elif snapshot:
            for target, old in snapshot:
                self._write(target, old, self._get(target.table, target.key) if target.changes else old)
        elif operation not in ("DescribeTable",):
            raise RuntimeError(f"no request unit estimate for DynamoDB {operation}: add one")

    def _query(self, params: Mapping[str, Any]) -> None:
        replay = {
            name: value for name, value in params.items() if name not in ("Select", "ProjectionExpression")
        }
        items = self._client.query(**replay)["Items"]
        size = sum(item_bytes(item) for item in items)
        units = read_units(size, consistent=bool(params.get("ConsistentRead")))
        self.by_table[self.logical(params["TableName"])].read += units

    def _write(self, target: _Target, old: dict[str, Any] | None, new: dict[str, Any] | None) -> None:
        units = self.by_table[self.logical(target.table)]
        units.write += target.factor * write_units(max(item_bytes(old), item_bytes(new), target.new_size))
        if old == new:
            return
        for index in self._tables[target.table].indexes:
            names = _keys(index)
            old_key = [old.get(name) for name in names] if old else None
            new_key = [new.get(name) for name in names] if new else None
            had = old_key is not None and None not in old_key
            has = new_key is not None and None not in new_key
            if had and (not has or old_key != new_key):
                units.index_write += write_units(item_bytes(old))  # the old entry deleted
            if has:
                units.index_write += write_units(item_bytes(new))  # the new entry written


# --- counting the SDK calls ---------------------------------------------------------------------


#: The adapters' own helpers (the DynamoDB table, the clients): a call is named by the adapter
#: method above them.
_HELPERS = ("dynamo.py", "clients.py")
_ADAPTERS = f"{os.sep}okaeri{os.sep}aws{os.sep}"


def adapter_method(frame: FrameType | None) -> str:
    """The ``okaeri.aws`` adapter method that made the call under way at ``frame``
    (``DynamoConfig.count_once``): the innermost public one, above the table helpers."""
    while frame is not None:
        code = frame.f_code
        if (
            _ADAPTERS in code.co_filename
            and not code.co_filename.endswith(_HELPERS)
            and not code.co_name.startswith("_")
        ):
            return code.co_qualname
        frame = frame.f_back
    return "?"


@dataclass
class Meter:
    """botocore hooks: calls, time inside calls and request units, by the function running now.

    ``overhead`` is the time the capacity look-ups took, taken off the invocations' durations.
    ``detail`` names each call's adapter method and the kind of invocation it was made in.
    """

    capacity: CapacityEstimator
    phase: str | None = None  # "ingest", "send", "send init" …; None: not counted
    kind: str = ""  # the kind of invocation (``Functions.invoke``'s ``kind``)
    estimate: bool = False  # estimate the request units of this phase's DynamoDB calls
    calls: Counter[tuple[str, str, str]] = field(default_factory=Counter)  # (phase, service, operation)
    #: (phase, kind, adapter method, service, operation)
    detail: Counter[tuple[str, str, str, str, str]] = field(default_factory=Counter)
    #: (function, kind): invocations whose units were estimated
    estimated: Counter[tuple[str, str]] = field(default_factory=Counter)
    seconds_in_calls: Counter[str] = field(default_factory=Counter)
    overhead: float = 0.0

    def register(self, events: Any) -> None:
        events.register("before-parameter-build", self._keep_params, unique_id="bench-meter-params")
        events.register("before-call", self._before_call, unique_id="bench-meter-before")
        events.register("after-call", self._after_call, unique_id="bench-meter-after")

    def _keep_params(self, params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        if self.phase is not None:
            context["bench_params"] = dict(params)

    def _before_call(self, model: Any, context: dict[str, Any], **_: Any) -> None:
        if self.phase is None:
            return
        service, operation = model.service_model.service_name, model.name
        self.calls[(self.phase, service, operation)] += 1
        method = adapter_method(sys._getframe(1))
        self.detail[(self.phase, self.kind, method, service, operation)] += 1
        if service == "dynamodb" and self.estimate:
            with self._aside():
                self.capacity.phase = (self.phase, self.kind)
                context["bench_snapshot"] = self.capacity.before(operation, context["bench_params"])
        context["bench_started"] = time.perf_counter()

    def _after_call(self, model: Any, parsed: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        if self.phase is None or "bench_started" not in context:
            return
        self.seconds_in_calls[self.phase] += time.perf_counter() - context["bench_started"]
        if "bench_snapshot" in context:
            with self._aside():
                self.capacity.after(model.name, context["bench_params"], parsed, context["bench_snapshot"])

    @contextlib.contextmanager
    def _aside(self) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.overhead += time.perf_counter() - started

    @contextlib.contextmanager
    def counting(self, phase: str, *, kind: str = "", estimate: bool = False) -> Iterator[None]:
        self.phase, self.kind, self.estimate = phase, kind, estimate
        try:
            yield
        finally:
            self.phase, self.kind, self.estimate = None, "", False
        if estimate:
            self.estimated[(phase, kind)] += 1


# --- Lambda, as far as the bill sees it -------------------------------------------------------------


class _ByteCount(io.TextIOBase):
    """A text stream that only counts the UTF-8 bytes written to it (log lines, EMF metrics)."""

    def __init__(self) -> None:
        self.bytes = 0

    def write(self, text: str) -> int:
        self.bytes += len(text.encode("utf-8"))
        return len(text)


def _context(function: str, request: int, memory_mb: int) -> LambdaContext:
    from aws_lambda_powertools.utilities.typing import LambdaContext

    context = LambdaContext()
    context._function_name = f"okaeri-{function}"
    context._function_version = "$LATEST"
    context._invoked_function_arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:okaeri-{function}"
    context._memory_limit_in_mb = memory_mb
    context._aws_request_id = f"00000000-0000-4000-8000-{request:012d}"
    context._log_group_name = f"/aws/lambda/okaeri-{function}"
    context._log_stream_name = "2026/12/01/[$LATEST]bench"
    return context


@dataclass
class Functions:
    """Invokes a handler's ``handle`` behind the real handlers' logger and metrics decorators,
    timing each invocation and counting the bytes it logs.

    ``kind`` tells invocations of one function that do different work apart (schedule: a new
    buyer's order, a repeat buyer's, the stream record of a credit written), so that each kind's
    request units are estimated on its own sample and its duration taken at its own median."""

    meter: Meter
    memory_mb: Mapping[str, int]  # by function, from the template
    seconds: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    kinds: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))  # beside ``seconds``
    in_calls: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    log_bytes: Counter[str] = field(default_factory=Counter)

    def invoke(
        self, function: str, body: Callable[[dict[str, Any]], Any], event: dict[str, Any], *, kind: str = ""
    ) -> Any:
        from okaeri.observability import logger, metrics

        @logger.inject_lambda_context(clear_state=True)
        @metrics.log_metrics
        def handler(event: dict[str, Any], context: LambdaContext) -> Any:
            return body(event)

        sink = _ByteCount()
        stream = logger.registered_handler
        assert isinstance(stream, logging.StreamHandler)
        previous = stream.setStream(sink)
        try:
            request = len(self.seconds[function])
            estimate = self.meter.estimated[(function, kind)] < UNIT_SAMPLE
            counting = self.meter.counting(function, kind=kind, estimate=estimate)
            with counting, contextlib.redirect_stdout(sink):
                started, overhead = time.perf_counter(), self.meter.overhead
                in_calls = self.meter.seconds_in_calls[function]
                result = handler(event, _context(function, request, self.memory_mb[function]))
                elapsed = time.perf_counter() - started - (self.meter.overhead - overhead)
                self.seconds[function].append(elapsed)
                self.kinds[function].append(kind)
                self.in_calls[function].append(self.meter.seconds_in_calls[function] - in_calls)
        finally:
            stream.setStream(previous)
        self.log_bytes[function] += sink.bytes
        return result


# --- the stack ------------------------------------------------------------------------------------


class MovableClock:
    def __init__(self, start: datetime) -> None:
        self.moment = start

    def now(self) -> datetime:
        return self.moment


@dataclass
class Stack:
    session: boto3.Session  # the bench's own: its calls are not counted
    clock: MovableClock
    ingest: IngestDeps
    schedule: ScheduleDeps
    send: SendDeps
    tables: dict[str, str]  # logical name → table name
    stream_arn: str  # the orders table's
    order_count: int
    attribution_days: int  # the shop's
    stream_seen: int = 0
    partition_keys: set[str] = field(default_factory=set)  # of the orders' stream records


@contextlib.contextmanager
def fake_aws_environment() -> Iterator[None]:
    """Fake credentials in Tokyo, no profile or endpoint: nothing can reach a real account."""
    saved = dict(os.environ)
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB"):
        os.environ.pop(name, None)
    os.environ.update(
        AWS_DEFAULT_REGION=REGION,
        AWS_REGION=REGION,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_SESSION_TOKEN="testing",
    )
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _create_tables(session: boto3.Session) -> dict[str, str]:
    from infra.tables import TABLES

    client = session.client("dynamodb")
    names = {}
    for table in TABLES:
        name = f"okaeri-{table.logical_name}"
        client.create_table(**table.create_table_request(name))
        names[table.logical_name] = name
    return names


def _environment(session: boto3.Session, tables: Mapping[str, str]) -> dict[str, str]:
    session.client("s3").create_bucket(
        Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION}
    )
    session.client("scheduler").create_schedule_group(Name=GROUP)
    ses = session.client("sesv2")
    ses.create_email_identity(EmailIdentity="mikan-sanbo.example")
    ses.create_configuration_set(ConfigurationSetName="okaeri")
    secret = session.client("secretsmanager").create_secret(Name="okaeri/unsubscribe", SecretString="x" * 32)
    return {
        **{f"{logical}_table": name for logical, name in tables.items()},
        "raw_mail_bucket": BUCKET,
        "schedule_group": GROUP,
        "send_function_arn": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:okaeri-send",
        "scheduler_role_arn": f"arn:aws:iam::{ACCOUNT}:role/okaeri-scheduler",
        "schedule_dlq_arn": f"arn:aws:sqs:{REGION}:{ACCOUNT}:okaeri-schedule-dlq",
        "ses_configuration_set": "okaeri",
        "unsubscribe_secret_id": secret["ARN"],
    }


def _load_shop(config_table: str, codes: int) -> int:
    """The shop, its scenario, templates and coupon codes; the shop's ``attribution_days``."""
    from okaeri.aws.config import DynamoConfig, DynamoCoupons
    from okaeri.models import Scenario, Shop, Template, load_document

    config = DynamoConfig(config_table)
    shop = load_document(Shop, CONFIG / "shop.yaml")
    config.put_shop(shop)
    config.save_scenario(SHOP_ID, load_document(Scenario, CONFIG / "scenario-thanks-like-love.yaml"))
    for path in sorted(CONFIG.glob("template-*.yaml")):
        config.save_template(SHOP_ID, load_document(Template, path))
    DynamoCoupons(config_table).load_pool(SHOP_ID, "MIKAN5", [f"MIKAN5-BENCH-{n:04d}" for n in range(codes)])
    return shop.attribution_days


def build_stack(meter: Meter, session: boto3.Session, tables: dict[str, str], order_count: int) -> Stack:
    """Resources, the shop, and each function's dependencies (built as a cold start builds them)."""
    from okaeri.settings import IngestSettings, ScheduleSettings, SendSettings
    from okaeri.wiring import build_ingest_deps, build_schedule_deps, build_send_deps

    environ = _environment(session, tables)
    clock = MovableClock(FIRST_ORDER)
    with meter.counting("ingest init"):
        ingest = build_ingest_deps(IngestSettings.model_validate(environ), clock)
    with meter.counting("schedule init"):
        schedule = build_schedule_deps(ScheduleSettings.model_validate(environ), clock)
    with meter.counting("send init"):
        send = build_send_deps(SendSettings.model_validate(environ), clock)
    attribution_days = _load_shop(tables["config"], codes=order_count * STEPS)
    orders = session.client("dynamodb").describe_table(TableName=tables["orders"])["Table"]
    return Stack(
        session,
        clock,
        ingest,
        schedule,
        send,
        tables,
        stream_arn=orders["LatestStreamArn"],
        order_count=order_count,
        attribution_days=attribution_days,
    )


# --- driving it -----------------------------------------------------------------------------------


def s3_event(key: str, at: datetime, size: int) -> dict[str, Any]:
    stamp = at.astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    return {"Records": [{
        "eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": REGION, "eventTime": stamp,
        "eventName": "ObjectCreated:Put",
        "s3": {"s3SchemaVersion": "1.0", "bucket": {"name": BUCKET, "arn": f"arn:aws:s3:::{BUCKET}"},
               "object": {"key": key, "size": size}},
    }]}  # fmt: skip


def stream_records(stack: Stack) -> list[dict[str, Any]]:
    """New records of the orders table's stream, as Lambda receives them (read from moto's shard)."""
    from moto.dynamodb.models import dynamodb_backends

    table = dynamodb_backends[ACCOUNT][REGION].get_table(stack.tables["orders"])
    if table.stream_shard is None:
        raise RuntimeError("the orders table must have a stream")
    fresh = table.stream_shard.items[stack.stream_seen :]
    stack.stream_seen += len(fresh)
    records = [
        {**json.loads(json.dumps(record.to_json(), default=str)), "eventSourceARN": stack.stream_arn}
        for record in fresh
    ]
    partition_key = table.hash_key_attr
    stack.partition_keys.update(json.dumps(record["dynamodb"]["Keys"][partition_key]) for record in records)
    return records


@dataclass(frozen=True)
class LastMail:
    """The latest mail sent to a buyer: the touch a repeat order placed now is credited to."""

    sent_at: datetime
    step_id: str
    delivery_id: str


@dataclass
class Buyers:
    """Who places each order. Order ``n`` is buyer ``n``'s first, except (``repeat``) every
    ``REPEAT_EVERY``-th, which goes to an earlier buyer whose latest mail went out within the shop's
    attribution window before it (at least ``REPEAT_GAP`` before, at most the window less that), if
    there is one: the buyer's latest mail of the step whose turn it is (thanks, like, love in turn),
    else of any step. Each buyer orders again at most once. ``credits`` is what the bench expects:
    the order, the buyer, the mail it must be credited to."""

    repeat: bool
    window: timedelta  # the shop's attribution_days
    last_mail: dict[int, LastMail] = field(default_factory=dict)  # by buyer, from the sends so far
    order_buyer: dict[str, int] = field(default_factory=dict)  # by order key
    order_keys: dict[int, str] = field(default_factory=dict)  # by order
    credits: dict[int, tuple[int, LastMail]] = field(default_factory=dict)  # order → (buyer, mail)

    def buyer(self, n: int, placed: datetime) -> int:
        if not self.repeat or n % REPEAT_EVERY != REPEAT_EVERY - 1:
            return n
        taken = {buyer for buyer, _ in self.credits.values()}
        fits = sorted(
            (mail.sent_at, buyer, mail)
            for buyer, mail in self.last_mail.items()
            if buyer not in taken and placed - self.window + REPEAT_GAP <= mail.sent_at <= placed - REPEAT_GAP
        )
        turn = STEP_IDS[(n // REPEAT_EVERY) % len(STEP_IDS)]
        fits = [fit for fit in fits if fit[2].step_id == turn] or fits
        if not fits:
            return n  # nobody has had a mail in the window yet: a new buyer
        _, buyer, mail = fits[(n * 7919) % len(fits)]  # spread over the window, the same every run
        self.credits[n] = (buyer, mail)
        return buyer

    def sent(self, order_key: str, mail: LastMail) -> None:
        self.last_mail[self.order_buyer[order_key]] = mail


def order_time(n: int) -> datetime:
    return FIRST_ORDER + n * ORDER_SPACING


def ingest_order(stack: Stack, functions: Functions, buyers: Buyers, n: int) -> int:
    """Order ``n``: its mail stored by "SES", its S3 event to ingest, then the orders stream to
    schedule until the stream has nothing new (a credit written on the order is a record of its
    own, which Lambda hands over in the next batch); the mail's size."""
    from functions.ingest.handler import handle as ingest
    from functions.schedule.handler import handle as schedule

    placed = order_time(n)
    buyer = buyers.buyer(n, placed)
    sample = SAMPLES[buyer % len(SAMPLES)]
    raw, key = sample.raw(n, buyer=buyer, at=placed), f"inbound/{SHOP_ID}/bench-{n:04d}"
    stack.session.client("s3").put_object(Bucket=BUCKET, Key=key, Body=raw)
    stack.clock.moment = max(stack.clock.moment, placed + MAIL_DELAY)
    [result] = functions.invoke(
        "ingest", lambda event: ingest(event, stack.ingest), s3_event(key, stack.clock.moment, len(raw))
    )["results"]
    if result["result"] != "parsed":
        raise RuntimeError(f"mail {n} was not ingested as a new order: {result}")
    buyers.order_buyer[result["order"]] = buyer
    buyers.order_keys[n] = result["order"]
    kind = REPEAT_BUYER if buyer != n else NEW_BUYER
    for _ in range(5):
        records = stream_records(stack)
        if not records:
            return len(raw)
        answer = functions.invoke(
            "schedule", lambda event: schedule(event, stack.schedule), {"Records": records}, kind=kind
        )
        if answer["batchItemFailures"]:
            raise RuntimeError(f"schedule failed records: {answer}")
        kind = CREDIT_RECORD
    raise RuntimeError(f"order {n}: the orders stream kept bringing records")


def _scheduler() -> Any:
    """moto's EventBridge Scheduler: the bench reads and deletes the schedules there directly, as the
    service does when one fires (through the API it took two calls a wake-up of moto's slow answers)."""
    from moto.scheduler.models import scheduler_backends

    return scheduler_backends[ACCOUNT][REGION]


def _schedule_time(schedule: Any) -> datetime:
    expression = schedule.schedule_expression
    zone = ZoneInfo(schedule.schedule_expression_timezone)
    return datetime.fromisoformat(expression.removeprefix("at(").removesuffix(")")).replace(tzinfo=zone)


@dataclass
class WakeUps:
    """The one-off schedules in time order, as EventBridge Scheduler fires them (then deletes them:
    ActionAfterCompletion=DELETE). Schedules made since the last look are taken in by ``look``; one
    deleted meanwhile is passed over, one moved is fired at its new time."""

    queue: list[tuple[datetime, str]] = field(default_factory=list)  # a heap
    known: set[str] = field(default_factory=set)  # names in the heap
    outcomes: Counter[str] = field(default_factory=Counter)

    def look(self) -> None:
        schedules = _scheduler().schedule_groups[GROUP].schedules
        for name in schedules.keys() - self.known:
            heapq.heappush(self.queue, (_schedule_time(schedules[name]), name))
            self.known.add(name)

    def fire(self, stack: Stack, functions: Functions, buyers: Buyers, *, until: datetime) -> None:
        """Every schedule due by ``until`` at its time, in time order, to send."""
        from functions.send.handler import handle_wake_up

        self.look()
        schedules = _scheduler().schedule_groups[GROUP].schedules
        while self.queue and self.queue[0][0] <= until:
            at, name = heapq.heappop(self.queue)
            schedule = schedules.get(name)
            if schedule is None:  # deleted (a cancelled mail)
                self.known.discard(name)
                continue
            if (moved := _schedule_time(schedule)) != at:
                heapq.heappush(self.queue, (moved, name))
                continue
            stack.clock.moment = max(stack.clock.moment, at)
            payload = json.loads(schedule.target["Input"])
            outcome = functions.invoke("send", lambda event: handle_wake_up(event, stack.send), payload)
            self.outcomes[outcome["status"]] += 1
            _scheduler().delete_schedule(GROUP, name)
            self.known.discard(name)
            if outcome["status"] == "sent":
                delivery = _delivery_item(stack, payload["delivery"])
                mail = LastMail(datetime.fromisoformat(delivery["sent_at"]), delivery["step_id"], name)
                buyers.sent(delivery["order_key"], mail)
            self.look()  # a send may make or move a wake-up


def _delivery_item(stack: Stack, delivery_id: str) -> dict[str, Any]:
    """A delivery's attributes, read straight from moto's table (the bench's look-up, not counted)."""
    from moto.dynamodb.models import dynamodb_backends

    backend = dynamodb_backends[ACCOUNT][REGION]
    item = backend.get_item(stack.tables["deliveries"], {"pk": {"S": SHOP_ID}, "sk": {"S": delivery_id}})
    if item is None:
        raise RuntimeError(f"delivery {delivery_id} is not in the deliveries table")
    return {name: value.value for name, value in item.attrs.items()}


def drive(stack: Stack, functions: Functions, buyers: Buyers) -> tuple[list[int], Counter[str]]:
    """The orders in time order, each after the mails due before its order mail came; then every
    mail left, up to ``SEND_UNTIL``. The order mails' sizes, and the sends' outcomes."""
    wake_ups = WakeUps()
    sizes = []
    for n in range(stack.order_count):
        wake_ups.fire(stack, functions, buyers, until=order_time(n) + MAIL_DELAY)
        sizes.append(ingest_order(stack, functions, buyers, n))
    wake_ups.fire(stack, functions, buyers, until=SEND_UNTIL)
    return sizes, wake_ups.outcomes


def stored_bytes(stack: Stack) -> dict[str, int]:
    """What the run left in each table (items plus their index entries), in bytes."""
    from infra.tables import TABLES

    client = stack.session.client("dynamodb")
    stored = {}
    for table in TABLES:
        total = 0
        for page in client.get_paginator("scan").paginate(TableName=stack.tables[table.logical_name]):
            for item in page["Items"]:
                entries = 1 + sum(1 for index in table.indexes if all(key in item for key in _keys(index)))
                total += entries * (item_bytes(item) + 100)  # DynamoDB adds 100 bytes per item and entry
        stored[table.logical_name] = total
    return stored


# --- the measurement --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    """Every order's planned mails, each sent exactly once: the deliveries table against SES's outbox."""

    orders: int  # order mails driven in
    orders_planned: int  # orders with deliveries in the deliveries table
    planned: int  # deliveries
    sent: int  # deliveries marked sent, each with an SES message id
    ses_messages: int  # messages SES (moto) sent
    lost: int  # planned mails not sent (other than stopped by a reorder), orders short of a step
    stopped: int  # coupons stopped because their buyer ordered again (stop_on_reorder, issue #16)
    duplicated: int  # a step planned twice for an order, or an SES message beyond one per delivery
    wrong_recipient: int  # an SES message to anyone but the delivery's buyer
    statuses: Counter[str]


def check_deliveries(stack: Stack) -> Check:
    """Reads the deliveries table (the bench's session) and moto's SES outbox after the run."""
    from moto.ses.models import ses_backends

    from okaeri.aws.deliveries import COUNTS_SUFFIX

    client = stack.session.client("dynamodb")
    by_order: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for page in client.get_paginator("scan").paginate(TableName=stack.tables["deliveries"]):
        for item in page["Items"]:
            if item["pk"]["S"].endswith(COUNTS_SUFFIX):
                continue  # the shop's counters (okaeri.aws.deliveries), not a delivery
            by_order[item["order_key"]["S"]].append(item)
    deliveries = [item for items in by_order.values() for item in items]
    # a mail not sent is listed with the reason stored with it ("failed (too_slow)")
    statuses = Counter(_status_and_reason(item) for item in deliveries)
    messages = ses_backends[ACCOUNT][REGION].sent_messages
    outbox = Counter(message.id for message in messages)
    # moto lists the Destination's addresses and the raw mail's To: the same buyer, twice
    recipients = {message.id: set(message.destinations) for message in messages}
    sent = [
        item for item in deliveries if item["status"]["S"] == "sent" and "S" in item.get("message_id", {})
    ]
    lost = sum(max(0, STEPS - len(items)) for items in by_order.values()) + (
        stack.order_count - len(by_order)
    )
    stopped = sum(
        1
        for item in deliveries
        if item["status"]["S"] == "skipped" and item.get("reason", {}).get("S") == "reordered"
    )
    lost += len(deliveries) - len(sent) - stopped
    lost += sum(1 for item in sent if outbox[item["message_id"]["S"]] == 0)
    twice_planned = sum(
        len(items) - len({item["step_id"]["S"] for item in items}) for items in by_order.values()
    )
    sent_ids = Counter(item["message_id"]["S"] for item in sent)
    extra_messages = sum(outbox.values()) - sum(1 for message_id in outbox if sent_ids[message_id] == 1)
    wrong = sum(
        1
        for item in sent
        if recipients.get(item["message_id"]["S"]) != {item.get("customer_email", {}).get("S")}
    )
    return Check(
        orders=stack.order_count,
        orders_planned=len(by_order),
        planned=len(deliveries),
        sent=len(sent),
        ses_messages=len(messages),
        lost=lost,
        stopped=stopped,
        duplicated=twice_planned + extra_messages,
        wrong_recipient=wrong,
        statuses=statuses,
    )


@dataclass(frozen=True)
class AttributionCheck:
    """What the run's repeat orders earned, read back from the tables against what ``Buyers`` placed."""

    repeat_orders: int  # orders placed by an earlier buyer after one of their mails, in the window
    credited: int  # orders with a credit on the orders table
    credited_as_placed: int  # credited to the very mail the bench placed the order after
    by_step: Counter[str]  # credits by the step of the mail
    hours: list[float]  # hours from the mail to the order, of each credit
    conversions: int  # conversions written on the deliveries
    revenue: int  # the credited orders' totals
    counted: Counter[str]  # the daily counters (stats rows) summed over the run, by counter


def check_attribution(stack: Stack, buyers: Buyers) -> AttributionCheck:
    """Reads the orders, deliveries and config tables (the bench's session) after the run."""
    from boto3.dynamodb.types import TypeDeserializer

    from okaeri.aws.config import STATS_PREFIX
    from okaeri.aws.deliveries import COUNTS_SUFFIX

    client = stack.session.client("dynamodb")
    plain = TypeDeserializer().deserialize

    def scan(logical: str) -> Iterator[dict[str, Any]]:
        for page in client.get_paginator("scan").paginate(TableName=stack.tables[logical]):
            for item in page["Items"]:
                yield {name: plain(value) for name, value in item.items()}

    credits = {str(item["sk"]): item["credit"] for item in scan("orders") if "credit" in item}
    placed = {buyers.order_keys[n]: mail.delivery_id for n, (_, mail) in buyers.credits.items()}
    conversions = sum(
        len(item.get("conversions") or {})
        for item in scan("deliveries")
        if not str(item["pk"]).endswith(COUNTS_SUFFIX)
    )
    counted: Counter[str] = Counter()
    for item in scan("config"):
        if str(item["sk"]).startswith(STATS_PREFIX):
            counted.update(
                {
                    name: int(value)
                    for name, value in item.items()
                    if isinstance(value, Decimal) and name != "expires_at"
                }
            )
    return AttributionCheck(
        repeat_orders=len(buyers.credits),
        credited=len(credits),
        credited_as_placed=sum(
            1 for key, credit in credits.items() if placed.get(key) == credit["delivery_id"]
        ),
        by_step=Counter(str(credit["step_id"]) for credit in credits.values()),
        hours=[float(credit["hours"]) for credit in credits.values()],
        conversions=conversions,
        revenue=sum(int(credit["total"]) for credit in credits.values()),
        counted=counted,
    )


@dataclass
class Measurement:
    orders: int
    repeat_buyers: bool  # whether earlier buyers order again (False: the baseline)
    mail_sizes: list[int]
    calls: Counter[tuple[str, str, str]]
    detail: Counter[tuple[str, str, str, str, str]]  # (phase, kind, adapter method, service, operation)
    #: (function, kind, logical table): over the estimated invocations
    units: dict[tuple[str, str, str], Units]
    estimated: Counter[tuple[str, str]]  # invocations of each function and kind whose units were estimated
    seconds: dict[str, list[float]]
    kinds: dict[str, list[str]]  # each invocation's kind, beside ``seconds``
    seconds_in_calls: dict[str, list[float]]  # each invocation's time inside AWS calls
    log_bytes: Counter[str]
    stored: dict[str, int]
    stream_records: int  # the orders table's stream records the schedule function got
    partition_keys: int  # distinct orders-table partition keys among them
    check: Check
    attribution: AttributionCheck
    attribution_days: int  # the shop's
    wall_seconds: float  # the whole run, the bench's own work included
    cpu_seconds: float  # this process's CPU time in it (the machine's other work left out)
    init_ms: dict[str, Spread] = field(default_factory=dict)

    def invocations(self, function: str, kind: str | None = None) -> int:
        if kind is None:
            return len(self.seconds[function])
        return self.kinds[function].count(kind)

    def kinds_of(self, function: str) -> list[str]:
        """The kinds of ``function``'s invocations, in the order they first came."""
        return list(dict.fromkeys(self.kinds[function]))

    def seconds_of(self, function: str, kind: str | None = None) -> list[float]:
        if kind is None:
            return self.seconds[function]
        return [s for s, k in zip(self.seconds[function], self.kinds[function], strict=True) if k == kind]


def measure(
    order_count: int = ORDER_COUNT,
    memory_mb: Mapping[str, int] | None = None,
    *,
    repeat_buyers: bool = True,
) -> Measurement:
    """The orders through the pipeline; ``repeat_buyers`` False: every order by a new buyer."""
    import boto3
    from moto import mock_aws

    from infra.tables import TABLES
    from okaeri.aws.clients import reset_clients

    if memory_mb is None:
        memory_mb = {f: deployment().function(f).memory_mb for f in FUNCTIONS}
    began, began_cpu = time.perf_counter(), time.process_time()
    with fake_aws_environment(), mock_aws(), faster_moto(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Powertools: "no metrics to publish" and the like
        previous_session = boto3.DEFAULT_SESSION
        reset_clients()
        boto3.setup_default_session(region_name=REGION)  # the cached clients will be built from it
        try:
            session = boto3.session.Session(region_name=REGION)
            tables = _create_tables(session)
            by_name = {tables[table.logical_name]: table for table in TABLES}
            meter = Meter(CapacityEstimator(session.client("dynamodb"), by_name))
            assert boto3.DEFAULT_SESSION is not None
            meter.register(boto3.DEFAULT_SESSION.events)
            stack = build_stack(meter, session, tables, order_count)
            functions = Functions(meter, memory_mb)
            buyers = Buyers(repeat_buyers, timedelta(days=stack.attribution_days))
            sizes, outcomes = drive(stack, functions, buyers)
            check = check_deliveries(stack)
            if check.lost or check.duplicated or check.wrong_recipient:
                print(f"warning: {outcomes}, {check}")
            attribution = check_attribution(stack, buyers)
            return Measurement(
                orders=order_count,
                repeat_buyers=repeat_buyers,
                mail_sizes=sizes,
                calls=meter.calls,
                detail=meter.detail,
                units=dict(meter.capacity.by_table),
                estimated=meter.estimated,
                seconds=dict(functions.seconds),
                kinds=dict(functions.kinds),
                seconds_in_calls=dict(functions.in_calls),
                log_bytes=functions.log_bytes,
                stored=stored_bytes(stack),
                stream_records=stack.stream_seen,
                partition_keys=len(stack.partition_keys),
                check=check,
                attribution=attribution,
                attribution_days=stack.attribution_days,
                wall_seconds=time.perf_counter() - began,
                cpu_seconds=time.process_time() - began_cpu,
            )
        finally:
            reset_clients()
            boto3.DEFAULT_SESSION = previous_session


def measure_init(runs: int = INIT_RUNS) -> dict[str, Spread]:
    """Each function's INIT here: the wall time of a fresh ``python -I -S -B`` loading it as Lambda
    does, with ``tests/infra/cold_start_probe.py`` (the function's code as synthesized, the host
    layer, the standard library; its handler imported and its dependencies built with the AWS
    clients stubbed, in the environment the template gives it). ``-B``: Lambda's /var/task and /opt
    are read-only, so the bytecode is what the layer ships, or none. The functions take turns in
    each round, so a busy moment of the machine falls on all of them alike; also ``bare``: the
    interpreter starting and doing nothing."""
    import subprocess
    import sys

    from infra.paths import HOST_LAYER_DIR
    from tests.infra.test_layer_loads import BUILDERS, PROBE, cold_start_environment

    layer_site = HOST_LAYER_DIR / "python"
    if not layer_site.is_dir():
        raise RuntimeError(f"no host layer at {layer_site}: run `make build`")
    commands: dict[str, tuple[list[str], dict[str, str]]] = {}
    for function in FUNCTIONS:
        entry = handler_entry(function)
        synthesized = deployment().functions[entry].synthesized
        command = [sys.executable, "-I", "-S", "-B", str(PROBE), str(synthesized.asset), str(layer_site),
                   synthesized.properties["Handler"], BUILDERS[entry]]  # fmt: skip
        commands[function] = (command, cold_start_environment(synthesized))
    commands["bare"] = (
        [sys.executable, "-I", "-S", "-B", "-c", "pass"],
        {"PATH": os.environ.get("PATH", "")},
    )
    samples: dict[str, list[float]] = defaultdict(list)
    for _ in range(runs):
        for name, (command, env) in commands.items():
            started = time.perf_counter()
            subprocess.run(command, env=env, check=True, capture_output=True, timeout=120)
            samples[name].append((time.perf_counter() - started) * 1000)
    return {name: Spread.of(values) for name, values in samples.items()}


# --- from the measurement to calls and dollars per order ---------------------------------------------

SERVICE_NAMES = {
    "dynamodb": "DynamoDB",
    "s3": "S3",
    "scheduler": "EventBridge Scheduler",
    "sesv2": "SES v2",
    "secretsmanager": "Secrets Manager",
}
#: Shown even when the run made none of them (a zero says so).
LISTED_CALLS = (
    ("s3", "GetObject"),
    ("s3", "HeadObject"),
    ("scheduler", "CreateSchedule"),
    ("scheduler", "UpdateSchedule"),
    ("scheduler", "DeleteSchedule"),
    ("sesv2", "SendEmail"),
    ("secretsmanager", "GetSecretValue"),
)
PER = 1_000  # orders the costs are given for
GB = 1024**3
TARGET_RATIO = 0.25  # everything that is not SES, at most this share of the SES cost


@dataclass(frozen=True)
class CostLine:
    price: prices.Price
    what: str
    quantity: float  # per PER orders, in the price's unit

    @property
    def usd(self) -> float:
        return self.price.cost(self.quantity)


def ses_usd(lines: Sequence[CostLine]) -> float:
    return sum(line.usd for line in lines if line.price.service == "SES")


def other_usd(lines: Sequence[CostLine]) -> float:
    return sum(line.usd for line in lines if line.price.service != "SES")


class Figures:
    """Per order figures from one measurement, the deployment's settings and the stated assumptions
    (``cold_share`` by function)."""

    def __init__(
        self, measurement: Measurement, deployed: Deployment, cold_share: Mapping[str, float] = COLD_SHARE
    ) -> None:
        self.m = measurement
        self.deployed = deployed
        self.cold_share = cold_share

    def memory_mb(self, function: str) -> int:
        return self.deployed.functions[handler_entry(function)].memory_mb

    def factor(self, function: str) -> float:
        return cpu_factor(self.memory_mb(function))

    def invocations(self, function: str, kind: str | None = None) -> float:
        return self.m.invocations(function, kind) / self.m.orders

    def cold_starts(self, function: str) -> float:
        """Per order: the share of the invocations that may start cold (not those of ``WARM_KINDS``)."""
        warm = sum(
            self.invocations(function, kind) for kind in self.m.kinds_of(function) if kind in WARM_KINDS
        )
        return (self.invocations(function) - warm) * self.cold_share[function]

    def calls(self, phase: str, service: str, operation: str) -> float:
        """Calls per order of ``phase``'s invocations, or per cold start for ``"<function> init"``."""
        count = self.m.calls[(phase, service, operation)]
        return count if phase.endswith(" init") else count / self.m.orders

    def all_calls(self, service: str, operation: str) -> float:
        """Per order: the invocations' calls plus each cold start's."""
        return sum(
            self.calls(function, service, operation)
            + self.cold_starts(function) * self.calls(f"{function} init", service, operation)
            for function in FUNCTIONS
        )

    def ms(self, function: str, kind: str | None = None) -> Spread:
        """Per invocation (of one kind), in process here (the bench's own look-ups taken off)."""
        return Spread.of(self.m.seconds_of(function, kind)).scaled(1000)

    def typical_ms(self, function: str) -> float:
        """Per invocation: each kind's median, weighted by how many there were of it (one kind:
        its median)."""
        kinds = self.m.kinds_of(function)
        total = sum(self.m.invocations(function, kind) * self.ms(function, kind).median for kind in kinds)
        return total / self.m.invocations(function)

    def in_calls_ms(self, function: str, kind: str | None = None) -> Spread:
        seconds = self.m.seconds_in_calls[function]
        if kind is not None:
            seconds = [s for s, k in zip(seconds, self.m.kinds[function], strict=True) if k == kind]
        return Spread.of(seconds).scaled(1000)

    def billed_ms(self, function: str, kind: str | None = None) -> int:
        """The median in-process time (of one kind), as long as the function's share of a vCPU makes it."""
        return math.ceil(self.ms(function, kind).median * self.factor(function))

    def init_billed_ms(self, function: str) -> int:
        return math.ceil(self.m.init_ms[function].median * self.factor(function))

    def gb_seconds(self, *, cold: bool) -> float:
        """Per PER orders: the warm durations, or the INIT phases of the cold starts, each function
        at its own memory size."""
        if cold:
            return PER * sum(
                self.memory_mb(f) / 1024 * self.cold_starts(f) * self.init_billed_ms(f) / 1000
                for f in FUNCTIONS
            )
        return PER * sum(
            self.memory_mb(f) / 1024 * self.invocations(f, kind) * self.billed_ms(f, kind) / 1000
            for f in FUNCTIONS
            for kind in self.m.kinds_of(f)
        )

    def table_units(self, logical: str) -> Units:
        """Per order, for one table: each function's units per estimated invocation of a kind, times
        its invocations of that kind per order."""
        total = Units()
        for (function, kind, table), units in self.m.units.items():
            if table != logical:
                continue
            share = self.invocations(function, kind) / self.m.estimated[(function, kind)]
            total.read += units.read * share
            total.write += units.write * share
            total.index_write += units.index_write * share
        return total

    def tables(self) -> list[str]:
        return sorted({table for _, _, table in self.m.units})

    def log_gb(self) -> float:
        per_order = sum(
            self.m.log_bytes[f] / self.m.orders
            + self.invocations(f) * PLATFORM_LOG_BYTES
            + self.cold_starts(f) * PLATFORM_INIT_LOG_BYTES
            for f in FUNCTIONS
        )
        return PER * per_order / GB

    def units(self) -> Units:
        """Per order, every table."""
        each = [self.table_units(table) for table in self.tables()]
        return Units(
            read=sum(units.read for units in each),
            write=sum(units.write for units in each),
            index_write=sum(units.index_write for units in each),
        )

    def costs(self) -> list[CostLine]:
        units = self.units()
        chunks = statistics.fmean(math.ceil(size / (256 * 1024)) for size in self.m.mail_sizes)
        s3_gets = self.all_calls("s3", "GetObject") + self.all_calls("s3", "HeadObject")
        secrets = self.all_calls("secretsmanager", "GetSecretValue")
        return [
            CostLine(prices.SES_INBOUND, "order mails received", PER),
            CostLine(prices.SES_INBOUND_CHUNK, "their 256 KB chunks", PER * chunks),
            CostLine(prices.SES_OUTBOUND, "follow-up mails sent", PER * self.all_calls("sesv2", "SendEmail")),
            CostLine(prices.DYNAMODB_WRITE, "writes, tables and their indexes", PER * (units.write + units.index_write)),
            CostLine(prices.DYNAMODB_READ, "GetItem and Query", PER * units.read),
            CostLine(prices.LAMBDA_REQUESTS, "ingest, schedule, send", PER * sum(map(self.invocations, FUNCTIONS))),
            CostLine(prices.LAMBDA_ARM_DURATION, "warm duration, each at its memory size", self.gb_seconds(cold=False)),
            CostLine(prices.LAMBDA_ARM_DURATION, "INIT of the cold starts", self.gb_seconds(cold=True)),
            CostLine(prices.SCHEDULER_INVOCATIONS, "wake-ups fired", PER * self.invocations("send")),
            CostLine(prices.S3_PUT, "SES stores each order mail", PER * (1 + self.all_calls("s3", "PutObject"))),
            CostLine(prices.S3_GET, "GetObject and HeadObject", PER * s3_gets),
            CostLine(prices.SECRETS_CALLS, "GetSecretValue", PER * secrets),
            CostLine(prices.LOGS_INGESTION, "log lines and EMF metrics", self.log_gb()),
        ]  # fmt: skip

    def ratio(self, extra_usd: float = 0.0) -> float:
        """Everything that is not SES (plus ``extra_usd``) over what SES costs."""
        lines = self.costs()
        return (other_usd(lines) + extra_usd) / ses_usd(lines)


def ses_floor() -> list[CostLine]:
    """What SES alone must cost: each order mail received (one chunk) and the scenario's mails sent."""
    return [
        CostLine(prices.SES_INBOUND, "", PER),
        CostLine(prices.SES_INBOUND_CHUNK, "", PER),
        CostLine(prices.SES_OUTBOUND, "", PER * STEPS),
    ]


def _n(value: float) -> str:
    return f"{value:,.2f}".rstrip("0").rstrip(".") if value else "0"


def _quantity(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:.3g}"


def _usd(value: float) -> str:
    return f"${value:.4f}"


def calls_table(figures: Figures) -> Table:
    m = figures.m
    observed = {(service, operation) for _, service, operation in m.calls}
    keys = sorted(observed | set(LISTED_CALLS), key=lambda key: (SERVICE_NAMES[key[0]], key[1]))
    rows = [
        (
            SERVICE_NAMES[service],
            operation,
            _n(sum(figures.calls(f, service, operation) for f in FUNCTIONS)),
            *(_n(figures.calls(f, service, operation)) for f in FUNCTIONS),
            _n(sum(figures.calls(f"{f} init", service, operation) for f in FUNCTIONS)),
        )
        for service, operation in keys
    ]
    per_function = {
        f: sum(n for (phase, _, _), n in m.calls.items() if phase == f) / m.orders for f in FUNCTIONS
    }
    rows.append(("**all**", "", _n(sum(per_function.values())), *map(_n, per_function.values()), ""))
    return Table(
        f"AWS calls per order ({m.orders} orders, {_repeats(m)}, {STEPS}-step scenario, every mail through SES)",
        ("service", "operation", "per order", "ingest", "schedule", f"send ({STEPS} mails)", "per cold start"),
        rows,
        "llrrrrr",
    )  # fmt: skip


def _repeats(m: Measurement) -> str:
    repeats = m.attribution.repeat_orders
    if not m.repeat_buyers:
        return "every one by a new buyer"
    return f"{repeats:,} of them ({repeats / m.orders:.0%}) repeat orders"


def _calls_per_order(m: Measurement) -> dict[tuple[str, str, str, str], float]:
    """Per order, by (function, adapter method, service, operation): the invocations' calls."""
    per: dict[tuple[str, str, str, str], float] = defaultdict(float)
    for (phase, _, method, service, operation), count in m.detail.items():
        if phase in FUNCTIONS:
            per[(phase, method, service, operation)] += count / m.orders
    return per


#: The handlers whose work can depend on who the buyer is: ingest counts the customer's orders (the
#: order's rank), schedule credits the order and counts the runs it repeats. Send's cannot.
BY_BUYER = ("ingest", "schedule")


def attribution_calls_table(base: Figures, full: Figures) -> Table:
    """The calls whose number per order changes with repeat buyers, by handler and adapter method;
    each handler's and the pipeline's total. Per repeat order only for the handlers that run
    attribution's work can reach (``BY_BUYER``): send's differences come from the two runs' lengths
    (see the notes)."""
    before, after = _calls_per_order(base.m), _calls_per_order(full.m)
    repeats = full.m.attribution.repeat_orders
    share = repeats / full.m.orders if repeats else 0.0

    def cells(was: float, now: float, *, per_repeat: bool) -> tuple[str, str, str, str]:
        added = now - was
        each = f"{added / share:+,.2f}" if share and per_repeat else "—"
        return _n(was), _n(now), f"{added:+,.2f}", each

    def total(per: Mapping[tuple[str, str, str, str], float], functions: Sequence[str]) -> float:
        return sum(value for key, value in per.items() if key[0] in functions)

    rows = []
    for function in FUNCTIONS:
        by_buyer = function in BY_BUYER
        for key in sorted({key for key in (*before, *after) if key[0] == function}):
            was, now = before.get(key, 0.0), after.get(key, 0.0)
            if round(was, 2) != round(now, 2):
                _, method, service, operation = key
                call = f"{SERVICE_NAMES[service]} {operation}"
                rows.append((function, f"`{method}`", call, *cells(was, now, per_repeat=by_buyer)))
        was, now = total(before, [function]), total(after, [function])
        rows.append((function, "**all its calls**", "", *cells(was, now, per_repeat=by_buyer)))
    was, now = total(before, BY_BUYER), total(after, BY_BUYER)
    rows.append(("**ingest and schedule**", "", "", *cells(was, now, per_repeat=True)))
    was, now = total(before, FUNCTIONS), total(after, FUNCTIONS)
    rows.append(("**all**", "", "", *cells(was, now, per_repeat=False)))
    return Table(
        "What attribution adds: AWS calls per order, by handler and adapter method (the rows that change)",
        ("handler", "adapter method", "call", f"baseline: no repeat buyers ({base.m.orders:,} orders)",
         f"with repeat buyers ({full.m.orders:,} orders, {share:.0%} repeat)", "added per order",
         "added per repeat order"),
        rows,
        "lllrrrr",
    )  # fmt: skip


def attribution_cost_table(base: Figures, full: Figures) -> Table:
    """The baseline and the run with repeat buyers side by side: calls, units, invocations, cost."""

    def calls(figures: Figures) -> float:
        return sum(n for (phase, _, _), n in figures.m.calls.items() if phase in FUNCTIONS) / figures.m.orders

    def row(name: str, value: Callable[[Figures], float], *, usd: bool = False) -> tuple[str, ...]:
        was, now = value(base), value(full)
        if usd:
            return name, _usd(was), _usd(now), f"{now - was:+.4f}".replace("+", "+$").replace("-", "−$")
        return name, _n(was), _n(now), f"{now - was:+,.2f}"

    rows = [
        row("AWS calls per order (the handlers')", calls),
        row("DynamoDB read units per order", lambda f: f.units().read),
        row("DynamoDB write units per order, tables and indexes", lambda f: f.units().write + f.units().index_write),
        row("Lambda invocations per order", lambda f: sum(map(f.invocations, FUNCTIONS))),
        row("of which cold starts", lambda f: sum(map(f.cold_starts, FUNCTIONS))),
        row(f"SES per {PER:,} orders", lambda f: ses_usd(f.costs()), usd=True),
        row(f"everything else per {PER:,} orders", lambda f: other_usd(f.costs()), usd=True),
        ("**not SES / SES**", f"**{base.ratio():.1%}**", f"**{full.ratio():.1%}**",
         f"{(full.ratio() - base.ratio()) * 100:+.1f} points"),
    ]  # fmt: skip
    return Table(
        f"Baseline and repeat buyers side by side (cost per {PER:,} orders, Tokyo list prices)",
        ("figure", f"baseline: no repeat buyers ({base.m.orders:,} orders)",
         f"with repeat buyers ({full.m.orders:,} orders, {_repeats(full.m)})", "added"),
        rows,
        "lrrr",
    )  # fmt: skip


def earned_table(m: Measurement) -> Table:
    """What the repeat orders earned, read back from the tables, against what the bench placed."""
    a = m.attribution
    counted = a.counted
    steps = ", ".join(f"{step} {a.by_step[step]:,}" for step in STEP_IDS if a.by_step[step])
    hours = Spread.of(a.hours).show(",.0f") if a.hours else "—"
    rows = [
        ("repeat orders (an earlier buyer, after a mail, within the window)", f"{a.repeat_orders:,}"),
        ("orders credited (`Orders.set_credit`)", f"{a.credited:,}"),
        ("**credited to the mail the bench placed them after**", f"**{a.credited_as_placed:,}**"),
        ("credits by the mail's step", steps or "none"),
        ("hours from the mail to the order: median (min–max)", hours),
        ("conversions on the deliveries (`Deliveries.add_conversion`)", f"{a.conversions:,}"),
        ("counted `converted` (daily counters)", f"{counted['converted']:,}"),
        ("counted `revenue` / the credited orders' totals (yen)", f"{counted['revenue']:,} / {a.revenue:,}"),
        ("counted `runs_mailed` / orders", f"{counted['runs_mailed']:,} / {m.orders:,}"),
        (
            "counted `repeated_mailed` / repeat orders",
            f"{counted['repeated_mailed']:,} / {a.repeat_orders:,}",
        ),
        ("counted `sent` / mails sent", f"{counted['sent']:,} / {m.check.sent:,}"),
        ("counted `orders` / order mails in", f"{counted['orders']:,} / {m.orders:,}"),
    ]
    return Table(
        f"What the repeat orders earned, read back from the tables ({m.orders:,} orders)",
        ("figure", "count"),
        rows,
        "lr",
    )


def units_table(figures: Figures) -> Table:
    m = figures.m

    def row(name: str, units: Units, stored: int) -> tuple[str, ...]:
        per_order = (units.read, units.write, units.index_write)
        return (name, *(_n(value) for value in per_order), f"{stored / m.orders / 1024:.1f}")

    rows = [
        row(logical, figures.table_units(logical), m.stored.get(logical, 0)) for logical in figures.tables()
    ]
    rows.append(row("**all**", figures.units(), sum(m.stored.values())))
    sample = "; ".join(
        f"{f}{f' ({kind})' if kind else ''} {m.estimated[(f, kind)]:,} of {m.invocations(f, kind):,}"
        for f in FUNCTIONS
        for kind in m.kinds_of(f)
    )
    return Table(
        f"DynamoDB request units per order (estimated from item sizes over the first invocations of each kind: {sample})",
        ("table", "read units", "write units, table", "write units, indexes", "KB stored"),
        rows,
        "lrrrr",
    )


def lambda_table(figures: Figures) -> Table:
    rows = []
    for function in FUNCTIONS:
        kinds = figures.m.kinds_of(function)
        for kind in kinds:
            cold = 0.0 if kind in WARM_KINDS else figures.cold_share[function]
            rows.append((
                function if len(kinds) == 1 else f"{function}: {kind}",
                f"{figures.memory_mb(function):,}",
                _n(figures.invocations(function, kind)),
                figures.ms(function, kind).show(),
                figures.in_calls_ms(function, kind).show(),
                f"{figures.billed_ms(function, kind)}",
                figures.m.init_ms[function].show(",.0f"),
                f"{figures.init_billed_ms(function)}",
                f"{cold:.0%}",
            ))  # fmt: skip
    return Table(
        f"Lambda duration per invocation (arm64; median (min–max) of {figures.m.orders:,} orders' invocations, "
        f"INIT of {figures.m.init_ms[FUNCTIONS[0]].count} fresh interpreters)",
        ("function", "memory MB (template)", "invocations per order", "ms in-process", "of which in AWS calls (moto)",
         "estimated billed ms", "INIT ms here", "estimated INIT billed ms", "cold starts"),
        rows,
        "lrrrrrrrr",
    )  # fmt: skip


def cost_table(figures: Figures) -> Table:
    lines = figures.costs()
    ses, other, ratio = ses_usd(lines), other_usd(lines), figures.ratio()
    verdict = "met" if ratio <= TARGET_RATIO else "missed"
    rows = [
        (
            line.price.service,
            line.what,
            f"{_quantity(line.quantity)} {line.price.unit}",
            line.price.label(),
            _usd(line.usd),
        )
        for line in lines
    ]
    rows += [
        ("**SES**", "", "", "", f"**{_usd(ses)}**"),
        ("**everything else**", "", "", "", f"**{_usd(other)}**"),
        ("**total**", "", "", "", f"**{_usd(ses + other)}**"),
        (
            "SES-only floor",
            f"{PER:,} mails in (one chunk each), {PER * STEPS:,} out",
            "",
            "",
            _usd(sum(line.usd for line in ses_floor())),
        ),
        ("**not SES / SES**", f"target ≤ {TARGET_RATIO:.0%}", "", "", f"**{ratio:.1%}** ({verdict})"),
    ]
    return Table(
        f"AWS cost per {PER:,} orders, Tokyo (ap-northeast-1) list prices",
        ("service", "what", f"per {PER:,} orders", "price", "USD"),
        rows,
        "llrlr",
    )  # fmt: skip


def _quarter_ms(m: Measurement, function: str, *, last: bool) -> float:
    """The median invocation of the run's first or last quarter, in ms (of the function's first
    kind: schedule's new buyers' orders, so that the repeat orders' share, which grows as the run
    goes, does not move it)."""
    seconds = m.seconds_of(function, m.kinds_of(function)[0])
    quarter = max(1, len(seconds) // 4)
    return 1000 * statistics.median(seconds[-quarter:] if last else seconds[:quarter])


def findings(figures: Figures) -> list[str]:
    """What moves the ratio, and the costs outside the per-order total."""
    m = figures.m
    traces = PER * sum(map(figures.invocations, FUNCTIONS))
    xray = prices.XRAY_TRACES.cost(traces)
    never_cold = Figures(m, figures.deployed, dict.fromkeys(FUNCTIONS, 0.0)).ratio()
    always_cold = Figures(m, figures.deployed, dict.fromkeys(FUNCTIONS, 1.0)).ratio()
    dynamo_gb = PER * sum(m.stored.values()) / m.orders / GB
    s3_gb = PER * statistics.fmean(m.mail_sizes) / GB
    units = figures.units()
    index_share = units.index_write / (units.write + units.index_write)
    busiest = max(figures.tables(), key=lambda logical: figures.table_units(logical).index_write)
    busiest_wru = figures.table_units(busiest).index_write
    return [
        f"- Index writes are {index_share:.0%} of DynamoDB's write units; the {busiest} table's indexes "
        f"alone take {busiest_wru:.0f} WRU per order, "
        f"{prices.DYNAMODB_WRITE.cost(PER * busiest_wru) / ses_usd(figures.costs()):.1%} "
        "of the SES cost.",
        f"- Cold starts: with no cold start at all not SES / SES is {never_cold:.1%}; with every invocation "
        f"cold, {always_cold:.1%}.",
        f"- X-Ray, if active tracing records every invocation: {traces:,.0f} traces, {_usd(xray)} per "
        f"{PER:,} orders ({prices.XRAY_TRACES.label()}), not in the total; with it, not SES / SES is "
        f"{figures.ratio(xray):.1%}.",
        f"- Storage, a month while kept (not in the total): DynamoDB {dynamo_gb * 1024:.1f} MB per {PER:,} "
        f"orders, items and index entries with DynamoDB's 100 bytes each "
        f"({_usd(prices.DYNAMODB_STORAGE.cost(dynamo_gb))}); the raw mail in S3 {s3_gb * 1024:.1f} MB "
        f"({_usd(prices.S3_STORAGE.cost(s3_gb))}).",
        "- moto's work in a call can grow with what the tables hold (a query walks the partition, a "
        "transaction backs up the partitions it names, and the tables are keyed by the shop); "
        "`bench/fast_moto.py` takes out what grew with every order. The median invocation of "
        "the run's first and last quarter: "
        + ", ".join(
            f"{f} {_quarter_ms(m, f, last=False):.0f} → {_quarter_ms(m, f, last=True):.0f} ms"
            for f in FUNCTIONS
        )
        + "; the figures above are the whole run's medians.",
        "- Fixed a month, whatever the orders (not in the total): the sweeper's recurring schedule and its "
        "runs, each secret ($0.40), each custom metric ($0.30), log storage, alarms.",
        "- Not charged: DynamoDB Streams read by Lambda, creating, updating and deleting schedules, "
        "S3 event notifications.",
    ]


def prices_table() -> Table:
    return Table(
        "Prices used (USD, ap-northeast-1 list prices, free tiers left out)",
        ("service", "item", "price", "as of", "source"),
        [(p.service, p.item + (f" ({p.note})" if p.note else ""), p.label(), p.as_of, p.source) for p in prices.PRICES],
        "lllll",
    )  # fmt: skip


# --- a sale hour: the measured per-record costs through the deployment's shards and concurrency -------

SALE_ORDERS = 100_000  # order mails in one hour, one shop
SALE_SECONDS = 3_600
#: DynamoDB: one partition takes up to 1,000 write units a second, and a new on-demand table is
#: documented to take up to 4,000 writes a second from the start (so it starts with four partitions
#: or more). How many partitions a table has is not reported; these two figures are the assumption.
PARTITION_WRU_PER_SECOND = 1_000
ON_DEMAND_START_WRU_PER_SECOND = 4_000
#: The account's concurrency for functions without a reserved one (Lambda's default quota).
ACCOUNT_CONCURRENCY = 1_000


def stream_shards(*, keys: int, write_units_per_second: float, on_demand: bool) -> int:
    """How many shards of the orders table's stream a sale's records land on.

    A DynamoDB stream has a shard per partition of its table, and all records of one partition key
    land in the same shard, in order. A partition takes up to ``PARTITION_WRU_PER_SECOND``; an
    on-demand table starts with room for ``ON_DEMAND_START_WRU_PER_SECOND``. So the shards in use
    are the partition keys the orders are spread over, at most the table's partitions. Assumed, not
    measured: AWS documents neither the partition count nor the shard count.
    """
    floor = ON_DEMAND_START_WRU_PER_SECOND if on_demand else 0
    partitions = max(1, math.ceil(max(write_units_per_second, floor) / PARTITION_WRU_PER_SECOND))
    return max(1, min(keys, partitions))


def sale_keys(*, run_orders: int, run_keys: int, sale_orders: int) -> int:
    """The orders-table partition keys a sale's orders are spread over, from the run's (one shop's,
    every order its own buyer): keys far fewer than the orders are keys the orders share (the shop
    id: one; a shop's fixed set of buckets: that many), and stay as many in the sale; about one a
    order (the order, the buyer) grow with the orders."""
    if run_keys < run_orders / 2:
        return max(1, run_keys)
    return max(1, round(run_keys / run_orders * sale_orders))


@dataclass(frozen=True)
class SaleHour:
    """What one sale hour takes, from the per-record costs and the deployment's limits."""

    orders: int
    records: int  # stream records for schedule
    keys: int
    shards: int
    lanes: int  # schedule invocations that can run at once
    record_s: float  # schedule's time per stream record
    schedule_s: float  # from the first order to the last one scheduled
    last_wait_s: float  # the last order's wait in the stream
    expired: bool  # the wait passed the event source's maximum record age: records given up
    mails: int
    wake_up_s: float  # send's time per wake-up
    send_concurrency: int
    send_per_s: float  # mails a second send can keep up, within SES's rate and send's concurrency
    send_limit: str  # which of the two it is
    ingest_environments: float  # ingest invocations in flight on average


def sale_hour(
    *,
    orders: int,
    records_per_order: float,
    keys: int,
    orders_wru_per_order: float,
    record_s: float,
    wake_ups_per_order: float,
    wake_up_s: float,
    ingest_s: float,
    deployed: Deployment,
) -> SaleHour:
    """``orders`` arriving evenly over an hour, through schedule's lanes and send's concurrency.

    Schedule: the stream's records spread over ``stream_shards`` shards; Lambda reads each shard
    with up to the event source's parallelization factor of batches at once, keeping one partition
    key's records in order (so no more lanes than keys). Each lane works through its records at
    ``record_s`` each; when the lanes are slower than the orders come, the backlog grows all hour
    and the last order waits until the lanes have done all the work. Send: each wake-up takes
    ``wake_up_s``; send's reserved concurrency bounds the mails a second to concurrency / that,
    and SES's ``send_rate`` bounds it too; every mail of a step due at once goes out at the lower.
    """
    stream = deployed.orders_stream
    records = math.ceil(orders * records_per_order)
    wru_per_second = orders * orders_wru_per_order / SALE_SECONDS
    shards = stream_shards(
        keys=keys,
        write_units_per_second=wru_per_second,
        on_demand=deployed.orders_billing == "PAY_PER_REQUEST",
    )
    lanes = max(1, min(keys, shards * stream.parallelization_factor))
    schedule_s = max(SALE_SECONDS, records * record_s / lanes)
    last_wait_s = schedule_s - SALE_SECONDS + record_s
    expired = stream.max_record_age_s is not None and last_wait_s > stream.max_record_age_s
    send = deployed.function("send")
    concurrency = send.reserved_concurrency if send.reserved_concurrency is not None else ACCOUNT_CONCURRENCY
    by_concurrency = concurrency / wake_up_s
    send_per_s = min(float(deployed.send_rate), by_concurrency)
    limit = "SES send_rate" if deployed.send_rate <= by_concurrency else "send's reserved concurrency"
    return SaleHour(
        orders=orders, records=records, keys=keys, shards=shards, lanes=lanes, record_s=record_s,
        schedule_s=schedule_s, last_wait_s=last_wait_s, expired=expired,
        mails=math.ceil(orders * wake_ups_per_order), wake_up_s=wake_up_s, send_concurrency=concurrency,
        send_per_s=send_per_s, send_limit=limit, ingest_environments=orders / SALE_SECONDS * ingest_s,
    )  # fmt: skip


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:,.1f} s"
    if seconds < 2 * 3600:
        return f"{seconds / 60:,.0f} min"
    return f"{seconds / 3600:,.1f} h"


def sale_figures(figures: Figures, *, in_process: bool) -> SaleHour:
    """The sale hour from this run: billed-duration estimates, or (``in_process``) the time here."""
    m = figures.m
    schedule_factor = 1.0 if in_process else figures.factor("schedule")
    send_factor = 1.0 if in_process else figures.factor("send")
    ingest_factor = 1.0 if in_process else figures.factor("ingest")
    records_per_invocation = m.stream_records / m.invocations("schedule")
    return sale_hour(
        orders=SALE_ORDERS,
        records_per_order=m.stream_records / m.orders,
        keys=sale_keys(run_orders=m.orders, run_keys=m.partition_keys, sale_orders=SALE_ORDERS),
        orders_wru_per_order=figures.table_units("orders").write,
        record_s=figures.typical_ms("schedule") * schedule_factor / 1000 / records_per_invocation,
        wake_ups_per_order=figures.invocations("send"),
        wake_up_s=figures.typical_ms("send") * send_factor / 1000,
        ingest_s=figures.typical_ms("ingest") * ingest_factor / 1000,
        deployed=figures.deployed,
    )


def sale_table(figures: Figures) -> Table:
    billed, here = sale_figures(figures, in_process=False), sale_figures(figures, in_process=True)
    stream, deployed = figures.deployed.orders_stream, figures.deployed
    sale_cold = {
        "ingest": max(1.0, billed.ingest_environments) / billed.orders,
        "schedule": billed.lanes / billed.records,
        "send": billed.send_concurrency / billed.mails,
    }
    sale = Figures(figures.m, deployed, sale_cold)
    lines = sale.costs()
    calls = (
        sum(n for (phase, _, _), n in figures.m.calls.items() if not phase.endswith(" init"))
        / figures.m.orders
    )
    age = f"{stream.max_record_age_s:,} s" if stream.max_record_age_s is not None else "none (24 h)"

    def both(value: Callable[[SaleHour], str]) -> tuple[str, str]:
        return value(billed), value(here)

    rows = [
        ("orders in the hour", *both(lambda s: f"{s.orders:,}"), "assumed: one shop's sale"),
        ("stream records for schedule", *both(lambda s: f"{s.records:,}"), "records per order in the run"),
        ("orders-table partition keys they fall on", *both(lambda s: f"{s.keys:,}"),
         f"`{deployed.orders_partition_key}` of the run's orders: {figures.m.partition_keys:,} for {figures.m.orders:,}"),
        ("stream shards in use", *both(lambda s: f"{s.shards:,}"), "`stream_shards()`: keys, at most the partitions"),
        ("schedule invocations at once", *both(lambda s: f"{s.lanes:,}"),
         f"shards × parallelization factor {stream.parallelization_factor} (template), at most the keys"),
        ("schedule, per stream record", *both(lambda s: f"{s.record_s * 1000:,.1f} ms"),
         "each kind's median invocation, weighted by its count, ÷ the records"),
        ("**time to schedule every order**", *both(lambda s: f"**{_duration(s.schedule_s)}**"),
         "from the first order; the hour itself at least"),
        ("the last order waits in the stream", *both(lambda s: _duration(s.last_wait_s)),
         f"max record age {age} (template)"),
        ("records too old, given up to the failure queue", *both(lambda s: "yes" if s.expired else "no"), ""),
        ("mails (wake-ups)", *both(lambda s: f"{s.mails:,}"), f"{STEPS}-step scenario"),
        ("send, per wake-up", *both(lambda s: f"{s.wake_up_s * 1000:,.1f} ms"), "median invocation"),
        ("send's concurrency", *both(lambda s: f"{s.send_concurrency:,}"), "reserved concurrency (template)"),
        ("mails a second", *both(lambda s: f"{s.send_per_s:,.1f} ({s.send_limit})"),
         f"send_rate {deployed.send_rate}/s (cdk.json), concurrency ÷ per wake-up"),
        ("**time to send one step's mails due at once**", *both(lambda s: f"**{_duration(s.orders / s.send_per_s)}**"),
         "e.g. every thank-you mail on one shipping day"),
        ("time to send every mail of the sale", *both(lambda s: _duration(s.mails / s.send_per_s)),
         "in reality spread over the steps' days"),
        ("ingest invocations in flight", *both(lambda s: f"{s.ingest_environments:,.1f}"),
         "arrival rate × median ingest; no reserved concurrency"),
        ("AWS calls per order", f"{calls:,.0f}", f"{calls:,.0f}", "the run's handlers, every service"),
        ("cost per order (USD)", f"${(ses_usd(lines) + other_usd(lines)) / PER:.5f}", "",
         f"the cost table with the sale's cold starts (one per lane); not SES / SES {sale.ratio():.1%}"),
    ]  # fmt: skip
    return Table(
        f"A sale hour: {SALE_ORDERS:,} orders in one hour through the deployment's stream and concurrency",
        ("figure", "at the estimated billed durations", "at the in-process times here", "from"),
        rows,
        "lrrl",
    )


def deployment_table(deployed: Deployment) -> Table:
    rows = [
        (entry, f"{config.memory_mb:,} MB", f"{config.timeout_s} s",
         "—" if config.reserved_concurrency is None else f"{config.reserved_concurrency}")
        for entry, config in sorted(deployed.functions.items())
    ]  # fmt: skip
    stream = deployed.orders_stream
    age = "—" if stream.max_record_age_s is None else f"{stream.max_record_age_s:,} s"
    rows += [
        (f"orders stream → {stream.function}", f"batch size {stream.batch_size}",
         f"parallelization factor {stream.parallelization_factor}", f"max record age {age}"),
        ("orders table", f"partition key `{deployed.orders_partition_key}`", deployed.orders_billing, ""),
        ("SES", f"send_rate {deployed.send_rate}/s", "", ""),
    ]  # fmt: skip
    return Table(
        f"The deployment as the bench reads it ({deployed.source})",
        ("function or resource", "memory / setting", "timeout / setting", "reserved concurrency / setting"),
        rows,
        "llll",
    )


def check_table(m: Measurement) -> Table:
    check = m.check
    others = ", ".join(
        f"{status} {count}" for status, count in sorted(check.statuses.items()) if status != "sent"
    )
    rows = [
        ("order mails in", f"{check.orders:,}"),
        ("orders with planned mails (deliveries table)", f"{check.orders_planned:,}"),
        ("mails planned", f"{check.planned:,}"),
        ("mails marked sent, with an SES message id", f"{check.sent:,}"),
        ("messages in SES's outbox (moto)", f"{check.ses_messages:,}"),
        ("**lost** (planned mails not sent, orders short of a step)", f"**{check.lost:,}**"),
        ("stopped: a repeat buyer's earlier coupon, ended `reordered` (issue #16)", f"{check.stopped:,}"),
        ("**duplicated** (a step planned twice, a message beyond one per mail)", f"**{check.duplicated:,}**"),
        ("sent to someone other than the buyer", f"{check.wrong_recipient:,}"),
        ("deliveries in another status", others or "none"),
        ("the run's wall time (the bench's own work included)", _duration(m.wall_seconds)),
        ("the run's CPU time in this process", _duration(m.cpu_seconds)),
    ]
    return Table(
        f"Every order's mails, each sent exactly once ({check.orders:,} orders through ingest → schedule → send)",
        ("figure", "count"),
        rows,
        "lr",
    )


METHOD = (
    "How measured: `bench/pipeline.py` builds the stack in an in-process moto (tables from "
    "`infra.tables`, bucket, schedule group, SES identity, unsubscribe secret, the みかん山房 shop with "
    "its {steps}-step scenario) and drives {orders:,} order mails through the real handlers, with the "
    "dependencies `okaeri.wiring` builds and behind the handlers' logger and metrics decorators. "
    "The orders come one every {spacing:.0f} minutes from {first_order} (Tokyo) to {last_order}, in the "
    "fixture Yahoo!ショッピング (ISO-2022-JP) or EC-CUBE (HTML) mail (a buyer's orders all in the same "
    "one), each with its own order number, buyer and order time written into the raw bytes. In time "
    "order: every schedule due before an order mail arrives hands its input, at its time, to send, which "
    "sends through SES (ordinary addresses, no relay); then the mail is put into S3 and its event handed "
    "to ingest, and the orders table's stream records to schedule (one invocation per mail, a small "
    "shop's pace; a credit written on the order is a record of its own, handed over in the next "
    "invocation); after the last order the mails left go out, up to {send_until}. Every "
    "{repeat_every}th order is a repeat order when an earlier buyer fits (`Buyers`): see the next section. "
    "A botocore `before-call` hook on the default boto3 session, from which the cached clients of "
    "`okaeri.aws.clients` are built, counts each call made while a handler runs, or while a "
    "function's dependencies are built (the *per cold start* column); the bench's own calls go "
    "through another session (or straight to moto's models) and are not counted. moto runs with the "
    "four shortcuts of `bench/fast_moto.py` (a transaction's backup, a table query's walk, a table's "
    "items in key order, an `AttributeValue`'s serialization), which change how long moto takes, never "
    "what it answers.",
    "",
    "The functions' memory sizes, timeouts and reserved concurrency, the orders stream's event source "
    "(batch size, parallelization factor, maximum record age), the orders table's partition key and "
    "the SES send rate are read from the CDK app, synthesized offline with cdk.json's context "
    "(`bench/deployment.py`), never typed in the bench; each function's cost is at its own size.",
    "",
    "DynamoDB request units are estimated, not reported (`ReturnConsumedCapacity` would mean "
    "changing the adapters): around each call the bench reads the items involved through its own "
    "session and applies DynamoDB's sizing rules. A read is the item's size in 4 KB units (a query: "
    "the sum of the items it reads), halved when eventually consistent; a write is the larger of the "
    "item before and after in 1 KB units, doubled in a transaction and charged even when its "
    "condition fails, plus one write per global secondary index entry written and one per entry "
    "deleted (every index projects ALL, so an entry is as large as its item). Those look-ups double "
    "moto's work, so they are made for the first {unit_sample} invocations of each function, and the "
    "units per invocation are scaled to all of them.",
    "",
    "Lambda duration is estimated from the measured in-process handler time (the median per "
    "invocation, without the bench's own look-ups; min and max beside it), which includes moto's work "
    "inside each AWS call in place of the network wait. It is multiplied by {one_vcpu:,} MB / the "
    "function's memory size (a function gets that share of a vCPU; never less than 1), which counts "
    "moto's work and the waits as CPU and so overstates the duration. INIT (billed since 2025-08-01) "
    "is the median wall time, with min and max, of {runs} fresh `python -I -S -B` interpreters loading "
    "the function as Lambda does with `tests/infra/cold_start_probe.py` (its synthesized code, the "
    "host layer `build/layer-host`, the standard library; the handler imported and its dependencies "
    "built with the AWS clients stubbed), the interpreter's own start included (a bare one: "
    "{bare}), times the same factor. The cold-start shares assume a small shop: order mails come minutes "
    "apart, so ingest and schedule start cold {cold_ingest:.0%} of the time, while a step's mails go "
    "out within one time window and send starts cold {cold_send:.0%} of the time. Logs are the bytes "
    "the handlers logged and their metrics (EMF) wrote, plus {platform} bytes of Lambda's "
    "START/END/REPORT lines per invocation and {platform_init} per INIT.",
    "",
    "Prices are the list prices published for ap-northeast-1 on the pages below, as known on the "
    "date given: they could not be fetched live where the bench runs, so check them before quoting.",
    "",
)

CHECK_NOTES = (
    "The same run as the cost: each order's deliveries read from the deliveries table, each sent "
    "delivery's SES message id found once in moto's outbox, addressed to the delivery's buyer. Issue #14 "
    "asks for 2,000 orders or more; the run makes `ORDER_COUNT` ({orders:,}; "
    "`OKAERI_BENCH_PIPELINE_ORDERS` sets another count). moto as shipped made each order cost more than "
    "the one before: a `TransactWriteItems` deep-copied every table it named (every item, every stream "
    "record) in case it had to roll back, and a query read the whole table to find its partition and "
    "sorted that partition again, so 200 orders took 12 minutes on the busy 2-core machine this was "
    "written on and 2,000 would have taken hours; with issue #15 a prefix query walked the shop's whole "
    "config partition (coupon codes, count markers) and an index query (a repeat buyer's "
    "`by_customer`) sorted the whole deliveries table. `bench/fast_moto.py` changes those, and how an "
    "`AttributeValue` is serialized, for the run only, without changing an answer "
    "(`tests/integration/bench/test_fast_moto.py` compares every answer, table and stream with moto's "
    "own); every AWS call is still made and counted. The findings above give the first and last "
    "quarter's medians, which should no longer grow.",
    "",
)

SALE_NOTES = (
    "`sale_hour()` in `bench/pipeline.py` is the model: {sale_orders:,} orders come evenly over one hour; "
    "schedule's time per stream record and send's per wake-up are this run's medians (left: times "
    "the CPU factor of each function's memory size, as billed; right: as measured here, the "
    "optimistic bound). The stream has a shard per partition of the orders table and keeps one "
    "partition key's records in one shard, in order (`stream_shards()`): the run's orders, one shop's, "
    "fall on {keys:,} partition key(s) of `{partition_key}`, so a sale's orders fall on the keys "
    "`sale_keys()` derives from that (keys far fewer than the orders are shared and stay as many; about "
    "one an order grow with the orders), at most the partitions DynamoDB gives the table's write rate (1,000 WRU/s each, "
    "and room for 4,000 WRU/s from the start for an on-demand table: an assumption, AWS reports "
    "neither). Schedule runs shards × the parallelization factor batches at once, never more than the "
    "keys. Send goes at SES's `send_rate` or at its reserved concurrency ÷ the time per wake-up, "
    "whichever is lower. The cost per order is the cost table's with one cold start per lane. When the "
    "partition key, the parallelization factor, the concurrency or the send rate change in `infra/`, "
    "this section follows.",
    "",
)


ATTRIBUTION_NOTES = (
    "How measured: the run of the previous section is the one with repeat buyers. Every {repeat_every}th "
    "order is placed by an earlier buyer, if one fits, whose latest mail went out at least {gap:.0f} hour "
    "and at most the shop's attribution window ({attribution_days} days) less {gap:.0f} hour before it: "
    "the latest mail of the step whose turn it is (thanks, like, love in turn), else of any step; a "
    "buyer orders again at most once, in the same mall's mail (`Buyers` in `bench/pipeline.py`). The "
    "first such orders can only follow a thanks mail, the like and love mails going out two and three "
    "weeks after an order. {repeat_orders:,} of the {orders:,} orders ({repeat_share:.0%}) were repeat "
    "orders, each to be credited to that very mail: the table above reads the orders, the deliveries "
    "and the daily counters back. Every one of them is credited, the most work attribution does for a "
    "repeat order; one placed outside the window costs the `by_customer` query and the repeat count, "
    "not the credit's writes. A first order reads nothing more (`may_have_earlier_mail`).",
    "",
    "The baseline is the same orders (times, mails, every order by a new buyer), measured in the same "
    "bench run on the first {baseline_orders:,} of them ({baseline_minutes:.1f} min; "
    "`OKAERI_BENCH_PIPELINE_BASELINE_ORDERS` sets another count): a new buyer's order makes the same "
    "calls whatever the run's length, but for send's configuration reads, which depend on how many mails "
    "fall due in the same minute (the config cache keeps a reading a minute) and so on the run's "
    "length: send's rows in the first table come from that, not from attribution, and so do most of the "
    "differences in read units (estimated on each run's first {unit_sample} invocations of each kind) and "
    "in cost. *Added per repeat "
    "order* is the added calls per order ÷ the share of repeat orders, for the handlers whose work can "
    "depend on the buyer (ingest, schedule). Each call is named by the "
    "`okaeri.aws` adapter method that made it (the innermost public one on the stack under the call).",
    "",
    "Before issue #15, `make bench` at 1ff4d4c (docs/benchmarks.md at f519dd2) measured 34.02 calls per "
    "order and not SES / SES 25.8% (missed). Those 2,000 orders all came at two instants, so the config "
    "cache answered nearly every configuration read. Here they come half an hour apart, as the "
    "cold-start shares assume, and each ingest and schedule invocation reads the shop's settings, "
    "scenarios and masks again (GetItem and Query on the config table); with the run counter issue #15 "
    "added to every order (`DynamoConfig.count_once` in schedule) that makes the baseline's calls per "
    "order higher than the 34.02 of before, with no repeat buyer at all.",
    "",
)


@dataclass(frozen=True)
class Report:
    deployment: Table  # printed and written
    tables: list[Table]  # printed and written
    findings: list[str]  # printed and written
    check: Table  # printed and written
    check_notes: list[str]  # written
    sale: Table  # printed and written
    sale_notes: list[str]  # written
    method: list[str]  # written
    prices: Table  # written
    attribution: list[Table]  # printed and written: the baseline against the run with repeat buyers
    attribution_notes: list[str]  # written
    earned: Table  # printed and written


def _status_and_reason(item: dict[str, Any]) -> str:
    status, reason = item["status"]["S"], item.get("reason", {}).get("S")
    return f"{status} ({reason})" if reason and status != "sent" else status


def run(order_count: int = ORDER_COUNT) -> Report:
    deployed = deployment()
    memory = {function: deployed.function(function).memory_mb for function in FUNCTIONS}
    baseline = measure(min(BASELINE_ORDERS, order_count), memory, repeat_buyers=False)
    measurement = measure(order_count, memory)
    init = measure_init()
    bare = init.pop("bare")
    measurement.init_ms.update(init)
    baseline.init_ms.update(init)
    figures = Figures(measurement, deployed)
    base = Figures(baseline, deployed)
    values = {
        "orders": measurement.orders, "steps": STEPS, "one_vcpu": ONE_VCPU_MB, "runs": INIT_RUNS,
        "bare": f"{bare.show(',.0f')} ms", "unit_sample": UNIT_SAMPLE,
        "cold_ingest": COLD_SHARE["ingest"], "cold_send": COLD_SHARE["send"],
        "platform": PLATFORM_LOG_BYTES, "platform_init": PLATFORM_INIT_LOG_BYTES,
        "keys": measurement.partition_keys, "partition_key": deployed.orders_partition_key,
        "sale_orders": SALE_ORDERS, "baseline_orders": baseline.orders,
        "first_order": f"{FIRST_ORDER:%Y-%m-%d %H:%M}", "spacing": ORDER_SPACING.total_seconds() / 60,
        "last_order": f"{order_time(order_count - 1):%Y-%m-%d}", "repeat_every": REPEAT_EVERY,
        "repeat_orders": measurement.attribution.repeat_orders,
        "repeat_share": measurement.attribution.repeat_orders / measurement.orders,
        "gap": REPEAT_GAP.total_seconds() / 3600, "baseline_minutes": baseline.wall_seconds / 60,
        "send_until": f"{SEND_UNTIL:%Y-%m-%d}", "minutes": measurement.wall_seconds / 60,
        "attribution_days": measurement.attribution_days,
    }  # fmt: skip
    return Report(
        deployment=deployment_table(deployed),
        tables=[calls_table(figures), units_table(figures), lambda_table(figures), cost_table(figures)],
        findings=findings(figures),
        check=check_table(measurement),
        check_notes=[line.format(**values) for line in CHECK_NOTES],
        sale=sale_table(figures),
        sale_notes=[line.format(**values) for line in SALE_NOTES],
        method=[line.format(**values) for line in METHOD],
        prices=prices_table(),
        attribution=[attribution_calls_table(base, figures), attribution_cost_table(base, figures)],
        attribution_notes=[line.format(**values) for line in ATTRIBUTION_NOTES],
        earned=earned_table(measurement),
    )


def document(report: Report) -> list[str]:
    """The pipeline's sections of docs/benchmarks.md."""
    return [
        "## Pipeline: AWS calls and cost per order",
        "",
        *markdown(report.deployment),
        *(line for table in report.tables for line in markdown(table)),
        *report.findings,
        "",
        *report.method,
        *markdown(report.prices),
        "## Pipeline: what attribution adds (issue #15)",
        "",
        *(line for table in report.attribution for line in markdown(table)),
        *markdown(report.earned),
        *report.attribution_notes,
        "## Pipeline: every mail sent exactly once",
        "",
        *markdown(report.check),
        *report.check_notes,
        "## A sale hour",
        "",
        *markdown(report.sale),
        *report.sale_notes,
    ]


def show(report: Report) -> None:
    """Print what ``run`` measured."""
    print_table(report.deployment)
    for table in report.tables:
        print_table(table)
    print("", *report.findings, sep="\n")
    for table in report.attribution:
        print_table(table)
    print_table(report.earned)
    print_table(report.check)
    print_table(report.sale)


if __name__ == "__main__":
    show(run())
