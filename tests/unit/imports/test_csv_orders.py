"""Order CSVs: RMS (CP932), Yahoo! (UTF-8 with BOM, or CP932), a mapped CSV; bad rows refused by line."""

from __future__ import annotations

import codecs
from datetime import date, datetime
from typing import Any, get_args
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from okaeri.import_formats import (
    MAX_CSV_BYTES,
    MAX_CSV_ROWS,
    RAKUTEN_RMS,
    YAHOO,
    ColumnMapping,
    CsvFileError,
    MappedColumns,
    ParsedCsv,
    mapped_layout,
    read_orders,
)
from okaeri.import_formats.csv_file import read_table
from okaeri.import_formats.csv_orders import FIELD_NAMES, FieldName
from okaeri.models import Order
from tests.support.csv_imports import MAPPING, csv_file

TOKYO = ZoneInfo("Asia/Tokyo")


def rms() -> ParsedCsv:
    return read_orders(csv_file("rakuten-rms.csv"), RAKUTEN_RMS, TOKYO)


def by_id(parsed: ParsedCsv) -> dict[str, Order]:
    return {order.order_id: order for order in parsed.orders}


def refusals(parsed: ParsedCsv) -> list[tuple[int, str | None, str]]:
    return [(refused.line, refused.order_id, refused.reason) for refused in parsed.refused]


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TOKYO)


# --- Rakuten RMS (CP932) ------------------------------------------------------------------------


def test_the_rms_file_is_read_as_cp932_with_its_ibm_extension_characters() -> None:
    assert read_table(csv_file("rakuten-rms.csv")).encoding == "cp932"
    first = by_id(rms())["338361-20261128-0100000001"]
    assert first.customer.name == "髙橋 一郎"  # 髙 exists in CP932 only, not in Shift_JIS
    assert first.items[0].name == "温州みかん 5kg～秀品～"


def test_rms_rows_of_one_order_merge_into_one_order_with_its_items() -> None:
    order = by_id(rms())["338361-20261128-0100000001"]

    assert order.source == "rakuten"
    assert order.kind == "order"
    assert order.key == "rakuten#338361-20261128-0100000001"
    assert order.ordered_at == at("2026-11-28T10:15:32")
    assert [(item.sku, item.name, item.quantity, item.unit_price) for item in order.items] == [
        ("mikan-5kg", "温州みかん 5kg～秀品～", 1, 3240),
        ("iyokan-3kg", "伊予柑 3kg", 1, 3240),
    ]
    assert order.customer.model_dump() == {
        "name": "髙橋 一郎",
        "name_kana": "タカハシ イチロウ",
        "email": "t.takahashi@example.jp",
        "phone": "089-000-0001",
    }
    assert order.ship_to.model_dump() == {
        "name": "髙橋 花子",
        "postal_code": "100-0001",
        "prefecture": "東京都",
        "address": "千代田区千代田1-1",
    }
    assert (order.payment_method, order.shipping_method, order.total) == ("クレジットカード", "宅配便", 7128)
    assert order.is_gift is True
    assert (order.shipped_at, order.carrier, order.tracking_number) == (None, None, None)


def test_an_rms_ship_date_gives_a_shipped_order_with_a_plain_date() -> None:
    order = by_id(rms())["338361-20261128-0100000002"]
    assert order.shipped_at == date(2026, 11, 30)
    assert not isinstance(order.shipped_at, datetime)
    assert (order.carrier, order.tracking_number) == ("ヤマト運輸", "1234-5678-9012")
    assert order.customer.email == "abc123@pc.fw.rakuten.ne.jp"
    assert order.customer.name_kana == "ラクテン タロウ"  # half-width kana folded
    assert order.is_gift is False  # the buyer ships to themselves


def test_rms_minus_99999_means_no_value() -> None:
    order = by_id(rms())["338361-20261129-0100000006"]
    assert order.total is None
    assert order.is_gift is False


