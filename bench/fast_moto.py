"""Four shortcuts in moto's in-process DynamoDB, for the pipeline bench's long runs only.

moto answers as DynamoDB would, but some of its work grows with what the tables hold, which made
each order of the pipeline bench cost more than the one before (2,000 orders: hours). Profiled
with cProfile at 50 to 400 orders (moto 5.2.6), three places stood out, and a fourth with issue #15:

- ``TransactWriteItems`` deep-copies every table a transaction names before running it, to put the
  copy back if an action fails: every item and every stream record, on each transaction. Send
  makes one or two a mail, on the deliveries table and on the config table (which holds the coupon
  pool), so at 50 orders the copies were 40% of the run and grew with it.
- A ``Query`` on a table reads every item of the table to find the partition's, then sorts the
  partition comparing moto's ``DynamoType`` values (each comparison converts both values again).
  The coupon pool's partition holds three codes an order, and each coupon a mail takes queries it.
  Then (issue #15, profiled at 120 and 200 orders) the same partition, the config table's shop, also
  holds a ``count_once`` marker for each run, credit and repeat, and with the orders half an hour
  apart every invocation reads the shop's settings again (the config cache keeps them a minute):
  each of those begins_with queries walked, sized and compared every item of the partition, the
  largest share of the run and growing with every order.
- A ``Query`` on an index (the repeat buyer's ``Deliveries.by_customer``, issue #15) and a scan read
  the table's items through ``Table.all_items``, which sorts every item of the table by its keys,
  comparing moto's ``DynamoType`` values: some 200 ms a query at 1,000 orders' deliveries.
- Every response is serialized by moto's generic serializer, which looks up each of the ten members
  of each DynamoDB ``AttributeValue`` through a chain of alias rules: about a third of the profiled
  run, the same for each call (it does not grow, but it is the largest share once the two above are gone).

``faster_moto()`` changes these four, and only inside its ``with`` block: the pipeline bench, and
the local stack while it plays the demo shop's history (``devstack/okaeri_dev/fast_lane.py``);
everywhere else (the product's tests, ``make dev`` once started) moto runs as shipped. Each change
keeps moto's answer exactly:

- ``cheap_transaction_backups``: moto's own ``transact_write_items`` runs, every line of it; only
  what its ``copy.deepcopy(table)`` returns changes. The backup is a ``Table`` sharing the
  original's settings, with a copy of the item map in which the items the transaction names (the
  only ones it can change; moto refuses two actions on one item) are deep copies, and a copy of
  the stream's record list (a record is built from an item's JSON when written and never changes).
  The other partitions' maps are shared (the transaction cannot change them), so the backup costs
  a copy of the map of partitions, not of the items. If moto puts the backup back, the table holds
  what moto's deep copy would: the same items in the same order, the same stream records.
- ``partition_queries``: for a query on a table (not an index) with a partition key, moto's own
  ``Table.query`` runs, but the items it walks are the partition's only (moto's own map holds them
  by partition key, so they are the items its filter keeps), already in the order moto's stable
  sort puts them: by sort key, compared as moto compares them, ties in the map's order. moto then
  filters and sorts as usual and finds nothing to move (the order is its sort's either way; the
  presort only spares it the comparisons of ``DynamoType``, which convert both values each time).
  With a sort key condition on a string sort key (``=``, ``<``, ``<=``, ``>``, ``>=``, BETWEEN,
  begins_with, as moto compares: Python's string order) the items walked are only those in the
  condition, found by bisection in the partition's sorted keys (kept while the partition holds the
  same key objects), and the item either side of them: moto checks the condition itself and keeps
  the same items; it ends a page that reached its Limit at the next item it walks, which is the
  neighbour; the items further out it would only have compared and sized. That size is the one
  thing they could change: moto ends a page when the results so far and the item it walks pass
  1 MB, outside the condition too. No item can be larger than moto lets it be (405,000 bytes,
  ``LimitedSizeDict``), so while the results can come to at most 1 MB less that (the items of the
  first Limit, or all, walked), none of them could end the page; otherwise the whole partition is
  walked as before.
- ``string_key_order``: ``Table.all_items`` gathers the items as moto's does and, when every item's
  keys are strings (moto checks a table's key types on every write), sorts them by the strings: the
  order moto's sort of ``DynamoType`` keys gives (its comparisons are the strings', and a table's
  keys are unique, so there are no ties), with Python's own comparisons. Any other key goes to
  moto's own sort.
- ``fast_attribute_values``: a DynamoDB ``AttributeValue`` given as a dict whose keys are all
  members of the shape (what moto's ``dynamo_to_dict`` always gives) is serialized member by member
  with moto's own type serializers, without the alias look-ups: for such a dict they can only find
  the member under its own name (no dict holds the alias names), and DynamoDB's responses have no
  key-path transformers. Anything else goes the generic way.

``tests/integration/bench/test_fast_moto.py`` runs the same calls with and without each shortcut (successful
and failing transactions, ``count_once``'s two items of one partition among them, queries of every
kind, at a partition's edges and past moto's 1 MB page, items with every attribute type) and
compares every answer, every table and every stream. The patched moto functions are checked against the
sources they were written for, so an upgrade of moto that changes them stops the bench instead of
being trusted.
"""

