"""The dispatcher over fakes: stream batches and retries, wake-ups in time order, dead letters, the sweeper."""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from okaeri.errors import ConflictError
from okaeri_dev.clock import DevClock
from okaeri_dev.dispatcher import Dispatcher, Targets, WakeUp

START = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)


def record(sequence: int) -> dict[str, Any]:
    return {"eventName": "INSERT", "dynamodb": {"SequenceNumber": str(sequence)}}


class FakeStream:
    def __init__(self) -> None:
        self.waiting: list[dict[str, Any]] = []

    def read(self) -> list[dict[str, Any]]:
        fresh, self.waiting = self.waiting, []
        return fresh


class FakeBook:
    def __init__(self) -> None:
        self.schedules: dict[str, WakeUp] = {}

    def add(self, name: str, at: datetime, *, retries: int = 3) -> None:
        self.schedules[name] = WakeUp(
            name=name,
            at=at,
            expression=f"at({at:%Y-%m-%dT%H:%M:%S})",
            payload=json.dumps({"delivery": name}),
            retries=retries,
            delete_after=True,
        )

    def due(self, until: datetime) -> list[WakeUp]:
        return sorted((w for w in self.schedules.values() if w.at <= until), key=lambda w: (w.at, w.name))

    def current(self, name: str) -> WakeUp | None:
        return self.schedules.get(name)

    def count(self) -> int:
        return len(self.schedules)

    def delete(self, name: str) -> None:
        self.schedules.pop(name, None)


class Functions:
    """Fake schedule and send functions that note what they were given (and when)."""

    def __init__(self, clock: DevClock, book: FakeBook) -> None:
        self.clock = clock
        self.book = book
        self.batches: list[list[str]] = []
        self.failing_records: set[str] = set()
        self.sent: list[tuple[str, datetime]] = []
        self.raising: set[str] = set()
        self.moving: dict[str, datetime] = {}
        self.sweeps: list[datetime] = []
        self.winbacks: list[datetime] = []
        self.winning_back: dict[datetime, str] = {}  # a run at this time makes this wake-up, due now
        self.dead: list[str] = []
        self.crashes = 0

    def schedule(self, event: dict[str, Any]) -> Mapping[str, Any]:
        sequences = [r["dynamodb"]["SequenceNumber"] for r in event["Records"]]
        self.batches.append(sequences)
        return {"batchItemFailures": [{"itemIdentifier": s} for s in sequences if s in self.failing_records]}

    def wake_up(self, event: dict[str, Any]) -> Mapping[str, Any]:
        name = event["delivery"]
        if name in self.raising:
            self.crashes += 1
            raise RuntimeError("the send function crashed")
        if name in self.moving:  # the send moved its own wake-up (throttled)
            self.book.add(name, self.moving.pop(name))
            return {"delivery": name, "status": "throttled", "reason": None}
        self.sent.append((name, self.clock.now()))
        return {"delivery": name, "status": "sent", "reason": None}

    def sweep(self) -> Mapping[str, Any]:
        self.sweeps.append(self.clock.now())
        return {"sent": [], "unknown": [], "errors": []}

    def winback(self) -> Mapping[str, Any]:
        now = self.clock.now()
        self.winbacks.append(now)
        made = self.winning_back.pop(now, None)
        if made is not None:
            self.book.add(made, now)
        return {"days": {}, "started": [made] if made else [], "created": [made] if made else [],
                "skipped": [], "errors": []}  # fmt: skip

    def targets(self) -> Targets:
        return Targets(
            schedule=self.schedule,
            wake_up=self.wake_up,
            sweep=self.sweep,
            winback=self.winback,
            dead_letter=self.dead.append,
        )


@pytest.fixture
def parts() -> tuple[Dispatcher, FakeStream, FakeBook, Functions, DevClock]:
    clock, stream, book = DevClock(START, ticking=False), FakeStream(), FakeBook()
    functions = Functions(clock, book)
    dispatcher = Dispatcher(
        clock=clock, lock=threading.RLock(), stream=stream, book=book, targets=functions.targets()
    )
    return dispatcher, stream, book, functions, clock


def test_stream_records_go_in_batches_of_100(
    parts: tuple[Dispatcher, FakeStream, FakeBook, Functions, DevClock],
) -> None:
    dispatcher, stream, _, functions, _ = parts
    stream.waiting = [record(n) for n in range(1, 251)]
    assert dispatcher.pump().stream_records == 250
    assert [len(batch) for batch in functions.batches] == [100, 100, 50]


def test_a_failed_record_is_retried_from_there_then_dropped(
    parts: tuple[Dispatcher, FakeStream, FakeBook, Functions, DevClock],
) -> None:
    dispatcher, stream, _, functions, _ = parts
    stream.waiting = [record(n) for n in range(1, 6)]
    functions.failing_records = {"3"}
    first = dispatcher.pump()
    assert first.stream_records == 2  # 1 and 2 done; 3 onwards waits
    assert dispatcher.pump().stream_records == 0
    assert dispatcher.pump().stream_records == 0
    last = dispatcher.pump()  # the fourth failure: dropped, the rest go on
    assert last.dropped_records == ["3"]
    assert last.stream_records == 2
    assert functions.batches[-1] == ["4", "5"]


def test_wake_ups_fire_in_time_order_each_at_its_time(
    parts: tuple[Dispatcher, FakeStream, FakeBook, Functions, DevClock],
) -> None:
    dispatcher, _, book, functions, clock = parts
    book.add("late", START + timedelta(days=20))
    book.add("early", START + timedelta(days=1))
    book.add("beyond", START + timedelta(days=40))
    result = dispatcher.advance_to(START + timedelta(days=30))
    assert functions.sent == [("early", START + timedelta(days=1)), ("late", START + timedelta(days=20))]
    assert [w["schedule"] for w in result.wake_ups] == ["early", "late"]
    assert set(book.schedules) == {"beyond"}  # fired ones deleted
    assert clock.now() == START + timedelta(days=30)
    assert functions.sweeps == [START + timedelta(days=30)]


