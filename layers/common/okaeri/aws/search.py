"""Paged searches for the admin screens: one key condition, an optional test in Python, full pages.

DynamoDB's ``Limit`` counts the items it *reads*, before any filter, so a filtered query answers
short or even empty pages that still have a next key. The admin lists want full pages instead:
:func:`search_page` reads on (in chunks) until it has ``limit`` matching items or has read
``budget`` items, and its continuation key is the key of the last item it *returned* (when it
stopped inside a chunk) or DynamoDB's own (when it stopped at a chunk's end). Either key fits the
query's ``ExclusiveStartKey``, so a page never skips or repeats an item.

The test runs in Python (not as a FilterExpression, which costs the same reads) so that it can
fold width and case: ``ＴＡＲＯ`` finds ``taro``. A start key is checked before it is used: it must
name exactly the query's key attributes, and its partition values must be the shop's, else it
is a ``bad_cursor`` (the API answers 400).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any, Final, TypeVar

from okaeri.aws.dynamo import Expression, Table, iso_utc
from okaeri.errors import BadRequestError

T = TypeVar("T")
#: Items read per request while a page is being filled.
CHUNK: Final = 200
#: Items one page may read at most before it answers with what it found (and a next key).
DEFAULT_BUDGET: Final = 1_000
#: The most items a read-everything pass (the dashboard) goes through.
MAX_PASS: Final = 20_000


class InvalidStartKeyError(BadRequestError):
    """A continuation key that does not belong to this query (forged, or from another list or shop)."""

    code = "bad_cursor"

    def __init__(self) -> None:
        super().__init__(
            "ページの指定（cursor）が正しくありません。一覧を最初から読み直してください。",
            "The page cursor is not valid. Reload the list from the start.",
        )


def check_start(
    start: Mapping[str, Any] | None,
    *,
    key_names: Sequence[str],
    fixed: Mapping[str, str],
    prefixed: Mapping[str, str] | None = None,
) -> None:
    """``start`` names exactly ``key_names``, as strings, agrees with every ``fixed`` value and
    starts with every ``prefixed`` one."""
    if start is None:
        return
    if set(start) != set(key_names) or not all(isinstance(value, str) for value in start.values()):
        raise InvalidStartKeyError()
    if any(start.get(name) != value for name, value in fixed.items()):
        raise InvalidStartKeyError()
    if any(not str(start.get(name)).startswith(value) for name, value in (prefixed or {}).items()):
        raise InvalidStartKeyError()


def period_condition(expr: Expression, attribute: str, since: datetime | None, until: datetime | None) -> str:
    """`` AND <attribute> …`` bounding a sort key to a period (either end may be open), or nothing."""
    if since is not None and until is not None:
        low, high = expr.value(iso_utc(since)), expr.value(iso_utc(until))
        return f" AND {expr.name(attribute)} BETWEEN {low} AND {high}"
    if since is not None:
        return f" AND {expr.name(attribute)} >= {expr.value(iso_utc(since))}"
    if until is not None:
        return f" AND {expr.name(attribute)} <= {expr.value(iso_utc(until))}"
    return ""


def search_page[T](
    table: Table,
    expr: Expression,
    key_condition: str,
    *,
    convert: Callable[[dict[str, Any]], T],
    key_names: Sequence[str],
    fixed: Mapping[str, str],
    limit: int,
    start: Mapping[str, Any] | None = None,
    index: str | None = None,
    forward: bool = True,
    keep: Callable[[T], bool] | None = None,
    budget: int = DEFAULT_BUDGET,
    prefixed: Mapping[str, str] | None = None,
    where: str | None = None,
) -> tuple[list[T], dict[str, Any] | None]:
    """Up to ``limit`` items that ``where`` (a FilterExpression, in DynamoDB) and ``keep`` (in
    Python) accept, and the key to continue from (None at the end). ``budget`` bounds the items
    read, filtered out or not."""
    check_start(start, key_names=key_names, fixed=fixed, prefixed=prefixed)
    found: list[T] = []
    read = 0
    cursor: Mapping[str, Any] | None = start
    while True:
        unfiltered = keep is None and where is None
        chunk = limit - len(found) if unfiltered else max(1, min(CHUNK, budget - read))
        answer = table.query_read(
            expr, key_condition, limit=chunk, start=cursor, index=index, forward=forward, keep=where
        )
        items, last = answer.items, answer.last
        read += answer.scanned
        for position, item in enumerate(items):
            value = convert(item)
            if keep is not None and not keep(value):
                continue
            found.append(value)
            if len(found) == limit:
                at_chunk_end = position == len(items) - 1
                return found, last if at_chunk_end else {name: item[name] for name in key_names}
        if last is None or read >= budget:
            return found, last
        cursor = last


def by_time_page[T](
    table: Table,
    shop_id: str,
    attribute: str,
    *,
    since: datetime | None,
    until: datetime | None,
    convert: Callable[[dict[str, Any]], T],
    keep: Callable[[T], bool] | None,
    limit: int,
    start: Mapping[str, Any] | None,
    partition_prefix: str | None = None,
) -> tuple[list[T], dict[str, Any] | None]:
    """A :func:`search_page` of the shop's items by ``attribute`` (the sort key of the ``by_time``
    index), newest first, within ``since``…``until``. The table's own partition key in a start key
    is the shop, or (``partition_prefix``, the orders table's per-order keys) starts with it."""
    expr = Expression()
    condition = f"{expr.name('shop_id')} = {expr.value(shop_id)}" + period_condition(
        expr, attribute, since, until
    )
    return search_page(
        table,
        expr,
        condition,
        convert=convert,
        key_names=("pk", "sk", "shop_id", attribute),
        fixed={"shop_id": shop_id} if partition_prefix is not None else {"pk": shop_id, "shop_id": shop_id},
        prefixed=None if partition_prefix is None else {"pk": partition_prefix},
        limit=limit,
        start=start,
        index="by_time",
        forward=False,
        keep=keep,
    )


def every_item(
    table: Table,
    expr: Expression,
    key_condition: str,
    *,
    index: str | None = None,
    forward: bool = True,
    max_items: int | None = None,
) -> Iterator[dict[str, Any]]:
    """Every item the key condition selects, a chunk at a time (never more than ``max_items``;
    ``MAX_PASS`` when not given, looked up on each call so a test can lower it)."""
    if max_items is None:
        max_items = MAX_PASS
    read = 0
    cursor: Mapping[str, Any] | None = None
    while read < max_items:
        items, cursor = table.query_page(
            expr,
            key_condition,
            limit=min(CHUNK * 5, max_items - read),
            start=cursor,
            index=index,
            forward=forward,
        )
        read += len(items)
        yield from items
        if cursor is None:
            return
