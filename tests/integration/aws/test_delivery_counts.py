"""The shop's counters (``waiting``, ``unknown``) move with the deliveries' states, in the same write.

A contract both stores keep, the fake (``tests.fakes.FakeDeliveries``) and the DynamoDB adapter
over moto: after any sequence of transitions — repeated (at-least-once events), refused, or whose
answer was lost after the write (a crash right after it, then the retry) — each counter equals a
count of the shop's deliveries by status, and the latest ``unknown`` ones are the newest by send
time. Then: a conflict on a counter is tried again; ``recount`` sets counters a deployment never
had, and sets the same numbers again.
"""

from __future__ import annotations

import contextlib
import itertools
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from okaeri.aws.deliveries import COUNTED, COUNTERS, DynamoDeliveries, counts_pk, unknown_shard
from okaeri.aws.dynamo import Expression, Table
from okaeri.cli import main
from okaeri.models import Delivery, PlanChange
from tests.fakes import Crash, FakeDeliveries, FaultPlan, crash, faulty
from tests.integration.aws.conftest import OTHER_SHOP, RETENTION_DAYS, SHOP, T0, make_delivery

IDS = [f"d-{n}" for n in range(4)]
SHOPS = [SHOP, OTHER_SHOP]
FROM = ["scheduled", "sending", "unknown", "skipped", "sent"]
NOTE = PlanChange(at=T0, delivery_id="d-0", reason="shipment", change="moved")

Op = tuple[Any, ...]
ops = st.one_of(
    st.tuples(st.just("put"), st.sampled_from(["scheduled", "skipped", "unknown", "sent"])),
    st.tuples(st.sampled_from(["claim", "sent", "release", "reschedule", "revive", "unknown", "requeue"])),
    st.tuples(st.just("bounce")),
    st.tuples(
        st.just("finish"),
        st.sampled_from(["failed", "skipped", "cancelled", "unknown"]),
        st.lists(st.sampled_from(FROM), min_size=1, max_size=3, unique=True),
    ),
)
step = st.tuples(
    st.sampled_from(SHOPS),
    st.sampled_from(IDS),
    ops,
    st.sampled_from(["once", "twice", "lost"]),  # lost: written, the answer lost, then retried
    st.integers(0, 3),  # the send time, in hours after T0 (the order of the latest unknown)
)
#: Every delivery is first planned (mostly ``scheduled``), then moved about at random.
steps = st.tuples(
    st.lists(st.sampled_from(["scheduled", "scheduled", "skipped", "unknown"]), min_size=8, max_size=8),
    st.lists(step, max_size=20),
).map(
    lambda planned_moves: (
        [
            (shop_id, delivery_id, ("put", status), "once", n % 4)
            for n, ((shop_id, delivery_id), status) in enumerate(
                zip(itertools.product(SHOPS, IDS), planned_moves[0], strict=True)
            )
        ]
        + planned_moves[1]
    )
)


def apply(store: Any, shop_id: str, delivery_id: str, op: Op, hours: int) -> object:  # noqa: PLR0911
    """One transition, as the services call it."""
    at = T0 + timedelta(hours=hours)
    later = T0 + timedelta(days=1)
    match op:
        case ("put", status):
            reason = {"skipped": "past", "unknown": "lease_expired"}.get(status)
            delivery = make_delivery(delivery_id, shop_id=shop_id, status=status, reason=reason, send_at=at)
            return store.put_new(delivery)
        case ("claim",):
            return store.claim(shop_id, delivery_id, now=later, lease_until=later + timedelta(minutes=5))
        case ("sent",):
            return store.mark_sent(shop_id, delivery_id, message_id="m-1", transport="ses", at=later)
        case ("release",):
            return store.release(shop_id, delivery_id, send_at=at, reason="throttled")
        case ("reschedule",):
            return store.reschedule(shop_id, delivery_id, send_at=at, note=NOTE)
        case ("revive",):
            return store.revive(shop_id, delivery_id, send_at=at, reasons=["past"], note=NOTE)
        case ("unknown",):
            return store.mark_unknown(shop_id, delivery_id, now=later + timedelta(hours=1))
        case ("requeue",):
            return store.requeue(shop_id, delivery_id, send_at=at, reason="resent", from_status=["unknown"])
        case ("bounce",):
            return store.count_event(shop_id, delivery_id, "Bounce", status="bounced")
        case ("finish", status, from_status):
            return store.finish(
                shop_id, delivery_id, status=status, reason="test", from_status=from_status, note=NOTE
            )
    raise AssertionError(op)