def test_a_wake_up_the_send_moved_is_kept_and_fires_again(
    parts: tuple[Dispatcher, FakeStream, FakeBook, Functions, DevClock],
) -> None:
    dispatcher, _, book, functions, _ = parts
    book.add("busy", START + timedelta(hours=1))
    functions.moving["busy"] = START + timedelta(hours=1, minutes=15)
    result = dispatcher.advance_to(START + timedelta(hours=2))
    assert [w["status"] for w in result.wake_ups] == ["throttled", "sent"]
    assert functions.sent == [("busy", START + timedelta(hours=1, minutes=15))]
    assert book.schedules == {}


def test_a_crashing_wake_up_is_retried_then_dead_lettered(
    parts: tuple[Dispatcher, FakeStream, FakeBook, Functions, DevClock],
) -> None:
    dispatcher, _, book, functions, _ = parts
    book.add("crash", START + timedelta(minutes=5), retries=2)
    functions.raising.add("crash")
    rounds = [dispatcher.advance_to(START + timedelta(minutes=10 + n)) for n in range(3)]
    assert [r.dead_lettered for r in rounds] == [[], [], ["crash"]]
    assert functions.dead == [json.dumps({"delivery": "crash"})]
    assert book.schedules == {}


def test_a_crash_waits_for_the_next_round_while_the_others_go_on(
    parts: tuple[Dispatcher, FakeStream, FakeBook, Functions, DevClock],
) -> None:
    dispatcher, _, book, functions, _ = parts
    book.add("crash", START + timedelta(minutes=1))
    book.add("fine", START + timedelta(minutes=2))
    functions.moving["fine"] = START + timedelta(minutes=3)  # one more pass in this round
    functions.raising.add("crash")
    result = dispatcher.advance_to(START + timedelta(minutes=10))
    assert [w["schedule"] for w in result.wake_ups] == ["fine", "fine"]
    assert result.dead_lettered == []
    assert "crash" in book.schedules  # kept for the next round…
    assert functions.crashes == 1  # …having been tried once in this one


def test_the_sweeper_runs_every_five_minutes_of_clock_time(
    parts: tuple[Dispatcher, FakeStream, FakeBook, Functions, DevClock],
) -> None:
    dispatcher, _, _, functions, clock = parts
    dispatcher.pump()
    dispatcher.pump()
    clock.reach(START + timedelta(minutes=4))
    dispatcher.pump()
    clock.reach(START + timedelta(minutes=5))
    dispatcher.pump()
    assert functions.sweeps == [START, START + timedelta(minutes=5)]


def test_a_paused_sweeper_runs_again_after_the_block_while_wake_ups_still_fire(
    parts: tuple[Dispatcher, FakeStream, FakeBook, Functions, DevClock],
) -> None:
    dispatcher, _, book, functions, _ = parts
    book.add("thanks", START + timedelta(days=1))
    with dispatcher.sweeper_paused():
        dispatcher.pump()
        dispatcher.advance_to(START + timedelta(days=2))
    assert functions.sweeps == []
    assert functions.winbacks == []
    assert functions.sent == [("thanks", START + timedelta(days=1))]
    dispatcher.pump()
    assert functions.sweeps == [START + timedelta(days=2)]


def test_the_winback_job_runs_hourly_and_once_a_day_on_a_long_move_of_the_clock(
    parts: tuple[Dispatcher, FakeStream, FakeBook, Functions, DevClock],
) -> None:
    dispatcher, _, _, functions, clock = parts
    dispatcher.pump()
    clock.reach(START + timedelta(minutes=59))
    dispatcher.pump()
    clock.reach(START + timedelta(minutes=60))
    dispatcher.pump()
    assert functions.winbacks == [START, START + timedelta(hours=1)]
    dispatcher.advance_to(START + timedelta(days=3, hours=5))
    hour = START + timedelta(hours=1)
    assert functions.winbacks[2:] == [hour + timedelta(days=n) for n in (1, 2, 3)] + [
        START + timedelta(days=3, hours=5)
    ]


def test_a_win_back_mail_made_on_the_way_goes_out_in_the_same_move(
    parts: tuple[Dispatcher, FakeStream, FakeBook, Functions, DevClock],
) -> None:
    dispatcher, _, _, functions, clock = parts
    dispatcher.pump()
    on_the_way, at_the_end = START + timedelta(days=1), START + timedelta(days=1, hours=3)
    functions.winning_back = {on_the_way: "winback-1", at_the_end: "winback-2"}
    result = dispatcher.advance_to(at_the_end)
    assert functions.sent == [("winback-1", on_the_way)]
    assert [run["started"] for run in result.winbacks] == [["winback-1"], ["winback-2"]]
    clock.reach(at_the_end + timedelta(minutes=1))
    dispatcher.pump()  # one made at the end: at the next round, as any wake-up
    assert functions.sent[1:] == [("winback-2", at_the_end + timedelta(minutes=1))]


def test_the_clock_does_not_go_back(
    parts: tuple[Dispatcher, FakeStream, FakeBook, Functions, DevClock],
) -> None:
    dispatcher, _, _, _, clock = parts
    with pytest.raises(ConflictError):
        dispatcher.advance_to(START - timedelta(seconds=1))
    assert clock.now() == START
