"""The DynamoDB adapters, each over its moto table, plus the builders their tests share."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from okaeri.aws.config import DynamoConfig, DynamoCoupons
from okaeri.aws.customers import DynamoCustomers
from okaeri.aws.deliveries import DynamoDeliveries
from okaeri.aws.logs import DynamoLogs
from okaeri.aws.orders import DynamoOrders
from okaeri.models import Delivery, Order, OrderRecord
from okaeri.models.delivery import Conversion

SHOP = "sakura-farm"
OTHER_SHOP = "mikan-sanbo"
T0 = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)  # 10:00 in Tokyo
RETENTION_DAYS = 730


class FixedClock:
    """``ports.Clock`` that says what the test tells it."""

    def __init__(self, now: datetime) -> None:
        self.current = now

    def now(self) -> datetime:
        return self.current


def make_order(order_id: str = "338361-20261120-0912345678", **fields: Any) -> Order:
    data: dict[str, Any] = {
        "source": "rakuten",
        "order_id": order_id,
        "ordered_at": "2026-11-20T11:05:12+09:00",
        "customer": {"name": "楽天 太郎", "email": "Taro@Example.jp"},
        "ship_to": {"name": "楽天 花子", "prefecture": "東京都"},
        "items": [{"sku": "cherry-500", "name": "佐藤錦 500g", "quantity": 2, "unit_price": 3240}],
        "total": 7128,
        "is_gift": True,
    }
    data.update(fields)
    return Order.model_validate(data)


def make_record(order: Order | None = None, *, shop_id: str = SHOP, **fields: Any) -> OrderRecord:
    data: dict[str, Any] = {
        "shop_id": shop_id,
        "order": order or make_order(),
        "customer_id": "c" * 32,
        "received_at": T0,
        "raw_keys": [f"inbound/{shop_id}/mail-1"],
    }
    data.update(fields)
    return OrderRecord.model_validate(data)


def make_delivery(delivery_id: str, *, shop_id: str = SHOP, **fields: Any) -> Delivery:
    data: dict[str, Any] = {
        "id": delivery_id,
        "shop_id": shop_id,
        "order_key": "rakuten#A-1",
        "run_id": "run-1",
        "customer_id": "c" * 32,
        "customer_email": "taro@example.jp",
        "scenario_id": "thanks-like-love",
        "scenario_version": 1,
        "step_id": "thanks",
        "template_id": "thanks",
        "template_version": 2,
        "ship_date": date(2026, 11, 21),
        "send_at": T0,
    }
    data.update(fields)
    return Delivery.model_validate(data)


def make_conversion(order_key: str = "rakuten#A-2", **fields: Any) -> Conversion:
    """An order credited to a delivery, 3.5 hours after its send."""
    data: dict[str, Any] = {"order_key": order_key, "order_id": "A-2", "total": 1200, "hours": 3.5, "at": T0}
    return Conversion.model_validate(data | fields)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


@pytest.fixture
def orders(tables: dict[str, str]) -> DynamoOrders:
    return DynamoOrders(tables["orders"], retention_days=RETENTION_DAYS)


@pytest.fixture
def customers(tables: dict[str, str], clock: FixedClock) -> DynamoCustomers:
    return DynamoCustomers(tables["customers"], retention_days=RETENTION_DAYS, clock=clock)


@pytest.fixture
def deliveries(tables: dict[str, str]) -> DynamoDeliveries:
    return DynamoDeliveries(tables["deliveries"], retention_days=RETENTION_DAYS)


@pytest.fixture
def logs(tables: dict[str, str]) -> DynamoLogs:
    return DynamoLogs(tables["logs"], retention_days=RETENTION_DAYS)


@pytest.fixture
def config(tables: dict[str, str]) -> DynamoConfig:
    return DynamoConfig(tables["config"])


@pytest.fixture
def coupons(tables: dict[str, str]) -> DynamoCoupons:
    return DynamoCoupons(tables["config"])


def stored_item(table_name: str, pk: str, sk: str) -> dict[str, Any] | None:
    """The raw item as DynamoDB holds it (index keys, TTL and all), as plain Python."""
    from okaeri.aws.clients import dynamodb_client
    from okaeri.aws.dynamo import Table

    return Table(table_name, client=dynamodb_client()).get(pk, sk)


def without_conversions(table_name: str, shop_id: str, delivery_id: str) -> None:
    """The delivery's item made as one written before issue #15: no ``conversions`` attribute."""
    from okaeri.aws.clients import dynamodb_client

    dynamodb_client().update_item(
        TableName=table_name,
        Key={"pk": {"S": shop_id}, "sk": {"S": delivery_id}},
        UpdateExpression="REMOVE conversions",
    )
    item = stored_item(table_name, shop_id, delivery_id)
    assert item is not None
    assert "conversions" not in item


def interleaved(client: Any, method: str, before: Any, *, at_call: int = 1) -> Any:
    """A stand-in for ``client`` (typed loosely, to pass where a DynamoDBClient goes) that runs
    ``before()`` once, just before the ``at_call``-th call of ``method`` (the first by default):
    another writer acting between an adapter's read and its write, or between two of its writes,
    without threads or timing. ``.calls`` counts calls of ``method``."""
    return Interleaved(client, method, before, at_call)


class Interleaved:
    """See ``interleaved``."""

    def __init__(self, client: Any, method: str, before: Any, at_call: int = 1) -> None:
        self._client = client
        self._method = method
        self._before = before
        self._at_call = at_call
        self.calls = 0

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._client, name)
        if name != self._method:
            return attribute

        def call(**kwargs: Any) -> Any:
            self.calls += 1
            if self.calls == self._at_call:
                self._before()
            return attribute(**kwargs)

        return call
