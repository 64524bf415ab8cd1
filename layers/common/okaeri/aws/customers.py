"""The ``customers`` table: buyers (``cust#<customer_id>``) and the suppression list (``supp#<address>``).

``customer_id_for`` and ``normalise_address`` (from ``okaeri.identity``) are re-exported here: the id
is the first 32 hex digits of sha256 of the NFKC-folded, lower-case address.

A customer's figures (order count, total spent, first and last order, sources, SKUs: see
``okaeri.customer_figures``) change once per order, however often the order's mail is read again:
the order keys already counted live in string sets on the item, and every write is conditional on
the item's revision (``rev``) being the one the change was computed from.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from botocore.exceptions import ClientError

from okaeri.aws.dynamo import (
    CONDITION_FAILED,
    PK,
    SK,
    Expression,
    ReadLimitError,
    Table,
    Updated,
    error_code,
    expires_at,
    iso_utc,
)
from okaeri.aws.search import InvalidStartKeyError, search_page
from okaeri.customer_figures import CustomerOrder, Figures, after_cancel, after_order
from okaeri.errors import ConflictError, NotFoundError, TooManyRowsError
from okaeri.identity import customer_id_for, normalise_address
from okaeri.models import CustomerRecord
from okaeri.models.admin import Suppression
from okaeri.segments import Segment

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

    from okaeri.ports import Clock

__all__ = ["DynamoCustomers", "customer_id_for", "normalise_address"]


CUSTOMER_PREFIX = "cust#"
#: the index of customers by their last order's day (``shop_id``, ``last_order_day``): win-back, segments
BY_LAST_ORDER = "by_last_order"
#: the bound of one day's lapsed customers read at once (a safety net)
MAX_LAPSED_PER_DAY = 100_000
#: the most index items a segment's count reads before it refuses (a count is never of a part)
MAX_SEGMENT_READ = 300_000
#: the key of an item in the ``by_last_order`` index (a cursor of a segment's list)
_SEGMENT_KEY = (PK, SK, "shop_id", "last_order_day")
WRITE_ATTEMPTS = 5
REV = "rev"
_KEY_SETS = ("order_keys", "detailed_keys", "cancelled_keys", "sources", "skus")
_TIMES = ("first_order_at", "last_order_at")
SUPPRESSION_PREFIX = "supp#"
EntryT = TypeVar("EntryT")


def figures_of(item: Mapping[str, Any] | None) -> Figures:
    """A stored customer item's figures (an item from before issue #16 has counts and keys only)."""
    if item is None:
        return Figures()
    day = item.get("last_order_day")
    return Figures(
        order_keys=frozenset(item.get("order_keys", ())),
        detailed_keys=frozenset(item.get("detailed_keys", ())),
        cancelled_keys=frozenset(item.get("cancelled_keys", ())),
        order_count=int(item.get("order_count", 0)),
        total_spent=int(item.get("total_spent", 0)),
        first_order_at=_time(item.get("first_order_at")),
        last_order_at=_time(item.get("last_order_at")),
        last_order_day=date.fromisoformat(day) if day else None,
        last_order_key=item.get("last_order_key"),
        prefecture=item.get("prefecture"),
        sources=frozenset(item.get("sources", ())),
        skus=frozenset(item.get("skus", ())),
        rev=int(item.get(REV, 0)),
    )


def figure_attributes(figures: Figures) -> tuple[dict[str, Any], list[str]]:
    """The attributes to SET, and those to REMOVE (an empty set or an unknown value is not stored)."""
    values: dict[str, Any] = {
        "order_count": figures.order_count,
        "total_spent": figures.total_spent,
        REV: figures.rev,
        "last_order_key": figures.last_order_key,
        "prefecture": figures.prefecture,
        "last_order_day": None if figures.last_order_day is None else figures.last_order_day.isoformat(),
    }
    values |= {name: getattr(figures, name) and iso_utc(getattr(figures, name)) for name in _TIMES}
    values |= {name: set(getattr(figures, name)) for name in _KEY_SETS}
    if figures.erased:
        values["last_order_day"] = None
    removed = [name for name, value in values.items() if value is None or value == set()]
    return {name: value for name, value in values.items() if name not in removed}, removed


