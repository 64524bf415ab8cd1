"""Shared DynamoDB plumbing for the data-access modules: items, times, TTL, expressions, queries.

Every adapter uses the low-level client (stream images arrive in the same attribute-value form,
so one ``from_item`` reads both). Values go in as JSON-like Python (pydantic's ``mode="json"``
dumps; a ``set[str]`` becomes a string set) and come out the same way: numbers as ``int`` (or
``float`` when not whole), string sets as sorted lists.

A failed condition is an expected outcome, never an error: ``Table.put`` answers False,
``Table.insert`` the item already there, ``Table.update`` None, ``Table.update_or_old`` the
item as the condition found it. Other ``ClientError`` codes
propagate (throttling is retried by the SDK; what is left is for the Lambda retry).
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

from boto3.dynamodb.types import Binary, TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from okaeri.aws.clients import dynamodb_client

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import (
        AttributeValueTypeDef,
        GetItemInputTypeDef,
        PutItemInputTypeDef,
        PutTypeDef,
        QueryInputTypeDef,
        TransactWriteItemTypeDef,
        UpdateItemInputTypeDef,
    )

    AttributeMap = dict[str, AttributeValueTypeDef]

PK = "pk"
SK = "sk"
CONDITION_FAILED = "ConditionalCheckFailedException"
TRANSACTION_CANCELLED = "TransactionCanceledException"
#: A transaction refused because another one held one of its items meanwhile is tried this often.
TRANSACT_ATTEMPTS = 6
DEFAULT_MAX_ITEMS = 1_000  # the bound of a "read everything" query: a safety net, never a page size


_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


# --- values ----------------------------------------------------------------------------------


def to_attr(value: Any) -> AttributeValueTypeDef:
    return _serializer.serialize(_numbers_as_decimals(value))


def to_item(data: Mapping[str, Any]) -> AttributeMap:
    return {name: to_attr(value) for name, value in data.items()}


def from_item(item: Mapping[str, Any]) -> dict[str, Any]:
    """An item (or a stream image) as plain Python."""
    return {name: _plain(_deserializer.deserialize(value)) for name, value in item.items()}


def _numbers_as_decimals(value: Any) -> Any:
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, Mapping):
        return {key: _numbers_as_decimals(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_numbers_as_decimals(item) for item in value]
    return value


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, set):
        return sorted(_plain(item) for item in value)
    if isinstance(value, Binary):
        return value.value  # type: ignore[attr-defined]
    return value


# --- times -----------------------------------------------------------------------------------


def iso_utc(moment: datetime) -> str:
    """A fixed-width UTC timestamp, so that string order is time order (sort keys, conditions)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"a stored time needs a timezone: {moment!r}")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def expires_at(moment: datetime, retention_days: int) -> int:
    """The TTL attribute: epoch seconds ``retention_days`` after ``moment`` (the item's last event)."""
    return int((moment + timedelta(days=retention_days)).timestamp())


class CountConflictError(RuntimeError):
    """A counted write could not be made for conflicts: nothing was written, try again."""


# --- expressions -----------------------------------------------------------------------------