from __future__ import annotations

import bisect
import contextlib
import copy
import hashlib
import inspect
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from types import SimpleNamespace
from typing import Any

#: sha256 of each patched function's source in moto 5.2.6, which the shortcuts were checked against.
REVIEWED_SOURCES = {
    "moto.dynamodb.models.DynamoDBBackend.transact_write_items": (
        "81db2cb7d94e39c90b3a2077e1f4bb41a449c558ef9b1b1e2910fdaa39978ad4"
    ),
    "moto.dynamodb.models.table.Table.query": (
        "002b4d00be6df07cf37f6cbe0132e5eb89455ae12a8e79b23db3fb492450f21e"
    ),
    "moto.dynamodb.models.dynamo_type.LimitedSizeDict.__setitem__": (  # an item's largest size
        "d979580fdbe14f79f3216564e1385c4b3485db82bc88193326c467a037331e81"
    ),
    "moto.dynamodb.models.table.Table.all_items": (
        "c80d2ee3c896acd0cab6ca35aaeae3ab3fb65858933f8a3403d4e027c240f31d"
    ),
    "moto.core.serialize.ResponseSerializer._serialize_type_structure": (
        "f9b47068f40ce489e55e7a0bf78accec38597d27168dc3d095ac2fc18312d4a8"
    ),
    "moto.core.serialize.ResponseSerializer._serialize_structure_member": (
        "437fdce43aa5ac844fb5fe22865b90d228b875b6b1787dc6bfdccad91968b3c0"
    ),
    "moto.core.serialize.BaseJSONSerializer._serialize_type_structure": (
        "36873909cd0aeb4defa91cc9912c6e90a62d7d92ced6150ac7de92fd10a81967"
    ),
    "moto.core.serialize.AttributePicker.__call__": (
        "c15da8ec29c1afa44772407fe6280d59a519fcbf52216dc90eb31fb6fbb136ce"
    ),
    "moto.core.serialize.AttributePicker.get_possible_keys": (
        "cb284052c5ea7fe1b0534936022c95397d8ed8fb7630d51a445614127bc25c17"
    ),
    "moto.core.serialize.XFormedAttributePicker.get_possible_keys": (
        "f0d20f55f37fd8a1f74e7fae117327a99c8e14b0f9459a0059d3c8d3c6e50a41"
    ),
}


def _function(path: str) -> Callable[..., Any]:
    module_name, class_name, name = path.rsplit(".", 2)
    module = __import__(module_name, fromlist=[class_name])
    function: Callable[..., Any] = getattr(getattr(module, class_name), name)
    return function


def source_digests() -> dict[str, str]:
    """The sha256 of each patched function's source in the moto installed here."""
    return {
        path: hashlib.sha256(inspect.getsource(_function(path)).encode("utf-8")).hexdigest()
        for path in REVIEWED_SOURCES
    }


