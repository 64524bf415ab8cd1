"""Imported and webhook orders take the mail's path (``ingest.apply_order``): stored once, counted
once, one reception entry each; the same file or webhook again changes nothing."""

from __future__ import annotations

import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from okaeri.identity import customer_id_for
from okaeri.import_formats import RAKUTEN_RMS, YAHOO, ColumnMapping, ParsedCsv, mapped_layout, read_orders
from okaeri.import_formats.models import MAX_ORDERS_LISTED, MAX_REFUSED_LISTED
from okaeri.models import Shop
from okaeri.services.imports import import_key, import_orders, receive_shopify, webhook_event_id
from tests.conftest import FIXTURES
from tests.unit.services.support import SHOP_ID, World, at

NOW = at("2026-11-30 07:00")
TOKYO = ZoneInfo("Asia/Tokyo")
RMS_KEYS = [
    "rakuten#338361-20261128-0100000001",
    "rakuten#338361-20261128-0100000002",
    "rakuten#338361-20261129-0100000006",
]
SHOPIFY_KEY = "shopify##1042"


@pytest.fixture
def world() -> World:
    return World.create(NOW)


def shop(world: World) -> Shop:
    found = world.config.shop(SHOP_ID)
    assert found is not None
    return found


def rms() -> ParsedCsv:
    return read_orders((FIXTURES / "imports" / "rakuten-rms.csv").read_bytes(), RAKUTEN_RMS, TOKYO)


def orders_counted(world: World) -> dict[date, int]:
    return {key[1]: n for key, n in world.config.counters.items() if key[4] == "orders" and key[0] == SHOP_ID}


def test_an_import_stores_its_orders_with_one_reception_entry_each(world: World) -> None:
    report = import_orders(
        world.ingest_deps(), shop(world), rms(), import_id="imp-1", by="manager@okaeri.test"
    )

    assert (report.import_id, report.source, report.rows) == ("imp-1", "rakuten", 9)
    assert (report.orders_taken, report.orders_new, report.orders_updated, report.orders_known) == (
        3,
        3,
        0,
        0,
    )
    assert report.orders == RMS_KEYS
    assert (report.refused_rows, [r.line for r in report.refused]) == (5, [6, 7, 8, 9, 10])
    assert (report.complete, report.orders_left) == (True, 0)
    record = world.order(RMS_KEYS[0])
    assert (
        record.raw_keys
        == [import_key(SHOP_ID, "imp-1", RMS_KEYS[0])]
        == [f"import/{SHOP_ID}/imp-1#{RMS_KEYS[0]}"]
    )
    assert (record.received_at, record.order_rank) == (NOW, 1)
    assert len(record.order.items) == 2
    entries = sorted(world.logs.receptions.values(), key=lambda e: e.order_key or "")
    assert [(e.order_key, e.result, e.kind) for e in entries] == [
        (key, "parsed", "order") for key in RMS_KEYS
    ]
    assert {e.sender for e in entries} == {"manager@okaeri.test"}
    assert {e.subject for e in entries} == {"楽天RMS 受注CSV / Rakuten RMS order CSV (imp-1)"}
    assert world.customer(customer_id_for("t.takahashi@example.jp")).order_count == 1
    assert orders_counted(world) == {date(2026, 11, 30): 3}


def test_the_same_file_again_changes_no_order_and_counts_nothing(world: World) -> None:
    import_orders(world.ingest_deps(), shop(world), rms(), import_id="imp-1", by="m")
    world.orders.drain_stream()
    before = {key: world.order(key) for key in RMS_KEYS}

    again = import_orders(world.ingest_deps(), shop(world), rms(), import_id="imp-2", by="m")

    assert (again.orders_taken, again.orders_new, again.orders_known) == (3, 0, 3)
    assert {key: world.order(key) for key in RMS_KEYS} == before
    assert world.orders.drain_stream() == []  # nothing for the schedule function to plan
    assert orders_counted(world) == {date(2026, 11, 30): 3}
    assert world.customer(customer_id_for("t.takahashi@example.jp")).order_count == 1
    results = sorted(e.result for e in world.logs.receptions.values() if "imp-2" in e.s3_key)
    assert results == ["duplicate"] * 3


