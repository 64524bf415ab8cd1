"""The customers screen's segments: filter by orders, last order, source, prefecture and SKU, see the
count and the rows the API answers, and download the segment as UTF-8 (BOM) and CP932 CSV — bytes
checked, the exports in the audit log; at 360 px the screen fits without sideways scrolling.

Two buyers come in by mail (their orders are in the stack's future: today is 2026-11-30); four more
are customer items as the intake leaves them after several orders (the stack's clock cannot go back
to their earlier orders), among them a name a spreadsheet would run and one CP932 cannot spell."""

from __future__ import annotations

import csv
import io
import re
import urllib.parse
from pathlib import Path
from typing import Any

import pytest
from boto3.dynamodb.conditions import Key
from playwright.sync_api import Page, expect

from okaeri.identity import customer_id_for
from okaeri_dev.stack import LocalStack
from tests.browser.conftest import OWNER_EMAIL, PHONE, open_screen, screenshot, sign_in
from tests.conftest import FIXTURES
from tests.e2e.conftest import OWNER_PASSWORD
from tests.e2e.local import LocalClient

HEADER = ["名前", "メールアドレス", "最終注文日", "注文回数", "購入金額合計", "配信停止日"]
FORMULA = "=cmd|' /C calc'!A0 𠮷田"
#: (name, address, orders, spent, last order's day, source, prefecture, SKUs)
SEEDED = (
    ("常連 花子", "hanako@example.jp", 5, 52000, "2026-11-28", "rakuten", "東京都", {"cherry-500"}),
    ("再購 次郎", "jiro@example.jp", 2, 12000, "2026-10-15", "yahoo", "大阪府", {"ikura-250"}),
    ("休眠 三郎", "saburo@example.jp", 3, 21000, "2026-05-01", "rakuten", "北海道", {"cherry-500", "ikura-250"}),
    (FORMULA, "yoshida@example.jp", 1, 3000, "2026-11-01", "rakuten", "東京都", {"ikura-250"}),
)  # fmt: skip


@pytest.fixture(scope="module")
def owner_token(local: LocalClient) -> str:
    return local.sign_in(OWNER_EMAIL, OWNER_PASSWORD)


@pytest.fixture(scope="module")
def customers(local: LocalClient) -> None:
    for name in ("eccube-html-gift", "yahoo-iso2022-company"):
        assert local.send_mail((FIXTURES / "mail" / f"{name}.eml").read_bytes()).endswith(" parsed")
    table = local.table("customers")
    for name, email, orders, spent, day, source, prefecture, skus in SEEDED:
        customer_id = customer_id_for(email)
        keys = {f"{source}#{customer_id[:6]}-{n}" for n in range(orders)}
        table.put_item(
            Item={
                "pk": "demo",
                "sk": f"cust#{customer_id}",
                "shop_id": "demo",
                "customer_id": customer_id,
                "email": email,
                "name": name,
                "order_count": orders,
                "total_spent": spent,
                "first_order_at": "2025-06-01T01:00:00.000000+00:00",
                "last_order_at": f"{day}T01:00:00.000000+00:00",
                "last_order_day": day,
                "last_order_key": sorted(keys)[-1],
                "prefecture": prefecture,
                "sources": {source},
                "skus": skus,
                "order_keys": keys,
                "detailed_keys": keys,
                "rev": orders,
            }
        )


def api_emails(local: LocalClient, token: str, **query: Any) -> list[str]:
    path = f"/api/shops/demo/segments?{urllib.parse.urlencode(query)}"
    reply = local.get(path, token=token)
    assert reply.status == 200, reply.body
    return [item["email"] for item in reply.json()["items"]]


def shown_emails(page: Page) -> list[str]:
    return page.get_by_test_id("cu-segment-table").locator("tbody td.cu-email").all_inner_texts()


def choose(page: Page, label: str, value: str) -> None:
    page.get_by_label(label, exact=True).select_option(value)


