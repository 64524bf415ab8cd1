"""The normalisation helpers every parser shares."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from okaeri.parsing.text import (
    PREFECTURES,
    clean_kana,
    clean_name,
    find_phone,
    find_postal_code,
    find_prefecture,
    fold,
    join_wrapped,
    parse_date_or_datetime,
    parse_datetime,
    same_person,
    split_address,
    split_name_kana,
    split_sku_suffix,
    to_int,
    to_quantity,
)

TOKYO = ZoneInfo("Asia/Tokyo")


def test_folding_keeps_every_position() -> None:
    text = "ご注文番号：１０４２　合計￥６，９００（税込）〜①"
    folded = fold(text)
    assert len(folded) == len(text)
    assert folded == "ご注文番号:1042 合計¥6,900(税込)~①"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("￥6,900", 6900),
        ("7,360(円)", 7360),
        ("８，５４０円", 8540),
        ("¥ 1 200", 1200),
        ("-0円", 0),
        ("-500(円)", -500),
        ("なし", None),
        ("", None),
        (None, None),
    ],
)
def test_amounts(text: str | None, value: int | None) -> None:
    assert to_int(text) == value


def test_quantities_are_never_negative() -> None:
    assert to_quantity("-2(個)") == 2
    assert to_quantity("２点") == 2
    assert to_quantity("x") is None


@pytest.mark.parametrize(
    ("text", "postal"),
    [
        ("〒812-0011", "812-0011"),
        ("８１２－００１１", "812-0011"),
        ("〒 8120011", "812-0011"),
        ("12-3", None),
    ],
)
def test_postal_codes(text: str, postal: str | None) -> None:
    assert find_postal_code(text) == postal


def test_all_47_prefectures_and_the_special_ones() -> None:
    assert len(PREFECTURES) == 47
    assert find_prefecture("京都府京都市中京区") == "京都府"
    assert find_prefecture("東京都港区") == "東京都"
    assert find_prefecture("北海道札幌市") == "北海道"
    assert find_prefecture("鹿児島県鹿児島市") == "鹿児島県"
    assert find_prefecture("どこか") is None


def test_address_lines_split_into_postal_prefecture_and_the_rest() -> None:
    assert split_address("〒990-0301 山形県東村山郡山辺町大字山辺1234") == (
        "990-0301",
        "山形県",
        "東村山郡山辺町大字山辺1234",
    )
    assert split_address("990-0301　大阪府大阪市北区梅田３－１－１") == (
        "990-0301",
        "大阪府",
        "大阪市北区梅田３－１－１",
    )
    # a number inside the address is not a postal code
    assert split_address("大阪府大阪市北区梅田 123-4567番地")[0] is None
    assert split_address("札幌市中央区") == (None, None, "札幌市中央区")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-20 11:05:12", datetime(2026, 11, 20, 11, 5, 12, tzinfo=TOKYO)),
        ("2026/11/22 23:58:01", datetime(2026, 11, 22, 23, 58, 1, tzinfo=TOKYO)),
        ("2026年11月21日 09時15分30秒", datetime(2026, 11, 21, 9, 15, 30, tzinfo=TOKYO)),
        ("２０２６年１１月２２日（日）１４：０３", datetime(2026, 11, 22, 14, 3, tzinfo=TOKYO)),
        ("2026-02-30 10:00:00", None),
        ("2026-11-20 25:00", None),
        ("2026-11-20", None),
        ("no date", None),
    ],
)
def test_order_times(text: str, expected: datetime | None) -> None:
    assert parse_datetime(text, TOKYO) == expected


def test_ship_dates_stay_dates_without_a_time() -> None:
    assert parse_date_or_datetime("2026/11/24", TOKYO) == date(2026, 11, 24)
    shipped = parse_date_or_datetime("2026/11/24 15:10", TOKYO)
    assert isinstance(shipped, datetime)
    assert shipped.utcoffset() is not None


def test_names_kana_and_people() -> None:
    assert clean_name("田中　次郎 様") == "田中 次郎"
    assert clean_name("  ") is None
    assert clean_kana("(ｻｻｷ ﾐｻｷ)") == "ササキ ミサキ"
    assert split_name_kana("山辺 太郎 （ヤマノベ タロウ） 様") == ("山辺 太郎", "ヤマノベ タロウ")
    assert split_name_kana("鈴木 花子") == ("鈴木 花子", None)
    assert same_person("鈴木　花子 様", "鈴木花子")
    assert not same_person("鈴木 花子", "鈴木 一郎")


def test_phone_numbers() -> None:
    assert find_phone("(TEL) ０２３－０００－００００") == "023-000-0000"
    assert find_phone("TEL 03ー1234ー5678") == "03-1234-5678"
    assert find_phone("なし") is None


def test_wrapped_names_join_without_a_space_in_japanese() -> None:
    assert (
        join_wrapped(["静岡深蒸し茶 特選ギフト箱入", "り お歳暮"]) == "静岡深蒸し茶 特選ギフト箱入り お歳暮"
    )
    assert join_wrapped(["Premium green", "tea 100g"]) == "Premium green tea 100g"
    assert join_wrapped(["", "  一行  "]) == "一行"


def test_sku_suffix() -> None:
    assert split_sku_suffix("佐藤錦 500g 化粧箱入り(cherry-500)") == ("佐藤錦 500g 化粧箱入り", "cherry-500")
    assert split_sku_suffix("紅秀峰（ｂｅｎｉ－１）") == ("紅秀峰", "beni-1")
    # a Japanese parenthesis is part of the name, not a code
    assert split_sku_suffix("りんご（訳あり）") == ("りんご（訳あり）", None)