def test_a_ship_date_in_a_later_file_updates_the_known_order(world: World) -> None:
    mapping = mapped_layout(
        ColumnMapping.model_validate(
            {
                "columns": {
                    "order_id": "id",
                    "ordered_at": "ordered",
                    "shipped_at": "shipped",
                    "tracking_number": "no",
                }
            }
        )
    )
    first = read_orders(b"id,ordered,shipped,no\nEC-9,2026-11-28 10:00,,\n", mapping, TOKYO)
    later = read_orders(b"id,ordered,shipped,no\nEC-9,2026-11-28 10:00,2026-12-01,T-77\n", mapping, TOKYO)
    import_orders(world.ingest_deps(), shop(world), first, import_id="imp-1", by="m")
    world.orders.drain_stream()

    report = import_orders(world.ingest_deps(), shop(world), later, import_id="imp-2", by="m")
    again = import_orders(world.ingest_deps(), shop(world), later, import_id="imp-3", by="m")

    assert (report.orders_new, report.orders_updated, report.orders_known) == (0, 1, 0)
    record = world.order("csv#EC-9")
    assert (record.order.shipped_at, record.order.tracking_number) == (date(2026, 12, 1), "T-77")
    [change] = world.orders.drain_stream()
    assert change.old is not None
    assert change.old.order.shipped_at is None
    assert (again.orders_updated, again.orders_known) == (0, 1)  # nothing new the third time
    assert orders_counted(world) == {date(2026, 11, 30): 1}


def test_an_import_out_of_time_stops_and_the_same_file_takes_the_rest(world: World) -> None:
    asked = iter([False, True])
    first = import_orders(
        world.ingest_deps(), shop(world), rms(), import_id="imp-1", by="m", out_of_time=lambda: next(asked)
    )
    rest = import_orders(world.ingest_deps(), shop(world), rms(), import_id="imp-2", by="m")

    assert (first.orders_taken, first.complete, first.orders_left, first.orders) == (
        1,
        False,
        2,
        RMS_KEYS[:1],
    )
    assert (rest.orders_new, rest.orders_known, rest.complete) == (2, 1, True)
    assert orders_counted(world) == {date(2026, 11, 30): 3}


def test_an_order_that_came_by_mail_is_a_duplicate_in_a_csv(world: World) -> None:
    world.receive("yahoo-forwarded-inline")
    csv = b"OrderId,OrderTime,Title\nkome-ya-20000001,2026-12-04 10:00,x\n"
    report = import_orders(
        world.ingest_deps(), shop(world), read_orders(csv, YAHOO, TOKYO), import_id="i", by="m"
    )
    assert (report.orders, report.orders_known) == (["yahoo#KOME-YA-20000001"], 1)
    assert orders_counted(world) == {date(2026, 11, 30): 1}  # the mail's


# --- Shopify ----------------------------------------------------------------------------------------


def body(name: str) -> bytes:
    return (FIXTURES / "imports" / f"shopify-{name}.json").read_bytes()


def webhook(world: World, topic: str, name: str, webhook_id: str | None = "wh-1", **kwargs: datetime) -> str:
    entry = receive_shopify(
        world.ingest_deps(),
        shop(world),
        topic=topic,
        body=body(name),
        webhook_id=webhook_id,
        received_at=kwargs.get("received_at", NOW),
        shop_domain="mikan-sanbo.myshopify.com",
    )
    return f"{entry.result}/{entry.kind}/{entry.reason}"


def test_a_webhook_order_is_stored_counted_and_logged(world: World) -> None:
    assert webhook(world, "orders/create", "orders-create") == "parsed/order/None"
    record = world.order(SHOPIFY_KEY)
    assert record.raw_keys == [f"shopify/{SHOP_ID}/wh-1"]
    [entry] = world.logs.receptions.values()
    assert (entry.s3_key, entry.sender, entry.subject) == (
        f"shopify/{SHOP_ID}/wh-1",
        "Shopify mikan-sanbo.myshopify.com",
        "orders/create",
    )
    assert orders_counted(world) == {date(2026, 11, 30): 1}


def test_shopify_retrying_a_webhook_changes_nothing(world: World) -> None:
    webhook(world, "orders/create", "orders-create")
    world.orders.drain_stream()
    record = world.order(SHOPIFY_KEY)

    assert webhook(world, "orders/create", "orders-create") == "parsed/order/None"  # the same event again

    assert len(world.logs.receptions) == 1  # the same entry, rewritten
    assert world.order(SHOPIFY_KEY) == record
    assert world.orders.drain_stream() == []
    assert orders_counted(world) == {date(2026, 11, 30): 1}
    assert world.customer(customer_id_for("hanako.yamada@example.jp")).order_count == 1