def test_rms_bad_rows_are_refused_with_their_line_and_reason() -> None:
    parsed = rms()
    assert parsed.rows == 9
    assert list(by_id(parsed)) == [
        "338361-20261128-0100000001",
        "338361-20261128-0100000002",
        "338361-20261129-0100000006",
    ]
    # line 4 holds a comment over two lines: the next row starts on line 6
    assert refusals(parsed) == [
        (6, "338361-20261129-0100000003", "bad_date"),
        (7, "338361-20261129-0100000004", "bad_number"),
        (8, "338361-20261129-0100000004", "other_row_refused"),
        (9, None, "missing_field"),
        (10, "338361-20261129-0100000005", "bad_email"),
    ]
    for refused in parsed.refused:
        assert refused.message_ja
        assert refused.message_en
        assert refused.message_ja != refused.message_en
    bad_date = parsed.refused[0]
    assert "注文日時" in bad_date.message_ja
    assert "2026/13/45 25:00" in bad_date.message_en
    assert "7" in parsed.refused[2].message_ja  # names the bad row of the same order


# --- Yahoo! (UTF-8 with BOM, or CP932) -------------------------------------------------------------


def test_yahoo_utf8_with_bom_and_order_ids_spelt_differently_merge() -> None:
    parsed = read_orders(csv_file("yahoo-orders.csv"), YAHOO, TOKYO)
    orders = by_id(parsed)

    assert read_table(csv_file("yahoo-orders.csv")).encoding == "utf-8-sig"
    assert parsed.rows == 6
    assert list(orders) == ["mikan-sanbo-10000101", "mikan-sanbo-10000102"]
    first = orders["mikan-sanbo-10000101"]
    assert first.source == "yahoo"
    assert first.key == "yahoo#MIKAN-SANBO-10000101"  # as the Yahoo! order mail gives it
    assert [(item.sku, item.quantity, item.unit_price) for item in first.items] == [
        ("mikan-5kg", 2, 3240),
        ("iyokan-3kg", 1, 3240),
        ("amanatsu-2kg", 1, 2160),  # row 7 writes the id in capitals: the same order
    ]
    assert first.ordered_at == at("2026-11-28T21:05:11")
    assert (first.customer.name, first.customer.email) == ("中村 翔", "sho.nakamura@example.com")
    assert (first.ship_to.postal_code, first.ship_to.prefecture, first.ship_to.address) == (
        "812-0011",
        "福岡県",
        "福岡市博多区博多駅前1-1",
    )
    assert first.total == 9720
    second = orders["mikan-sanbo-10000102"]
    assert second.ordered_at == datetime.fromisoformat("2026-11-29T09:00:00+09:00")
    assert (second.shipped_at, second.tracking_number) == (date(2026, 11, 30), "4321-8765-2109")
    assert refusals(parsed) == [
        (5, "mikan-sanbo-10000103", "bad_number"),
        (6, "mikan-sanbo-10000104", "bad_date"),
    ]


def test_a_yahoo_file_saved_as_cp932_without_bom_reads_the_same() -> None:
    text = csv_file("yahoo-orders.csv").decode("utf-8-sig")
    as_cp932 = read_orders(text.encode("cp932"), YAHOO, TOKYO)
    as_utf8 = read_orders(csv_file("yahoo-orders.csv"), YAHOO, TOKYO)
    assert as_cp932.orders == as_utf8.orders
    assert as_cp932.refused == as_utf8.refused


def test_the_old_yahoo_header_spelling_is_matched_too() -> None:
    data = (
        "Order ID,Order Time,Bill Mail Address,Item Id,Title,Quantity,Unit Price\r\n"
        "shop-1,2026/11/28 10:00,a@example.com,sku-1,品,1,100\r\n"
    ).encode()
    [order] = read_orders(data, YAHOO, TOKYO).orders
    assert (order.order_id, order.customer.email, order.items[0].sku) == ("shop-1", "a@example.com", "sku-1")