def run(store: Any, plan: FaultPlan, script: list[tuple[str, str, Op, str, int]]) -> None:
    """Play the steps on ``store`` (seen through ``plan``): each once, twice, or lost and retried."""
    faulty_store = faulty(store, plan, "deliveries")
    for shop_id, delivery_id, op, how, hours in script:
        if how == "lost":
            method = {
                "put": "put_new",
                "sent": "mark_sent",
                "unknown": "mark_unknown",
                "bounce": "count_event",
            }
            plan.arm(f"deliveries.{method.get(op[0], op[0])}", crash("the answer is lost"), when="after")
            with contextlib.suppress(Crash):
                apply(faulty_store, shop_id, delivery_id, op, hours)
            plan.disarm()
        apply(faulty_store, shop_id, delivery_id, op, hours)
        if how == "twice":
            apply(faulty_store, shop_id, delivery_id, op, hours)


def expected_counts(deliveries: list[Delivery]) -> dict[str, int]:
    counted = Counter(COUNTED[d.status] for d in deliveries if d.status in COUNTED)
    return {counter: counted[counter] for counter in COUNTERS}


def newest_unknown(deliveries: list[Delivery], limit: int) -> list[tuple[str, object]]:
    unknown = sorted((d for d in deliveries if d.status == "unknown"), key=lambda d: d.send_at, reverse=True)
    return [(d.id, d.send_at) for d in unknown[:limit]]


def check(store: Any, stored: Callable[[str], list[Delivery]]) -> None:
    for shop_id in SHOPS:
        deliveries = stored(shop_id)
        assert store.counts(shop_id) == expected_counts(deliveries)
        latest = store.latest_unknown(shop_id, limit=2)
        assert [d.send_at for d in latest] == [at for _, at in newest_unknown(deliveries, 2)]
        assert {d.id for d in latest} <= {d.id for d in deliveries if d.status == "unknown"}


# --- the fake --------------------------------------------------------------------------------------


@given(script=steps)
@settings(max_examples=300)
def test_the_fake_counts_as_it_moves(script: list[tuple[str, str, Op, str, int]]) -> None:
    store = FakeDeliveries()
    run(store, FaultPlan(), script)
    check(store, lambda shop_id: [d for d in store.all() if d.shop_id == shop_id])


# --- DynamoDB over moto ----------------------------------------------------------------------------


def in_table(table_name: str, shop_id: str) -> list[Delivery]:
    """The shop's deliveries as stored (its whole partition, strongly consistent)."""
    table = Table(table_name)
    expr = Expression()
    items = table.query_all(expr, f"{expr.name('pk')} = {expr.value(shop_id)}")
    return [Delivery.model_validate(item) for item in items]


_tables_in_use: itertools.count[int] = itertools.count()


@given(script=steps)
@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_dynamodb_counts_in_the_same_write(tables: dict[str, str], script: list[Any]) -> None:
    # each example its own table: moto's tables are cheap, and no example sees another's items
    from infra.tables import TABLES
    from okaeri.aws.clients import dynamodb_client

    [definition] = [t for t in TABLES if t.logical_name == "deliveries"]
    name = f"{tables['deliveries']}-{next(_tables_in_use)}"
    dynamodb_client().create_table(**definition.create_table_request(name))
    store = DynamoDeliveries(name, retention_days=RETENTION_DAYS)
    run(store, FaultPlan(), script)
    check(store, lambda shop_id: in_table(name, shop_id))


