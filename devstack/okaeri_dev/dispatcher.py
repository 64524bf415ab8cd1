"""What AWS does between the functions, played on the local stack's clock.

- **The orders table's stream → the schedule function**, as Lambda's event source mapping does:
  records read with the DynamoDB Streams API from the moto server, in batches of up to 100, in
  Lambda's event shape. A record the function reports failed (partial batch response) is retried
  from there on, at most ``STREAM_RETRIES`` times, then dropped with an error in the log (in AWS:
  to the on-failure destination).
- **EventBridge Scheduler → the send function**: every one-off ``at()`` schedule of the group whose
  time (in its own timezone) has come gets its ``Input`` handed to the send function's
  ``handle_wake_up``, in time order, the clock first moved to the schedule's time; then the
  schedule is deleted (``ActionAfterCompletion=DELETE``) unless the function moved it meanwhile.
  An invocation that raises is retried on later rounds; after ``MaximumRetryAttempts`` more
  it goes to the dead-letter queue. Schedules fire at the start of their flexible window.
- **The sweeper's recurring schedule**: the sweep handler every ``SWEEPER_RATE_MINUTES`` of clock time.
- **The win-back job's recurring schedule** (issue #16): its handler every ``WINBACK_RATE_MINUTES``
  of clock time; a move of the clock over days stops once a day on the way to run it (the wake-ups
  it makes then fire on the way), so a buyer who lapses on the way is won back on their day, as in AWS.

``pump()`` does what is due now; ``advance_to(moment)`` walks the clock forward through every
wake-up up to ``moment``. Everything runs under the stack's lock, one invocation at a time.
"""

from __future__ import annotations

import base64
import json
import logging
import threading
import traceback
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Final, Protocol
from zoneinfo import ZoneInfo

from botocore.exceptions import ClientError

from infra.resources import SWEEPER_RATE_MINUTES, WINBACK_RATE_MINUTES
from okaeri_dev.clock import DevClock

if TYPE_CHECKING:
    from mypy_boto3_dynamodbstreams import DynamoDBStreamsClient
    from mypy_boto3_scheduler import EventBridgeSchedulerClient

log = logging.getLogger("okaeri_dev.dispatcher")

STREAM_BATCH: Final = 100  # the event source mapping's default batch size
PAGE_RECORDS: Final = 1000  # GetRecords' largest page
STREAM_RETRIES: Final = 3
DEFAULT_SCHEDULE_RETRIES: Final = 3
MAX_WAKE_UPS_PER_CALL: Final = 100_000  # bounds one advance (a year of a busy shop's mail)
WINBACK_DAY: Final = timedelta(days=1)  # a long move of the clock runs the win-back job once a day


@dataclass(frozen=True)
class Targets:
    """What the dispatcher invokes; each call is one invocation of a function."""

    schedule: Callable[[dict[str, Any]], Mapping[str, Any]]  # stream records → partial batch response
    wake_up: Callable[[dict[str, Any]], Mapping[str, Any]]  # a schedule's input → the send outcome
    sweep: Callable[[], Mapping[str, Any]]  # the sweeper's report
    winback: Callable[[], Mapping[str, Any]]  # the win-back job's report
    dead_letter: Callable[[str], object]  # a schedule's input that never got through


class Stream(Protocol):
    def read(self) -> list[dict[str, Any]]:
        """The records written since the last read, as Lambda receives them."""


class Book(Protocol):
    def due(self, until: datetime) -> list[WakeUp]: ...

    def current(self, name: str) -> WakeUp | None: ...

    def count(self) -> int: ...

    def delete(self, name: str) -> None: ...


# --- the stream -----------------------------------------------------------------------------------------


def lambda_record(record: Mapping[str, Any], *, stream_arn: str, region: str) -> dict[str, Any]:
    """A record as the DynamoDB Streams API gives it (through boto3) → as Lambda hands it over:
    the creation time in epoch seconds, binary values in base64, the source ARN added."""

    def plain(value: Any) -> Any:
        if isinstance(value, datetime):
            return int(value.timestamp())
        if isinstance(value, bytes | bytearray):
            return base64.b64encode(value).decode("ascii")
        if isinstance(value, Mapping):
            return {key: plain(item) for key, item in value.items()}
        if isinstance(value, list | tuple | set):
            return [plain(item) for item in value]
        return value

    converted: dict[str, Any] = plain(record)
    converted["awsRegion"] = region
    converted["eventSourceARN"] = stream_arn
    return converted