def check_sources() -> None:
    from moto.dynamodb.models import table

    changed = [path for path, digest in source_digests().items() if digest != REVIEWED_SOURCES[path]]
    if table.RESULT_SIZE_LIMIT != MOTO_RESULT_LIMIT:
        changed.append("moto.dynamodb.models.table.RESULT_SIZE_LIMIT")
    if changed:
        raise RuntimeError(
            f"moto's {', '.join(changed)} changed since bench/fast_moto.py was checked against it: "
            "review the shortcuts there, then update REVIEWED_SOURCES"
        )


# --- TransactWriteItems: a backup of what the transaction can change --------------------------------


def _named_keys(backend: Any, transact_items: Sequence[Mapping[str, Any]]) -> dict[str, list[Any]]:
    """The (hash, range) keys of the items each table's actions name, as moto finds them."""
    keys: dict[str, list[Any]] = defaultdict(list)
    for action in transact_items:
        for op_type, op in action.items():
            try:
                table = backend.get_table(op["TableName"])
                if op_type == "Put":
                    attrs = op["Item"]
                    key = {table.hash_key_attr: attrs[table.hash_key_attr]}
                    if table.range_key_attr is not None:
                        key[table.range_key_attr] = attrs[table.range_key_attr]
                else:
                    key = op["Key"]
                keys[table.name].append(backend.get_keys_value(table, key))
            except Exception:  # moto fails this action itself, before it changes anything
                continue
    return keys


def _backup(table: Any, keys: Sequence[Any]) -> Any:
    """What moto's deep copy of ``table`` would hold, sharing what the transaction cannot change."""
    backup = copy.copy(table)
    backup.items = copy.copy(table.items)  # the map of partitions (a defaultdict, like moto's)
    if table.range_key_attr is not None:
        # a partition the transaction names gets its own map; the others are shared, unchanged
        for hash_key in {hash_key for hash_key, _ in keys if hash_key in table.items}:
            backup.items[hash_key] = dict(table.items[hash_key])
    for hash_key, range_key in keys:
        if range_key is not None:
            item = table.items.get(hash_key, {}).get(range_key)
            if item is not None:
                backup.items[hash_key][range_key] = copy.deepcopy(item)
        elif hash_key in table.items:
            backup.items[hash_key] = copy.deepcopy(table.items[hash_key])
    if table.stream_shard is not None:
        shard = copy.copy(table.stream_shard)
        shard.items = list(table.stream_shard.items)
        shard.table = backup
        backup.stream_shard = shard
    return backup


@contextlib.contextmanager
def _replaced(owner: Any, name: str, replacement: Any) -> Iterator[None]:
    """``owner.name`` is ``replacement`` inside the block, and what it was again after it."""
    original = getattr(owner, name)
    setattr(owner, name, replacement)
    try:
        yield
    finally:
        setattr(owner, name, original)


def cheap_transaction_backups() -> contextlib.AbstractContextManager[None]:
    """moto's ``transact_write_items`` with the backup above, inside the block."""
    from moto.dynamodb import models
    from moto.dynamodb.models.table import Table

    original = models.DynamoDBBackend.transact_write_items

    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        keys = _named_keys(self, transact_items)

        def deepcopy(value: Any, memo: dict[int, Any] | None = None) -> Any:
            if type(value) is Table:
                return _backup(value, keys.get(value.name, []))
            return copy.deepcopy(value, memo)

        # moto's module calls copy.deepcopy: for this call, its ``copy`` is one with the above
        with _replaced(models, "copy", SimpleNamespace(**{**vars(copy), "deepcopy": deepcopy})):
            original(self, transact_items)

    return _replaced(models.DynamoDBBackend, "transact_write_items", transact_write_items)


# --- Query on a table: the partition's items, in sort key order ----------------------------------

#: What moto lets an item hold (``LimitedSizeDict``: DynamoDB's 400 KB, "between 409 and 410KB" by
#: moto's own testing), and where it breaks a query's page (``RESULT_SIZE_LIMIT``).
MOTO_ITEM_LIMIT = 405_000
MOTO_RESULT_LIMIT = 1_000_000
#: moto's names of the sort key conditions a string sort key's range is found for by bisection.
_BISECTED = {"=": "EQ", "EQ": "EQ", "<": "LT", "LT": "LT", "<=": "LE", "LE": "LE", ">": "GT", "GT": "GT",
             ">=": "GE", "GE": "GE", "BETWEEN": "BETWEEN", "BEGINS_WITH": "BEGINS_WITH"}  # fmt: skip


