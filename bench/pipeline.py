"""AWS calls and cost per order: orders driven through the real handlers in moto, counted at the SDK.

``measure()`` builds a small Okaeri in an in-process moto (tables from ``infra.tables``, the raw
mail bucket, the schedule group, an SES identity, the unsubscribe secret, the みかん山房 shop with
its three-step scenario) and drives ``ORDER_COUNT`` order mails through it the way AWS would:
each mail is put into S3 and its event handed to the ingest handler; the orders table's stream
records to the schedule handler; each one-off schedule's input, at its time, to the send
handler, which sends through SES. The mails are the project's Yahoo!ショッピング and EC-CUBE
fixture mails, each with its own order number and buyer written into the raw bytes.

The handlers get their dependencies from ``okaeri.aws.wiring`` exactly as in Lambda, and run
behind the same Powertools logger and metrics decorators (tracing is off outside Lambda).
A botocore hook on the default boto3 session, from which the cached clients of
``okaeri.aws.clients`` are built, counts every call those clients make while a handler runs or
while a function's dependencies are built (what a cold start does). The bench's own calls
(setup, the uploads that stand in for SES, schedule bookkeeping, the look-ups behind the
capacity estimate) use a separate boto3 session and are never counted.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import math
import os
import statistics
import time
import warnings
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from bench import prices
from bench.domain import import_ms
from bench.prices import REGION

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

ORDER_COUNT = 50
STEPS = 3  # the scenario's mails per order: thanks, like, love
ACCOUNT = "123456789012"  # moto's default account
SHOP_ID = "mikan-sanbo"
BUCKET = "okaeri-raw-mail"
GROUP = "okaeri"
FUNCTIONS = ("ingest", "schedule", "send")

LAMBDA_MEMORY_MB = 256  # arm64, as configured for every function
ONE_VCPU_MB = 1769  # Lambda gives a function one vCPU's worth of CPU at 1,769 MB, pro rata below
CPU_SLOWDOWN = ONE_VCPU_MB / LAMBDA_MEMORY_MB
#: Share of invocations that start a new execution environment. A small shop's order mails come
#: minutes apart, so ingest and schedule (which the same mail triggers) are cold most of the
#: time; a step's mails are sent inside one time window, so send mostly finds a warm function.
COLD_SHARE = {"ingest": 0.8, "schedule": 0.8, "send": 0.2}
#: Lambda's own START, END and REPORT lines per invocation (bytes, assumed) and INIT_START per cold start.
PLATFORM_LOG_BYTES = 330
PLATFORM_INIT_LOG_BYTES = 110
#: What each function's cold start builds besides its imports (the clients its wiring creates).
COLD_START = {
    "ingest": "import functions.ingest.handler; "
    "from okaeri.aws.clients import dynamodb_client, s3_client; dynamodb_client(); s3_client()",
    "schedule": "import functions.schedule.handler; "
    "from okaeri.aws.clients import dynamodb_client, scheduler_client; dynamodb_client(); scheduler_client()",
    "send": "import functions.send.handler; "
    "from okaeri.aws.clients import dynamodb_client, scheduler_client, secrets_client, sesv2_client; "
    "dynamodb_client(); scheduler_client(); secrets_client(); sesv2_client(retries_off=True)",
}
COLD_START_RUNS = 5
TOKYO = ZoneInfo("Asia/Tokyo")
SEND_UNTIL = datetime(2027, 3, 1, tzinfo=TOKYO)


# --- the order mails ------------------------------------------------------------------------------


@dataclass(frozen=True)
class MailSample:
    """A fixture mail, and the edits that make its n-th copy another order from another buyer."""

    name: str
    arrives: datetime  # when the mail reaches SES (the clock during its ingest)
    edits: tuple[tuple[bytes, str], ...]  # (bytes in the fixture, replacement format with {n})

    def raw(self, n: int) -> bytes:
        raw = (MAILS / f"{self.name}.eml").read_bytes()
        for old, new in self.edits:
            if raw.count(old) != 1:
                raise RuntimeError(f"{self.name}.eml: expected {old!r} exactly once")
            raw = raw.replace(old, new.format(n=n).encode("ascii"))
        return raw


SAMPLES = (
    MailSample(
        "yahoo-iso2022-company",
        datetime(2026, 12, 2, 14, 5, tzinfo=TOKYO),
        ((b"midori-cha-10000077", "midori-cha-2{n:07d}"), (b"ichiro@hikari", "ichiro.{n:04d}@hikari")),
    ),
    MailSample(
        "eccube-html-gift",
        datetime(2026, 12, 4, 12, 36, tzinfo=TOKYO),
        ((b"=9A2077<", "=9A{n:05d}<"), (b".nakajima@example.net<", ".nakajima.{n:04d}@example.net<")),
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
        self.by_table: dict[str, Units] = defaultdict(Units)

    def logical(self, table: str) -> str:
        return self._tables[table].logical_name

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


@dataclass
class Meter:
    """botocore hooks: calls, time inside calls and request units, by the function running now.

    ``overhead`` is the time the capacity look-ups took, taken off the invocations' durations.
    """

    capacity: CapacityEstimator
    phase: str | None = None  # "ingest", "send", "send init" …; None: not counted
    calls: Counter[tuple[str, str, str]] = field(default_factory=Counter)  # (phase, service, operation)
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
        if service == "dynamodb":
            with self._aside():
                context["bench_snapshot"] = self.capacity.before(operation, context["bench_params"])
        context["bench_started"] = time.perf_counter()

    def _after_call(self, model: Any, parsed: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        if self.phase is None or "bench_started" not in context:
            return
        self.seconds_in_calls[self.phase] += time.perf_counter() - context["bench_started"]
        if model.service_model.service_name == "dynamodb":
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
    def counting(self, phase: str) -> Iterator[None]:
        self.phase = phase
        try:
            yield
        finally:
            self.phase = None


# --- Lambda, as far as the bill sees it -------------------------------------------------------------


class _ByteCount(io.TextIOBase):
    """A text stream that only counts the UTF-8 bytes written to it (log lines, EMF metrics)."""

    def __init__(self) -> None:
        self.bytes = 0

    def write(self, text: str) -> int:
        self.bytes += len(text.encode("utf-8"))
        return len(text)


def _context(function: str, request: int) -> LambdaContext:
    from aws_lambda_powertools.utilities.typing import LambdaContext

    context = LambdaContext()
    context._function_name = f"okaeri-{function}"
    context._function_version = "$LATEST"
    context._invoked_function_arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:okaeri-{function}"
    context._memory_limit_in_mb = LAMBDA_MEMORY_MB
    context._aws_request_id = f"00000000-0000-4000-8000-{request:012d}"
    context._log_group_name = f"/aws/lambda/okaeri-{function}"
    context._log_stream_name = "2026/12/01/[$LATEST]bench"
    return context


@dataclass
class Functions:
    """Invokes a handler's ``handle`` behind the real handlers' logger and metrics decorators,
    timing each invocation and counting the bytes it logs."""

    meter: Meter
    seconds: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    log_bytes: Counter[str] = field(default_factory=Counter)

    def invoke(self, function: str, body: Callable[[dict[str, Any]], Any], event: dict[str, Any]) -> Any:
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
            with self.meter.counting(function), contextlib.redirect_stdout(sink):
                started, overhead = time.perf_counter(), self.meter.overhead
                result = handler(event, _context(function, len(self.seconds[function])))
                elapsed = time.perf_counter() - started - (self.meter.overhead - overhead)
                self.seconds[function].append(elapsed)
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
    stream_seen: int = 0


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


def _load_shop(config_table: str, codes: int) -> None:
    from okaeri.aws.config import DynamoConfig, DynamoCoupons
    from okaeri.models import Scenario, Shop, Template, load_document

    config = DynamoConfig(config_table)
    config.put_shop(load_document(Shop, CONFIG / "shop.yaml"))
    config.save_scenario(SHOP_ID, load_document(Scenario, CONFIG / "scenario-thanks-like-love.yaml"))
    for path in sorted(CONFIG.glob("template-*.yaml")):
        config.save_template(SHOP_ID, load_document(Template, path))
    DynamoCoupons(config_table).load_pool(SHOP_ID, "MIKAN5", [f"MIKAN5-BENCH-{n:04d}" for n in range(codes)])


def build_stack(meter: Meter, session: boto3.Session, tables: dict[str, str]) -> Stack:
    """Resources, the shop, and each function's dependencies (built as a cold start builds them)."""
    from okaeri.aws.wiring import build_ingest_deps, build_schedule_deps, build_send_deps
    from okaeri.settings import IngestSettings, ScheduleSettings, SendSettings

    environ = _environment(session, tables)
    clock = MovableClock(SAMPLES[0].arrives)
    with meter.counting("ingest init"):
        ingest = build_ingest_deps(IngestSettings.model_validate(environ), clock)
    with meter.counting("schedule init"):
        schedule = build_schedule_deps(ScheduleSettings.model_validate(environ), clock)
    with meter.counting("send init"):
        send = build_send_deps(SendSettings.model_validate(environ), clock)
    _load_shop(tables["config"], codes=ORDER_COUNT * STEPS)
    orders = session.client("dynamodb").describe_table(TableName=tables["orders"])["Table"]
    return Stack(session, clock, ingest, schedule, send, tables, stream_arn=orders["LatestStreamArn"])


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
    return [
        {**json.loads(json.dumps(record.to_json(), default=str)), "eventSourceARN": stack.stream_arn}
        for record in fresh
    ]


