"""bench/fast_moto.py's shortcuts answer exactly what moto answers without them.

The same calls run in a fresh moto twice, once as shipped and once inside a shortcut; every
answer (or error, with its cancellation reasons) is recorded, and after each call the tables' items
in moto's own order and their streams' records (all but the random event id, the time and the
size moto makes of the record with the time in it). The two
recordings must be equal. The calls cover what each shortcut touches: transactions that succeed,
that fail on a condition after earlier actions changed items (a put into a new partition, an
update that creates its item, a delete, on tables with and without a sort key, with and without a
stream), that fail validation, that name a missing table; queries of a table by every key
condition, both directions, with limits and pages, filters, projections and counts, over string
and number sort keys written out of order; sort key conditions at a partition's edges, with limits
that end at the condition's last item, and over items large enough for moto's 1 MB page to end
early; ``ShopConfig.count_once``'s transaction (a marker put if absent and a counter row added to,
two items of one partition), again with the same key; and items of every attribute type read back.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator
from decimal import Decimal
from functools import partial
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.dynamodb.models import dynamodb_backends

from bench import fast_moto

REGION = "ap-northeast-1"
SHORTCUTS: dict[str, Callable[[], contextlib.AbstractContextManager[None]]] = {
    "transaction backups": fast_moto.cheap_transaction_backups,
    "partition queries": fast_moto.partition_queries,
    "string key order": fast_moto.string_key_order,
    "attribute values": fast_moto.fast_attribute_values,
    "all, as the bench runs": fast_moto.faster_moto,
}

Recording = list[Any]


def _s(value: str) -> dict[str, str]:
    return {"S": value}


def _n(value: str) -> dict[str, str]:
    return {"N": value}


def _schema(*keys: str) -> list[dict[str, str]]:
    return [
        {"AttributeName": name, "KeyType": kind} for name, kind in zip(keys, ("HASH", "RANGE"), strict=False)
    ]


def _create_tables(client: Any) -> None:
    """A table with a sort key, an index and a full stream; one with a number sort key; one without."""
    tables: list[tuple[str, tuple[str, ...], dict[str, str], dict[str, Any]]] = [
        (
            "ranged",
            ("pk", "sk"),
            {"pk": "S", "sk": "S", "g": "S"},
            {
                "GlobalSecondaryIndexes": [
                    {
                        "IndexName": "by-g",
                        "KeySchema": _schema("g", "sk"),
                        "Projection": {"ProjectionType": "ALL"},
                    }
                ],
                "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
            },
        ),
        ("numbered", ("pk", "n"), {"pk": "S", "n": "N"}, {}),
        (
            "plain",
            ("id",),
            {"id": "S"},
            {"StreamSpecification": {"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"}},
        ),
    ]
    for name, keys, types, extra in tables:
        client.create_table(
            TableName=name,
            KeySchema=_schema(*keys),
            AttributeDefinitions=[{"AttributeName": a, "AttributeType": t} for a, t in types.items()],
            BillingMode="PAY_PER_REQUEST",
            **extra,
        )


def _state() -> dict[str, Any]:
    """Every table's items in moto's order, and its stream's records but for the random parts."""
    state = {}
    for name, table in dynamodb_backends[DEFAULT_ACCOUNT_ID][REGION].tables.items():
        items = [item.to_json() for item in table.all_items()]
        records = []
        if table.stream_shard is not None:
            for record in table.stream_shard.items:
                body = json.loads(json.dumps(record.to_json(), default=str))
                body.pop("eventID")
                body["dynamodb"].pop("ApproximateCreationDateTime")
                body["dynamodb"].pop("SizeBytes")  # moto's: the record's JSON with that time in it
                records.append(body)
        state[name] = {"items": items, "records": records}
    return state


def _answer(call: Callable[[], dict[str, Any]]) -> Any:
    try:
        answer = call()
    except ClientError as error:
        return {"error": error.response["Error"], "reasons": error.response.get("CancellationReasons")}
    answer.pop("ResponseMetadata", None)
    return answer


