"""The ``customers`` table: buyers (``cust#<customer_id>``) and the suppression list (``supp#<address>``).

``customer_id_for`` and ``normalise_address`` (from ``okaeri.identity``) are re-exported here: the id
is the first 32 hex digits of sha256 of the NFKC-folded, lower-case address.

A customer's order count grows once per order, however often the order's mail is read again:
the order keys already counted live in a string set on the item, and the update is conditional
on the key not being in it yet.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from botocore.exceptions import ClientError

from okaeri.aws.dynamo import CONDITION_FAILED, PK, SK, Expression, Table, error_code, expires_at, iso_utc
from okaeri.aws.search import InvalidStartKeyError, search_page
from okaeri.errors import NotFoundError
from okaeri.identity import customer_id_for, normalise_address
from okaeri.models import CustomerRecord
from okaeri.models.admin import Suppression

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

    from okaeri.ports import Clock

__all__ = ["DynamoCustomers", "customer_id_for", "normalise_address"]


CUSTOMER_PREFIX = "cust#"
SUPPRESSION_PREFIX = "supp#"
EntryT = TypeVar("EntryT")


def _customer_sk(customer_id: str) -> str:
    return f"{CUSTOMER_PREFIX}{customer_id}"


def _suppression_sk(address: str) -> str:
    return f"{SUPPRESSION_PREFIX}{normalise_address(address)}"


class DynamoCustomers:
    """``ports.Customers`` over the ``customers`` table.

    ``retention_days`` sets the TTL of a customer item after their last order; suppressions never
    expire (an opt-out or a hard bounce must hold for good). ``clock`` stamps first/last order times.
    """

    def __init__(
        self, table_name: str, *, retention_days: int, clock: Clock, client: DynamoDBClient | None = None
    ) -> None:
        self._table = Table(table_name, client=client)
        self._retention_days = retention_days
        self._clock = clock

    def record_order(
        self, shop_id: str, customer_id: str, *, email: str, name: str | None, order_key: str
    ) -> int:
        now = self._clock.now()
        expr = Expression()
        set_values: dict[str, Any] = {
            "shop_id": shop_id,
            "customer_id": customer_id,
            "email": email,
            "last_order_at": iso_utc(now),
            "expires_at": expires_at(now, self._retention_days),
        }
        if name is not None:
            set_values["name"] = name
        update = expr.update(
            set_values=set_values,
            keep_first={"first_order_at": iso_utc(now)},
            add={"order_keys": {order_key}, "order_count": 1},
        )
        condition = f"NOT contains({expr.name('order_keys')}, {expr.value(order_key)})"
        item = self._table.update(
            shop_id, _customer_sk(customer_id), expr, update=update, condition=condition
        )
        if item is None:  # this order was counted already
            item = self._table.get(shop_id, _customer_sk(customer_id))
        if item is None:
            raise NotFoundError(
                f"顧客 {customer_id} が見つかりません", f"customer {customer_id} not found in shop {shop_id}"
            )
        return int(item["order_count"])

    def get(self, shop_id: str, customer_id: str) -> CustomerRecord | None:
        item = self._table.get(shop_id, _customer_sk(customer_id))
        return CustomerRecord.model_validate(item) if item is not None else None

    def mark_unsubscribed(self, shop_id: str, customer_id: str, *, at: datetime) -> None:
        """Keep the first opt-out time. An unknown customer is a NotFoundError (nothing to mark)."""
        expr = Expression()
        update = expr.update(keep_first={"unsubscribed_at": iso_utc(at)})
        if (
            self._table.update(
                shop_id, _customer_sk(customer_id), expr, update=update, condition=f"attribute_exists({SK})"
            )
            is None
        ):
            raise NotFoundError(
                f"顧客 {customer_id} が見つかりません", f"customer {customer_id} not found in shop {shop_id}"
            )

    def suppression(self, shop_id: str, address: str) -> str | None:
        item = self._table.get(shop_id, _suppression_sk(address))
        return str(item["reason"]) if item is not None else None

    def suppress(
        self, shop_id: str, address: str, *, reason: str, at: datetime, delivery_id: str | None
    ) -> None:
        """Add the address to the suppression list; an address already there keeps its first reason."""
        self._table.insert(
            {
                "pk": shop_id,
                "sk": _suppression_sk(address),
                "address": normalise_address(address),
                "reason": reason,
                "at": iso_utc(at),
                "delivery_id": delivery_id,
            }
        )

    # --- the admin screens: search, the suppression list, erasure -------------------------------

    def search(
        self,
        shop_id: str,
        *,
        keep: Callable[[CustomerRecord], bool] | None,
        limit: int,
        start: Mapping[str, Any] | None,
    ) -> tuple[list[CustomerRecord], dict[str, Any] | None]:
        """A page of the shop's customers (in id order: the id is a hash, so no order in particular)."""
        return self._page(
            shop_id,
            CUSTOMER_PREFIX,
            convert=CustomerRecord.model_validate,
            keep=keep,
            limit=limit,
            start=start,
        )

    def order_keys(self, shop_id: str, customer_id: str) -> list[str]:
        """The keys of every order counted for the customer (none when there is no such customer)."""
        item = self._table.get(shop_id, _customer_sk(customer_id))
        return [str(key) for key in (item or {}).get("order_keys", [])]

    def suppressions(
        self, shop_id: str, *, limit: int, start: Mapping[str, Any] | None
    ) -> tuple[list[Suppression], dict[str, Any] | None]:
        """A page of the suppression list, by address."""
        return self._page(
            shop_id,
            SUPPRESSION_PREFIX,
            convert=Suppression.model_validate,
            keep=None,
            limit=limit,
            start=start,
        )

    def unsuppress(self, shop_id: str, address: str, *, reasons: Collection[str]) -> bool:
        """Remove the address from the list if its reason is one of ``reasons``; False otherwise (or
        when it is not listed)."""
        expr = Expression()
        condition = f"{expr.name('reason')} IN {expr.values_in(sorted(reasons))}"
        try:
            self._table.client.delete_item(
                TableName=self._table.name,
                Key=Table.key(shop_id, _suppression_sk(address)),
                ConditionExpression=condition,
                ExpressionAttributeNames=expr.names,
                ExpressionAttributeValues=expr.values,
            )
        except ClientError as exc:
            if error_code(exc) != CONDITION_FAILED:
                raise
            return False
        return True

    def erase(self, shop_id: str, customer_id: str, *, marker: str, at: datetime) -> CustomerRecord | None:
        """Replace the address and the name by ``marker`` (counts and order keys stay) and note when
        (the first time); None when there is no such customer."""
        expr = Expression()
        update = expr.update(
            set_values={"email": marker, "name": marker}, keep_first={"erased_at": iso_utc(at)}
        )
        item = self._table.update(
            shop_id, _customer_sk(customer_id), expr, update=update, condition=f"attribute_exists({SK})"
        )
        return CustomerRecord.model_validate(item) if item is not None else None

    def _page(
        self,
        shop_id: str,
        prefix: str,
        *,
        convert: Callable[[dict[str, Any]], EntryT],
        keep: Callable[[EntryT], bool] | None,
        limit: int,
        start: Mapping[str, Any] | None,
    ) -> tuple[list[EntryT], dict[str, Any] | None]:
        if start is not None and not str(start.get(SK, "")).startswith(prefix):
            raise InvalidStartKeyError()
        expr = Expression()
        condition = f"pk = {expr.value(shop_id)} AND begins_with({SK}, {expr.value(prefix)})"
        return search_page(
            self._table,
            expr,
            condition,
            convert=convert,
            key_names=(PK, SK),
            fixed={PK: shop_id},
            limit=limit,
            start=start,
            keep=keep,
        )
