"""DynamoCustomers: an order counted once per customer, opt-outs, the suppression list."""

from __future__ import annotations

from datetime import timedelta

import pytest

from okaeri.aws.customers import DynamoCustomers, customer_id_for
from okaeri.errors import NotFoundError
from tests.integration.aws.conftest import OTHER_SHOP, RETENTION_DAYS, SHOP, T0, FixedClock, stored_item

CUSTOMER = customer_id_for("taro@example.jp")


def record(
    customers: DynamoCustomers, order_key: str, *, shop_id: str = SHOP, name: str | None = "楽天 太郎"
) -> int:
    return customers.record_order(shop_id, CUSTOMER, email="taro@example.jp", name=name, order_key=order_key)


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
    record(customers, "rakuten#A-2", name=None)  # a mail without the name keeps the one known
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