# --- a mapped CSV --------------------------------------------------------------------------------


def test_a_mapped_csv_reads_the_columns_it_is_told_in_its_date_format() -> None:
    parsed = read_orders(
        csv_file("mapped-orders.csv"), mapped_layout(ColumnMapping.model_validate(MAPPING)), TOKYO
    )
    orders = by_id(parsed)

    assert list(orders) == ["EC-1001", "EC-1002"]
    first = orders["EC-1001"]
    assert (first.source, first.key) == ("csv", "csv#EC-1001")
    assert (first.customer.name, first.customer.email) == ("佐藤 健", "ken.sato@example.com")
    assert first.ordered_at == at("2026-11-28T14:00")
    assert orders["EC-1002"].shipped_at == at("2026-11-30T11:00")  # with a time: an aware datetime
    assert refusals(parsed) == [
        (4, "EC-1003", "bad_date"),
        (5, None, "missing_field"),
        (6, "EC-1004", "bad_number"),
    ]
    assert "%Y/%m/%d %H:%M" in parsed.refused[0].message_ja


def test_a_mapping_may_name_another_source_and_only_shipping_dates() -> None:
    mapping = ColumnMapping.model_validate(
        {"source": "mask:kurashi", "columns": {"order_id": "注文ID", "shipped_at": "出荷日"}}
    )
    data = "注文ID,出荷日\nKC-1,2026-11-30\nKC-2,\n".encode()
    parsed = read_orders(data, mapped_layout(mapping), TOKYO)
    [order] = parsed.orders
    assert (order.key, order.shipped_at, order.ordered_at) == ("mask:kurashi#KC-1", date(2026, 11, 30), None)
    assert refusals(parsed) == [(3, "KC-2", "missing_field")]


def test_a_mapped_column_missing_from_the_file_refuses_the_file() -> None:
    mapping = ColumnMapping.model_validate(
        MAPPING | {"columns": MAPPING["columns"] | {"carrier": "運送会社"}}
    )
    with pytest.raises(CsvFileError) as caught:
        read_orders(csv_file("mapped-orders.csv"), mapped_layout(mapping), TOKYO)
    assert caught.value.reason == "missing_columns"
    assert "運送会社" in caught.value.message_ja


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"columns": {"order_id": "注文ID"}}, "ordered_at"),
        ({"source": "amazon.co.jp"}, "source"),
        ({"date_format": "YYYY/MM/DD"}, "strptime"),
        ({"encoding": "latin-1"}, "encoding"),
        ({"columns": MAPPING["columns"] | {"colour": "色"}}, "colour"),
    ],
)
def test_a_bad_mapping_is_refused_with_its_reason(change: dict[str, Any], problem: str) -> None:
    with pytest.raises(ValidationError) as caught:
        ColumnMapping.model_validate(MAPPING | change)
    assert problem in str(caught.value)


def test_the_mapping_names_exactly_the_fields_a_layout_reads() -> None:
    assert set(MappedColumns.model_fields) == set(FIELD_NAMES) == set(get_args(FieldName))


# --- files refused as a whole -----------------------------------------------------------------------


def test_a_file_over_5_mib_is_refused_before_it_is_read() -> None:
    data = csv_file("yahoo-orders.csv") + b"x" * MAX_CSV_BYTES
    with pytest.raises(CsvFileError) as caught:
        read_orders(data, YAHOO, TOKYO)
    assert (caught.value.reason, caught.value.too_big) == ("too_large", True)
    assert "5,242,880" in caught.value.message_ja