class _SortedPartitions:
    """Each queried partition's sort keys in order, when they are all strings (else None), kept while
    the partition holds the same keys: moto's map keeps a key object for as long as its item is there,
    so an unchanged partition gives the same key objects in the same order (compared by identity,
    at C speed)."""

    def __init__(self) -> None:
        self._by_partition: dict[
            tuple[int, Any], tuple[Any, tuple[Any, ...], tuple[list[str], list[Any]] | None]
        ] = {}

    def sorted(
        self, table: Any, hash_key: Any, by_range: Mapping[Any, Any]
    ) -> tuple[list[str], list[Any]] | None:
        keys = tuple(by_range)
        entry = self._by_partition.get((id(table), hash_key))
        if entry is None or entry[0] is not by_range or entry[1] != keys:
            ordered = None
            if all(key.type == "S" for key in keys):
                in_order = sorted(keys, key=lambda key: key.value)  # stable, like moto's sort
                ordered = ([key.value for key in in_order], in_order)
            entry = (by_range, keys, ordered)
            self._by_partition[(id(table), hash_key)] = entry
        return entry[2]


_RANGES: dict[str, Callable[[Sequence[str], Sequence[str]], tuple[int, int]]] = {
    "EQ": lambda values, bounds: (bisect.bisect_left(values, bounds[0]), bisect.bisect_right(values, bounds[0])),
    "LT": lambda values, bounds: (0, bisect.bisect_left(values, bounds[0])),
    "LE": lambda values, bounds: (0, bisect.bisect_right(values, bounds[0])),
    "GT": lambda values, bounds: (bisect.bisect_right(values, bounds[0]), len(values)),
    "GE": lambda values, bounds: (bisect.bisect_left(values, bounds[0]), len(values)),
}  # fmt: skip


def _condition_range(values: Sequence[str], comparison: str, bounds: Sequence[str]) -> tuple[int, int]:
    """The slice of the sorted ``values`` that ``comparison`` keeps, as moto's comparison functions
    keep them (Python's string order, the order moto sorts by)."""
    if comparison in _RANGES:
        return _RANGES[comparison](values, bounds)
    low = bisect.bisect_left(values, bounds[0])
    if comparison == "BETWEEN":
        return low, max(low, bisect.bisect_right(values, bounds[1]))
    # BEGINS_WITH: every string with the prefix sorts from the prefix on, together
    high = low
    while high < len(values) and values[high].startswith(bounds[0]):
        high += 1
    return low, high


