"""The dashboard reads counters, not deliveries (issue #14 item 5).

Its waiting / unknown numbers are the shop's counters, which each change of status keeps
(``Deliveries.counts``), and its latest unknown mails one bounded read (``latest_unknown``): a
view makes the same reads at ten deliveries and at thirty thousand, and its numbers are exact
beyond the 20,000 a read-everything pass stopped at (``search.MAX_PASS``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, datetime, timedelta
from typing import Any, cast

import pytest

from okaeri.aws.search import MAX_PASS
from okaeri.models import Delivery, ReceptionEntry
from okaeri.ports import DayCounters
from okaeri.services.dashboard import LATEST, dashboard
from okaeri.services.operations import OperationsDeps
from tests.fakes import FakeDeliveries
from tests.unit.services.support import SHOP_ID, World, at

NOW = at("2026-12-04 09:40")


class CountedReads:
    """The deliveries store as the dashboard sees it, counting each call and the items it answers."""

    def __init__(self, store: FakeDeliveries) -> None:
        self._store = store
        self.calls: list[str] = []
        self.items = 0

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._store, name)

        def call(*args: Any, **kwargs: Any) -> Any:
            self.calls.append(name)
            answer = method(*args, **kwargs)
            self.items += len(answer) if isinstance(answer, list) else 0
            return answer

        return call


class NoStats:
    """The shop's settings; no ``stats#`` counters (they are not what this test is about)."""

    def __init__(self, world: World) -> None:
        self._config = world.config

    def shop(self, shop_id: str) -> Any:
        return self._config.shop(shop_id)

    def stats(self, shop_id: str, day_from: date, day_to: date) -> Sequence[DayCounters]:
        return []


class NoReceptions:
    def receptions_since(self, shop_id: str, since: datetime) -> Iterator[ReceptionEntry]:
        return iter([])


def busy_shop(planned: int, *, sent: int, unknown: int) -> FakeDeliveries:
    """``planned`` deliveries of the shop, through the store's own transitions: ``sent`` of them
    sent, ``unknown`` in doubt (their lease ran out), the rest waiting."""
    store = FakeDeliveries()
    first = Delivery.model_validate(
        {
            "id": "d-0",
            "shop_id": SHOP_ID,
            "order_key": "rakuten#A-0",
            "run_id": "r-0",
            "customer_email": "taro@example.jp",
            "scenario_id": "thanks-like-love",
            "scenario_version": 1,
            "step_id": "thanks",
            "template_id": "thanks",
            "send_at": NOW - timedelta(days=2),
        }
    )
    for n in range(planned):
        send_at = first.send_at + timedelta(seconds=n)
        assert store.put_new(first.model_copy(update={"id": f"d-{n}", "send_at": send_at}))
    later = NOW - timedelta(hours=1)
    for n in range(sent + unknown):
        assert store.claim(SHOP_ID, f"d-{n}", now=later, lease_until=later).claimed
        if n < sent:
            assert store.mark_sent(SHOP_ID, f"d-{n}", message_id=f"m-{n}", transport="ses", at=later)
        else:
            assert store.mark_unknown(SHOP_ID, f"d-{n}", now=NOW)
    return store


def view(store: FakeDeliveries) -> tuple[Any, CountedReads]:
    world = World.create(NOW)
    reads = CountedReads(store)
    deps = OperationsDeps(
        config=cast(Any, NoStats(world)),
        orders=cast(Any, None),
        customers=cast(Any, None),
        deliveries=cast(Any, reads),
        logs=cast(Any, NoReceptions()),
        schedules=cast(Any, None),
        clock=world.clock,
        unsubscribe_secret=b"-",
    )
    return dashboard(deps, SHOP_ID, days=30), reads


@pytest.mark.parametrize("planned", [10, 30_000])
def test_a_view_reads_the_same_whatever_the_volume(planned: int) -> None:
    board, reads = view(busy_shop(planned, sent=3, unknown=7))
    assert reads.calls == ["counts", "latest_unknown"]  # no pass over the period's deliveries
    assert reads.items == LATEST  # the latest few unknown, nothing else comes back
    assert (board.waiting, board.unknown) == (planned - 10, 7)
    assert [d.id for d in board.latest_unknown] == ["d-9", "d-8", "d-7", "d-6", "d-5"]


def test_the_numbers_are_exact_beyond_the_old_pass() -> None:
    planned = MAX_PASS + 10_000
    store = busy_shop(planned, sent=2_000, unknown=1)
    board, _ = view(store)
    truth = [d.status for d in store.all()]
    assert board.waiting == truth.count("scheduled") + truth.count("sending") == planned - 2_001
    assert board.unknown == truth.count("unknown") == 1
    assert board.waiting > MAX_PASS
