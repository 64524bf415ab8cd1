"""The shared DynamoDB plumbing: values, times, TTL, expressions, bounded queries, transactions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from botocore.exceptions import ClientError

from okaeri.aws.dynamo import Expression, Table, expires_at, from_item, iso_utc, to_item

JST = timezone(timedelta(hours=9))


def test_values_round_trip_as_plain_python() -> None:
    data = {
        "text": "さくらんぼ",
        "count": 3,
        "ratio": 0.25,
        "flag": True,
        "none": None,
        "keys": {"b", "a"},
        "nested": {"list": [1, "two", {"deep": 2.5}], "empty": {}},
    }
    assert from_item(to_item(data)) == data | {"keys": ["a", "b"]}  # a string set reads back sorted
    assert to_item({"keys": {"x"}})["keys"] == {"SS": ["x"]}


def test_stored_times_are_utc_fixed_width_and_sort_as_text() -> None:
    moments = [
        datetime(2026, 11, 20, 10, 0, tzinfo=JST),
        datetime(2026, 11, 20, 1, 0, 0, 1, tzinfo=UTC),
        datetime(2026, 11, 20, 1, 0, 1, tzinfo=UTC),
        datetime(2026, 11, 19, 23, 59, 59, 999999, tzinfo=UTC),
    ]
    texts = [iso_utc(moment) for moment in moments]
    assert texts[0] == "2026-11-20T01:00:00.000000+00:00"
    assert {len(text) for text in texts} == {32}
    assert sorted(texts) == [iso_utc(moment) for moment in sorted(moments)]
    assert datetime.fromisoformat(texts[1]) == moments[1]


def test_a_naive_time_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone"):
        iso_utc(datetime(2026, 11, 20, 10, 0))  # naive: the point of the test


def test_expiry_is_epoch_seconds_after_the_retention() -> None:
    moment = datetime(2026, 1, 1, tzinfo=UTC)
    assert expires_at(moment, 730) == int(datetime(2028, 1, 1, tzinfo=UTC).timestamp())


def test_expression_placeholders_reuse_names_and_cover_paths() -> None:
    expr = Expression()
    update = expr.update(
        set_values={"status": "sent", "events.Bounce": 0},
        keep_first={"first_at": "x"},
        add={"count": 1},
        remove=["due_at"],
    )
    condition = f"{expr.name('status')} = {expr.value('sending')}"
    assert update == ("SET #n0 = :v0, #n1.#n2 = :v1, #n3 = if_not_exists(#n3, :v2) ADD #n4 :v3 REMOVE #n5")
    assert condition == "#n0 = :v4"
    assert expr.names == {
        "#n0": "status",
        "#n1": "events",
        "#n2": "Bounce",
        "#n3": "first_at",
        "#n4": "count",
        "#n5": "due_at",
    }
    assert expr.values_in(["a", "b"]) == "(:v5, :v6)"
    with pytest.raises(ValueError, match="clause"):
        Expression().update()


def test_query_pages_through_and_stops_at_its_bound(tables: dict[str, str]) -> None:
    table = Table(tables["logs"])
    for n in range(30):
        table.put({"pk": "p", "sk": f"{n:03d}", "blob": "x" * 40_000})  # ~1.2 MB: more than one page
    expr = Expression()
    condition = f"pk = {expr.value('p')}"
    everything = table.query_all(expr, condition)
    assert [item["sk"] for item in everything] == [f"{n:03d}" for n in range(30)]
    assert len(table.query_all(expr, condition, max_items=7)) == 7
    assert [item["sk"] for item in table.query_all(expr, condition, forward=False, max_items=2)] == [
        "029",
        "028",
    ]
    assert table.count(expr, condition) == 30


def test_conditions_are_outcomes_and_other_errors_propagate(tables: dict[str, str]) -> None:
    table = Table(tables["logs"])
    assert table.insert({"pk": "p", "sk": "s", "v": 1}) is None
    assert table.insert({"pk": "p", "sk": "s", "v": 2}) == {"pk": "p", "sk": "s", "v": 1}
    expr = Expression()
    assert (
        table.update(
            "p", "s", expr, update=expr.update(set_values={"v": 3}), condition="attribute_not_exists(sk)"
        )
        is None
    )
    assert table.get("p", "s") == {"pk": "p", "sk": "s", "v": 1}
    with pytest.raises(ClientError):
        Table("no-such-table").get("p", "s")


def test_a_cancelled_transaction_reports_each_reason(tables: dict[str, str]) -> None:
    table = Table(tables["logs"])
    table.put({"pk": "p", "sk": "taken"})
    reasons = table.transact(
        [
            table.put_action({"pk": "p", "sk": "new"}, condition="attribute_not_exists(sk)"),
            table.put_action({"pk": "p", "sk": "taken"}, condition="attribute_not_exists(sk)"),
        ]
    )
    assert reasons == ["None", "ConditionalCheckFailed"]
    assert table.get("p", "new") is None  # all or nothing
    assert table.transact([table.put_action({"pk": "p", "sk": "new"}, condition=None)]) is None
    assert table.get("p", "new") == {"pk": "p", "sk": "new"}