def ingest_all(stack: Stack, functions: Functions) -> list[int]:
    """Each mail: stored by "SES", its S3 event to ingest, then its stream records to schedule."""
    from functions.ingest.handler import handle as ingest
    from functions.schedule.handler import handle as schedule

    s3 = stack.session.client("s3")
    sizes = []
    for n in range(ORDER_COUNT):
        sample = SAMPLES[n % len(SAMPLES)]
        raw, key = sample.raw(n), f"inbound/{SHOP_ID}/bench-{n:04d}"
        sizes.append(len(raw))
        s3.put_object(Bucket=BUCKET, Key=key, Body=raw)
        stack.clock.moment = sample.arrives
        [result] = functions.invoke(
            "ingest", lambda event: ingest(event, stack.ingest), s3_event(key, sample.arrives, len(raw))
        )["results"]
        if result["result"] != "parsed":
            raise RuntimeError(f"mail {n} was not ingested as a new order: {result}")
        records = stream_records(stack)
        if records:
            answer = functions.invoke(
                "schedule", lambda event: schedule(event, stack.schedule), {"Records": records}
            )
            if answer["batchItemFailures"]:
                raise RuntimeError(f"schedule failed records: {answer}")
    return sizes


def _due_schedules(stack: Stack) -> list[tuple[datetime, str, dict[str, Any]]]:
    client = stack.session.client("scheduler")
    due = []
    for page in client.get_paginator("list_schedules").paginate(GroupName=GROUP):
        for summary in page["Schedules"]:
            schedule = client.get_schedule(Name=summary["Name"], GroupName=GROUP)
            expression = schedule["ScheduleExpression"]
            zone = ZoneInfo(schedule["ScheduleExpressionTimezone"])
            at = datetime.fromisoformat(expression.removeprefix("at(").removesuffix(")")).replace(tzinfo=zone)
            if at <= SEND_UNTIL:
                due.append((at, summary["Name"], json.loads(schedule["Target"]["Input"])))
    return sorted(due, key=lambda entry: (entry[0], entry[1]))


