"""The one-off move of orders from the shop-wide key to the per-order key (issue #14), over moto.

An existing deployment holds its orders under ``pk`` = the shop, already planned. The tests put
orders there as the old code did (the item the adapter writes, with the shop as ``pk``), then run
``OrderKeyMigration``: twice in a row, interrupted half-way and resumed, and after a mail that came
between the deploy and the migration. Every stream record it causes goes through the schedule
handler, and none plans anything new: the deliveries and the wake-ups stay exactly as they were.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from functions.schedule import handler as schedule_handler
from okaeri.aws.clients import dynamodb_client
from okaeri.aws.dynamo import from_item
from okaeri.aws.orders import order_pk
from okaeri.aws.orders_migration import MIGRATED, MigrationReport, OrderKeyMigration
from okaeri.cli import main as okaeri
from tests.integration.pipeline.conftest import SHOP_ID, Stack, schedules, stream_records, table_items
from tests.integration.pipeline.test_pipeline import ingest, pump_stream

ORDERS = ("yahoo-iso2022-company", "eccube-html-gift", "rakuten-utf8-qp")
MOVED_AT = datetime(2026, 12, 7, 0, 0, tzinfo=UTC)


def planned_under_the_old_key(stack: Stack, names: tuple[str, ...] = ORDERS) -> None:
    """Orders ingested and planned, then put back under the old key (``pk`` = the shop), as an
    existing deployment holds them; the stream records of that rewrite are dropped (they are not
    the migration's)."""
    for name in names:
        assert ingest(stack, name)["result"] == "parsed"
    pump_stream(stack)
    client = dynamodb_client()
    for item in client.scan(TableName=stack.tables["orders"])["Items"]:
        client.put_item(TableName=stack.tables["orders"], Item={**item, "pk": {"S": SHOP_ID}})
        client.delete_item(TableName=stack.tables["orders"], Key={"pk": item["pk"], "sk": item["sk"]})
    stream_records(stack)


def orders_by_key(stack: Stack) -> dict[tuple[str, str], dict[str, Any]]:
    items = dynamodb_client().scan(TableName=stack.tables["orders"], ConsistentRead=True)["Items"]
    return {(item["pk"]["S"], item["sk"]["S"]): from_item(item) for item in items}


def migration(stack: Stack) -> OrderKeyMigration:
    return OrderKeyMigration(stack.tables["orders"], now=lambda: MOVED_AT)


def plans_nothing(stack: Stack) -> list[str | None]:
    """Hand the migration's stream records to the schedule handler; what each planned (its note),
    after checking each created, cancelled and moved nothing."""
    records = stream_records(stack)
    notes = []
    for record in records:
        outcome = schedule_handler.handle_record(record, stack.schedule)
        assert (outcome.created, outcome.cancelled, outcome.moved) == ([], [], []), record["eventName"]
        notes.append(f"{record['eventName']} {outcome.note}")
    assert schedule_handler.handle({"Records": records}, stack.schedule)["batchItemFailures"] == []
    return notes  # type: ignore[return-value]


def test_moving_twice_in_a_row_moves_each_order_once_and_plans_nothing(stack: Stack) -> None:
    planned_under_the_old_key(stack)
    before = orders_by_key(stack)
    assert {pk for pk, _ in before} == {SHOP_ID}
    deliveries, wake_ups = table_items(stack)["deliveries"], set(schedules())
    assert deliveries
    assert len(wake_ups) == 9  # three steps of three orders

    first = migration(stack).run()
    again = migration(stack).run()

    assert (first.scanned, first.moved, first.already_moved, first.merged, first.left) == (3, 3, 0, 0, 0)
    assert again == MigrationReport()  # nothing left under the old key: nothing read, nothing done
    after = orders_by_key(stack)
    assert set(after) == {(order_pk(SHOP_ID, sk), sk) for _, sk in before}
    for (_, sk), item in after.items():  # the same item, under its own key, marked
        assert item[MIGRATED] == "2026-12-07T00:00:00.000000+00:00"
        assert {k: v for k, v in item.items() if k not in ("pk", MIGRATED)} == {
            k: v for k, v in before[SHOP_ID, sk].items() if k != "pk"
        }
        assert stack.ingest.orders.get(SHOP_ID, sk) is not None
    notes = plans_nothing(stack)
    assert sorted(notes) == ["INSERT migrated"] * 3 + ["REMOVE None"] * 3
    assert table_items(stack)["deliveries"] == deliveries
    assert set(schedules()) == wake_ups
    listed, _ = stack.admin.orders.search(SHOP_ID, since=None, until=None, keep=None, limit=10, start=None)
    assert sorted(record.order_key for record in listed) == sorted(sk for _, sk in before)


def test_an_interrupted_run_is_resumed_by_the_next(stack: Stack) -> None:
    planned_under_the_old_key(stack)
    deliveries, wake_ups = table_items(stack)["deliveries"], set(schedules())

    half = migration(stack).run(limit=2)  # stopped after two orders
    assert (half.scanned, half.moved) == (2, 2)
    assert sorted(pk == SHOP_ID for pk, _ in orders_by_key(stack)) == [False, False, True]
    assert sorted(plans_nothing(stack)) == ["INSERT migrated"] * 2 + ["REMOVE None"] * 2

    # a crash can also leave a moved order's old item behind (a restore, an old writer): put one back
    moved_pk, moved_sk = next(key for key in orders_by_key(stack) if key[0] != SHOP_ID)
    copy = orders_by_key(stack)[moved_pk, moved_sk]
    old = {k: v for k, v in copy.items() if k != MIGRATED} | {"pk": SHOP_ID}
    old["raw_keys"] = set(old["raw_keys"])
    from okaeri.aws.dynamo import to_item

    dynamodb_client().put_item(TableName=stack.tables["orders"], Item=to_item(old))
    stream_records(stack)

    rest = migration(stack).run()
    assert (rest.scanned, rest.moved, rest.already_moved, rest.merged, rest.left) == (2, 1, 1, 0, 0)
    assert {pk == SHOP_ID for pk, _ in orders_by_key(stack)} == {False}
    assert len(orders_by_key(stack)) == 3
    assert sorted(plans_nothing(stack)) == ["INSERT migrated", "REMOVE None", "REMOVE None"]
    assert migration(stack).run() == MigrationReport()
    assert table_items(stack)["deliveries"] == deliveries
    assert set(schedules()) == wake_ups


def test_a_mail_between_the_deploy_and_the_migration_is_folded_in(stack: Stack) -> None:
    """The order is under the old key; its shipment comes after the deploy and, finding no order under
    the new key, makes a stub there. The migration folds the full order into the stub: one order under
    the new key, with the shipment; its re-planning keeps the run (no second run, no lost mail)."""
    planned_under_the_old_key(stack, ("eccube-html-gift",))
    deliveries = table_items(stack)["deliveries"]
    [(_, key)] = orders_by_key(stack)
    assert ingest(stack, "eccube-shipping-mislabelled")["result"] == "parsed"
    pump_stream(stack)  # the stub's INSERT: planned on the stub, under the same delivery ids
    assert len(table_items(stack)["deliveries"]) == len(deliveries)

    report = migration(stack).run()

    assert (report.scanned, report.moved, report.merged) == (1, 0, 1)
    [((pk, sk), item)] = orders_by_key(stack).items()
    assert (pk, sk) == (order_pk(SHOP_ID, key), key)
    assert item["order"]["kind"] == "order"
    assert item["shipped_at"] is not None
    assert len(item["raw_keys"]) == 2
    pump_stream(stack)
    after = table_items(stack)["deliveries"]
    assert len(after) == len(deliveries)  # the same run's mails, moved to the ship date at most
    runs = lambda items: {d["run_id"]["S"] for d in items if "run_id" in d}  # noqa: E731
    assert runs(after) == runs(deliveries)


def test_the_command_line_runs_it_and_says_what_it_did(stack: Stack, capsys: Any) -> None:
    planned_under_the_old_key(stack, ("eccube-html-gift",))
    assert okaeri(["migrate-order-keys", "--table", stack.tables["orders"]]) == 0
    assert "moved 1" in capsys.readouterr().out
    assert okaeri(["migrate-order-keys", "--table", stack.tables["orders"]]) == 0
    assert "moved 0" in capsys.readouterr().out
    assert {pk for pk, _ in orders_by_key(stack)} == {order_pk(SHOP_ID, "ec-cube#2077")}
