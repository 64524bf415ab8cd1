"""``/segments`` over the fakes: a segment's customers and count (staff), its CSV (manager: UTF-8
with a BOM or CP932, formula cells quoted, every export audited), parameters that do not go together
answered 422 naming the parameter."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest

from okaeri.identity import customer_id_for
from okaeri.services import segments as segments_service
from tests.support.customers import counted_order
from tests.support.operations import all_pages, flat
from tests.unit.api.conftest import BASE, Admin, audited, refused_below
from tests.unit.services.support import SHOP_ID

SEGMENTS = f"{BASE}/segments"
COUNT = f"{SEGMENTS}/count"
CSV = f"{SEGMENTS}.csv"
TODAY = date(2026, 12, 31)
HEADER = ["名前", "メールアドレス", "最終注文日", "注文回数", "購入金額合計", "配信停止日"]


def buy(
    admin: Admin, email: str, name: str, days_ago: list[int], *, total: int = 1000, **fields: object
) -> None:
    for n, ago in enumerate(days_ago):
        day = TODAY - timedelta(days=ago)
        admin.world.customers.record_order(
            SHOP_ID,
            customer_id_for(email),
            email=email,
            name=name,
            order=counted_order(
                f"rakuten#{email}-{n}",
                at=datetime(day.year, day.month, day.day, 1, tzinfo=UTC),
                total=total,
                **fields,
            ),
        )


@pytest.fixture
def shop(admin: Admin) -> Admin:
    """Four customers on 2026-12-31 in Tokyo: one first-time 40 days ago, a repeat buyer, a loyal
    one, and one whose name a spreadsheet would run and CP932 cannot spell."""
    admin.world.clock.set(datetime(2026, 12, 31, 1, tzinfo=UTC))
    buy(
        admin,
        "first@example.jp",
        "初回 一子",
        [40],
        source="rakuten",
        prefecture="東京都",
        skus=("cherry-500",),
    )
    buy(admin, "repeat@example.jp", "再購 二郎", [60, 3], total=2500, source="yahoo", prefecture="大阪府")
    buy(admin, "loyal@example.jp", "髙橋 三恵〜", [90, 50, 0], total=3000, source="rakuten", skus=("ikura",))
    buy(admin, "formula@example.jp", '=HYPERLINK("x") 𠮷野', [35], source="rakuten")
    admin.world.customers.mark_unsubscribed(
        SHOP_ID, customer_id_for("loyal@example.jp"), at=datetime(2026, 12, 20, 16, tzinfo=UTC)
    )
    return admin


def emails(admin: Admin, **query: str | int) -> list[str]:
    answer = admin.staff.get(SEGMENTS, **query)
    assert answer.status == 200, answer.text
    listed = [item["email"] for item in answer.json()["items"]]
    count = admin.staff.get(COUNT, **query)
    assert count.status == 200, count.text
    assert count.json()["count"] == len(listed)
    return listed


def test_staff_list_and_count_a_segment(shop: Admin) -> None:
    assert emails(shop) == ["loyal@example.jp", "repeat@example.jp", "formula@example.jp", "first@example.jp"]
    assert emails(shop, orders="first") == ["formula@example.jp", "first@example.jp"]
    assert emails(shop, orders="repeat") == ["loyal@example.jp", "repeat@example.jp"]
    assert emails(shop, orders="loyal", min_orders=3) == ["loyal@example.jp"]
    assert emails(shop, last_order="recent", days=35) == ["loyal@example.jp", "repeat@example.jp"]
    assert emails(shop, last_order="lapsed", days=35) == ["formula@example.jp", "first@example.jp"]
    assert emails(shop, source="yahoo") == emails(shop, source=" yahoo ") == ["repeat@example.jp"]
    assert emails(shop, prefecture="東京都") == ["first@example.jp"]
    assert emails(shop, sku="ikura", source="  ") == ["loyal@example.jp"]  # a blank text is no condition
    count = shop.staff.get(COUNT, last_order="lapsed", days=35).json()
    assert count == {
        "count": 2,
        "today": "2026-12-31",
        "last_order_from": None,
        "last_order_to": "2026-11-26",
    }
    [loyal] = shop.staff.get(SEGMENTS, orders="loyal", min_orders=3).json()["items"]
    assert (loyal["order_count"], loyal["total_spent"], loyal["last_order_day"]) == (3, 9000, "2026-12-31")
    pages = all_pages(shop.staff, SEGMENTS, limit=3)
    assert [len(page) for page in pages] == [3, 1]
    assert [c["email"] for c in flat(pages)] == emails(shop)
    assert shop.staff.get(SEGMENTS, cursor="bogus").error_code == "bad_cursor"
    refused_below(shop, "staff", "GET", SEGMENTS)
    refused_below(shop, "staff", "GET", COUNT)


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ({"orders": "loyal"}, "min_orders"),
        ({"min_orders": 3}, "min_orders"),
        ({"orders": "loyal", "min_orders": 1}, "min_orders"),
        ({"orders": "loyal", "min_orders": "many"}, "min_orders"),
        ({"last_order": "recent"}, "days"),
        ({"last_order": "lapsed"}, "days"),
        ({"days": 30}, "days"),
        ({"last_order": "recent", "days": 0}, "days"),
        ({"last_order": "lapsed", "days": 3651}, "days"),
        ({"orders": "sometimes"}, "orders"),
        ({"last_order": "never"}, "last_order"),
        ({"source": "amazon-jp"}, "source"),
        ({"sku": "x" * 101}, "sku"),
    ],
)
def test_parameters_that_do_not_go_together_are_a_422_naming_them(
    shop: Admin, query: dict[str, object], parameter: str
) -> None:
    for path, client in ((SEGMENTS, shop.staff), (COUNT, shop.staff), (CSV, shop.manager)):
        answer = client.get(path, **query)
        assert answer.status == 422, (path, answer.text)
        error = answer.json()["error"]
        said = " ".join([error["message_ja"], error["message_en"], *error["details"]])
        assert parameter in said, said
        assert error["message_ja"] != error["message_en"]
    assert audited(shop, "customers.export") == []


def rows(body: bytes, encoding: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode(encoding), newline="")))


def test_a_manager_exports_utf8_with_a_bom_and_every_export_is_audited(shop: Admin) -> None:
    refused_below(shop, "manager", "GET", CSV)
    answer = shop.manager.get(CSV, orders="repeat")
    assert answer.status == 200, answer.text
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"
    assert answer.headers["content-disposition"] == (
        f'attachment; filename="okaeri-customers-{SHOP_ID}-2026-12-31-utf-8.csv"'
    )
    assert answer.body.startswith(b"\xef\xbb\xbf\xe5\x90\x8d\xe5\x89\x8d,")  # BOM, then 名前
    assert b"\r\n" in answer.body
    assert rows(answer.body, "utf-8-sig") == [
        HEADER,
        [
            "髙橋 三恵〜",
            "loyal@example.jp",
            "2026-12-31",
            "3",
            "9000",
            "2026-12-21",
        ],  # opted out on the 21st in Tokyo
        ["再購 二郎", "repeat@example.jp", "2026-12-28", "2", "5000", ""],
    ]
    assert answer.headers["x-okaeri-rows"] == "2"
    assert audited(shop, "customers.export") == [
        {
            "by": "manager@okaeri.test",
            "segment": {"orders": "repeat"},
            "rows": 2,
            "encoding": "utf-8",
            "replaced_rows": 0,
        }
    ]
    assert shop.owner.get(CSV, encoding="utf-8", last_order="lapsed", days=35).status == 200
    assert [entry["segment"] for entry in audited(shop, "customers.export")] == [
        {"orders": "repeat"},
        {"last_order": "lapsed", "days": 35},
    ]


def test_cp932_for_excel_quotes_formulas_and_marks_what_it_cannot_spell(shop: Admin) -> None:
    answer = shop.manager.get(CSV, encoding="cp932")
    assert answer.status == 200, answer.text
    assert answer.headers["content-type"] == "text/csv; charset=Windows-31J"
    assert not answer.body.startswith(b"\xef\xbb\xbf")
    assert answer.body.startswith("名前,".encode("cp932"))
    table = rows(answer.body, "cp932")
    assert table[0] == HEADER
    by_email = {row[1]: row for row in table[1:]}
    assert list(by_email) == [
        "loyal@example.jp",
        "repeat@example.jp",
        "formula@example.jp",
        "first@example.jp",
    ]
    assert by_email["loyal@example.jp"][0] == "髙橋 三恵～"  # 〜 (WAVE DASH) as CP932 spells it: not a loss
    assert by_email["formula@example.jp"][0] == '\'=HYPERLINK("x") 〓野'  # quoted; 𠮷 is not in CP932
    assert answer.headers["x-okaeri-replaced-rows"] == "1"
    [entry] = audited(shop, "customers.export")
    assert (entry["encoding"], entry["rows"], entry["replaced_rows"]) == ("cp932", 4, 1)
    utf8 = rows(shop.manager.get(CSV, encoding="utf-8").body, "utf-8-sig")
    assert utf8[3][0] == '\'=HYPERLINK("x") 𠮷野'  # UTF-8 keeps every character
    bad = shop.manager.get(CSV, encoding="latin-1")
    assert bad.status == 422
    assert "encoding" in " ".join(bad.json()["error"]["details"])


def test_a_segment_too_large_to_export_is_refused_whole_and_not_audited(
    shop: Admin, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(segments_service, "MAX_EXPORT_ROWS", 3)
    answer = shop.manager.get(CSV)
    assert (answer.status, answer.error_code) == (422, "too_many_rows")
    assert audited(shop, "customers.export") == []
    assert shop.manager.get(CSV, orders="repeat").status == 200


def test_erased_customers_are_in_no_segment_and_no_export(shop: Admin) -> None:
    erased = shop.owner.post(
        f"{BASE}/customers/{customer_id_for('first@example.jp')}/erase", {"confirm": "first@example.jp"}
    )
    assert erased.status == 200, erased.text
    assert "first@example.jp" not in emails(shop)
    assert b"first@example.jp" not in shop.manager.get(CSV).body
    assert b"[erased]" not in shop.manager.get(CSV).body
