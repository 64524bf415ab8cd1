"""Customer segments (``okaeri.segments``) read from the ``by_last_order`` index: DynamoCustomers in
moto, and the same cases over FakeCustomers (the API tests' store), so the two agree.

The shop's today is 2026-12-31 (Tokyo). With 30 days, ``recent`` takes the last orders of
12-02…12-31 and ``lapsed`` those of 12-01 and before: a last order exactly 30 days old is lapsed,
one 29 days old is recent.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import boto3
import pytest

from okaeri.aws import customers as customers_module
from okaeri.aws.customers import DynamoCustomers, customer_id_for
from okaeri.errors import TooManyRowsError
from okaeri.models import CustomerRecord
from okaeri.ports import AdminCustomers
from okaeri.segments import Segment
from tests.fakes import FakeCustomers
from tests.integration.aws.conftest import OTHER_SHOP, RETENTION_DAYS, SHOP, FixedClock
from tests.integration.conftest import REGION
from tests.support.customers import counted_order

TODAY = date(2026, 12, 31)


def at_day(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 1, tzinfo=UTC)  # 10:00 in Tokyo, that day


def buy(
    store: AdminCustomers,
    email: str,
    days_ago: list[int],
    *,
    shop_id: str = SHOP,
    source: str = "rakuten",
    prefecture: str = "東京都",
    skus: tuple[str, ...] = ("cherry-500",),
    total: int = 1000,
) -> str:
    """``email`` ordered once on each of the days (``days_ago`` before TODAY); their id."""
    customer_id = customer_id_for(email)
    for n, ago in enumerate(days_ago):
        store.record_order(
            shop_id,
            customer_id,
            email=email,
            name=email.split("@", maxsplit=1)[0],
            order=counted_order(
                f"{source}#{email}-{n}",
                at=at_day(TODAY - timedelta(days=ago)),
                total=total,
                source=source,
                prefecture=prefecture,
                skus=skus,
            ),
        )
    return customer_id


@pytest.fixture(params=["dynamo", "fake"])
def store(request: pytest.FixtureRequest, tables: dict[str, str], clock: FixedClock) -> AdminCustomers:
    if request.param == "fake":
        return FakeCustomers()
    return DynamoCustomers(tables["customers"], retention_days=RETENTION_DAYS, clock=clock)


@pytest.fixture
def shop(store: AdminCustomers) -> dict[str, str]:
    """Five customers of the shop (one erased), one of another shop."""
    ids = {
        "first": buy(store, "first@example.jp", [30]),
        "repeat": buy(
            store, "repeat@example.jp", [60, 29], source="yahoo", prefecture="大阪府", skus=("ikura",)
        ),
        "loyal": buy(
            store, "loyal@example.jp", [90, 50, 0], prefecture="北海道", skus=("cherry-500", "ikura")
        ),
        "five": buy(store, "five@example.jp", [200, 150, 100, 40, 31], total=2000),
        "erased": buy(store, "erased@example.jp", [10, 0]),
    }
    buy(store, "elsewhere@example.jp", [0, 1], shop_id=OTHER_SHOP)
    store.erase(SHOP, ids["erased"], marker="[erased]", at=at_day(TODAY))
    return ids


def names(store: AdminCustomers, **segment: Any) -> list[str]:
    """The segment's customers (every page of 2), by the local part of their address, in list order;
    checked against the count and the export."""
    chosen = Segment(**segment).check()
    found: list[CustomerRecord] = []
    start: dict[str, Any] | None = None
    while True:
        page, start = store.segment(SHOP, chosen, today=TODAY, limit=2, start=start)
        found.extend(page)
        if start is None:
            break
    listed = [customer.email.split("@")[0] for customer in found]
    assert store.segment_count(SHOP, chosen, today=TODAY) == len(listed)
    assert [
        c.email.split("@")[0] for c in store.segment_all(SHOP, chosen, today=TODAY, max_rows=100)
    ] == listed
    return listed


@pytest.mark.usefixtures("shop")
def test_every_customer_latest_last_order_first_without_the_erased(store: AdminCustomers) -> None:
    assert names(store) == ["loyal", "repeat", "first", "five"]


@pytest.mark.usefixtures("shop")
def test_by_orders_first_time_repeat_and_loyal_at_least_n(store: AdminCustomers) -> None:
    assert names(store, orders="first") == ["first"]
    assert names(store, orders="repeat") == ["loyal", "repeat", "five"]
    assert names(store, orders="loyal", min_orders=3) == ["loyal", "five"]
    assert names(store, orders="loyal", min_orders=5) == ["five"]
    assert names(store, orders="loyal", min_orders=6) == []


@pytest.mark.usefixtures("shop")
def test_recent_and_lapsed_split_at_exactly_d_days(store: AdminCustomers) -> None:
    assert names(store, last_order="recent", days=30) == ["loyal", "repeat"]  # 0 and 29 days ago
    assert names(store, last_order="lapsed", days=30) == ["first", "five"]  # 30 and 31 days ago
    assert names(store, last_order="recent", days=31) == ["loyal", "repeat", "first"]
    assert names(store, last_order="lapsed", days=31) == ["five"]
    assert names(store, last_order="recent", days=1) == ["loyal"]  # today only
    assert names(store, last_order="lapsed", days=32) == []


@pytest.mark.usefixtures("shop")
def test_by_source_prefecture_and_sku_bought(store: AdminCustomers) -> None:
    assert names(store, source="yahoo") == ["repeat"]
    assert names(store, source="rakuten") == ["loyal", "first", "five"]
    assert names(store, prefecture="北海道") == ["loyal"]
    assert names(store, sku="ikura") == ["loyal", "repeat"]
    assert names(store, sku="ikura", orders="loyal", min_orders=3) == ["loyal"]
    assert names(store, sku="ikura", last_order="lapsed", days=30) == []
    assert names(store, sku="iku") == []  # a whole SKU, not a part of one


def test_a_page_picks_up_where_the_last_one_ended(store: AdminCustomers) -> None:
    every = [buy(store, f"c{n:02d}@example.jp", [n % 7, 40 + n]) for n in range(23)]
    chosen = Segment(orders="repeat", last_order="recent", days=5).check()  # n % 7 < 5
    seen: list[str] = []
    start: dict[str, Any] | None = None
    pages = 0
    while True:
        page, start = store.segment(SHOP, chosen, today=TODAY, limit=4, start=start)
        seen.extend(customer.customer_id for customer in page)
        pages += 1
        if start is None:
            break
    expected = {customer_id for n, customer_id in enumerate(every) if n % 7 < 5}
    assert len(seen) == len(set(seen)) == len(expected)
    assert set(seen) == expected
    assert pages >= 4
    days = [store.get(SHOP, customer_id).last_order_day for customer_id in seen]  # type: ignore[union-attr]
    assert days == sorted(days, reverse=True)


@pytest.fixture
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    """moto pages a Query at DynamoDB's 1 MB: lowered so a few customers fill a page."""
    from moto.dynamodb.models import table

    monkeypatch.setattr(table, "RESULT_SIZE_LIMIT", 3_000)