class StreamReader:
    """Every shard of one table's stream from its first record (TRIM_HORIZON); each call, the new ones."""

    def __init__(self, client: DynamoDBStreamsClient, *, stream_arn: str, region: str) -> None:
        self._client = client
        self._arn = stream_arn
        self._region = region
        self._iterators: dict[str, str] = {}  # open shards → where to read next
        self._closed: set[str] = set()

    def read(self) -> list[dict[str, Any]]:
        if not self._iterators:
            self._discover_shards()
        records: list[dict[str, Any]] = []
        for shard, start in list(self._iterators.items()):
            position: str | None = start
            while position is not None:
                page = self._client.get_records(ShardIterator=position, Limit=PAGE_RECORDS)
                records += [
                    lambda_record(record, stream_arn=self._arn, region=self._region)
                    for record in page["Records"]
                ]
                position = page.get("NextShardIterator")
                if len(page["Records"]) < PAGE_RECORDS:
                    break  # caught up
            if position is None:  # the shard has closed: its children carry on
                del self._iterators[shard]
                self._closed.add(shard)
                self._discover_shards()
            else:
                self._iterators[shard] = position
        return records

    def _discover_shards(self) -> None:
        description = self._client.describe_stream(StreamArn=self._arn)["StreamDescription"]
        for shard in description.get("Shards", []):
            shard_id = shard["ShardId"]
            if shard_id not in self._iterators and shard_id not in self._closed:
                self._iterators[shard_id] = self._client.get_shard_iterator(
                    StreamArn=self._arn, ShardId=shard_id, ShardIteratorType="TRIM_HORIZON"
                )["ShardIterator"]


# --- the schedules ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WakeUp:
    name: str
    at: datetime
    expression: str
    payload: str  # the target's Input
    retries: int  # the target's MaximumRetryAttempts
    delete_after: bool  # ActionAfterCompletion=DELETE


def schedule_time(expression: str, timezone: str | None) -> datetime | None:
    """The moment of a one-off ``at(YYYY-MM-DDTHH:MM:SS)`` in its zone; None for rate()/cron()."""
    if not (expression.startswith("at(") and expression.endswith(")")):
        return None
    wall = datetime.fromisoformat(expression[3:-1])
    return wall.replace(tzinfo=ZoneInfo(timezone or "UTC")).astimezone(UTC)


class ScheduleBook:
    """The schedule group as EventBridge Scheduler itself sees it.

    Which schedules exist and when they fire is read from the moto server's own state (it runs
    in this process): the Scheduler API has no "list with expressions" call, and reading each
    schedule over HTTP would make every round cost one call per pending mail. Deleting a fired
    schedule goes through the API like any other client.
    """

    def __init__(self, client: EventBridgeSchedulerClient, *, group: str, account: str, region: str) -> None:
        self._client = client
        self._group = group
        self._account = account
        self._region = region

    def due(self, until: datetime) -> list[WakeUp]:
        """Enabled one-off schedules due by ``until``, earliest first."""
        return sorted(
            (wake_up for wake_up in self._all() if wake_up.at <= until), key=lambda w: (w.at, w.name)
        )

    def current(self, name: str) -> WakeUp | None:
        """The schedule as it is now (None: deleted, disabled or not one-off)."""
        schedule = self._schedules().get(name)
        return None if schedule is None else _wake_up(schedule)

    def count(self) -> int:
        return sum(1 for _ in self._all())

    def delete(self, name: str) -> None:
        try:
            self._client.delete_schedule(Name=name, GroupName=self._group)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "ResourceNotFoundException":
                raise

    def _all(self) -> Iterator[WakeUp]:
        for schedule in list(self._schedules().values()):
            wake_up = _wake_up(schedule)
            if wake_up is not None:
                yield wake_up

    def _schedules(self) -> dict[str, Any]:
        from moto.scheduler.models import scheduler_backends

        group = scheduler_backends[self._account][self._region].schedule_groups.get(self._group)
        return dict(group.schedules) if group is not None else {}


def _wake_up(schedule: Any) -> WakeUp | None:
    """A moto schedule as a wake-up, or None when it is no enabled one-off schedule."""
    at = schedule_time(schedule.schedule_expression, schedule.schedule_expression_timezone)
    if at is None or schedule.state != "ENABLED":
        return None
    target = schedule.target or {}
    retry_policy = target.get("RetryPolicy") or {}
    return WakeUp(
        name=schedule.name,
        at=at,
        expression=schedule.schedule_expression,
        payload=str(target.get("Input", "{}")),
        retries=int(retry_policy.get("MaximumRetryAttempts", DEFAULT_SCHEDULE_RETRIES)),
        delete_after=schedule.action_after_completion == "DELETE",
    )


# --- the dispatcher -----------------------------------------------------------------------------------------


