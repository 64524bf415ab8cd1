"""The ``orders`` table: one item per order, keyed by ``<shop>#<order key>`` (:func:`order_pk`) and
the order key (``source#NORMALISED_ORDER_ID``).

The partition key is the order, not the shop: the table's stream puts each partition key's records
on one shard in order, so a shop-wide key kept a sale's orders on one shard, planned one at a time
(issue #14). Per order, the stream (and Lambda's parallelization factor) keeps the changes in order.
Every shop-wide listing reads an index (``by_time``, ``by_customer``), never the table's own key.
Items written under the old key (``pk`` = the shop) are moved by :mod:`okaeri.aws.orders_migration`.

The Order is kept as a map (``order``), exactly as received (``shipped_at`` stays a date when the
mail gave a date). Beside it, flat attributes feed the indexes: ``customer_ref`` and ``ordered_at``
(ISO UTC) for ``by_customer``, ``shop_id`` and ``ordered_at`` for ``by_time``.

A shipment or a cancellation may arrive for an order never seen (the order mail came before
Okaeri, or is late): the order is then created from that mail as a *stub* (its ``order.kind`` is
``shipment`` or ``cancellation``). When the order mail itself arrives later, ``put_new`` replaces
the stub with the full order and keeps what the stub knew (shipment fields, cancellation, raw keys).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from okaeri.aws.dynamo import SK, Expression, Table, expires_at, iso_utc
from okaeri.aws.search import by_time_page
from okaeri.errors import ConflictError
from okaeri.identity import customer_id_for
from okaeri.models import Order, OrderRecord
from okaeri.models.order import SHIPMENT_FIELDS
from okaeri.models.records import Credit, OrderStatus

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

#: The personal fields of an order (個人情報), blanked on a customer's request; ids, items, totals and
#: dates stay. The prefecture stays too: alone it names no one, and the shop's statistics use it.
PERSONAL_FIELDS = (
    "order.customer.name",
    "order.customer.name_kana",
    "order.customer.email",
    "order.customer.phone",
    "order.ship_to.name",
    "order.ship_to.postal_code",
    "order.ship_to.address",
)


def customer_ref(shop_id: str, customer_id: str) -> str:
    """The ``by_customer`` index key, shared with the deliveries table."""
    return f"{shop_id}#{customer_id}"


def order_pk(shop_id: str, order_key: str) -> str:
    """The orders table's partition key: the shop and the order (``<shop>#<source>#<id>``)."""
    return f"{shop_id}#{order_key}"


def order_record(item: Mapping[str, Any]) -> OrderRecord:
    """An ``orders`` item (from a read, or a stream image through ``dynamo.from_item``) as a record."""
    return OrderRecord.model_validate(item)


