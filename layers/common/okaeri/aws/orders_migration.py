"""One-off: move ``orders`` items from the old shop-wide key (``pk`` = the shop) to the per-order key
(``pk`` = ``<shop>#<order key>``, :func:`okaeri.aws.orders.order_pk`; issue #14).

``okaeri migrate-order-keys --table <OrdersTable>`` runs it (docs/operations.md). It scans the table
and, for each item still under the old key, writes it under the new key and deletes the old one in
one transaction (``Put`` if the new key is free, ``Delete`` if the old item is still there), so an
interruption never leaves an order half moved. The copy carries ``migrated_at`` (:data:`MIGRATED`):

- its stream ``INSERT`` plans nothing (``functions/schedule``): the order was planned when it first
  arrived, under the old key, and its deliveries stay as they are;
- the old item's ``REMOVE`` plans nothing either (a removal never does: ``on_order_change``).

It is idempotent and resumable: run it again (after an interruption, or to check) and it finds
only what is left under the old key. An item already moved (its copy has ``migrated_at``) only has
its old item deleted. A copy without ``migrated_at`` was written by a mail that arrived after the
deploy and before the migration (a shipment or a cancellation of an order still under the old key
makes a stub under the new key, or a re-imported order): the old item is then folded into it as if
its mail came now (the full order replaces a stub; a ship date, a cancellation, raw keys the new
one lacks are added), and the stream's ``MODIFY`` re-plans the order on what is known now.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

from okaeri.aws.dynamo import PK, SK, Expression, Table, from_item, iso_utc
from okaeri.aws.orders import DynamoOrders, order_pk, order_record
from okaeri.models.order import SHIPMENT_FIELDS

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

#: The attribute a moved item carries (ISO UTC of the move): its stream INSERT plans nothing.
MIGRATED: Final = "migrated_at"
#: Items read per Scan page.
PAGE: Final = 100


def is_old_key(item: Mapping[str, Any]) -> bool:
    """Under the old key (an item as DynamoDB answers it): the partition key is the shop itself (a
    new key is ``<shop>#<order key>``)."""
    return PK in item and item[PK] == item.get("shop_id")


def is_migrated_insert(old_image: Mapping[str, Any] | None, new_image: Mapping[str, Any] | None) -> bool:
    """A stream INSERT the migration made: planned already, under the old key."""
    return old_image is None and new_image is not None and MIGRATED in new_image


@dataclass
class MigrationReport:
    """What one run did: items read, moved, copies found already moved (a resumed run), old items
    folded into a newer copy, and the moved order keys (``shop order_key``) as a sample."""

    scanned: int = 0
    moved: int = 0
    already_moved: int = 0
    merged: int = 0
    left: int = 0  # still under the old key after this run (a race lost twice; run it again)
    keys: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        return [
            f"scanned {self.scanned}",
            f"moved {self.moved}",
            f"already moved {self.already_moved}",
            f"merged into a newer copy {self.merged}",
            f"left under the old key {self.left}",
        ]


class OrderKeyMigration:
    """Moves each old-key item of the orders table; ``now`` stamps ``migrated_at``."""

    def __init__(
        self,
        table_name: str,
        *,
        now: Callable[[], datetime],
        client: DynamoDBClient | None = None,
        retention_days: int = 730,
    ) -> None:
        self._table = Table(table_name, client=client)
        self._orders = DynamoOrders(table_name, retention_days=retention_days, client=client)
        self._now = now

    def old_items(self, *, page: int = PAGE) -> Iterator[dict[str, Any]]:
        """Every item still under the old key, as DynamoDB answers it (attribute values, so the copy
        is the same item: sets stay sets); a full Scan, page by page: a one-off."""
        request: dict[str, Any] = {"TableName": self._table.name, "Limit": page, "ConsistentRead": True}
        while True:
            answer = self._table.client.scan(**request)
            for item in answer["Items"]:
                if is_old_key(item):
                    yield dict(item)
            last = answer.get("LastEvaluatedKey")
            if not last:
                return
            request["ExclusiveStartKey"] = last

    def run(self, *, limit: int | None = None) -> MigrationReport:
        """Move every old-key item (at most ``limit``: a partial run, resumed by the next)."""
        report = MigrationReport()
        for item in self.old_items():
            if limit is not None and report.scanned >= limit:
                break
            report.scanned += 1
            self.move(item, report)
        return report

    def move(self, old: Mapping[str, Any], report: MigrationReport) -> None:
        """Move one old-key item (as DynamoDB answers it)."""
        shop_id, order_key = str(old["shop_id"]["S"]), str(old[SK]["S"])
        for _ in range(2):
            copy = {**old, PK: {"S": order_pk(shop_id, order_key)}, MIGRATED: {"S": iso_utc(self._now())}}
            put: Any = {
                "Put": {
                    "TableName": self._table.name,
                    "Item": copy,
                    "ConditionExpression": f"attribute_not_exists({SK})",
                }
            }
            reasons = self._table.transact(
                [put, self._table.delete_action(shop_id, order_key, condition=f"attribute_exists({SK})")]
            )
            if reasons is None:
                report.moved += 1
                report.keys.append(f"{shop_id} {order_key}")
                return
            if reasons[1] == "ConditionalCheckFailed":
                return  # the old item is gone already (another run moved it)
            existing = self._table.get(order_pk(shop_id, order_key), order_key)
            if existing is None:
                continue  # the copy went away in between: try again
            before = from_item(old)
            if _same_order(before, existing):
                report.already_moved += 1  # moved by an earlier run; only the old item is left
            else:
                self._merge(before, existing)
                report.merged += 1
            self._table.delete(shop_id, order_key)
            return
        report.left += 1

    def _merge(self, old_item: Mapping[str, Any], new_item: Mapping[str, Any]) -> None:
        """Fold the old item into the copy a later mail wrote, as if the old item's mail came now."""
        old, new = order_record(old_item), order_record(new_item)
        raw_keys = sorted({*old.raw_keys, *new.raw_keys})
        if old.order.kind == "order" and new.order.kind != "order":
            # the order mail (under the old key) after a stub (written since the deploy)
            self._orders._replace_stub(old.model_copy(update={"raw_keys": raw_keys}), new)
            return
        expr = Expression()
        changes: dict[str, Any] = {}
        for name in SHIPMENT_FIELDS:
            value = getattr(old.order, name)
            if value is not None and getattr(new.order, name) is None:
                changes[f"order.{name}"] = value.isoformat() if hasattr(value, "isoformat") else value
        if old.order.shipped_at is not None and new.order.shipped_at is None:
            changes["shipped_at"] = old.order.shipped_at.isoformat()
        if old.status == "cancelled" and new.status != "cancelled":
            changes["status"] = "cancelled"
        if not changes and set(raw_keys) == set(new.raw_keys):
            return  # the copy knows everything the old item did
        update = expr.update(set_values=changes, add={"raw_keys": set(raw_keys)} if raw_keys else None)
        self._table.update(
            order_pk(new.shop_id, new.order_key),
            new.order_key,
            expr,
            update=update,
            condition=f"attribute_exists({SK})",
        )


def _same_order(old: Mapping[str, Any], copy: Mapping[str, Any]) -> bool:
    """The copy is the old item moved (apart from its key and ``migrated_at``)."""
    ignore = {PK, MIGRATED}
    return {k: v for k, v in old.items() if k not in ignore} == {
        k: v for k, v in copy.items() if k not in ignore
    }