def test_orders_fulfilled_applies_the_shipment(world: World) -> None:
    webhook(world, "orders/create", "orders-create")
    assert webhook(world, "orders/fulfilled", "orders-fulfilled", "wh-2") == "parsed/shipment/None"
    order = world.order(SHOPIFY_KEY).order
    assert order.shipped_at == datetime.fromisoformat("2026-11-30T16:20:00+09:00")
    assert (order.carrier, order.tracking_number, order.kind) == ("Yamato (JA)", "4321-0000-9876", "order")
    assert orders_counted(world) == {date(2026, 11, 30): 1}  # a shipment is no new order


def test_orders_cancelled_cancels(world: World) -> None:
    webhook(world, "orders/create", "orders-create")
    assert webhook(world, "orders/cancelled", "orders-create", "wh-3") == "parsed/cancellation/None"
    assert world.order(SHOPIFY_KEY).status == "cancelled"


@pytest.mark.parametrize("raw", [b"not json", b"[1, 2]", json.dumps({"name": "#1"}).encode()])
def test_a_verified_webhook_that_is_no_order_is_logged_failed(world: World, raw: bytes) -> None:
    entry = receive_shopify(
        world.ingest_deps(), shop(world), topic="orders/create", body=raw, webhook_id="wh-9", received_at=NOW
    )
    assert (entry.result, entry.reason) == ("failed", "bad_payload")
    assert entry.message_ja
    assert entry.message_en
    assert list(world.logs.receptions.values()) == [entry]
    assert world.orders.items == {}


def test_without_a_usable_webhook_id_the_body_names_the_event() -> None:
    assert (
        webhook_event_id("b5e1f3a0-2f6c-4c4e-9d7e-1c2b3a4d5e6f", b"{}")
        == "b5e1f3a0-2f6c-4c4e-9d7e-1c2b3a4d5e6f"
    )
    hashed = webhook_event_id("../../etc", b"{}")
    assert hashed.startswith("sha256-")
    assert hashed == webhook_event_id(None, b"{}") != webhook_event_id(None, b"{ }")


def test_a_files_plain_ship_date_does_not_replace_a_mails_ship_time_of_that_day(world: World) -> None:
    webhook(world, "orders/create", "orders-create")
    webhook(world, "orders/fulfilled", "orders-fulfilled", "wh-2")  # shipped 2026-11-30 16:20
    mapping = mapped_layout(
        ColumnMapping.model_validate(
            {"source": "shopify", "columns": {"order_id": "id", "shipped_at": "shipped"}}
        )
    )
    same_day = read_orders(b"id,shipped\n#1042,2026-11-30\n", mapping, TOKYO)
    next_day = read_orders(b"id,shipped\n#1042,2026-12-01\n", mapping, TOKYO)

    kept = import_orders(world.ingest_deps(), shop(world), same_day, import_id="i-1", by="m")
    assert (kept.orders_known, world.order(SHOPIFY_KEY).order.shipped_at) == (
        1,
        datetime.fromisoformat("2026-11-30T16:20:00+09:00"),
    )
    moved = import_orders(world.ingest_deps(), shop(world), next_day, import_id="i-2", by="m")
    assert (moved.orders_updated, world.order(SHOPIFY_KEY).order.shipped_at) == (1, date(2026, 12, 1))


def test_a_big_import_lists_only_the_first_orders_and_refusals(world: World) -> None:
    good = "".join(f"o-{n},2026-11-28 10:00\n" for n in range(1_100))
    bad = "".join(f"x-{n},someday\n" for n in range(250))
    parsed = read_orders(f"OrderId,OrderTime\n{good}{bad}".encode(), YAHOO, TOKYO)

    report = import_orders(world.ingest_deps(), shop(world), parsed, import_id="big", by="m")

    assert (report.rows, report.orders_taken, report.orders_new, report.refused_rows) == (
        1_350,
        1_100,
        1_100,
        250,
    )
    assert (len(report.orders), len(report.refused)) == (MAX_ORDERS_LISTED, MAX_REFUSED_LISTED)
    assert report.orders[0] == "yahoo#O-0"
    assert len(report.model_dump_json()) < 200_000