class DynamoOrders:
    """``ports.Orders`` over the ``orders`` table; ``retention_days`` after the last mail about an order."""

    def __init__(self, table_name: str, *, retention_days: int, client: DynamoDBClient | None = None) -> None:
        self._table = Table(table_name, client=client)
        self._retention_days = retention_days

    def put_new(self, record: OrderRecord) -> OrderRecord | None:
        existing = self._table.insert(self._item(record, at=record.received_at))
        if existing is None:
            return record
        stored = order_record(existing)
        if stored.order.kind == "order":
            return None
        return self._replace_stub(record, stored)

    def get(self, shop_id: str, order_key: str) -> OrderRecord | None:
        item = self._table.get(order_pk(shop_id, order_key), order_key)
        return order_record(item) if item is not None else None

    def apply_shipment(
        self, shop_id: str, shipment: Order, *, raw_key: str, at: datetime, order_rank: int = 1
    ) -> OrderRecord:
        fields = {name: getattr(shipment, name) for name in SHIPMENT_FIELDS}
        changes: dict[str, Any] = {
            f"order.{name}": _json(value) for name, value in fields.items() if value is not None
        }
        if shipment.shipped_at is not None:
            changes["shipped_at"] = shipment.shipped_at.isoformat()
        return self._update_or_create(
            shop_id, shipment, changes, raw_key=raw_key, at=at, status="open", order_rank=order_rank
        )

    def set_credit(self, shop_id: str, order_key: str, credit: Credit) -> bool:
        expr = Expression()
        update = expr.update(set_values={"credit": credit.model_dump(mode="json")})
        condition = (
            f"attribute_exists({SK}) AND attribute_not_exists({expr.name('credit')}) "
            f"AND {expr.name('status')} = {expr.value('open')}"
        )
        return (
            self._table.update(
                order_pk(shop_id, order_key), order_key, expr, update=update, condition=condition
            )
            is not None
        )

    def mark_cancelled(self, shop_id: str, cancellation: Order, *, raw_key: str, at: datetime) -> OrderRecord:
        changes: dict[str, Any] = {"status": "cancelled"}
        return self._update_or_create(
            shop_id, cancellation, changes, raw_key=raw_key, at=at, status="cancelled"
        )

    def _update_or_create(
        self,
        shop_id: str,
        mail: Order,
        changes: dict[str, Any],
        *,
        raw_key: str,
        at: datetime,
        status: OrderStatus,
        order_rank: int = 1,
    ) -> OrderRecord:
        """Update the known order, or create it from this mail (with ``order_rank``, as given); a race
        between the two is retried."""
        for _ in range(2):
            expr = Expression()
            update = expr.update(
                set_values={**changes, "expires_at": expires_at(at, self._retention_days)},
                add={"raw_keys": {raw_key}},
            )
            item = self._table.update(
                order_pk(shop_id, mail.key),
                mail.key,
                expr,
                update=update,
                condition=f"attribute_exists({SK})",
            )
            if item is not None:
                return order_record(item)
            email = mail.customer.email
            stub = OrderRecord(
                shop_id=shop_id,
                order=mail,
                customer_id=customer_id_for(email) if email else None,
                order_rank=order_rank,
                status=status,
                received_at=at,
                raw_keys=[raw_key],
            )
            if self._table.insert(self._item(stub, at=at)) is None:
                return stub
        raise ConflictError(  # only if the order was deleted between our two writes, twice
            f"注文 {mail.key} を更新できませんでした（同時に変更されました）",
            f"order {mail.key} changed while being updated; try again",
        )

    def _replace_stub(self, record: OrderRecord, stub: OrderRecord) -> OrderRecord | None:
        known = {
            name: getattr(stub.order, name) for name in SHIPMENT_FIELDS if getattr(record.order, name) is None
        }
        merged = record.model_copy(
            update={
                "order": record.order.model_copy(update=known),
                "status": "cancelled" if stub.status == "cancelled" else record.status,
                "raw_keys": sorted({*record.raw_keys, *stub.raw_keys}),
            }
        )
        expr = Expression()
        condition = f"{expr.name('order.kind')} = {expr.value(stub.order.kind)}"
        written = self._table.put(self._item(merged, at=record.received_at), condition=condition, expr=expr)
        return merged if written else None

    # --- the admin screens: search, a customer's orders, erasure ----------------------------------

    def search(
        self,
        shop_id: str,
        *,
        since: datetime | None,
        until: datetime | None,
        keep: Callable[[OrderRecord], bool] | None,
        limit: int,
        start: Mapping[str, Any] | None,
    ) -> tuple[list[OrderRecord], dict[str, Any] | None]:
        """A page of the shop's orders by order time, newest first (``by_time``); orders without an
        order time (a shipment's stub) are not in the index, and never were in this list."""
        return by_time_page(
            self._table,
            shop_id,
            "ordered_at",
            since=since,
            until=until,
            convert=order_record,
            keep=keep,
            limit=limit,
            start=start,
            partition_prefix=order_pk(shop_id, ""),
        )

    def by_customer(self, shop_id: str, customer_id: str) -> list[OrderRecord]:
        """The customer's orders that have an order time, newest first (``by_customer``)."""
        expr = Expression()
        condition = f"{expr.name('customer_ref')} = {expr.value(customer_ref(shop_id, customer_id))}"
        items = self._table.query_all(expr, condition, index="by_customer", forward=False)
        return [order_record(item) for item in items]

    def redact_personal(self, shop_id: str, order_key: str, *, at: datetime) -> OrderRecord | None:
        """Blank the order's personal fields (``PERSONAL_FIELDS``); None when there is no such order.

        Only those fields change (and ``redacted_at``, the first time): the order's status and
        ``shipped_at`` stay, so the stream's MODIFY record plans nothing (``on_order_change``).
        """
        expr = Expression()
        update = expr.update(
            set_values=dict.fromkeys(PERSONAL_FIELDS), keep_first={"redacted_at": iso_utc(at)}
        )
        item = self._table.update(
            order_pk(shop_id, order_key), order_key, expr, update=update, condition=f"attribute_exists({SK})"
        )
        return order_record(item) if item is not None else None

    def _item(self, record: OrderRecord, *, at: datetime) -> dict[str, Any]:
        order = record.order
        item: dict[str, Any] = {
            "pk": order_pk(record.shop_id, order.key),
            "sk": order.key,
            "shop_id": record.shop_id,
            "order": order.model_dump(mode="json"),
            "customer_id": record.customer_id,
            "order_rank": record.order_rank,
            "status": record.status,
            "received_at": iso_utc(record.received_at),
            "expires_at": expires_at(at, self._retention_days),
        }
        if record.raw_keys:
            item["raw_keys"] = set(record.raw_keys)
        if record.customer_id:
            item["customer_ref"] = customer_ref(record.shop_id, record.customer_id)
        if order.ordered_at is not None:
            item["ordered_at"] = iso_utc(order.ordered_at)
        if order.shipped_at is not None:
            item["shipped_at"] = order.shipped_at.isoformat()
        return item


def _json(value: Any) -> Any:
    """A shipment field as the Order JSON holds it (dates and datetimes in ISO 8601)."""
    return value.isoformat() if isinstance(value, date) else value
