"""``okaeri.aws.search``: full pages under a test in Python, continuation keys, checked start keys."""

from __future__ import annotations

from typing import Any

import pytest

from okaeri.aws import search
from okaeri.aws.dynamo import Expression, Table
from okaeri.aws.search import InvalidStartKeyError, check_start, search_page
from tests.integration.aws.conftest import OTHER_SHOP, SHOP

KEY = ("pk", "sk")


@pytest.fixture
def table(tables: dict[str, str]) -> Table:
    logs = Table(tables["logs"])
    for n in range(12):
        logs.put({"pk": SHOP, "sk": f"item-{n:02d}", "n": n})
    logs.put({"pk": OTHER_SHOP, "sk": "item-00", "n": 0})
    return logs


def page(
    table: Table, *, limit: int, start: dict[str, Any] | None = None, keep: Any = None, budget: int = 1000
) -> tuple[list[int], dict[str, Any] | None]:
    expr = Expression()
    items, last = search_page(
        table,
        expr,
        f"pk = {expr.value(SHOP)}",
        convert=lambda item: int(item["n"]),
        key_names=KEY,
        fixed={"pk": SHOP},
        limit=limit,
        start=start,
        keep=keep,
        budget=budget,
    )
    return items, last


def every(table: Table, **kwargs: Any) -> list[list[int]]:
    pages: list[list[int]] = []
    start = None
    while True:
        items, start = page(table, start=start, **kwargs)
        pages.append(items)
        if start is None:
            return pages


def test_without_a_test_pages_are_dynamodbs_own(table: Table) -> None:
    assert every(table, limit=5)[:3] == [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9], [10, 11]]
    items, _last = page(table, limit=12)
    assert items == list(range(12))


def test_with_a_test_pages_are_full_across_chunks(table: Table, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "CHUNK", 2)  # many reads per page
    odd = every(table, limit=2, keep=lambda n: n % 2 == 1)
    assert odd[:3] == [[1, 3], [5, 7], [9, 11]]  # full pages (DynamoDB may add an empty last one)
    assert [n for items in odd for n in items] == [1, 3, 5, 7, 9, 11]
    assert every(table, limit=4, keep=lambda n: n in {0, 11}) == [[0, 11]]


def test_a_page_cut_inside_a_chunk_goes_on_after_its_last_item(table: Table) -> None:
    items, last = page(table, limit=3, keep=lambda n: n % 3 == 0)
    assert (items, last) == ([0, 3, 6], {"pk": SHOP, "sk": "item-06"})
    assert page(table, limit=3, start=last, keep=lambda n: n % 3 == 0) == ([9], None)


def test_a_page_stops_at_its_budget_and_says_where_to_go_on(
    table: Table, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search, "CHUNK", 4)
    items, last = page(table, limit=5, keep=lambda n: n >= 10, budget=4)
    assert (items, last) == ([], {"pk": SHOP, "sk": "item-03"})
    assert page(table, limit=5, start=last, keep=lambda n: n >= 10, budget=100) == ([10, 11], None)


@pytest.mark.parametrize(
    "start",
    [
        {"pk": OTHER_SHOP, "sk": "item-00"},
        {"pk": SHOP},
        {"pk": SHOP, "sk": "item-00", "extra": "x"},
        {"pk": SHOP, "sk": 1},
    ],
)
def test_a_start_key_not_of_this_query_is_refused(table: Table, start: dict[str, Any]) -> None:
    with pytest.raises(InvalidStartKeyError) as refused:
        page(table, limit=2, start=start)
    assert refused.value.code == "bad_cursor"
    assert refused.value.message_ja
    assert refused.value.message_en


def test_check_start_accepts_none_and_a_proper_key() -> None:
    check_start(None, key_names=KEY, fixed={"pk": SHOP})
    check_start({"pk": SHOP, "sk": "a"}, key_names=KEY, fixed={"pk": SHOP})