@pytest.mark.usefixtures("small_pages")
def test_the_count_and_the_export_read_every_dynamodb_page(tables: dict[str, str], clock: FixedClock) -> None:
    queries: list[int] = []  # each Query request's items read
    client = boto3.client("dynamodb", region_name=REGION)
    client.meta.events.register(
        "after-call.dynamodb.Query", lambda parsed, **_: queries.append(int(parsed.get("ScannedCount", 0)))
    )
    store = DynamoCustomers(tables["customers"], retention_days=RETENTION_DAYS, clock=clock, client=client)
    for n in range(40):
        buy(store, f"p{n:02d}@example.jp", [n % 3] if n % 2 else [n % 3, 50], source="rakuten")
    chosen = Segment(orders="repeat").check()
    queries.clear()
    assert store.segment_count(SHOP, chosen, today=TODAY) == 20
    assert len(queries) > 1
    assert sum(queries) == 40
    queries.clear()
    exported = store.segment_all(SHOP, chosen, today=TODAY, max_rows=20)
    assert len(exported) == 20
    assert len(queries) > 1
    with pytest.raises(TooManyRowsError):
        store.segment_all(SHOP, chosen, today=TODAY, max_rows=19)  # never a part


def test_a_count_past_its_read_bound_is_refused_not_cut(
    tables: dict[str, str], clock: FixedClock, monkeypatch: pytest.MonkeyPatch, small_pages: None
) -> None:
    store = DynamoCustomers(tables["customers"], retention_days=RETENTION_DAYS, clock=clock)
    for n in range(30):
        buy(store, f"q{n:02d}@example.jp", [n])
    monkeypatch.setattr(customers_module, "MAX_SEGMENT_READ", 10)
    with pytest.raises(TooManyRowsError) as refused:
        store.segment_count(SHOP, Segment().check(), today=TODAY)
    assert "10" in refused.value.message_en
    with pytest.raises(TooManyRowsError):
        store.segment_all(SHOP, Segment().check(), today=TODAY, max_rows=1000)
    assert store.segment_count(SHOP, Segment(last_order="recent", days=5).check(), today=TODAY) == 5


def test_a_cursor_of_another_shop_or_list_is_refused(store: AdminCustomers) -> None:
    from okaeri.aws.search import InvalidStartKeyError

    buy(store, "a@example.jp", [1])
    buy(store, "b@example.jp", [2])
    _, start = store.segment(SHOP, Segment(), today=TODAY, limit=1, start=None)
    assert start is not None
    for forged in (
        {**start, "pk": OTHER_SHOP, "shop_id": OTHER_SHOP},
        {"pk": SHOP, "sk": "cust#x"},
        {**start, "last_order_day": 20261201},
    ):
        with pytest.raises(InvalidStartKeyError):
            store.segment(SHOP, Segment(), today=TODAY, limit=1, start=forged)