def _time(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _segment_query(shop_id: str, segment: Segment, today: date) -> tuple[Expression, str, str | None]:
    """The segment as a Query of ``by_last_order``: the expression, its key condition and filter."""
    expr = Expression()
    condition = f"{expr.name('shop_id')} = {expr.value(shop_id)}"
    low, high = segment.day_bounds(today)
    if low is not None:
        condition += f" AND {expr.name('last_order_day')} >= {expr.value(low.isoformat())}"
    if high is not None:
        condition += f" AND {expr.name('last_order_day')} <= {expr.value(high.isoformat())}"
    tests: list[str] = []
    if (least := segment.least_orders) is not None:
        tests.append(f"{expr.name('order_count')} >= {expr.value(least)}")
    if (most := segment.most_orders) is not None:
        tests.append(f"{expr.name('order_count')} <= {expr.value(most)}")
    if segment.source is not None:
        tests.append(f"contains({expr.name('sources')}, {expr.value(segment.source)})")
    if segment.prefecture is not None:
        tests.append(f"{expr.name('prefecture')} = {expr.value(segment.prefecture)}")
    if segment.sku is not None:
        tests.append(f"contains({expr.name('skus')}, {expr.value(segment.sku)})")
    return expr, condition, " AND ".join(tests) or None


def _too_many(bound: int, what_ja: str, what_en: str) -> TooManyRowsError:
    return TooManyRowsError(
        f"このセグメントは{what_ja}件数の上限（{bound:,}）を超えます。日数や条件で絞り込んでください。",
        f"This segment exceeds the {bound:,} {what_en}: narrow it by days or other conditions.",
    )


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
        self, shop_id: str, customer_id: str, *, email: str, name: str | None, order: CustomerOrder
    ) -> int:
        """Count the order for its customer once (and its details once); the order's rank.

        The first write assumes a new customer (one call); a known customer's item comes back with
        the refusal, and the figures are written over it only if no other write came in between
        (``rev``), else read and tried again.
        """
        contact = {"email": email, **({"name": name} if name is not None else {})}
        stored: dict[str, Any] | None = None
        for _ in range(WRITE_ATTEMPTS):
            figures = figures_of(stored)
            counted = after_order(figures, order)
            if counted.figures is None:
                return counted.rank
            written = self.write_figures(
                shop_id, customer_id, counted.figures, expected=stored, contact=contact
            )
            if written.done:
                return counted.rank
            stored = written.item
        raise ConflictError(
            f"お客様 {customer_id} の更新が競合しました",
            f"customer {customer_id} kept changing while counting",
        )

    def cancel_order(
        self, shop_id: str, customer_id: str, cancelled: CustomerOrder, *, others: Sequence[CustomerOrder]
    ) -> None:
        """Take a cancelled order back from the customer's figures, once (``others``: their other
        orders, open ones, for the first and last order and the SKUs)."""
        for _ in range(WRITE_ATTEMPTS):
            stored = self._table.get(shop_id, _customer_sk(customer_id))
            if stored is None:  # nothing to take back: ingest does when the order mail finds it cancelled
                return
            figures = after_cancel(figures_of(stored), cancelled, others)
            if figures is None:
                return
            if self.write_figures(shop_id, customer_id, figures, expected=stored).done:
                return
        raise ConflictError(
            f"お客様 {customer_id} の更新が競合しました",
            f"customer {customer_id} kept changing while cancelling",
        )

    def lapsed_on(self, shop_id: str, day: date) -> list[CustomerRecord]:
        """The customers whose last open order was on ``day`` (the ``by_last_order`` index; erased
        customers are not in it)."""
        expr = Expression()
        condition = f"shop_id = {expr.value(shop_id)} AND last_order_day = {expr.value(day.isoformat())}"
        items = self._table.query_all(expr, condition, index=BY_LAST_ORDER, max_items=MAX_LAPSED_PER_DAY)
        return [CustomerRecord.model_validate(item) for item in items]

    # --- segments (the customers screen, its count and export: ``okaeri.segments``) ------------

    def segment(
        self, shop_id: str, segment: Segment, *, today: date, limit: int, start: Mapping[str, Any] | None
    ) -> tuple[list[CustomerRecord], dict[str, Any] | None]:
        """A page of the segment's customers, latest last order first (the ``by_last_order`` index:
        the days in its key condition, the rest a FilterExpression)."""
        expr, condition, where = _segment_query(shop_id, segment, today)
        return search_page(
            self._table,
            expr,
            condition,
            convert=CustomerRecord.model_validate,
            key_names=_SEGMENT_KEY,
            fixed={PK: shop_id, "shop_id": shop_id},
            limit=limit,
            start=start,
            index=BY_LAST_ORDER,
            forward=False,
            where=where,
        )

    def segment_count(self, shop_id: str, segment: Segment, *, today: date) -> int:
        """How many customers the segment holds, every page counted (past ``MAX_SEGMENT_READ`` index
        items read, a TooManyRowsError: narrow the segment by days)."""
        expr, condition, where = _segment_query(shop_id, segment, today)
        try:
            return self._table.count(
                expr, condition, index=BY_LAST_ORDER, keep=where, max_read=MAX_SEGMENT_READ
            )
        except ReadLimitError:
            raise _too_many(MAX_SEGMENT_READ, "お客様を読む", "customers to read") from None

    def segment_all(
        self, shop_id: str, segment: Segment, *, today: date, max_rows: int
    ) -> list[CustomerRecord]:
        """Every customer of the segment, latest last order first; more than ``max_rows`` (or past
        ``MAX_SEGMENT_READ`` items read) is a TooManyRowsError, never a part of them."""
        expr, condition, where = _segment_query(shop_id, segment, today)
        found: list[CustomerRecord] = []
        read = 0
        start: dict[str, Any] | None = None
        while True:
            answer = self._table.query_read(
                expr, condition, limit=1000, start=start, index=BY_LAST_ORDER, forward=False, keep=where
            )
            found.extend(CustomerRecord.model_validate(item) for item in answer.items)
            read += answer.scanned
            if len(found) > max_rows:
                raise _too_many(max_rows, "行を書き出す", "rows to export")
            if answer.last is None:
                return found
            if read >= MAX_SEGMENT_READ:
                raise _too_many(MAX_SEGMENT_READ, "お客様を読む", "customers to read")
            start = answer.last

    def write_figures(
        self,
        shop_id: str,
        customer_id: str,
        figures: Figures,
        *,
        expected: Mapping[str, Any] | None,
        contact: Mapping[str, str] | None = None,
    ) -> Updated:
        """Write the figures if the item is still as ``expected`` (None: no item yet)."""
        expr = Expression()
        values, removed = figure_attributes(figures)
        set_values = {
            "shop_id": shop_id,
            "customer_id": customer_id,
            **(contact or {}),
            **values,
            "expires_at": expires_at(self._clock.now(), self._retention_days),
        }
        if expected is None:
            condition = f"attribute_not_exists({SK})"
        elif REV in expected:
            condition = f"{expr.name(REV)} = {expr.value(expected[REV])}"
        else:  # an item from before the figures
            condition = f"attribute_exists({SK}) AND attribute_not_exists({expr.name(REV)})"
        update = expr.update(set_values=set_values, remove=removed)
        return self._table.update_or_old(
            shop_id, _customer_sk(customer_id), expr, update=update, condition=condition
        )

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
            set_values={"email": marker, "name": marker},
            keep_first={"erased_at": iso_utc(at)},
            remove=["last_order_day"],  # out of the win-back and segment index
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