def fire_all(stack: Stack, functions: Functions) -> Counter[str]:
    """Every schedule at its time, in time order, as EventBridge Scheduler would (then deleted)."""
    from functions.send.handler import handle_wake_up

    client = stack.session.client("scheduler")
    outcomes: Counter[str] = Counter()
    for _ in range(10):  # a send may move a wake-up: go round again until none is left
        due = _due_schedules(stack)
        if not due:
            return outcomes
        for at, name, payload in due:
            stack.clock.moment = max(stack.clock.moment, at)
            outcome = functions.invoke("send", lambda event: handle_wake_up(event, stack.send), payload)
            outcomes[outcome["status"]] += 1
            client.delete_schedule(Name=name, GroupName=GROUP)  # ActionAfterCompletion=DELETE
    raise RuntimeError("schedules kept coming back")


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


@dataclass
class Measurement:
    orders: int
    mail_sizes: list[int]
    calls: Counter[tuple[str, str, str]]
    units: dict[str, Units]
    seconds: dict[str, list[float]]
    seconds_in_calls: Counter[str]
    log_bytes: Counter[str]
    stored: dict[str, int]
    init_ms: dict[str, float] = field(default_factory=dict)

    def invocations(self, function: str) -> int:
        return len(self.seconds[function])


def measure() -> Measurement:
    import boto3
    from moto import mock_aws
    from moto.ses.models import ses_backends

    from infra.tables import TABLES
    from okaeri.aws.clients import reset_clients

    with fake_aws_environment(), mock_aws(), warnings.catch_warnings():
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
            stack = build_stack(meter, session, tables)
            functions = Functions(meter)
            sizes = ingest_all(stack, functions)
            outcomes = fire_all(stack, functions)
            sent = len(ses_backends[ACCOUNT][REGION].sent_messages)
            if outcomes != Counter({"sent": ORDER_COUNT * STEPS}) or sent != ORDER_COUNT * STEPS:
                raise RuntimeError(
                    f"expected {ORDER_COUNT * STEPS} mails sent through SES: {outcomes}, {sent}"
                )
            return Measurement(
                orders=ORDER_COUNT,
                mail_sizes=sizes,
                calls=meter.calls,
                units=dict(meter.capacity.by_table),
                seconds=dict(functions.seconds),
                seconds_in_calls=meter.seconds_in_calls,
                log_bytes=functions.log_bytes,
                stored=stored_bytes(stack),
            )
        finally:
            reset_clients()
            boto3.DEFAULT_SESSION = previous_session