def test_an_unknown_mail_is_on_the_due_index_under_its_shop(deliveries: DynamoDeliveries) -> None:
    for n in range(7):
        delivery = make_delivery(f"d-{n}", send_at=T0 + timedelta(hours=n))
        deliveries.put_new(delivery)
        later = T0 + timedelta(days=1)
        assert deliveries.claim(SHOP, delivery.id, now=later, lease_until=later).claimed
        assert deliveries.mark_unknown(SHOP, delivery.id, now=later + timedelta(minutes=1))
    calls: list[dict[str, Any]] = []
    deliveries._table.client.meta.events.register(
        "provide-client-params.dynamodb.Query", lambda params, **_: calls.append(params)
    )
    latest = deliveries.latest_unknown(SHOP, limit=5)
    assert [d.id for d in latest] == ["d-6", "d-5", "d-4", "d-3", "d-2"]
    [query] = calls
    assert (query["IndexName"], query["Limit"], query["ScanIndexForward"]) == ("due", 5, False)
    assert deliveries.latest_unknown(OTHER_SHOP, limit=5) == []
    assert deliveries.due(T0 + timedelta(days=3), limit=20) == []  # the sweeper's shards hold none
    assert deliveries.expired_leases(T0 + timedelta(days=3), limit=20) == []
    assert deliveries.requeue(SHOP, "d-6", send_at=T0, reason="resent", from_status=["unknown"])
    assert [d.id for d in deliveries.latest_unknown(SHOP, limit=1)] == ["d-5"]
    assert deliveries.counts(SHOP) == {"waiting": 1, "unknown": 6}


class ConflictOnce:
    """A DynamoDB client whose first ``transact_write_items`` is cancelled for a conflict (another
    transaction held a counter item), as DynamoDB answers it; everything else passes through."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self.transactions = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    def transact_write_items(self, **request: Any) -> Any:
        self.transactions += 1
        if self.transactions == 1:
            reasons = [{"Code": "None"}] + [{"Code": "TransactionConflict"}] * (
                len(request["TransactItems"]) - 1
            )
            error = {"Error": {"Code": "TransactionCanceledException"}, "CancellationReasons": reasons}
            raise ClientError(error, "TransactWriteItems")  # type: ignore[arg-type]
        return self._client.transact_write_items(**request)


def test_a_conflict_on_a_counter_is_tried_again(tables: dict[str, str]) -> None:
    from okaeri.aws.clients import dynamodb_client

    client = ConflictOnce(dynamodb_client())
    store = DynamoDeliveries(tables["deliveries"], retention_days=RETENTION_DAYS, client=client)
    assert store.put_new(make_delivery("d-1")) is True
    assert client.transactions == 2
    assert store.counts(SHOP) == {"waiting": 1, "unknown": 0}
    assert store.put_new(make_delivery("d-1")) is False  # refused by its condition: no retry
    assert client.transactions == 3
    assert store.counts(SHOP) == {"waiting": 1, "unknown": 0}


def test_a_move_within_one_counter_is_one_update(deliveries: DynamoDeliveries) -> None:
    deliveries.put_new(make_delivery("d-1"))
    calls: list[str] = []
    deliveries._table.client.meta.events.register(
        "before-call.dynamodb.*", lambda model, **_: calls.append(model.name)
    )
    later = T0 + timedelta(days=1)
    assert deliveries.claim(SHOP, "d-1", now=later, lease_until=later).claimed
    assert deliveries.release(SHOP, "d-1", send_at=T0, reason="throttled")
    assert deliveries.reschedule(SHOP, "d-1", send_at=T0)
    assert calls == ["UpdateItem", "UpdateItem", "UpdateItem"]
    calls.clear()
    assert deliveries.finish(SHOP, "d-1", status="cancelled", reason="stopped", from_status=["scheduled"])
    assert calls == ["TransactWriteItems"]
    assert deliveries.counts(SHOP) == {"waiting": 0, "unknown": 0}


# --- recount: a deployment whose deliveries predate the counters -----------------------------------


def forget_counters(table_name: str, shop_ids: list[str]) -> None:
    """As before the counters: no counter items, and no ``unknown`` delivery on the ``due`` index."""
    table = Table(table_name)
    for shop_id in shop_ids:
        expr = Expression()
        for item in table.query_all(expr, f"{expr.name('pk')} = {expr.value(counts_pk(shop_id))}"):
            table.delete(str(item["pk"]), str(item["sk"]))
        for delivery in in_table(table_name, shop_id):
            if delivery.status == "unknown":
                expr = Expression()
                table.update(
                    shop_id,
                    delivery.id,
                    expr,
                    update=f"REMOVE {expr.name('due_shard')}, {expr.name('due_at')}",
                )


def test_recount_sets_the_counters_from_the_deliveries(
    tables: dict[str, str], deliveries: DynamoDeliveries, capsys: pytest.CaptureFixture[str]
) -> None:
    later = T0 + timedelta(days=1)
    for n in range(30):
        shop_id = SHOPS[n % 2]
        deliveries.put_new(make_delivery(f"d-{n}", shop_id=shop_id, send_at=T0 + timedelta(minutes=n)))
        if n % 3 == 0:
            deliveries.claim(shop_id, f"d-{n}", now=later, lease_until=later)
            deliveries.mark_unknown(shop_id, f"d-{n}", now=later + timedelta(minutes=1))
        elif n % 5 == 0:
            deliveries.finish(
                shop_id, f"d-{n}", status="cancelled", reason="stopped", from_status=["scheduled"]
            )
    truth = {shop_id: expected_counts(in_table(tables["deliveries"], shop_id)) for shop_id in SHOPS}
    assert truth == {SHOP: {"waiting": 8, "unknown": 5}, OTHER_SHOP: {"waiting": 8, "unknown": 5}}
    assert {shop_id: deliveries.counts(shop_id) for shop_id in SHOPS} == truth

    forget_counters(tables["deliveries"], SHOPS)
    assert deliveries.counts(SHOP) == {"waiting": 0, "unknown": 0}
    assert deliveries.latest_unknown(SHOP, limit=5) == []
    assert deliveries.recount(page_size=7) == truth  # several scan pages
    assert {shop_id: deliveries.counts(shop_id) for shop_id in SHOPS} == truth
    assert [d.id for d in deliveries.latest_unknown(SHOP, limit=2)] == ["d-24", "d-18"]

    assert main(["recount", "--table", tables["deliveries"]]) == 0  # again, from the CLI: the same
    assert {shop_id: deliveries.counts(shop_id) for shop_id in SHOPS} == truth
    out = capsys.readouterr().out
    assert f"{SHOP}: waiting 8, unknown 5" in out
    assert f"{OTHER_SHOP}: waiting 8, unknown 5" in out


def test_recount_repairs_counters_that_drifted(tables: dict[str, str], deliveries: DynamoDeliveries) -> None:
    deliveries.put_new(make_delivery("d-1"))
    table = Table(tables["deliveries"])
    table.put({"pk": counts_pk(SHOP), "sk": "unknown#3", "n": 4})  # an unknown mail's TTL ran out, say
    assert deliveries.counts(SHOP) == {"waiting": 1, "unknown": 4}
    assert deliveries.recount() == {SHOP: {"waiting": 1, "unknown": 0}}
    assert deliveries.counts(SHOP) == {"waiting": 1, "unknown": 0}
    assert unknown_shard(SHOP) == f"unknown#{SHOP}"


# --- an order's deliveries in one request ----------------------------------------------------------


def transact_calls(deliveries: DynamoDeliveries) -> list[str]:
    """The DynamoDB operations the adapter's client makes from now on (a botocore hook)."""
    seen: list[str] = []
    deliveries._table.client.meta.events.register(
        "before-call.dynamodb", lambda model, **_: seen.append(model.name), unique_id="put-all-calls"
    )
    return seen


