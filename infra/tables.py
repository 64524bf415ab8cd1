"""The DynamoDB tables, defined once: the CDK stack, the local stack and the tests build from here.

Plain data (no CDK import), so the local stack and the tests can use it without the CDK installed.
docs/data-model.md explains every key and index and which call reads or writes it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

KeyType = Literal["S", "N"]
TTL_ATTRIBUTE = "expires_at"


@dataclass(frozen=True)
class Index:
    name: str
    partition_key: str
    sort_key: str | None = None
    projection: Literal["ALL", "KEYS_ONLY"] = "ALL"


@dataclass(frozen=True)
class TableDef:
    logical_name: str  # orders, customers, deliveries, logs, config
    partition_key: str = "pk"
    sort_key: str = "sk"
    indexes: tuple[Index, ...] = ()
    stream: Literal["NEW_AND_OLD_IMAGES"] | None = None
    ttl_attribute: str | None = TTL_ATTRIBUTE
    attribute_types: dict[str, KeyType] = field(default_factory=dict)

    def env_var(self) -> str:
        """The environment variable that carries the deployed table's name to the functions."""
        return f"{self.logical_name.upper()}_TABLE"

    def key_attributes(self) -> list[str]:
        names = [self.partition_key, self.sort_key]
        for index in self.indexes:
            names.append(index.partition_key)
            if index.sort_key:
                names.append(index.sort_key)
        return list(dict.fromkeys(names))

    def create_table_request(self, table_name: str) -> dict[str, Any]:
        """The boto3 ``create_table`` arguments (the local stack and the tests use this)."""
        request: dict[str, Any] = {
            "TableName": table_name,
            "BillingMode": "PAY_PER_REQUEST",
            "KeySchema": [
                {"AttributeName": self.partition_key, "KeyType": "HASH"},
                {"AttributeName": self.sort_key, "KeyType": "RANGE"},
            ],
            "AttributeDefinitions": [
                {"AttributeName": name, "AttributeType": self.attribute_types.get(name, "S")}
                for name in self.key_attributes()
            ],
        }
        if self.indexes:
            request["GlobalSecondaryIndexes"] = [
                {
                    "IndexName": index.name,
                    "KeySchema": [{"AttributeName": index.partition_key, "KeyType": "HASH"}]
                    + ([{"AttributeName": index.sort_key, "KeyType": "RANGE"}] if index.sort_key else []),
                    "Projection": {"ProjectionType": index.projection},
                }
                for index in self.indexes
            ]
        if self.stream:
            request["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": self.stream}
        return request


ORDERS = TableDef(
    logical_name="orders",
    indexes=(
        Index("by_customer", "customer_ref", "ordered_at"),
        Index("by_time", "shop_id", "ordered_at"),
    ),
    stream="NEW_AND_OLD_IMAGES",
)
#: by_last_order: the customers by their last open order's day (sparse: only customer items carry
#: ``shop_id`` and ``last_order_day``; an erased customer leaves it) — the win-back job, the segments
CUSTOMERS = TableDef(logical_name="customers", indexes=(Index("by_last_order", "shop_id", "last_order_day"),))
DELIVERIES = TableDef(
    logical_name="deliveries",
    indexes=(
        Index("by_order", "order_ref", "send_at"),
        Index("by_customer", "customer_ref", "send_at"),
        Index("by_time", "shop_id", "send_at"),
        Index("due", "due_shard", "due_at"),
    ),
)
LOGS = TableDef(logical_name="logs")
#: its TTL removes only the `counted#` markers of `count_once` (nothing else there has `expires_at`)
CONFIG = TableDef(logical_name="config")

TABLES: tuple[TableDef, ...] = (ORDERS, CUSTOMERS, DELIVERIES, LOGS, CONFIG)
DUE_SHARDS = 10  # the sparse `due` index spreads scheduled/sending deliveries over this many keys


def create_tables(client: DynamoDBClient, prefix: str) -> dict[str, str]:
    """Every table, named ``prefix`` + its logical name, TTL on where it has one (the local stack's
    moto server, the tests' moto); their names by logical name."""
    names: dict[str, str] = {}
    for table in TABLES:
        name = f"{prefix}{table.logical_name}"
        client.create_table(**table.create_table_request(name))
        if table.ttl_attribute:
            client.update_time_to_live(
                TableName=name,
                TimeToLiveSpecification={"Enabled": True, "AttributeName": table.ttl_attribute},
            )
        names[table.logical_name] = name
    return names