def test_more_than_20000_rows_are_refused() -> None:
    rows = "".join(f"o-{n},2026-11-28 10:00\n" for n in range(MAX_CSV_ROWS + 1))
    with pytest.raises(CsvFileError) as caught:
        read_orders(f"OrderId,OrderTime\n{rows}".encode(), YAHOO, TOKYO)
    assert (caught.value.reason, caught.value.too_big) == ("too_many_rows", True)
    exactly = "".join(f"o-{n},2026-11-28 10:00\n" for n in range(MAX_CSV_ROWS))
    assert len(read_orders(f"OrderId,OrderTime\n{exactly}".encode(), YAHOO, TOKYO).orders) == MAX_CSV_ROWS


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00", "not_csv"),  # an .xlsx (a zip)
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not_csv"),
        (b"", "empty"),
        (b"\r\n \r\n", "empty"),
        (b"\x81\xff\xfe\x80\xa0\xfd", "undecodable"),
        ("受注番号,注文日時\n1,2026-11-28\n".encode("utf-16-le"), "not_csv"),  # UTF-16 without its BOM
    ],
)
def test_something_that_is_no_csv_is_refused_with_its_reason(data: bytes, reason: str) -> None:
    with pytest.raises(CsvFileError) as caught:
        read_orders(data, RAKUTEN_RMS, TOKYO)
    assert caught.value.reason == reason
    assert caught.value.message_ja
    assert caught.value.message_en
    assert not caught.value.too_big


def test_a_yahoo_file_sent_as_rms_says_which_columns_are_missing() -> None:
    with pytest.raises(CsvFileError) as caught:
        read_orders(csv_file("yahoo-orders.csv"), RAKUTEN_RMS, TOKYO)
    assert caught.value.reason == "missing_columns"
    assert "受注番号" in caught.value.message_ja
    assert "注文日時" in caught.value.message_ja
    assert "Rakuten RMS" in caught.value.message_en


def test_utf16_with_its_bom_and_tabs_is_read() -> None:
    text = "OrderId\tOrderTime\tTitle\r\nshop-9\t2026-11-28 10:00\t甘夏\r\n"
    [order] = read_orders(codecs.BOM_UTF16_LE + text.encode("utf-16-le"), YAHOO, TOKYO).orders
    assert (order.order_id, order.items[0].name) == ("shop-9", "甘夏")


def test_blank_lines_are_skipped_and_line_numbers_stay_true() -> None:
    data = b"OrderId,OrderTime\n\no-1,2026-11-28 10:00\n\n\no-2,tomorrow\n"
    parsed = read_orders(data, YAHOO, TOKYO)
    assert parsed.rows == 2
    assert [order.order_id for order in parsed.orders] == ["o-1"]
    assert refusals(parsed) == [(6, "o-2", "bad_date")]


def test_an_order_id_too_long_for_an_order_refuses_its_rows() -> None:
    data = f"OrderId,OrderTime\n{'x' * 129},2026-11-28 10:00\n".encode()
    parsed = read_orders(data, YAHOO, TOKYO)
    assert parsed.orders == []
    assert [(r.line, r.reason) for r in parsed.refused] == [(2, "bad_value")]


def test_a_row_with_several_bad_cells_names_every_one() -> None:
    """One refusal per row, but it names each bad cell, not only the first."""
    mapping = ColumnMapping.model_validate(
        {
            "columns": {
                "order_id": "注文ID",
                "ordered_at": "注文日時",
                "total": "合計",
                "quantity": "数量",
                "item_name": "商品名",
            },
        }
    )
    data = (
        "注文ID,注文日時,合計,数量,商品名\nEC-9,きのう,たくさん,-2,煎茶\nEC-10,2026-11-30 10:00,1200,1,煎茶\n"
    )
    parsed = read_orders(data.encode(), mapped_layout(mapping), TOKYO)
    assert [order.order_id for order in parsed.orders] == ["EC-10"]
    [refused] = parsed.refused
    assert (refused.line, refused.order_id, refused.reason) == (2, "EC-9", "bad_date")
    assert refused.message_ja.startswith("3 件の問題")
    assert refused.message_en.startswith("3 problems")
    for cell in ("注文日時", "合計", "数量"):
        assert cell in refused.message_ja, cell
        assert cell in refused.message_en, cell