def test_an_orders_deliveries_are_one_request_and_a_repeat_counts_nothing(
    deliveries: DynamoDeliveries,
) -> None:
    run = [
        make_delivery("p-0", status="scheduled"),
        make_delivery("p-1", status="scheduled"),
        make_delivery("p-2", status="skipped", reason="past"),
        make_delivery("p-3", status="scheduled"),
    ]
    calls = transact_calls(deliveries)
    try:
        assert deliveries.put_all(run) == [True] * 4
        assert calls == ["TransactWriteItems"]  # one request: 4 puts and the counter shards they touch
        assert deliveries.counts(SHOP) == {"waiting": 3, "unknown": 0}

        calls.clear()
        assert deliveries.put_all(run) == [False] * 4  # the same stream record again
        assert deliveries.counts(SHOP) == {"waiting": 3, "unknown": 0}

        # one of a run already there (a crash after it alone was written): the others are new
        more = [make_delivery("q-0", status="scheduled"), run[0], make_delivery("q-1", status="scheduled")]
        assert deliveries.put_all(more) == [True, False, True]
        assert deliveries.counts(SHOP) == {"waiting": 5, "unknown": 0}
        assert {d.id for d in deliveries.by_order(SHOP, "rakuten#A-1")} >= {"p-0", "p-3", "q-0", "q-1"}
    finally:
        deliveries._table.client.meta.events.unregister("before-call.dynamodb", unique_id="put-all-calls")
    fake = FakeDeliveries()
    assert fake.put_all(run) == [True] * 4
    assert fake.put_all(more) == [True, False, True]
    assert fake.counts(SHOP) == deliveries.counts(SHOP)
