"""okaeri refigure-customers: the figures of customers from before issue #16, made from their orders."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from okaeri.aws.clients import dynamodb_client
from okaeri.aws.customers import DynamoCustomers
from okaeri.aws.customers_refigure import CustomerRefigure
from okaeri.aws.dynamo import Table
from okaeri.aws.orders import DynamoOrders
from okaeri.identity import customer_id_for
from okaeri.models import CustomerRecord
from tests.integration.aws.conftest import OTHER_SHOP, SHOP, make_order, make_record

BUYER = customer_id_for("taro@example.jp")


def _legacy_customer(tables: dict[str, str], order_keys: set[str]) -> None:
    """A customer item as ingest wrote it before the figures: a count and the keys, no more."""
    Table(tables["customers"], client=dynamodb_client()).put(
        {"pk": SHOP, "sk": f"cust#{BUYER}", "shop_id": SHOP, "customer_id": BUYER, "email": "taro@example.jp",
         "order_keys": order_keys, "order_count": len(order_keys),
         "first_order_at": "2026-12-01T00:00:00.000000+00:00"}
    )  # fmt: skip


def _refigure(tables: dict[str, str], customers: DynamoCustomers, orders: DynamoOrders) -> list[str]:
    job = CustomerRefigure(
        customers,
        orders,
        customers_table=tables["customers"],
        zone=ZoneInfo("Asia/Tokyo"),
        client=dynamodb_client(),
    )
    return job.run(SHOP).lines()


def _stored(customers: DynamoCustomers) -> CustomerRecord:
    found = customers.get(SHOP, BUYER)
    assert found is not None
    return found


def test_a_customer_from_before_the_figures_gets_them_from_their_orders(
    tables: dict[str, str], customers: DynamoCustomers, orders: DynamoOrders
) -> None:
    first = make_record(
        make_order("A-1", ordered_at="2026-09-01T10:00:00+09:00", total=3000), customer_id=BUYER
    )
    second = make_record(
        make_order("A-2", source="yahoo", ordered_at="2026-10-05T23:30:00+09:00", total=5000),
        customer_id=BUYER,
    )
    cancelled = make_record(
        make_order("A-3", ordered_at="2026-10-20T10:00:00+09:00", total=9000),
        customer_id=BUYER,
        status="cancelled",
    )
    for record in (first, second, cancelled):
        assert orders.put_new(record) is not None
    _legacy_customer(tables, {first.order_key, second.order_key, cancelled.order_key})
    assert customers.lapsed_on(SHOP, date(2026, 10, 5)) == []  # not in the index yet

    assert _refigure(tables, customers, orders) == [f"{SHOP}: 1 customers, 1 written from 3 orders"]
    customer = _stored(customers)
    assert (customer.order_count, customer.total_spent) == (2, 8000)
    assert (customer.last_order_day, customer.last_order_key) == (date(2026, 10, 5), second.order_key)
    assert customer.first_order_at == first.order.ordered_at
    assert sorted(customer.sources) == ["rakuten", "yahoo"]
    assert [c.customer_id for c in customers.lapsed_on(SHOP, date(2026, 10, 5))] == [BUYER]

    again = _refigure(tables, customers, orders)  # idempotent
    assert again == [f"{SHOP}: 1 customers, 1 written from 3 orders"]
    assert (_stored(customers).order_count, _stored(customers).total_spent) == (2, 8000)
    assert customers.lapsed_on(OTHER_SHOP, date(2026, 10, 5)) == []


def test_an_order_after_the_refigure_counts_on_top(
    tables: dict[str, str], customers: DynamoCustomers, orders: DynamoOrders
) -> None:
    from okaeri.customer_figures import customer_order

    first = make_record(make_order("B-1", total=1000), customer_id=BUYER)
    assert orders.put_new(first) is not None
    _legacy_customer(tables, {first.order_key})
    _refigure(tables, customers, orders)
    new = make_order("B-2", ordered_at="2026-12-01T10:00:00+09:00", total=2000)
    customers.record_order(
        SHOP, BUYER, email="taro@example.jp", name=None,
        order=customer_order(new, received_at=first.received_at, zone=ZoneInfo("Asia/Tokyo")),
    )  # fmt: skip
    assert (_stored(customers).order_count, _stored(customers).total_spent) == (2, 3000)
    assert _stored(customers).last_order_day == date(2026, 12, 1)