def partition_queries() -> contextlib.AbstractContextManager[None]:
    """moto's ``Table.query`` walking only the partition's items in the sort key condition, presorted,
    for a table query."""
    from moto.dynamodb.models.dynamo_type import Item
    from moto.dynamodb.models.table import Table

    original = Table.query
    signature = inspect.signature(original)
    partitions = _SortedPartitions()

    def query(self: Any, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        call = signature.bind(self, hash_key, *args, **kwargs).arguments
        if call.get("index_name") or hash_key is None or self.range_key_attr is None:
            return original(self, hash_key, *args, **kwargs)
        by_range = self.items.get(hash_key, {})
        partition = _walked(self, hash_key, by_range, call)
        if partition is None:
            partition = [item for item in by_range.values() if isinstance(item, Item)]
            partition.sort(key=lambda item: item.range_key.cast_value)  # stable, like moto's sort
        self.all_items = lambda: list(partition)  # over the method, for this call only
        try:
            return original(self, hash_key, *args, **kwargs)
        finally:
            del self.all_items

    def _walked(
        self: Any, hash_key: Any, by_range: Mapping[Any, Any], call: Mapping[str, Any]
    ) -> list[Any] | None:
        """The items moto needs to walk for a string sort key condition, in order, or None (walk all)."""
        comparison = _BISECTED.get(str(call.get("range_comparison") or "").upper())
        bounds = call.get("range_objs") or []
        if (
            comparison is None
            or call.get("filter_kwargs")
            or len(call.get("range_key_conditions") or []) > 1
            or len(bounds) != (2 if comparison == "BETWEEN" else 1)
            or not all(bound.type == "S" for bound in bounds)
        ):
            return None
        ordered = partitions.sorted(self, hash_key, by_range)
        if ordered is None:
            return None
        values, keys = ordered
        low, high = _condition_range(values, comparison, [bound.value for bound in bounds])
        # the neighbours outside the condition too: moto ends a page that reached its Limit at the
        # next item it walks, in the condition or not (it sets LastEvaluatedKey then)
        walked = [by_range[key] for key in keys[max(0, low - 1) : high + 1]]
        if not all(isinstance(item, Item) for item in walked) or not _within_one_page(walked, call):
            return None
        return walked

    return _replaced(Table, "query", query)


def _within_one_page(walked: Sequence[Any], call: Mapping[str, Any]) -> bool:
    """Whether moto can skip the partition's other items: it also checks each of them against the
    page's 1 MB (``result so far + the item > 1 MB`` ends the page), which no item of at most
    ``MOTO_ITEM_LIMIT`` can meet while the results stay within ``MOTO_RESULT_LIMIT`` less that. The
    results are at most the first ``Limit`` items walked after the start key (all of them when a
    start key is given: it is not looked for here)."""
    limit = call.get("limit")
    items = walked if call.get("scan_index_forward", True) else walked[::-1]
    if limit is not None and call.get("exclusive_start_key") is None:
        items = items[: limit + 1]
    total = 0
    for item in items:
        total += item.size()
        if total > MOTO_RESULT_LIMIT - MOTO_ITEM_LIMIT:
            return False
    return True


# --- a table's items in key order, for an index query or a scan ------------------------------------


def string_key_order() -> contextlib.AbstractContextManager[None]:
    """moto's ``Table.all_items`` sorting string keys as strings: the same order, at C speed."""
    from moto.dynamodb.models.dynamo_type import Item
    from moto.dynamodb.models.table import Table

    original = Table.all_items

    def all_items(self: Any) -> list[Any]:
        items: list[Any] = []
        for hash_set in self.items.values():
            if self.range_key_attr:
                items.extend(hash_set.values())
            else:
                items.append(hash_set)
        ranged = bool(self.range_key_attr)
        if not all(isinstance(item, Item) and _string_keyed(item, ranged=ranged) for item in items):
            return original(self)
        if self.range_key_attr:
            return sorted(items, key=lambda item: (item.hash_key.value, item.range_key.value))
        return sorted(items, key=lambda item: item.hash_key.value)

    return _replaced(Table, "all_items", all_items)


def _string_keyed(item: Any, *, ranged: bool) -> bool:
    """An item whose keys moto compares as the strings they hold."""
    hash_key, range_key = item.hash_key, item.range_key
    return bool(hash_key.type == "S" and (not ranged or (range_key is not None and range_key.type == "S")))


# --- serializing an AttributeValue -------------------------------------------------------------------


def fast_attribute_values() -> contextlib.AbstractContextManager[None]:
    """moto's JSON serializer writing a plain ``AttributeValue`` dict without the alias look-ups."""
    from moto.core.serialize import BaseJSONSerializer

    original = BaseJSONSerializer._serialize_type_structure

    def serialize_structure(self: Any, serialized: Any, value: Any, shape: Any, key: str) -> None:
        members = shape.members
        if (
            shape.name != "AttributeValue"
            or shape.is_document_type
            or type(value) is not dict
            or not value.keys() <= members.keys()
            or getattr(self._value_picker, "response_transformers", None)
        ):
            original(self, serialized, value, shape, key)
            return
        wrapper: Any = self.MAP_TYPE() if key else serialized
        for member_key, member_shape in members.items():
            member_shape.parent = shape
            member_value = value.get(member_key)
            if member_value is not None:
                self._serialize(wrapper, member_value, member_shape, member_key)
        if key:
            self._default_serialize(serialized, wrapper, shape, key)

    return _replaced(BaseJSONSerializer, "_serialize_type_structure", serialize_structure)


@contextlib.contextmanager
def faster_moto() -> Iterator[None]:
    """All four shortcuts, after checking moto is the version they were checked against."""
    check_sources()
    with cheap_transaction_backups(), partition_queries(), string_key_order(), fast_attribute_values():
        yield