@pytest.mark.usefixtures("customers")
def test_a_segment_shows_its_count_and_the_rows_the_api_answers(
    owner_page: Page, stack: LocalStack, local: LocalClient, owner_token: str
) -> None:
    page = owner_page
    open_screen(page, stack, "customers")
    page.get_by_role("navigation", name="お客様の表示切り替え").get_by_role("link", name="セグメント").click()
    every = api_emails(local, owner_token)
    assert len(every) == 6
    expect(page.get_by_test_id("cu-segment-count")).to_have_text("該当するお客様：6 人（基準日 2026-11-30）")
    expect(page.get_by_test_id("cu-segment-table").locator("tbody tr")).to_have_count(6)
    assert shown_emails(page) == every

    choose(page, "注文回数", "repeat")
    page.get_by_role("button", name="絞り込む").click()
    expect(page).to_have_url(re.compile(r"customers\?tab=segments&orders=repeat$"))
    expect(page.get_by_test_id("cu-segment-count")).to_contain_text("3 人")
    repeat = api_emails(local, owner_token, orders="repeat")
    assert repeat == ["hanako@example.jp", "jiro@example.jp", "saburo@example.jp"]
    expect(page.get_by_test_id("cu-segment-table").locator("tbody tr")).to_have_count(3)
    assert shown_emails(page) == repeat
    hanako = page.get_by_test_id("cu-segment-table").locator("tbody tr").first
    expect(hanako.get_by_test_id("cu-orders")).to_have_text("5")
    expect(hanako.get_by_test_id("cu-spent")).to_have_text("52,000 円")
    expect(hanako.get_by_test_id("cu-last-order")).to_have_text("2026-11-28")

    # loyal (3 or more), lapsed for 30 days, bought ikura-250 in Hokkaido
    choose(page, "注文回数", "loyal")
    page.get_by_label("何回以上（N）").fill("3")
    choose(page, "最終注文", "lapsed")
    page.get_by_label("日数（D）").fill("30")
    page.get_by_label("購入した商品（SKU）").fill("ikura-250")
    choose(page, "都道府県（最新の注文のお届け先）", "北海道")
    page.get_by_role("button", name="絞り込む").click()
    expect(page.get_by_test_id("cu-segment-count")).to_contain_text("1 人")
    query = {
        "orders": "loyal",
        "min_orders": 3,
        "last_order": "lapsed",
        "days": 30,
        "prefecture": "北海道",
        "sku": "ikura-250",
    }
    assert api_emails(local, owner_token, **query) == ["saburo@example.jp"]
    expect(page.get_by_test_id("cu-segment-table").locator("tbody tr")).to_have_count(1)
    assert shown_emails(page) == ["saburo@example.jp"]

    # recent within 30 days from Rakuten: the mailed buyers' orders are in the stack's future
    open_screen(page, stack, "customers")
    page.goto(f"{stack.gateway_url}/#/demo/customers?tab=segments&last_order=recent&days=30&source=rakuten")
    recent = api_emails(local, owner_token, last_order="recent", days=30, source="rakuten")
    assert recent == ["hanako@example.jp", "yoshida@example.jp"]
    expect(page.get_by_test_id("cu-segment-count")).to_contain_text("2 人")
    expect(page.get_by_test_id("cu-segment-table").locator("tbody tr")).to_have_count(2)
    assert shown_emails(page) == recent
    screenshot(page, "customer-segments")

    # A customer's page shows their figures too
    page.get_by_role("link", name="常連 花子").click()
    expect(page.get_by_test_id("cu-order-count")).to_have_text("5 回")
    expect(page.get_by_test_id("cu-total-spent")).to_have_text("52,000 円")
    expect(page.get_by_test_id("cu-last-order")).to_contain_text("2026")


def csv_rows(data: bytes, encoding: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode(encoding), newline="")))


@pytest.mark.usefixtures("customers")
def test_both_csv_exports_download_with_their_bytes_and_are_audited(
    owner_page: Page, stack: LocalStack, local: LocalClient, owner_token: str
) -> None:
    page = owner_page
    page.goto(f"{stack.gateway_url}/#/demo/customers?tab=segments&orders=first")
    first = api_emails(local, owner_token, orders="first")
    expect(page.get_by_test_id("cu-segment-count")).to_contain_text(f"{len(first)} 人")

    with page.expect_download() as utf8_download:
        page.get_by_role("button", name="CSV（UTF-8・BOM付き）").click()
    expect(page.get_by_test_id("notice-success")).to_contain_text(f"{len(first)} 件を書き出しました")
    utf8 = utf8_download.value
    assert re.fullmatch(r"okaeri-customers-demo-2026-11-30-utf-8\.csv", utf8.suggested_filename)
    data = Path(utf8.path()).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = csv_rows(data[3:], "utf-8")
    assert rows[0] == HEADER
    assert [row[1] for row in rows[1:]] == first
    by_email = {row[1]: row for row in rows[1:]}
    assert by_email["yoshida@example.jp"] == [
        "'" + FORMULA,
        "yoshida@example.jp",
        "2026-11-01",
        "1",
        "3000",
        "",
    ]

    with page.expect_download() as cp932_download:
        page.get_by_role("button", name="Excel 用 CSV（Shift_JIS / CP932）").click()
    expect(page.get_by_test_id("notice-success").last).to_contain_text(
        "1 行では、その文字を「〓」に置き換えています"
    )
    data = Path(cp932_download.value.path()).read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf")
    rows = csv_rows(data, "cp932")
    assert rows[0] == HEADER
    assert [row[1] for row in rows[1:]] == first
    assert {row[1]: row for row in rows[1:]}["yoshida@example.jp"][0] == "'=cmd|' /C calc'!A0 〓田"
    assert b"\r\n" in data

    audit = local.table("logs").query(KeyConditionExpression=Key("pk").eq("demo#audit"))["Items"]
    exports = [entry["detail"] for entry in audit if entry["action"] == "customers.export"]
    # the stack's clock is frozen: both entries have one time, so they are compared in encoding order
    assert sorted((e["by"], e["encoding"], int(e["rows"]), e["segment"]) for e in exports) == [
        (OWNER_EMAIL, "cp932", len(first), {"orders": "first"}),
        (OWNER_EMAIL, "utf-8", len(first), {"orders": "first"}),
    ]


@pytest.mark.usefixtures("customers")
def test_the_segments_screen_fits_a_phone(page: Page, stack: LocalStack) -> None:
    page.set_viewport_size(PHONE)
    sign_in(page, stack)
    page.goto(
        f"{stack.gateway_url}/#/demo/customers?tab=segments&orders=loyal&min_orders=3&last_order=lapsed&days=30"
    )
    expect(page.get_by_test_id("cu-segment-count")).to_contain_text("人")
    expect(page.get_by_label("何回以上（N）")).to_be_visible()
    expect(page.get_by_role("button", name="Excel 用 CSV（Shift_JIS / CP932）")).to_be_visible()
    expect(page.get_by_test_id("cu-segment-table").locator("tbody tr")).to_have_count(1)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, overflow
    screenshot(page, "customer-segments-phone")
