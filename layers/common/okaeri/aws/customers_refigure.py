"""One-off: a customer's order figures made again from their orders (issue #16).

Customers written before the figures have an order count and the keys of their orders, but no
``total_spent`` and no ``last_order_day`` (so the win-back job and the segments, which read the
``by_last_order`` index, do not see them until they order again). ``okaeri refigure-customers``
reads each customer of a shop (a Query of its ``cust#`` items, never a Scan), their orders (the
orders table's ``by_customer`` index, plus any order key the item lists that the index lacks: a stub
without an order time) and writes the figures those orders give, on condition that the item is still
as read (``rev``; a race is read again). Idempotent: run it again and it writes the same figures.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import tzinfo
from typing import TYPE_CHECKING, Any, Final

from okaeri.aws.customers import CUSTOMER_PREFIX, REV, WRITE_ATTEMPTS, DynamoCustomers
from okaeri.aws.dynamo import PK, SK, Expression, Table
from okaeri.aws.orders import DynamoOrders
from okaeri.customer_figures import CustomerOrder, customer_order, figures_from_orders
from okaeri.models import OrderRecord

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

PAGE: Final = 100


@dataclass
class RefigureReport:
    shop_id: str
    customers: int = 0
    written: int = 0
    orders: int = 0
    missing_orders: int = 0

    def lines(self) -> list[str]:
        return [
            f"{self.shop_id}: {self.customers} customers, {self.written} written from {self.orders} orders"
            + (f" ({self.missing_orders} listed orders not found)" if self.missing_orders else "")
        ]


class CustomerRefigure:
    """Make one shop's customer figures again from its orders."""

    def __init__(
        self,
        customers: DynamoCustomers,
        orders: DynamoOrders,
        *,
        customers_table: str,
        zone: tzinfo,
        client: DynamoDBClient | None = None,
    ) -> None:
        self._customers = customers
        self._orders = orders
        self._table = Table(customers_table, client=client)
        self._zone = zone

    def run(self, shop_id: str) -> RefigureReport:
        report = RefigureReport(shop_id)
        for item in self._items(shop_id):
            report.customers += 1
            if self._refigure(shop_id, item, report):
                report.written += 1
        return report

    def _items(self, shop_id: str) -> Iterator[dict[str, Any]]:
        start: dict[str, Any] | None = None
        while True:
            expr = Expression()
            condition = f"{PK} = {expr.value(shop_id)} AND begins_with({SK}, {expr.value(CUSTOMER_PREFIX)})"
            page, start = self._table.query_page(expr, condition, limit=PAGE, start=start)
            yield from page
            if start is None:
                return

    def _refigure(self, shop_id: str, item: dict[str, Any], report: RefigureReport) -> bool:
        customer_id = str(item["customer_id"])
        for _ in range(WRITE_ATTEMPTS):
            records = self._orders_of(shop_id, customer_id, item, report)
            counted: list[tuple[CustomerOrder, bool]] = [
                (customer_order(r.order, received_at=r.received_at, zone=self._zone), r.status == "cancelled")
                for r in records
            ]
            figures = figures_from_orders(counted, rev=int(item.get(REV, 0)) + 1)
            if self._customers.write_figures(shop_id, customer_id, figures, expected=item).done:
                report.orders += len(records)
                return True
            fresh = self._table.get(shop_id, f"{CUSTOMER_PREFIX}{customer_id}")
            if fresh is None:
                return False
            item = fresh
        return False

    def _orders_of(
        self, shop_id: str, customer_id: str, item: dict[str, Any], report: RefigureReport
    ) -> list[OrderRecord]:
        found = {record.order_key: record for record in self._orders.by_customer(shop_id, customer_id)}
        for key in sorted(set(item.get("order_keys", ())) - set(found)):
            record = self._orders.get(shop_id, str(key))
            if record is None:
                report.missing_orders += 1
            else:
                found[record.order_key] = record
        return sorted(found.values(), key=lambda record: record.order.ordered_at or record.received_at)
