"""DynamoOrders: orders keyed by (shop#source#order id, source#order id), shipments and cancellations, stubs."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from okaeri.aws.clients import dynamodb_client
from okaeri.aws.dynamo import from_item
from okaeri.aws.orders import DynamoOrders, order_pk, order_record
from okaeri.identity import customer_id_for
from okaeri.models import Order
from tests.integration.aws.conftest import (
    OTHER_SHOP,
    RETENTION_DAYS,
    SHOP,
    T0,
    interleaved,
    make_order,
    make_record,
    stored_item,
)

KEY = make_order().key
LATER = T0 + timedelta(days=2)


def shipment(**fields: Any) -> Order:
    data: dict[str, Any] = {
        "kind": "shipment",
        "shipped_at": "2026-11-22",
        "carrier": "ヤマト運輸",
        "tracking_number": "1234-5678-9012",
    }
    return make_order(**(data | fields))


def test_a_new_order_round_trips_exactly(orders: DynamoOrders) -> None:
    record = make_record(order_rank=3)
    assert orders.put_new(record) is not None
    stored = orders.get(SHOP, KEY)
    assert stored == record
    assert stored is not None
    assert stored.order.ordered_at is not None
    assert stored.order.ordered_at.utcoffset() == timedelta(hours=9)  # the offset the mail gave


def test_index_and_ttl_attributes_are_written(orders: DynamoOrders, tables: dict[str, str]) -> None:
    orders.put_new(make_record())
    item = stored_item(tables["orders"], order_pk(SHOP, KEY), KEY)
    assert item is not None
    assert item["customer_ref"] == f"{SHOP}#{'c' * 32}"
    assert item["ordered_at"] == "2026-11-20T02:05:12.000000+00:00"  # UTC, fixed width: sortable
    assert item["shop_id"] == SHOP
    assert item["status"] == "open"
    assert item["expires_at"] == int((T0 + timedelta(days=RETENTION_DAYS)).timestamp())


def test_the_same_order_again_is_refused_and_changes_nothing(orders: DynamoOrders) -> None:
    orders.put_new(make_record())
    resent = make_record(make_order(total=1), raw_keys=["inbound/sakura-farm/mail-2"])
    assert orders.put_new(resent) is None
    stored = orders.get(SHOP, KEY)
    assert stored is not None
    assert stored.order.total == 7128
    assert stored.raw_keys == ["inbound/sakura-farm/mail-1"]


def test_a_resent_order_with_a_full_width_id_is_the_same_order(orders: DynamoOrders) -> None:
    orders.put_new(make_record())
    assert orders.put_new(make_record(make_order("３３８３６１-20261120-0912345678"))) is None


def test_a_shipment_updates_the_known_order_and_keeps_its_date_a_date(orders: DynamoOrders) -> None:
    orders.put_new(make_record())
    updated = orders.apply_shipment(SHOP, shipment(), raw_key="inbound/sakura-farm/ship-1", at=LATER)
    assert updated.order.shipped_at == date(2026, 11, 22)
    assert type(updated.order.shipped_at) is date
    assert updated.order.carrier == "ヤマト運輸"
    assert updated.order.tracking_number == "1234-5678-9012"
    assert updated.order.kind == "order"  # still the order, with its items and buyer
    assert updated.order.items == make_order().items
    assert updated.raw_keys == ["inbound/sakura-farm/mail-1", "inbound/sakura-farm/ship-1"]
    assert orders.get(SHOP, KEY) == updated


def test_a_shipment_with_a_time_keeps_the_datetime(orders: DynamoOrders) -> None:
    orders.put_new(make_record())
    shipped = datetime(2026, 11, 22, 15, 30, tzinfo=UTC)
    updated = orders.apply_shipment(SHOP, shipment(shipped_at=shipped), raw_key="k", at=LATER)
    assert updated.order.shipped_at == shipped
    assert isinstance(updated.order.shipped_at, datetime)


def test_the_same_shipment_twice_leaves_the_same_item(orders: DynamoOrders, tables: dict[str, str]) -> None:
    orders.put_new(make_record())
    first = orders.apply_shipment(SHOP, shipment(), raw_key="inbound/sakura-farm/ship-1", at=LATER)
    item_after_first = stored_item(tables["orders"], order_pk(SHOP, KEY), KEY)
    second = orders.apply_shipment(SHOP, shipment(), raw_key="inbound/sakura-farm/ship-1", at=LATER)
    assert second == first
    assert stored_item(tables["orders"], order_pk(SHOP, KEY), KEY) == item_after_first


def test_a_shipment_without_a_carrier_keeps_the_one_known(orders: DynamoOrders) -> None:
    orders.put_new(make_record())
    orders.apply_shipment(SHOP, shipment(), raw_key="ship-1", at=LATER)
    updated = orders.apply_shipment(
        SHOP, shipment(carrier=None, tracking_number=None), raw_key="ship-2", at=LATER
    )
    assert updated.order.carrier == "ヤマト運輸"
    assert updated.order.tracking_number == "1234-5678-9012"


def test_a_shipment_for_an_unknown_order_creates_it(orders: DynamoOrders, tables: dict[str, str]) -> None:
    created = orders.apply_shipment(SHOP, shipment(), raw_key="inbound/sakura-farm/ship-1", at=LATER)
    assert created.order.kind == "shipment"
    assert created.customer_id == customer_id_for("taro@example.jp")
    assert created.received_at == LATER
    assert created.raw_keys == ["inbound/sakura-farm/ship-1"]
    assert orders.get(SHOP, KEY) == created
    item = stored_item(tables["orders"], order_pk(SHOP, KEY), KEY)
    assert item is not None
    assert item["shipped_at"] == "2026-11-22"


def test_a_shipment_racing_the_order_updates_the_order(tables: dict[str, str]) -> None:
    other = DynamoOrders(tables["orders"], retention_days=RETENTION_DAYS)
    # the order lands between the shipment's failed update and its insert
    client = interleaved(dynamodb_client(), "put_item", lambda: other.put_new(make_record()))
    orders = DynamoOrders(tables["orders"], retention_days=RETENTION_DAYS, client=client)
    updated = orders.apply_shipment(SHOP, shipment(), raw_key="ship-1", at=LATER)
    assert updated.order.kind == "order"
    assert updated.order.shipped_at == date(2026, 11, 22)
    assert updated.raw_keys == ["inbound/sakura-farm/mail-1", "ship-1"]


def test_a_shipment_stub_keeps_the_rank_it_is_given_and_a_known_order_keeps_its_own(
    orders: DynamoOrders,
) -> None:
    stub = orders.apply_shipment(SHOP, shipment(), raw_key="ship-1", at=LATER, order_rank=3)
    assert stub.order_rank == 3
    assert orders.get(SHOP, KEY) == stub
    assert orders.put_new(make_record(order_rank=3, received_at=LATER)) is not None  # the order mail
    stored = orders.get(SHOP, KEY)
    assert stored is not None
    assert (stored.order.kind, stored.order_rank) == ("order", 3)

    again = orders.apply_shipment(SHOP, shipment(), raw_key="ship-2", at=LATER, order_rank=7)
    assert again.order_rank == 3  # the rank is only for a stub: the known order's stays


def test_a_cancellation_marks_the_order(orders: DynamoOrders) -> None:
    orders.put_new(make_record())
    cancelled = orders.mark_cancelled(SHOP, make_order(kind="cancellation"), raw_key="cancel-1", at=LATER)
    assert cancelled.status == "cancelled"
    assert cancelled.order.kind == "order"
    assert cancelled.raw_keys == ["cancel-1", "inbound/sakura-farm/mail-1"]
    assert orders.get(SHOP, KEY) == cancelled


def test_a_cancellation_of_an_unknown_order_keeps_a_stub(orders: DynamoOrders) -> None:
    stub = orders.mark_cancelled(SHOP, make_order(kind="cancellation"), raw_key="cancel-1", at=LATER)
    assert stub.status == "cancelled"
    assert stub.order.kind == "cancellation"
    assert orders.get(SHOP, KEY) == stub


def test_the_order_mail_after_a_shipment_stub_replaces_it_and_keeps_the_shipment(
    orders: DynamoOrders,
) -> None:
    orders.apply_shipment(SHOP, shipment(items=[]), raw_key="ship-1", at=T0)
    record = make_record(received_at=LATER)
    assert orders.put_new(record) is not None
    stored = orders.get(SHOP, KEY)
    assert stored is not None
    assert stored.order.kind == "order"
    assert stored.order.items == record.order.items
    assert stored.order.shipped_at == date(2026, 11, 22)
    assert stored.order.carrier == "ヤマト運輸"
    assert stored.raw_keys == ["inbound/sakura-farm/mail-1", "ship-1"]
    assert orders.put_new(record) is None  # now it is the order: a second copy is a duplicate


def test_the_order_mail_after_a_cancellation_stub_stays_cancelled(orders: DynamoOrders) -> None:
    orders.mark_cancelled(SHOP, make_order(kind="cancellation"), raw_key="cancel-1", at=T0)
    written = orders.put_new(make_record(received_at=LATER))
    assert written is not None
    assert (written.status, written.order.kind) == ("cancelled", "order")  # answered as stored: ingest
    assert orders.get(SHOP, KEY) == written  # takes the cancelled order back from its customer


def test_an_order_without_date_or_customer_leaves_the_indexes_alone(
    orders: DynamoOrders, tables: dict[str, str]
) -> None:
    orders.put_new(make_record(make_order(ordered_at=None), customer_id=None))
    item = stored_item(tables["orders"], order_pk(SHOP, KEY), KEY)
    assert item is not None
    assert "ordered_at" not in item
    assert "customer_ref" not in item


def test_a_stream_image_reads_as_a_record(orders: DynamoOrders, tables: dict[str, str]) -> None:
    record = make_record()
    orders.put_new(record)
    key = {"pk": {"S": order_pk(SHOP, KEY)}, "sk": {"S": KEY}}
    image = dynamodb_client().get_item(TableName=tables["orders"], Key=key)
    assert order_record(from_item(image["Item"])) == record


def test_shops_do_not_see_each_others_orders(orders: DynamoOrders) -> None:
    orders.put_new(make_record())
    assert orders.get(OTHER_SHOP, KEY) is None
    assert orders.put_new(make_record(shop_id=OTHER_SHOP)) is not None
    orders.apply_shipment(OTHER_SHOP, shipment(), raw_key="ship-1", at=LATER)
    mine = orders.get(SHOP, KEY)
    assert mine is not None
    assert mine.order.shipped_at is None


def test_each_order_is_its_own_partition_so_the_stream_spreads_a_shops_orders(
    orders: DynamoOrders, tables: dict[str, str]
) -> None:
    """Issue #14: a shop's orders fall on as many partition keys (stream shards) as there are orders."""
    keys = [make_order(f"S-{n}").key for n in range(3)]
    for key in keys:
        orders.put_new(make_record(make_order(key.split("#")[1])))
    orders.apply_shipment(SHOP, shipment(order_id="S-9"), raw_key="ship-9", at=LATER)  # a stub
    items = dynamodb_client().scan(TableName=tables["orders"])["Items"]
    stored = {(item["pk"]["S"], item["sk"]["S"]) for item in items}
    expected = [*keys, make_order("S-9").key]
    assert stored == {(f"{SHOP}#{key}", key) for key in expected}
    assert {order_pk(SHOP, key) for key in expected} == {pk for pk, _ in stored}
    for key in expected:  # every read, update and erasure finds it under its own key
        assert orders.get(SHOP, key) is not None
        assert orders.redact_personal(SHOP, key, at=LATER) is not None