class Expression:
    """Placeholders for the names and values of one request (no clash with reserved words)."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}
        self.values: dict[str, AttributeValueTypeDef] = {}
        self._placeholders: dict[str, str] = {}

    def name(self, path: str) -> str:
        """The placeholder of an attribute (``"status"``) or of a path into a map (``"events.Bounce"``)."""
        return ".".join(self._name(part) for part in path.split("."))

    def member(self, attribute: str, key: str) -> str:
        """The placeholder path of a map's member ``attribute[key]`` (``key`` may hold dots)."""
        return f"{self.name(attribute)}.{self._name(key)}"

    def _name(self, part: str) -> str:
        if part not in self._placeholders:
            placeholder = f"#n{len(self._placeholders)}"
            self._placeholders[part] = placeholder
            self.names[placeholder] = part
        return self._placeholders[part]

    def value(self, value: Any) -> str:
        placeholder = f":v{len(self.values)}"
        self.values[placeholder] = to_attr(value)
        return placeholder

    def values_in(self, values: Iterable[Any]) -> str:
        """``(:v1, :v2, …)`` for an ``IN`` condition."""
        return "(" + ", ".join(self.value(value) for value in values) + ")"

    def update(
        self,
        *,
        set_values: Mapping[str, Any] | None = None,
        keep_first: Mapping[str, Any] | None = None,
        add: Mapping[str, Any] | None = None,
        remove: Iterable[str] = (),
    ) -> str:
        """An update expression: SET (``keep_first``: only where not set yet), ADD, REMOVE."""
        assignments = [
            f"{self.name(path)} = {self.value(value)}" for path, value in (set_values or {}).items()
        ]
        assignments += [
            f"{self.name(path)} = if_not_exists({self.name(path)}, {self.value(value)})"
            for path, value in (keep_first or {}).items()
        ]
        clauses = []
        if assignments:
            clauses.append("SET " + ", ".join(assignments))
        additions = [f"{self.name(path)} {self.value(value)}" for path, value in (add or {}).items()]
        if additions:
            clauses.append("ADD " + ", ".join(additions))
        removals = [self.name(path) for path in remove]
        if removals:
            clauses.append("REMOVE " + ", ".join(removals))
        if not clauses:
            raise ValueError("an update needs at least one clause")
        return " ".join(clauses)


def error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def _response(exc: ClientError) -> dict[str, Any]:
    """The whole error response (it also carries ``Item`` and ``CancellationReasons``)."""
    return cast(dict[str, Any], exc.response)


# --- the table -------------------------------------------------------------------------------


class ReadLimitError(RuntimeError):
    """A read-everything query stopped at its bound (the caller refuses rather than answer a part)."""

    def __init__(self, read: int) -> None:
        super().__init__(f"stopped after reading {read} items")
        self.read = read


@dataclass(frozen=True)
class QueryRead:
    """What one Query request answered: the items kept, the key to go on from, how many it read."""

    items: list[dict[str, Any]]
    last: dict[str, Any] | None
    scanned: int


@dataclass(frozen=True)
class Updated:
    """A conditional update's answer: ``done`` and the item now, or not done and the item as it was
    (None when there was none)."""

    done: bool
    item: dict[str, Any] | None