def measure_cold_starts(measurement: Measurement) -> None:
    """Each function's INIT on this machine: a fresh interpreter importing the handler and building
    its clients, minus a bare interpreter (median of a few runs)."""
    with fake_aws_environment():
        for function, statement in COLD_START.items():
            measurement.init_ms[function] = import_ms(statement, runs=COLD_START_RUNS)


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
class Table:
    title: str
    header: tuple[str, ...]
    rows: Sequence[tuple[str, ...]]
    align: str  # one letter a column: l (text) or r (figures)


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
    """Per order figures from one measurement and the stated assumptions (``cold_share`` by function)."""

    def __init__(self, measurement: Measurement, cold_share: Mapping[str, float] = COLD_SHARE) -> None:
        self.m = measurement
        self.cold_share = cold_share

    def invocations(self, function: str) -> float:
        return self.m.invocations(function) / self.m.orders

    def cold_starts(self, function: str) -> float:
        return self.invocations(function) * self.cold_share[function]

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

    def mean_ms(self, function: str) -> float:
        return 1000 * statistics.fmean(self.m.seconds[function])

    def in_calls_ms(self, function: str) -> float:
        return 1000 * self.m.seconds_in_calls[function] / self.m.invocations(function)

    def billed_ms(self, function: str) -> int:
        return math.ceil(self.mean_ms(function) * CPU_SLOWDOWN)

    def init_billed_ms(self, function: str) -> int:
        return math.ceil(self.m.init_ms[function] * CPU_SLOWDOWN)

    def gb_seconds(self, *, cold: bool) -> float:
        """Per PER orders: the warm durations, or the INIT phases of the cold starts."""
        gb = LAMBDA_MEMORY_MB / 1024
        if cold:
            return PER * gb * sum(self.cold_starts(f) * self.init_billed_ms(f) / 1000 for f in FUNCTIONS)
        return PER * gb * sum(self.invocations(f) * self.billed_ms(f) / 1000 for f in FUNCTIONS)

    def log_gb(self) -> float:
        per_order = sum(
            self.m.log_bytes[f] / self.m.orders
            + self.invocations(f) * PLATFORM_LOG_BYTES
            + self.cold_starts(f) * PLATFORM_INIT_LOG_BYTES
            for f in FUNCTIONS
        )
        return PER * per_order / GB

    def units(self) -> Units:
        return Units(
            read=sum(units.read for units in self.m.units.values()),
            write=sum(units.write for units in self.m.units.values()),
            index_write=sum(units.index_write for units in self.m.units.values()),
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
            CostLine(prices.DYNAMODB_WRITE, "writes, tables and their indexes", PER * (units.write + units.index_write) / self.m.orders),
            CostLine(prices.DYNAMODB_READ, "GetItem and Query", PER * units.read / self.m.orders),
            CostLine(prices.LAMBDA_REQUESTS, "ingest, schedule, send", PER * sum(map(self.invocations, FUNCTIONS))),
            CostLine(prices.LAMBDA_ARM_DURATION, f"warm duration, {LAMBDA_MEMORY_MB} MB", self.gb_seconds(cold=False)),
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
        f"AWS calls per order ({m.orders} orders, {STEPS}-step scenario, every mail through SES)",
        ("service", "operation", "per order", "ingest", "schedule", f"send ({STEPS} mails)", "per cold start"),
        rows,
        "llrrrrr",
    )  # fmt: skip


