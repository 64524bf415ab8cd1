"""DynamoCustomers: an order counted once per customer, opt-outs, the suppression list."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from okaeri.aws.customers import DynamoCustomers, customer_id_for
from okaeri.errors import NotFoundError
from tests.integration.aws.conftest import OTHER_SHOP, RETENTION_DAYS, SHOP, T0, FixedClock, stored_item
from tests.support.customers import counted_order

CUSTOMER = customer_id_for("taro@example.jp")


def record(
    customers: DynamoCustomers,
    order_key: str,
    *,
    shop_id: str = SHOP,
    name: str | None = "楽天 太郎",
    at: datetime = T0,
    total: int = 0,
    **fields: object,
) -> int:
    return customers.record_order(
        shop_id,
        CUSTOMER,
        email="taro@example.jp",
        name=name,
        order=counted_order(order_key, at=at, total=total, **fields),
    )


def test_customer_id_is_the_hash_of_the_normalised_address() -> None:
    assert customer_id_for(" Ｔａｒｏ@Example.JP ") == customer_id_for("taro@example.jp")
    assert customer_id_for("taro@example.jp") != customer_id_for("jiro@example.jp")
    assert len(CUSTOMER) == 32
    assert int(CUSTOMER, 16) >= 0


def test_each_order_counts_once_however_often_it_is_recorded(customers: DynamoCustomers) -> None:
    assert record(customers, "rakuten#A-1") == 1
    assert record(customers, "rakuten#A-1") == 1
    assert record(customers, "rakuten#A-2") == 2
    assert record(customers, "rakuten#A-1") == 2
    assert record(customers, "rakuten#A-2") == 2
    stored = customers.get(SHOP, CUSTOMER)
    assert stored is not None
    assert stored.order_count == 2


def test_the_customer_round_trips(
    customers: DynamoCustomers, tables: dict[str, str], clock: FixedClock
) -> None:
    record(customers, "rakuten#A-1")
    clock.current = T0 + timedelta(days=30)
    record(customers, "rakuten#A-2", name=None, at=T0 + timedelta(days=30))  # no name: the known one stays
    stored = customers.get(SHOP, CUSTOMER)
    assert stored is not None
    assert (stored.shop_id, stored.customer_id, stored.email, stored.name) == (
        SHOP,
        CUSTOMER,
        "taro@example.jp",
        "楽天 太郎",
    )
    assert stored.unsubscribed_at is None
    item = stored_item(tables["customers"], SHOP, f"cust#{CUSTOMER}")
    assert item is not None
    assert item["order_keys"] == ["rakuten#A-1", "rakuten#A-2"]
    assert item["first_order_at"] == "2026-11-20T01:00:00.000000+00:00"
    assert item["last_order_at"] == "2026-12-20T01:00:00.000000+00:00"
    assert item["expires_at"] == int((clock.current + timedelta(days=RETENTION_DAYS)).timestamp())


def test_an_unknown_customer_is_none(customers: DynamoCustomers) -> None:
    assert customers.get(SHOP, CUSTOMER) is None


def test_unsubscribing_keeps_the_first_time(customers: DynamoCustomers) -> None:
    record(customers, "rakuten#A-1")
    customers.mark_unsubscribed(SHOP, CUSTOMER, at=T0)
    customers.mark_unsubscribed(SHOP, CUSTOMER, at=T0 + timedelta(days=1))
    stored = customers.get(SHOP, CUSTOMER)
    assert stored is not None
    assert stored.unsubscribed_at == T0
    assert stored.order_count == 1


def test_unsubscribing_an_unknown_customer_is_not_found(customers: DynamoCustomers) -> None:
    with pytest.raises(NotFoundError):
        customers.mark_unsubscribed(SHOP, CUSTOMER, at=T0)
    assert customers.get(SHOP, CUSTOMER) is None  # no half-made customer left behind


def test_a_suppression_keeps_its_first_reason(customers: DynamoCustomers, tables: dict[str, str]) -> None:
    assert customers.suppression(SHOP, "taro@example.jp") is None
    customers.suppress(SHOP, "Taro@Example.jp", reason="bounce", at=T0, delivery_id="d-1")
    customers.suppress(
        SHOP, "taro@example.jp", reason="complaint", at=T0 + timedelta(hours=1), delivery_id=None
    )
    assert customers.suppression(SHOP, "ＴＡＲＯ@example.jp") == "bounce"
    item = stored_item(tables["customers"], SHOP, "supp#taro@example.jp")
    assert item is not None
    assert (item["address"], item["delivery_id"], item["at"]) == (
        "taro@example.jp",
        "d-1",
        "2026-11-20T01:00:00.000000+00:00",
    )
    assert "expires_at" not in item  # an opt-out or a hard bounce holds for good


def test_shops_keep_separate_customers_and_suppressions(customers: DynamoCustomers) -> None:
    record(customers, "rakuten#A-1")
    record(customers, "rakuten#A-2")
    customers.suppress(SHOP, "taro@example.jp", reason="unsubscribe", at=T0, delivery_id=None)
    assert customers.get(OTHER_SHOP, CUSTOMER) is None
    assert customers.suppression(OTHER_SHOP, "taro@example.jp") is None
    assert record(customers, "rakuten#A-1", shop_id=OTHER_SHOP) == 1


# --- the customer's order figures (issue #16) -------------------------------------------------------


def _figures(customers: DynamoCustomers) -> tuple[object, ...]:
    stored = customers.get(SHOP, CUSTOMER)
    assert stored is not None
    return (
        stored.order_count,
        stored.total_spent,
        stored.first_order_at,
        stored.last_order_at,
        stored.last_order_day,
        stored.last_order_key,
        sorted(stored.sources),
        sorted(stored.skus),
        stored.prefecture,
    )


def test_figures_follow_the_order_times_whatever_came_first(customers: DynamoCustomers) -> None:
    later = T0 + timedelta(days=10)
    assert record(customers, "rakuten#B", at=later, total=5000, source="rakuten", skus=("tea",)) == 1
    # an older order imported afterwards: counted, but it is neither the last order nor its prefecture
    assert record(customers, "yahoo#A", at=T0, total=3000, source="yahoo", prefecture="北海道") == 2
    assert record(customers, "yahoo#A", at=T0, total=3000, source="yahoo", prefecture="北海道") == 2  # again
    assert _figures(customers) == (
        2,
        8000,
        T0,
        later,
        date(2026, 11, 30),
        "rakuten#B",
        ["rakuten", "yahoo"],
        ["tea"],
        None,
    )
    assert [c.customer_id for c in customers.lapsed_on(SHOP, date(2026, 11, 30))] == [CUSTOMER]
    assert customers.lapsed_on(SHOP, date(2026, 11, 20)) == []
    assert customers.lapsed_on(OTHER_SHOP, date(2026, 11, 30)) == []


def test_a_shipment_counts_the_order_and_its_order_mail_adds_the_total_once(
    customers: DynamoCustomers,
) -> None:
    assert record(customers, "rakuten#S", detailed=False) == 1
    assert _figures(customers)[:2] == (1, 0)
    assert record(customers, "rakuten#S", total=4200, skus=("cup",)) == 1
    assert record(customers, "rakuten#S", total=4200, skus=("cup",)) == 1
    assert _figures(customers)[:2] == (1, 4200)
    assert _figures(customers)[7] == ["cup"]


def test_a_cancellation_takes_the_order_back_once_and_the_last_order_moves_back(
    customers: DynamoCustomers,
) -> None:
    first = counted_order("rakuten#1", at=T0, total=1000, source="rakuten", skus=("a",))
    second = counted_order("yahoo#2", at=T0 + timedelta(days=5), total=2000, source="yahoo", skus=("b",))
    for order in (first, second):
        customers.record_order(SHOP, CUSTOMER, email="taro@example.jp", name=None, order=order)
    for _ in range(2):
        customers.cancel_order(SHOP, CUSTOMER, second, others=[first])
    assert _figures(customers) == (1, 1000, T0, T0, date(2026, 11, 20), "rakuten#1", ["rakuten"], ["a"], None)
    assert customers.lapsed_on(SHOP, date(2026, 11, 25)) == []
    customers.cancel_order(SHOP, CUSTOMER, first, others=[])
    assert _figures(customers) == (0, 0, None, None, None, None, [], [], None)
    assert customers.lapsed_on(SHOP, date(2026, 11, 20)) == []


def test_a_cancelled_order_is_never_counted_again(customers: DynamoCustomers) -> None:
    cancelled = counted_order("rakuten#C", total=900)
    customers.cancel_order(SHOP, CUSTOMER, cancelled, others=[])  # an unknown customer: nothing to take back
    assert customers.get(SHOP, CUSTOMER) is None
    assert record(customers, "rakuten#C", total=900) == 1
    customers.cancel_order(SHOP, CUSTOMER, cancelled, others=[])  # ingest, finding its order cancelled
    assert record(customers, "rakuten#C", total=900) == 1  # read again: not counted again
    assert _figures(customers)[:2] == (0, 0)


def test_a_write_between_the_read_and_the_write_is_not_lost(
    customers: DynamoCustomers, tables: dict[str, str]
) -> None:
    """Two intakes racing for one customer: the figures are written only over what they were
    computed from (``rev``); the loser reads again and counts its order on top."""
    record(customers, "rakuten#1", at=T0, total=1000)
    stale = stored_item(tables["customers"], SHOP, f"cust#{CUSTOMER}")
    record(customers, "rakuten#2", at=T0 + timedelta(days=1), total=2000)
    from okaeri.aws.customers import figures_of
    from okaeri.customer_figures import after_order

    late = after_order(figures_of(stale), counted_order("rakuten#3", at=T0 + timedelta(days=2), total=3000))
    assert late.figures is not None
    refused = customers.write_figures(SHOP, CUSTOMER, late.figures, expected=stale)
    assert not refused.done
    record(customers, "rakuten#3", at=T0 + timedelta(days=2), total=3000)
    assert _figures(customers)[:2] == (3, 6000)


def test_an_item_from_before_the_figures_keeps_its_count(
    customers: DynamoCustomers, tables: dict[str, str]
) -> None:
    from okaeri.aws.clients import dynamodb_client
    from okaeri.aws.dynamo import Table

    Table(tables["customers"], client=dynamodb_client()).put(
        {"pk": SHOP, "sk": f"cust#{CUSTOMER}", "shop_id": SHOP, "customer_id": CUSTOMER,
         "email": "taro@example.jp", "order_keys": {"rakuten#old1", "rakuten#old2"}, "order_count": 2},
    )  # fmt: skip
    assert record(customers, "rakuten#new", at=T0, total=500) == 3
    assert _figures(customers)[:2] == (3, 500)


def test_erasure_takes_the_customer_out_of_the_index(customers: DynamoCustomers) -> None:
    record(customers, "rakuten#1", at=T0)
    assert len(customers.lapsed_on(SHOP, date(2026, 11, 20))) == 1
    customers.erase(SHOP, CUSTOMER, marker="[erased]", at=T0)
    assert customers.lapsed_on(SHOP, date(2026, 11, 20)) == []
    stored = customers.get(SHOP, CUSTOMER)
    assert stored is not None
    assert stored.order_count == 1  # counts stay