class Table:
    """One table through the low-level client: keys, conditions and pagination done once.

    The client is the cached one from ``okaeri.aws.clients`` unless one is given, and it is looked
    up on first use, so an adapter can be built before the environment is complete.
    """

    def __init__(self, name: str, *, client: DynamoDBClient | None = None) -> None:
        self.name = name
        self._client = client

    @property
    def client(self) -> DynamoDBClient:
        return self._client or dynamodb_client()

    @staticmethod
    def key(pk: str, sk: str) -> AttributeMap:
        return {PK: {"S": pk}, SK: {"S": sk}}

    def get(self, pk: str, sk: str) -> dict[str, Any] | None:
        """A strongly consistent read (the pipeline acts on what is true now)."""
        request: GetItemInputTypeDef = {
            "TableName": self.name,
            "Key": self.key(pk, sk),
            "ConsistentRead": True,
        }
        item = self.client.get_item(**request).get("Item")
        return from_item(item) if item is not None else None

    def put(
        self, item: Mapping[str, Any], *, condition: str | None = None, expr: Expression | None = None
    ) -> bool:
        """Write the item; False (nothing written) when ``condition`` does not hold."""
        return self._put(item, condition=condition, expr=expr) is None

    def insert(self, item: Mapping[str, Any]) -> dict[str, Any] | None:
        """Write the item only if its key is free: None when written, else the item already there."""
        return self._put(item, condition=f"attribute_not_exists({SK})", expr=None)

    def _put(
        self, item: Mapping[str, Any], *, condition: str | None, expr: Expression | None
    ) -> dict[str, Any] | None:
        request: PutItemInputTypeDef = {"TableName": self.name, "Item": to_item(item)}
        if condition is not None:
            request["ConditionExpression"] = condition
            request["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
        _add_placeholders(request, expr)
        try:
            self.client.put_item(**request)
        except ClientError as exc:
            if error_code(exc) != CONDITION_FAILED:
                raise
            return from_item(_response(exc).get("Item", {}))
        return None

    def update(
        self, pk: str, sk: str, expr: Expression, *, update: str, condition: str | None = None
    ) -> dict[str, Any] | None:
        """Update the item and return it as it is now; None when ``condition`` does not hold."""
        updated = self._update(pk, sk, expr, update=update, condition=condition, old_on_refusal=False)
        return updated.item if updated.done else None

    def update_or_old(self, pk: str, sk: str, expr: Expression, *, update: str, condition: str) -> Updated:
        """Update the item: ``Updated(True, the item now)``, or, when ``condition`` does not hold,
        ``Updated(False, the item as the condition found it)`` (None: there is no such item).

        The refused item comes with the refusal itself (``ReturnValuesOnConditionCheckFailure``), so
        the caller learns why in the same call, with no read before or after."""
        return self._update(pk, sk, expr, update=update, condition=condition, old_on_refusal=True)

    def _update(
        self, pk: str, sk: str, expr: Expression, *, update: str, condition: str | None, old_on_refusal: bool
    ) -> Updated:
        request: UpdateItemInputTypeDef = {
            "TableName": self.name,
            "Key": self.key(pk, sk),
            "UpdateExpression": update,
            "ReturnValues": "ALL_NEW",
        }
        if condition is not None:
            request["ConditionExpression"] = condition
            if old_on_refusal:
                request["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
        _add_placeholders(request, expr)
        try:
            return Updated(True, from_item(self.client.update_item(**request)["Attributes"]))
        except ClientError as exc:
            if error_code(exc) != CONDITION_FAILED:
                raise
            old = _response(exc).get("Item")
            return Updated(False, from_item(old) if old else None)

    def delete(self, pk: str, sk: str) -> None:
        self.client.delete_item(TableName=self.name, Key=self.key(pk, sk))

    def query_all(
        self,
        expr: Expression,
        key_condition: str,
        *,
        index: str | None = None,
        forward: bool = True,
        max_items: int = DEFAULT_MAX_ITEMS,
    ) -> list[dict[str, Any]]:
        """Every item the key condition selects, page after page, up to ``max_items``."""
        items: list[dict[str, Any]] = []
        start: Mapping[str, Any] | None = None
        while len(items) < max_items:
            page, start = self.query_page(
                expr, key_condition, index=index, forward=forward, limit=max_items - len(items), start=start
            )
            items.extend(page)
            if start is None:
                break
        return items

    def query_page(
        self,
        expr: Expression,
        key_condition: str,
        *,
        limit: int,
        start: Mapping[str, Any] | None = None,
        index: str | None = None,
        forward: bool = True,
    ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        """One page of at most ``limit`` items and the key to continue from (None at the end)."""
        read = self.query_read(expr, key_condition, limit=limit, start=start, index=index, forward=forward)
        return read.items, read.last

    def query_read(
        self,
        expr: Expression,
        key_condition: str,
        *,
        limit: int,
        start: Mapping[str, Any] | None = None,
        index: str | None = None,
        forward: bool = True,
        keep: str | None = None,
    ) -> QueryRead:
        """One request reading at most ``limit`` items: those ``keep`` (a FilterExpression) keeps,
        how many it read, and the key to continue from (None at the end)."""
        request = self._query_request(expr, key_condition, index=index)
        request["Limit"] = limit
        request["ScanIndexForward"] = forward
        if keep is not None:
            request["FilterExpression"] = keep
        if start is not None:
            request["ExclusiveStartKey"] = to_item(start)
        page = self.client.query(**request)
        last = page.get("LastEvaluatedKey")
        return QueryRead(
            [from_item(item) for item in page["Items"]],
            from_item(last) if last else None,
            int(page.get("ScannedCount", len(page["Items"]))),
        )

    def count(
        self,
        expr: Expression,
        key_condition: str,
        *,
        index: str | None = None,
        keep: str | None = None,
        max_read: int | None = None,
    ) -> int:
        """How many items the key condition selects, and ``keep`` (a filter) keeps when given (read,
        not returned: it costs the same RRU, without carrying the items back), over every page.
        Past ``max_read`` items read, a ReadLimitError (never a count of part of them)."""
        request = self._query_request(expr, key_condition, index=index)
        request["Select"] = "COUNT"
        if keep is not None:
            request["FilterExpression"] = keep
        total = read = 0
        while True:
            page = self.client.query(**request)
            total += page["Count"]
            read += page.get("ScannedCount", page["Count"])
            last = page.get("LastEvaluatedKey")
            if not last:
                return total
            if max_read is not None and read >= max_read:
                raise ReadLimitError(read)
            request["ExclusiveStartKey"] = last

    def _query_request(self, expr: Expression, key_condition: str, *, index: str | None) -> QueryInputTypeDef:
        request: QueryInputTypeDef = {"TableName": self.name, "KeyConditionExpression": key_condition}
        if index is not None:
            request["IndexName"] = index
        else:
            request["ConsistentRead"] = True
        _add_placeholders(request, expr)
        return request

    def transact(self, actions: Sequence[TransactWriteItemTypeDef]) -> list[str] | None:
        """Write all or nothing: None when done, else each action's cancellation reason code
        (``"None"`` for an action that was fine, ``"ConditionalCheckFailed"``, …)."""
        try:
            self.client.transact_write_items(TransactItems=list(actions))
        except ClientError as exc:
            if error_code(exc) != TRANSACTION_CANCELLED:
                raise
            reasons: list[dict[str, Any]] = _response(exc).get("CancellationReasons", [])
            return [str(reason.get("Code", "None")) for reason in reasons]
        return None

    def transact_if(self, actions: Sequence[TransactWriteItemTypeDef]) -> bool:
        """All or nothing: True when written, False when the first action's condition does not hold.

        A conflict (another transaction on one of the items, a counter, at that moment) is tried again
        after a short random pause; past ``TRANSACT_ATTEMPTS`` it is an error (the event is retried)."""
        for attempt in range(TRANSACT_ATTEMPTS):
            reasons = self.transact(actions)
            if reasons is None:
                return True
            if reasons and reasons[0] == "ConditionalCheckFailed":
                return False
            if "TransactionConflict" not in reasons:
                raise CountConflictError(f"the transaction was refused: {reasons}")
            time.sleep(random.uniform(0, 0.02 * 2**attempt))  # a pause, not a secret
        raise CountConflictError(f"the items stayed busy for {TRANSACT_ATTEMPTS} attempts")

    def update_action(
        self, pk: str, sk: str, expr: Expression, *, update: str, condition: str | None = None
    ) -> TransactWriteItemTypeDef:
        """An UpdateItem for ``transact``."""
        action: dict[str, Any] = {"TableName": self.name, "Key": self.key(pk, sk), "UpdateExpression": update}
        if condition is not None:
            action["ConditionExpression"] = condition
        _add_placeholders(action, expr)
        return {"Update": action}  # type: ignore[typeddict-item]

    def put_action(
        self, item: Mapping[str, Any], *, condition: str | None, expr: Expression | None = None
    ) -> TransactWriteItemTypeDef:
        put: PutTypeDef = {"TableName": self.name, "Item": to_item(item)}
        if condition is not None:
            put["ConditionExpression"] = condition
        _add_placeholders(put, expr)
        return {"Put": put}

    def delete_action(self, pk: str, sk: str, *, condition: str) -> TransactWriteItemTypeDef:
        return {"Delete": {"TableName": self.name, "Key": self.key(pk, sk), "ConditionExpression": condition}}

    def check_action(self, pk: str, sk: str, *, condition: str) -> TransactWriteItemTypeDef:
        return {
            "ConditionCheck": {
                "TableName": self.name,
                "Key": self.key(pk, sk),
                "ConditionExpression": condition,
            }
        }


def _add_placeholders(request: Any, expr: Expression | None) -> None:
    # DynamoDB refuses empty placeholder maps, so they are only set when used.
    if expr is not None and expr.names:
        request["ExpressionAttributeNames"] = expr.names
    if expr is not None and expr.values:
        request["ExpressionAttributeValues"] = expr.values