def units_table(figures: Figures) -> Table:
    m = figures.m

    def row(name: str, units: Units, stored: int) -> tuple[str, ...]:
        per_order = (units.read, units.write, units.index_write)
        return (name, *(_n(value / m.orders) for value in per_order), f"{stored / m.orders / 1024:.1f}")

    rows = [row(logical, m.units[logical], m.stored.get(logical, 0)) for logical in sorted(m.units)]
    rows.append(row("**all**", figures.units(), sum(m.stored.values())))
    return Table(
        "DynamoDB request units per order (estimated from item sizes)",
        ("table", "read units", "write units, table", "write units, indexes", "KB stored"),
        rows,
        "lrrrr",
    )


def lambda_table(figures: Figures) -> Table:
    rows = [
        (
            function,
            _n(figures.invocations(function)),
            f"{figures.mean_ms(function):.1f}",
            f"{figures.in_calls_ms(function):.1f}",
            f"{figures.billed_ms(function)}",
            f"{figures.m.init_ms[function]:.0f}",
            f"{figures.init_billed_ms(function)}",
            f"{figures.cold_share[function]:.0%}",
        )
        for function in FUNCTIONS
    ]
    return Table(
        f"Lambda duration per invocation (arm64, {LAMBDA_MEMORY_MB} MB)",
        ("function", "invocations per order", "ms in-process", "of which in AWS calls (moto)",
         "estimated billed ms", "INIT ms here", "estimated INIT billed ms", "cold starts"),
        rows,
        "lrrrrrrr",
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


def findings(figures: Figures) -> list[str]:
    """What moves the ratio, and the costs outside the per-order total."""
    m = figures.m
    traces = PER * sum(map(figures.invocations, FUNCTIONS))
    xray = prices.XRAY_TRACES.cost(traces)
    never_cold = Figures(m, dict.fromkeys(FUNCTIONS, 0.0)).ratio()
    always_cold = Figures(m, dict.fromkeys(FUNCTIONS, 1.0)).ratio()
    dynamo_gb = PER * sum(m.stored.values()) / m.orders / GB
    s3_gb = PER * statistics.fmean(m.mail_sizes) / GB
    units = figures.units()
    index_share = units.index_write / (units.write + units.index_write)
    busiest = max(m.units, key=lambda logical: m.units[logical].index_write)
    return [
        f"- Index writes are {index_share:.0%} of DynamoDB's write units; the {busiest} table's indexes "
        f"alone take {m.units[busiest].index_write / m.orders:.0f} WRU per order, "
        f"{prices.DYNAMODB_WRITE.cost(PER * m.units[busiest].index_write / m.orders) / ses_usd(figures.costs()):.1%} "
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


METHOD = (
    "How measured: `bench/pipeline.py` builds the stack in an in-process moto (tables from "
    "`infra.tables`, bucket, schedule group, SES identity, unsubscribe secret, the みかん山房 shop with "
    "its {steps}-step scenario) and drives {orders} order mails through the real handlers, with the "
    "dependencies `okaeri.aws.wiring` builds and behind the handlers' logger and metrics decorators. "
    "The fixture Yahoo!ショッピング (ISO-2022-JP) and EC-CUBE (HTML) mails take turns, each with its own "
    "order number and buyer written into the raw bytes; each is put into S3 and its event handed to "
    "ingest, its stream records to schedule (one invocation per mail, a small shop's pace), and every "
    "schedule's input, at its time, to send, which sends through SES (ordinary addresses, no relay). "
    "A botocore `before-call` hook on the default boto3 session, from which the cached clients of "
    "`okaeri.aws.clients` are built, counts each call made while a handler runs, or while a "
    "function's dependencies are built (the *per cold start* column); the bench's own calls go "
    "through another session and are not counted.",
    "",
    "DynamoDB request units are estimated, not reported (`ReturnConsumedCapacity` would mean "
    "changing the adapters): around each call the bench reads the items involved through its own "
    "session and applies DynamoDB's sizing rules. A read is the item's size in 4 KB units (a query: "
    "the sum of the items it reads), halved when eventually consistent; a write is the larger of the "
    "item before and after in 1 KB units, doubled in a transaction and charged even when its "
    "condition fails, plus one write per global secondary index entry written and one per entry "
    "deleted (every index projects ALL, so an entry is as large as its item).",
    "",
    "Lambda duration is estimated from the measured in-process handler time (the mean per "
    "invocation, without the bench's own look-ups), which includes moto's work inside each AWS call "
    "in place of the network wait. It is multiplied by {slowdown:.1f} ({one_vcpu:,} MB / {memory} MB: "
    "a {memory} MB function gets that share of a vCPU), which counts moto's work and the waits as "
    "CPU and so overstates the duration. INIT (billed since 2025-08-01) is a fresh interpreter "
    "importing the handler and building its clients, minus a bare interpreter (median of {runs}), "
    "times the same factor. The cold-start shares assume a small shop: order mails come minutes "
    "apart, so ingest and schedule start cold {cold_ingest:.0%} of the time, while a step's mails go "
    "out within one time window and send starts cold {cold_send:.0%} of the time. Logs are the bytes "
    "the handlers logged and their metrics (EMF) wrote, plus {platform} bytes of Lambda's "
    "START/END/REPORT lines per invocation and {platform_init} per INIT.",
    "",
    "Prices are the list prices published for ap-northeast-1 on the pages below, as known on the "
    "date given: they could not be fetched live where the bench runs, so check them before quoting.",
    "",
)


@dataclass(frozen=True)
class Report:
    tables: list[Table]  # printed and written
    findings: list[str]  # printed and written
    method: list[str]  # written
    prices: Table  # written


def run() -> Report:
    measurement = measure()
    measure_cold_starts(measurement)
    figures = Figures(measurement)
    values = {
        "orders": measurement.orders, "steps": STEPS, "slowdown": CPU_SLOWDOWN, "one_vcpu": ONE_VCPU_MB,
        "memory": LAMBDA_MEMORY_MB, "runs": COLD_START_RUNS, "cold_ingest": COLD_SHARE["ingest"],
        "cold_send": COLD_SHARE["send"], "platform": PLATFORM_LOG_BYTES, "platform_init": PLATFORM_INIT_LOG_BYTES,
    }  # fmt: skip
    return Report(
        tables=[calls_table(figures), units_table(figures), lambda_table(figures), cost_table(figures)],
        findings=findings(figures),
        method=[line.format(**values) for line in METHOD],
        prices=prices_table(),
    )