def _words() -> list[str]:
    # out of sort order, with shared prefixes, so the map's order is not the sorted one
    return [
        "m",
        "b#2",
        "a",
        "coupon#free#9",
        "coupon#free#10",
        "coupon#given#1",
        "z",
        "coupon#free#1",
        "b#10",
    ]


def _every_type() -> dict[str, Any]:
    return {
        "s": _s("みかん"),
        "n": _n("-12.50"),
        "b": {"B": b"\x00\x01binary"},
        "ss": {"SS": ["x", "y"]},
        "ns": {"NS": ["1", "2.5"]},
        "bs": {"BS": [b"a", b"b"]},
        "m": {"M": {"inner": {"L": [_s("v"), _n("3"), {"NULL": True}, {"M": {"deep": {"BOOL": False}}}]}}},
        "l": {"L": [{"SS": ["q"]}, {"L": []}, {"M": {}}]},
        "null": {"NULL": True},
        "yes": {"BOOL": True},
        "empty": _s(""),
    }


def _script(client: Any) -> Recording:
    """Calls, each followed by the state; returns the recording."""
    recording: Recording = []

    def step(call: Callable[[], dict[str, Any]]) -> None:
        recording.append(_answer(call))
        recording.append(_state())

    _create_tables(client)
    for number, word in enumerate(_words()):
        partition = "shop" if number % 3 else "other"
        item = {"pk": _s(partition), "sk": _s(word), "g": _s(f"g{number % 2}"), "v": _n(str(number))}
        step(partial(client.put_item, TableName="ranged", Item=item))
    for value in ["10", "9", "-1", "100", "1.5", "0", "2"]:
        step(partial(client.put_item, TableName="numbered", Item={"pk": _s("p"), "n": _n(value)}))
    for word in ["one", "two", "three"]:
        step(partial(client.put_item, TableName="plain", Item={"id": _s(word), "v": _n("1")}))
    step(
        lambda: client.put_item(
            TableName="ranged", Item={"pk": _s("all"), "sk": _s("types"), **_every_type()}
        )
    )
    # an item deleted and put again moves to the end of moto's map
    step(lambda: client.delete_item(TableName="ranged", Key={"pk": _s("shop"), "sk": _s("b#2")}))
    step(lambda: client.put_item(TableName="ranged", Item={"pk": _s("shop"), "sk": _s("b#2"), "g": _s("g0")}))

    # --- transactions ---
    def transact(*actions: dict[str, Any], **options: Any) -> None:
        step(lambda: client.transact_write_items(TransactItems=list(actions), **options))

    def put(table: str, item: dict[str, Any], **extra: Any) -> dict[str, Any]:
        return {"Put": {"TableName": table, "Item": item, **extra}}

    def update(table: str, key: dict[str, Any], expression: str, **extra: Any) -> dict[str, Any]:
        return {"Update": {"TableName": table, "Key": key, "UpdateExpression": expression, **extra}}

    def delete(table: str, key: dict[str, Any], **extra: Any) -> dict[str, Any]:
        return {"Delete": {"TableName": table, "Key": key, **extra}}

    def check(table: str, key: dict[str, Any], condition: str, **extra: Any) -> dict[str, Any]:
        return {"ConditionCheck": {"TableName": table, "Key": key, "ConditionExpression": condition, **extra}}

    shop_a = {"pk": _s("shop"), "sk": _s("a")}
    shop_m = {"pk": _s("shop"), "sk": _s("m")}
    free_9 = {"pk": _s("shop"), "sk": _s("coupon#free#9")}
    adds = {":one": _n("1")}
    transact(  # succeeds: every kind of action, two tables with streams
        update("ranged", shop_a, "ADD v :one SET w = :w", ExpressionAttributeValues={**adds, ":w": _s("w")}),
        delete("ranged", free_9),
        put("ranged", {"pk": _s("new"), "sk": _s("x"), "g": _s("g1")}),
        put("plain", {"id": _s("four")}),
        check("plain", {"id": _s("one")}, "attribute_exists(id)"),
    )
    failing = [
        # the last action's condition fails after the others changed items: all put back
        (
            update("ranged", shop_a, "ADD v :one", ExpressionAttributeValues=adds),
            delete("ranged", shop_m),
            put("ranged", {"pk": _s("fresh"), "sk": _s("x")}),
            update(
                "ranged",
                {"pk": _s("upsert"), "sk": _s("y")},
                "SET w = :w",
                ExpressionAttributeValues={":w": _s("w")},
            ),
            delete("plain", {"id": _s("two")}),
            put("plain", {"id": _s("five")}),
            check("plain", {"id": _s("nobody")}, "attribute_exists(id)"),
        ),
        # the item the condition read comes back in the reason
        (
            delete("ranged", shop_m),
            put(
                "ranged",
                {"pk": _s("shop"), "sk": _s("a")},
                ConditionExpression="attribute_not_exists(pk)",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            ),
        ),
        # two actions on one item: refused
        (update("ranged", shop_a, "ADD v :one", ExpressionAttributeValues=adds), delete("ranged", shop_a)),
        # a validation error in the second action, after the first changed its item
        (
            delete("ranged", shop_m),
            update("ranged", shop_a, "SET w = :missing"),
        ),
        # a missing table
        (delete("ranged", shop_m), delete("nowhere", {"id": _s("x")})),
        # a condition failing in the middle
        (
            delete("ranged", shop_m),
            check("ranged", shop_a, "v = :v", ExpressionAttributeValues={":v": _n("999")}),
            put("ranged", {"pk": _s("late"), "sk": _s("x")}),
        ),
    ]
    for actions in failing:
        transact(*actions)
    transact(  # and the table still works as before
        delete("ranged", shop_m),
        update(
            "numbered",
            {"pk": _s("p"), "n": _n("10")},
            "SET w = :w",
            ExpressionAttributeValues={":w": _s("w")},
        ),
    )

    # --- queries ---
    def query(**params: Any) -> None:
        step(lambda: client.query(**params))

    shop = {":p": _s("shop")}
    for condition, values in [
        ("pk = :p", {}),
        ("pk = :p AND begins_with(sk, :x)", {":x": _s("coupon#free#")}),
        ("pk = :p AND sk BETWEEN :lo AND :hi", {":lo": _s("b"), ":hi": _s("m")}),
        ("pk = :p AND sk < :x", {":x": _s("m")}),
        ("pk = :p AND sk >= :x", {":x": _s("b#2")}),
        ("pk = :p AND sk = :x", {":x": _s("a")}),
    ]:
        for forward in (True, False):
            query(
                TableName="ranged",
                KeyConditionExpression=condition,
                ExpressionAttributeValues={**shop, **values},
                ScanIndexForward=forward,
            )
    query(TableName="ranged", KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": _s("none")})
    query(
        TableName="ranged", KeyConditionExpression="pk = :p", ExpressionAttributeValues=shop, Select="COUNT"
    )
    query(
        TableName="ranged",
        KeyConditionExpression="pk = :p",
        FilterExpression="attribute_exists(g) AND v > :v",
        ExpressionAttributeValues={**shop, ":v": _n("2")},
        ProjectionExpression="sk, v",
    )
    pages: list[dict[str, Any]] = [{}]
    while len(pages) < 10:
        start = pages[-1]
        answer = _answer(
            partial(
                client.query,
                TableName="ranged",
                KeyConditionExpression="pk = :p",
                ExpressionAttributeValues=shop,
                Limit=2,
                **({"ExclusiveStartKey": start} if start else {}),
            )
        )
        recording.extend((answer, _state()))
        if "LastEvaluatedKey" not in answer:
            break
        pages.append(answer["LastEvaluatedKey"])
    for forward in (True, False):
        query(
            TableName="numbered",
            KeyConditionExpression="pk = :p AND n > :n",
            ExpressionAttributeValues={":p": _s("p"), ":n": _n("1")},
            ScanIndexForward=forward,
        )
    query(TableName="numbered", KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": _s("p")})
    query(
        TableName="ranged",
        IndexName="by-g",
        KeyConditionExpression="g = :g",
        ExpressionAttributeValues={":g": _s("g0")},
    )
    query(TableName="plain", KeyConditionExpression="id = :i", ExpressionAttributeValues={":i": _s("one")})
    _index_and_scans(client, query, recording)
    _condition_edges(client, query, recording)
    _counted_once(transact, put, update)

    # --- every attribute type read back ---
    all_types = {"pk": _s("all"), "sk": _s("types")}
    step(lambda: client.get_item(TableName="ranged", Key=all_types))
    step(lambda: client.scan(TableName="ranged"))
    step(
        lambda: client.update_item(
            TableName="ranged",
            Key=all_types,
            UpdateExpression="SET extra = :e",
            ExpressionAttributeValues={":e": {"M": {"n": _n("1"), "l": {"L": [{"BS": [b"z"]}]}}}},
            ReturnValues="ALL_NEW",
        )
    )
    step(
        lambda: client.batch_get_item(
            RequestItems={"ranged": {"Keys": [all_types, shop_a]}, "plain": {"Keys": [{"id": _s("one")}]}}
        )
    )
    _page_size_quirk(client, step, query)
    return recording


def _condition_edges(client: Any, query: Callable[..., None], recording: Recording) -> None:
    """Sort key conditions at the partition's edges, with limits that end exactly at the last item
    in the condition (moto then sets LastEvaluatedKey only if an item follows), in both directions,
    conditions that keep nothing, and a prefix walked a page of one at a time."""
    shop = {":p": _s("shop")}
    for condition, values in [
        ("pk = :p AND begins_with(sk, :x)", {":x": _s("coupon#")}),
        ("pk = :p AND begins_with(sk, :x)", {":x": _s("z")}),  # the partition's last item
        ("pk = :p AND begins_with(sk, :x)", {":x": _s("a")}),  # its first
        ("pk = :p AND begins_with(sk, :x)", {":x": _s("zz")}),  # nothing, past the end
        ("pk = :p AND begins_with(sk, :x)", {":x": _s("")}),
        ("pk = :p AND sk BETWEEN :lo AND :hi", {":lo": _s("m"), ":hi": _s("b")}),  # upside down
        ("pk = :p AND sk BETWEEN :lo AND :hi", {":lo": _s("b#10"), ":hi": _s("b#2")}),
        ("pk = :p AND sk > :x", {":x": _s("z")}),
        ("pk = :p AND sk <= :x", {":x": _s("a")}),
    ]:
        for forward in (True, False):
            for limit in ({}, {"Limit": 1}, {"Limit": 2}, {"Limit": 3}):
                query(
                    TableName="ranged",
                    KeyConditionExpression=condition,
                    ExpressionAttributeValues={**shop, **values},
                    ScanIndexForward=forward,
                    **limit,
                )
    for forward in (True, False):
        _paged(
            client,
            recording,
            TableName="ranged",
            KeyConditionExpression="pk = :p AND begins_with(sk, :x)",
            ExpressionAttributeValues={**shop, ":x": _s("coupon#")},
            ScanIndexForward=forward,
            Limit=1,
        )


def _paged(client: Any, recording: Recording, **params: Any) -> None:
    """A query page after page (at most ten), each answer recorded."""
    start: dict[str, Any] | None = None
    for _ in range(10):
        answer = _answer(partial(client.query, **params, **({"ExclusiveStartKey": start} if start else {})))
        recording.append(answer)
        start = answer.get("LastEvaluatedKey")
        if start is None:
            break


def _index_and_scans(client: Any, query: Callable[..., None], recording: Recording) -> None:
    """What reads a table's items in key order: index queries (both directions, limits, pages, a sort
    key condition on the index) and scans of the tables with a string, a number and no sort key."""
    for values, condition in [
        ({":g": _s("g0")}, "g = :g"),
        ({":g": _s("g1")}, "g = :g"),
        ({":g": _s("g0"), ":x": _s("b")}, "g = :g AND begins_with(sk, :x)"),
    ]:
        for forward in (True, False):
            query(
                TableName="ranged",
                IndexName="by-g",
                KeyConditionExpression=condition,
                ExpressionAttributeValues=values,
                ScanIndexForward=forward,
            )
    _paged(
        client,
        recording,
        TableName="ranged",
        IndexName="by-g",
        KeyConditionExpression="g = :g",
        ExpressionAttributeValues={":g": _s("g0")},
        Limit=2,
    )
    for table in ("ranged", "numbered", "plain"):
        recording.append(_answer(partial(client.scan, TableName=table)))
        recording.append(_answer(partial(client.scan, TableName=table, Limit=3)))


def _counted_once(
    transact: Callable[..., None],
    put: Callable[..., dict[str, Any]],
    update: Callable[..., dict[str, Any]],
) -> None:
    """``ShopConfig.count_once``'s transaction: a marker put if absent and a day's counters added,
    two items of one partition (the config table's shop); the same key again is refused and puts
    nothing back; another key adds to the row the first one made."""

    def count_once(key: str, day: str, converted: str) -> None:
        transact(
            put(
                "ranged",
                {"pk": _s("shop"), "sk": _s(f"counted#{key}"), "expires_at": _n("1800000000")},
                ConditionExpression="attribute_not_exists(sk)",
            ),
            update(
                "ranged",
                {"pk": _s("shop"), "sk": _s(f"stats#{day}#thanks-like-love#like")},
                "SET #d = :d, scenario_id = :s ADD converted :c, revenue :r",
                ExpressionAttributeNames={"#d": "day"},
                ExpressionAttributeValues={
                    ":d": _s(day), ":s": _s("thanks-like-love"), ":c": _n(converted), ":r": _n("7810")
                },
            ),
        )  # fmt: skip

    count_once("credit#o1", "2026-10-20", "1")
    count_once("credit#o1", "2026-10-20", "1")  # the same event again
    count_once("credit#o2", "2026-10-20", "1")
    count_once("uncredit#o1", "2026-10-20", "-1")
    count_once("credit#o3", "2026-10-21", "1")


def _page_size_quirk(
    client: Any, step: Callable[[Callable[[], dict[str, Any]]], None], query: Callable[..., None]
) -> None:
    """Items of some 350 KB: moto ends a query's page when the results so far and the next item it
    walks pass 1 MB, even an item outside the sort key condition further on; the shortcut must not
    skip those (it walks the whole partition when its results could come near)."""
    big = "x" * 350_000
    # "b" is small: a page of a#1 and a#2 ends at "c", the item after the one next to the condition
    for sk, value in (("a#1", big), ("a#2", big), ("b", "small"), ("c", big), ("d#1", big)):
        item = {"pk": _s("bulky"), "sk": _s(sk), "v": _s(value)}
        step(partial(client.put_item, TableName="ranged", Item=item))
    for condition, values in [
        ("pk = :p AND begins_with(sk, :x)", {":x": _s("a#")}),
        ("pk = :p AND begins_with(sk, :x)", {":x": _s("d#")}),
        ("pk = :p AND sk BETWEEN :lo AND :hi", {":lo": _s("a"), ":hi": _s("b")}),
    ]:
        for forward in (True, False):
            for limit in ({}, {"Limit": 1}):
                query(
                    TableName="ranged",
                    KeyConditionExpression=condition,
                    ExpressionAttributeValues={":p": _s("bulky"), **values},
                    ScanIndexForward=forward,
                    ProjectionExpression="sk",
                    **limit,
                )


@contextlib.contextmanager
def _fresh_moto(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB"):
        monkeypatch.delenv(name, raising=False)
    with mock_aws():
        yield boto3.session.Session(region_name=REGION).client("dynamodb")


def _record(
    monkeypatch: pytest.MonkeyPatch, shortcut: Callable[[], contextlib.AbstractContextManager[None]] | None
) -> Recording:
    with _fresh_moto(monkeypatch) as client, shortcut() if shortcut else contextlib.nullcontext():
        return _script(client)


@pytest.mark.parametrize("name", list(SHORTCUTS))
def test_a_shortcut_answers_what_moto_answers(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    shipped = _record(monkeypatch, None)
    shortcut = _record(monkeypatch, SHORTCUTS[name])
    assert len(shortcut) == len(shipped)
    for number, (mine, moto_s) in enumerate(zip(shortcut, shipped, strict=True)):
        assert mine == moto_s, f"entry {number} differs"


def test_the_script_exercises_what_the_shortcuts_change(monkeypatch: pytest.MonkeyPatch) -> None:
    """Guards against a script that compares nothing: failures rolled back, sorting that matters."""
    answers = _record(monkeypatch, None)[0::2]
    errors = [answer["error"]["Code"] for answer in answers if isinstance(answer, dict) and "error" in answer]
    assert errors.count("TransactionCanceledException") >= 4
    assert {"ValidationException"} <= set(errors)
    reasons = [a["reasons"] for a in answers if isinstance(a, dict) and a.get("reasons")]
    assert any(reason.get("Item") for reasons in reasons for reason in reasons)
    numbered = [
        [Decimal(item["n"]["N"]) for item in answer["Items"]]
        for answer in answers
        if isinstance(answer, dict) and answer.get("Items") and answer["Items"][0].get("pk") == _s("p")
    ]
    assert [Decimal("1.5"), Decimal("2"), Decimal("9"), Decimal("10"), Decimal("100")] in numbered


def test_the_bench_refuses_a_moto_it_was_not_checked_against(monkeypatch: pytest.MonkeyPatch) -> None:
    path = next(iter(fast_moto.REVIEWED_SOURCES))
    monkeypatch.setitem(fast_moto.REVIEWED_SOURCES, path, "0" * 64)
    with pytest.raises(RuntimeError, match="review the shortcuts"), fast_moto.faster_moto():
        pass


def test_moto_is_as_shipped_after_the_block() -> None:
    from moto.core.serialize import BaseJSONSerializer
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.table import Table

    before = (DynamoDBBackend.transact_write_items, Table.query, BaseJSONSerializer._serialize_type_structure)
    with fast_moto.faster_moto():
        assert DynamoDBBackend.transact_write_items is not before[0]
    assert (
        DynamoDBBackend.transact_write_items,
        Table.query,
        BaseJSONSerializer._serialize_type_structure,
    ) == before


def test_a_sort_key_condition_walks_only_its_range(monkeypatch: pytest.MonkeyPatch) -> None:
    """The point of the query shortcut: a prefix query with a Limit on a large partition (the config
    table's shop, with its coupon pool and count markers) looks at the items of the prefix and
    their two neighbours, not at every item of the partition (moto sizes each item it walks)."""
    from moto.dynamodb.models.dynamo_type import Item

    sized = []
    size = Item.size

    def counted(self: Any) -> int:
        sized.append(self)
        return size(self)

    with _fresh_moto(monkeypatch) as client, fast_moto.partition_queries():
        _create_tables(client)
        for n in range(300):
            client.put_item(TableName="ranged", Item={"pk": _s("shop"), "sk": _s(f"counted#run#{n:04d}")})
        for n in range(5):
            client.put_item(TableName="ranged", Item={"pk": _s("shop"), "sk": _s(f"coupon#free#{n}")})
        monkeypatch.setattr(Item, "size", counted)
        answer = client.query(
            TableName="ranged",
            KeyConditionExpression="pk = :p AND begins_with(sk, :x)",
            ExpressionAttributeValues={":p": _s("shop"), ":x": _s("coupon#free#")},
            Limit=2,
        )
    assert [item["sk"]["S"] for item in answer["Items"]] == ["coupon#free#0", "coupon#free#1"]
    assert "LastEvaluatedKey" in answer
    assert 0 < len(sized) <= 3 * 7  # the prefix's 5 and 2 neighbours, each sized a few times
