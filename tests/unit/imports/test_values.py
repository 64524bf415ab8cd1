"""Cell values: numbers, dates, addresses — what is read, and what is refused with which reason."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from okaeri.import_formats import values
from okaeri.import_formats.values import CellError

TOKYO = ZoneInfo("Asia/Tokyo")


@pytest.mark.parametrize(
    ("cell", "number"),
    [
        ("3240", 3240),
        ("3,240", 3240),
        ("¥3,240", 3240),
        ("３，２４０円", 3240),
        ("3240.00", 3240),
        (" -5 ", -5),
        ("", None),
    ],
)
def test_whole_numbers_are_read_in_the_ways_shops_write_them(cell: str, number: int | None) -> None:
    assert values.integer(cell, "単価") == number


@pytest.mark.parametrize("cell", ["3240.5", "abc", "1,2a0", "12個以上", "1e3", "--1"])
def test_anything_else_is_a_bad_number(cell: str) -> None:
    with pytest.raises(CellError) as caught:
        values.integer(cell, "単価")
    assert caught.value.reason == "bad_number"
    assert "単価" in caught.value.message_ja


def test_the_invalid_marker_reads_as_no_value_and_counts_default_to_one() -> None:
    assert values.integer("-99999", "合計金額", invalid=frozenset({-99999})) is None
    assert values.quantity("", "個数") == 1
    with pytest.raises(CellError):
        values.quantity("-2", "個数")


@pytest.mark.parametrize(
    ("cell", "moment"),
    [
        ("2026-12-05 10:15:00", datetime(2026, 12, 5, 10, 15, tzinfo=TOKYO)),
        ("2026/12/5 9:05", datetime(2026, 12, 5, 9, 5, tzinfo=TOKYO)),
        ("2026年12月5日 10時15分30秒", datetime(2026, 12, 5, 10, 15, 30, tzinfo=TOKYO)),
        ("２０２６／１２／０５（土） １０：１５", datetime(2026, 12, 5, 10, 15, tzinfo=TOKYO)),
        ("2026-12-05T01:15:00Z", datetime(2026, 12, 5, 1, 15, tzinfo=UTC)),
        ("2026-12-05T10:15:00.123+0900", datetime(2026, 12, 5, 10, 15, tzinfo=timezone(timedelta(hours=9)))),
        ("20261205101530", datetime(2026, 12, 5, 10, 15, 30, tzinfo=TOKYO)),
        ("2026-12-05", date(2026, 12, 5)),
        ("20261205", date(2026, 12, 5)),
    ],
)
def test_dates_and_times_in_common_formats(cell: str, moment: date | datetime) -> None:
    found = values.moment(cell, "注文日時", TOKYO)
    assert found == moment
    assert type(found) is type(moment)


@pytest.mark.parametrize(
    "cell",
    ["2026/13/45", "2026-02-30 10:00", "2026-12-05 25:00", "昨日", "12/05/2026", "2026-12-05 10:00 頃"],
)
def test_impossible_or_unreadable_dates_are_bad_dates(cell: str) -> None:
    with pytest.raises(CellError) as caught:
        values.moment(cell, "注文日時", TOKYO)
    assert caught.value.reason == "bad_date"


def test_a_given_format_is_the_only_one_read() -> None:
    assert values.moment("05.12.2026", "日付", TOKYO, fmt="%d.%m.%Y") == date(2026, 12, 5)
    assert values.moment("05.12.2026 10:00", "日付", TOKYO, fmt="%d.%m.%Y %H:%M") == datetime(
        2026, 12, 5, 10, tzinfo=TOKYO
    )
    with pytest.raises(CellError):
        values.moment("2026-12-05", "日付", TOKYO, fmt="%d.%m.%Y")


def test_a_date_alone_as_an_order_time_is_the_start_of_that_day() -> None:
    assert values.timestamp("2026-12-05", "注文日", TOKYO) == datetime(2026, 12, 5, tzinfo=TOKYO)


@pytest.mark.parametrize(
    ("cell", "address"),
    [
        ("a.b+c@example.co.jp", "a.b+c@example.co.jp"),
        ("ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ", "taro@example.jp"),
        ("", None),
    ],
)
def test_addresses_are_folded(cell: str, address: str | None) -> None:
    assert values.email(cell, "メールアドレス") == address


@pytest.mark.parametrize(
    "cell", ["taro.example.com", "taro@", "@example.com", "taro@example", "a b@example.com"]
)
def test_what_is_no_address_is_a_bad_email(cell: str) -> None:
    with pytest.raises(CellError) as caught:
        values.email(cell, "メールアドレス")
    assert caught.value.reason == "bad_email"


def test_flags_postal_codes_prefectures() -> None:
    assert [values.flag(cell, "ギフト") for cell in ("1", "0", "あり", "なし", "")] == [
        True,
        False,
        True,
        False,
        None,
    ]
    with pytest.raises(CellError):
        values.flag("maybe", "ギフト")
    assert values.postal_code("１５８００９４") == "158-0094"
    assert values.prefecture("東京都") == "東京都"
    assert values.prefecture("東京都世田谷区") == "東京都"
