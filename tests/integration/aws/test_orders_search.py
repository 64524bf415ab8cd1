"""DynamoOrders for the admin API: search by order time, a customer's orders, redaction."""

from __future__ import annotations

from datetime import timedelta

import pytest

from okaeri.aws.orders import DynamoOrders, order_pk
from okaeri.aws.search import InvalidStartKeyError
from okaeri.models import OrderRecord
from tests.integration.aws.conftest import OTHER_SHOP, SHOP, T0, make_order, make_record, stored_item


def put(orders: DynamoOrders, n: int, *, shop_id: str = SHOP, customer: str = "c" * 32) -> None:
    order = make_order(f"A-{n}", ordered_at=(T0 + timedelta(hours=n)).isoformat())
    assert orders.put_new(make_record(order, shop_id=shop_id, customer_id=customer))


def ids(records: list[OrderRecord]) -> list[str]:
    return [record.order.order_id for record in records]


def test_search_is_newest_first_within_the_period(orders: DynamoOrders) -> None:
    for n in range(5):
        put(orders, n)
    put(orders, 9, shop_id=OTHER_SHOP)
    everything, last = orders.search(SHOP, since=None, until=None, keep=None, limit=10, start=None)
    assert (ids(everything), last) == (["A-4", "A-3", "A-2", "A-1", "A-0"], None)
    some, _ = orders.search(
        SHOP, since=T0 + timedelta(hours=1), until=T0 + timedelta(hours=3), keep=None, limit=10, start=None
    )
    assert ids(some) == ["A-3", "A-2", "A-1"]
    later, _ = orders.search(SHOP, since=T0 + timedelta(hours=4), until=None, keep=None, limit=10, start=None)
    earlier, _ = orders.search(SHOP, since=None, until=T0, keep=None, limit=10, start=None)
    assert (ids(later), ids(earlier)) == (["A-4"], ["A-0"])


def test_search_pages_with_a_test_and_goes_on_from_its_key(orders: DynamoOrders) -> None:
    for n in range(6):
        put(orders, n)
    even = lambda record: int(record.order.order_id[2:]) % 2 == 0  # noqa: E731
    first, last = orders.search(SHOP, since=None, until=None, keep=even, limit=2, start=None)
    assert ids(first) == ["A-4", "A-2"]
    assert last is not None
    assert set(last) == {"pk", "sk", "shop_id", "ordered_at"}
    assert last["pk"] == order_pk(SHOP, last["sk"])  # the table's key is the order's
    rest, end = orders.search(SHOP, since=None, until=None, keep=even, limit=2, start=last)
    assert (ids(rest), end) == (["A-0"], None)


def test_a_start_key_of_another_shop_or_the_old_shop_wide_key_is_refused(orders: DynamoOrders) -> None:
    for n in range(3):
        put(orders, n)
    _, last = orders.search(SHOP, since=None, until=None, keep=None, limit=1, start=None)
    assert last is not None
    theirs = {**last, "pk": order_pk(OTHER_SHOP, last["sk"])}
    old_style = {**last, "pk": SHOP}
    for start in (theirs, old_style):
        with pytest.raises(InvalidStartKeyError):
            orders.search(SHOP, since=None, until=None, keep=None, limit=1, start=start)


def test_a_customers_orders_newest_first(orders: DynamoOrders) -> None:
    put(orders, 1)
    put(orders, 2)
    put(orders, 3, customer="d" * 32)
    put(orders, 4, shop_id=OTHER_SHOP)
    assert ids(orders.by_customer(SHOP, "c" * 32)) == ["A-2", "A-1"]
    assert orders.by_customer(SHOP, "e" * 32) == []


def test_redaction_blanks_personal_fields_only(orders: DynamoOrders, tables: dict[str, str]) -> None:
    put(orders, 1)
    before = stored_item(tables["orders"], order_pk(SHOP, "rakuten#A-1"), "rakuten#A-1")
    redacted = orders.redact_personal(SHOP, "rakuten#A-1", at=T0 + timedelta(days=1))
    assert redacted is not None
    assert redacted.order.customer.name is None
    assert redacted.order.customer.email is None
    assert redacted.order.ship_to.name is None
    assert redacted.order.ship_to.prefecture == "東京都"
    assert redacted.order.items == make_order("A-1").items
    assert redacted.order.total == 7128
    after = stored_item(tables["orders"], order_pk(SHOP, "rakuten#A-1"), "rakuten#A-1")
    assert before is not None
    assert after is not None
    changed = {name for name in after if after[name] != before.get(name)}
    assert changed == {"order", "redacted_at"}
    assert {name: after[name] for name in ("customer_ref", "ordered_at", "status")} == {
        name: before[name] for name in ("customer_ref", "ordered_at", "status")
    }
    again = orders.redact_personal(SHOP, "rakuten#A-1", at=T0 + timedelta(days=2))
    assert again == redacted
    kept = stored_item(tables["orders"], order_pk(SHOP, "rakuten#A-1"), "rakuten#A-1")
    assert kept == after  # the first time is kept
    assert orders.redact_personal(SHOP, "rakuten#NONE", at=T0) is None
    assert orders.redact_personal(OTHER_SHOP, "rakuten#A-1", at=T0) is None