@dataclass
class Round:
    """What one ``pump`` or ``advance_to`` did (answered by ``POST /dev/clock``)."""

    stream_records: int = 0
    wake_ups: list[dict[str, Any]] = field(default_factory=list)
    sweeps: list[dict[str, Any]] = field(default_factory=list)
    winbacks: list[dict[str, Any]] = field(default_factory=list)
    dead_lettered: list[str] = field(default_factory=list)
    dropped_records: list[str] = field(default_factory=list)
    held: set[str] = field(default_factory=set)  # records and wake-ups that failed: next round only

    def as_json(self) -> dict[str, Any]:
        return {
            "stream_records": self.stream_records,
            "wake_ups": self.wake_ups,
            "sweeps": self.sweeps,
            "winbacks": self.winbacks,
            "dead_lettered": self.dead_lettered,
            "dropped_records": self.dropped_records,
        }


class Dispatcher:
    def __init__(
        self,
        *,
        clock: DevClock,
        lock: threading.RLock,
        stream: Stream,
        book: Book,
        targets: Targets,
        sweep_every: timedelta = timedelta(minutes=SWEEPER_RATE_MINUTES),
        winback_every: timedelta = timedelta(minutes=WINBACK_RATE_MINUTES),
    ) -> None:
        self._clock = clock
        self._lock = lock
        self._stream = stream
        self._book = book
        self._targets = targets
        self._sweep_every = sweep_every
        self._winback_every = winback_every
        self._last_winback: datetime | None = None
        self._pending: deque[dict[str, Any]] = deque()
        self._record_attempts: dict[str, int] = {}
        self._wake_up_failures: dict[str, int] = {}
        self._last_sweep: datetime | None = None
        self._sweeper_paused = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # --- driving it ---

    def pump(self) -> Round:
        """Feed new stream records and fire what is due now (and the sweeper when its time came)."""
        with self._lock:
            result = Round()
            self._feed(result)
            self._fire(self._clock.now(), result, move_clock=False)
            self._maybe_sweep(result)
            self._maybe_winback(result)
            self._feed(result)
            return result

    def advance_to(self, moment: datetime) -> Round:
        """Walk the clock forward to ``moment``, firing each wake-up on the way at its own time."""
        with self._lock:
            self._clock.check_forward(moment)
            result = Round()
            self._feed(result)
            for stop in self._winback_stops(moment):
                self._fire(stop, result, move_clock=True)
                self._clock.reach(stop)
                self._maybe_winback(result)
            self._fire(moment, result, move_clock=True)
            self._clock.reach(moment)
            self._maybe_sweep(result)
            self._maybe_winback(result)
            self._feed(result)
            return result

    @contextmanager
    def sweeper_paused(self) -> Iterator[None]:
        """No sweeper round inside the block (the demo history: every wake-up fires at its time, so
        the sweeper would find nothing, and each round reads every shard of the ``due`` index), nor
        a win-back run (the demo has no win-back scenario; a day's stop would cost a round each)."""
        self._sweeper_paused = True
        try:
            yield
        finally:
            self._sweeper_paused = False

    def pending_wake_ups(self) -> int:
        """One-off schedules waiting in the group."""
        return self._book.count()

    # --- background ---

    def start(self, interval: float) -> None:
        """Pump every ``interval`` seconds of real time (skipped while the stack is busy)."""
        self._stop.clear()
        self._thread = threading.Thread(
            target=self._run, args=(interval,), name="okaeri-dev-dispatcher", daemon=True
        )
        self._thread.start()

    def stop(self, timeout: float = 30) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _run(self, interval: float) -> None:
        while not self._stop.wait(interval):
            if not self._lock.acquire(blocking=False):
                continue
            try:
                self.pump()
            except Exception:  # one bad round must not stop the local stack's time
                log.error("dispatcher round failed:\n%s", traceback.format_exc())
            finally:
                self._lock.release()

    # --- the stream → schedule ---

    def _feed(self, result: Round) -> None:
        self._pending.extend(self._stream.read())
        while self._pending and _sequence(self._pending[0]) not in result.held:
            batch = [self._pending[index] for index in range(min(STREAM_BATCH, len(self._pending)))]
            failed = self._invoke_schedule(batch)
            done = next((i for i, record in enumerate(batch) if _sequence(record) in failed), len(batch))
            for _ in range(done):
                self._pending.popleft()
            result.stream_records += done
            if done == len(batch):
                continue
            head = _sequence(self._pending[0])
            self._record_attempts[head] = self._record_attempts.get(head, 0) + 1
            if self._record_attempts[head] <= STREAM_RETRIES:
                result.held.add(head)
                return  # retried from this record on, in the next round
            log.error("stream record %s failed %d times: dropped", head, STREAM_RETRIES + 1)
            self._pending.popleft()
            result.dropped_records.append(head)

    def _invoke_schedule(self, batch: list[dict[str, Any]]) -> set[str]:
        try:
            response = self._targets.schedule({"Records": batch})
        except Exception:
            log.error("the schedule function failed:\n%s", traceback.format_exc())
            return {_sequence(batch[0])}
        return {str(failure["itemIdentifier"]) for failure in response["batchItemFailures"]}

    # --- schedules → send ---

    def _fire(self, until: datetime, result: Round, *, move_clock: bool) -> None:
        fired = 0
        while fired < MAX_WAKE_UPS_PER_CALL:
            due = self._book.due(until)
            if not due:
                return
            progressed = False
            for wake_up in due:
                current = self._book.current(wake_up.name)
                if current is None or current.expression != wake_up.expression or wake_up.name in result.held:
                    continue  # deleted or moved by an earlier send in this round, or failed in it
                if move_clock:
                    self._clock.reach(wake_up.at)
                progressed |= self._fire_one(wake_up, result)
                fired += 1
            self._feed(result)
            if not progressed:
                return
        log.error("more than %d wake-ups in one call: the rest wait for the next", MAX_WAKE_UPS_PER_CALL)

    def _fire_one(self, wake_up: WakeUp, result: Round) -> bool:
        """Invoke send with the schedule's input; True when the schedule is done (sent or dead-lettered)."""
        try:
            outcome = self._targets.wake_up(json.loads(wake_up.payload))
        except Exception:
            failures = self._wake_up_failures.get(wake_up.name, 0) + 1
            self._wake_up_failures[wake_up.name] = failures
            log.error("wake-up %s failed (%d):\n%s", wake_up.name, failures, traceback.format_exc())
            if failures <= wake_up.retries:
                result.held.add(wake_up.name)
                return False
            self._targets.dead_letter(wake_up.payload)
            self._book.delete(wake_up.name)
            result.dead_lettered.append(wake_up.name)
            return True
        self._wake_up_failures.pop(wake_up.name, None)
        result.wake_ups.append({"schedule": wake_up.name, "at": wake_up.at.isoformat(), **outcome})
        moved = self._book.current(wake_up.name)
        if wake_up.delete_after and moved is not None and moved.expression == wake_up.expression:
            self._book.delete(wake_up.name)
        return True

    # --- the win-back job ---

    def _winback_stops(self, moment: datetime) -> list[datetime]:
        """Where a move of the clock to ``moment`` stops to run the win-back job: a day after its last
        run, and every day after that, before ``moment`` (its hourly runs, one a day)."""
        if self._sweeper_paused:
            return []
        last = self._last_winback or self._clock.now()
        stops: list[datetime] = []
        stop = last + WINBACK_DAY
        while stop < moment:
            stops.append(stop)
            stop += WINBACK_DAY
        return stops

    def _maybe_winback(self, result: Round) -> None:
        """Run the win-back job when its time came (the wake-ups it makes fire as any other: one
        made at a stop on the way, later in the same move)."""
        self._last_winback = self._maybe_run(
            "the win-back job", self._targets.winback, self._last_winback, self._winback_every,
            into=result.winbacks, signs=("started", "skipped", "errors"),
        )  # fmt: skip

    # --- the sweeper ---

    def _maybe_sweep(self, result: Round) -> None:
        self._last_sweep = self._maybe_run(
            "the sweeper", self._targets.sweep, self._last_sweep, self._sweep_every,
            into=result.sweeps, signs=("sent", "unknown", "errors"),
        )  # fmt: skip

    def _maybe_run(
        self,
        name: str,
        job: Callable[[], Mapping[str, Any]],
        last: datetime | None,
        every: timedelta,
        *,
        into: list[dict[str, Any]],
        signs: tuple[str, ...],
    ) -> datetime | None:
        """Run a recurring job (the sweeper, the win-back job) when ``every`` has passed since ``last``
        (not while the demo history plays); its report goes ``into`` the round when one of ``signs``
        says it did something. When it last ran."""
        now = self._clock.now()
        if self._sweeper_paused or (last is not None and now - last < every):
            return last
        try:
            report = job()
        except Exception:
            log.error("%s failed:\n%s", name, traceback.format_exc())
            return now
        if any(report[sign] for sign in signs):
            into.append({"at": now.isoformat(), **report})
        return now


def _sequence(record: Mapping[str, Any]) -> str:
    return str((record.get("dynamodb") or {}).get("SequenceNumber", ""))
