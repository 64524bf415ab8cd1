"""The customers and imports screens: find a customer and their history, stop mailing them, erase a
customer's personal data behind a typed confirmation, and import a Rakuten RMS CSV (CP932) whose
report shows the orders taken and the refused row with its line and reason."""

from __future__ import annotations

import re
import urllib.parse
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from okaeri_dev.stack import LocalStack
from tests.browser.conftest import OWNER_EMAIL, open_screen, screenshot
from tests.conftest import FIXTURES
from tests.e2e.conftest import OWNER_PASSWORD
from tests.e2e.local import LocalClient
from tests.support.csv_imports import csv_file

MAILS = FIXTURES / "mail"
NAKAJIMA = "aya.nakajima@example.net"  # eccube-html-gift: 中島 彩, order 2077
HIKARI = "ichiro@hikari-shokai.example"  # yahoo-iso2022-company: ㈱ひかり商会 光 一郎

RMS_HEADER = (
    "受注番号",
    "注文日時",
    "注文者名字",
    "注文者名前",
    "注文者名字フリガナ",
    "注文者名前フリガナ",
    "メールアドレス",
    "商品名",
    "商品番号",
    "単価",
    "個数",
    "合計金額(-99999=無効値)",
    "発送日",
)
RMS_ROWS = (
    # line 2-3: one order of two items; 髙 exists in CP932 only
    ("338361-20261128-0200000001", "2026-11-28 10:15:32", "髙橋", "一郎", "タカハシ", "イチロウ",
     "t.takahashi@example.jp", "深蒸し煎茶 100g", "sencha-100", "1200", "2", "3264", ""),
    ("338361-20261128-0200000001", "2026-11-28 10:15:32", "髙橋", "一郎", "タカハシ", "イチロウ",
     "t.takahashi@example.jp", "ほうじ茶ティーバッグ 20袋", "houji-tb20", "864", "1", "3264", ""),
    # line 4: a second buyer, shipped
    ("338361-20261129-0200000002", "2026-11-29 18:40:00", "森", "花子", "モリ", "ハナコ",
     "hanako.mori@example.jp", "玉露 50g", "gyokuro-50", "2160", "1", "2160", "2026-11-30"),
    # line 5: a date that is none
    ("338361-20261129-0200000003", "2026/13/45 25:00", "森", "花子", "モリ", "ハナコ",
     "hanako.mori@example.jp", "玉露 50g", "gyokuro-50", "2160", "1", "2160", ""),
)  # fmt: skip


def rms_csv() -> bytes:
    """A small RMS order CSV as RMS saves it: CP932, CRLF."""
    lines = [",".join(RMS_HEADER), *(",".join(row) for row in RMS_ROWS)]
    return ("\r\n".join(lines) + "\r\n").encode("cp932")


@pytest.fixture(scope="module")
def owner_token(local: LocalClient) -> str:
    return local.sign_in(OWNER_EMAIL, OWNER_PASSWORD)


@pytest.fixture(scope="module")
def orders(local: LocalClient) -> None:
    for name in ("eccube-html-gift", "yahoo-iso2022-company"):
        assert local.send_mail((MAILS / f"{name}.eml").read_bytes()).endswith(" parsed")


def customer(local: LocalClient, token: str, address: str) -> dict[str, Any]:
    query = urllib.parse.quote(address)
    found = local.get(f"/api/shops/demo/customers?q={query}", token=token).json()["items"]
    assert len(found) == 1, found
    detail: dict[str, Any] = local.get(
        f"/api/shops/demo/customers/{found[0]['customer_id']}", token=token
    ).json()
    return detail


def test_a_customer_is_found_with_their_orders_and_mails_and_can_be_unsubscribed(
    owner_page: Page, stack: LocalStack, local: LocalClient, owner_token: str, orders: None
) -> None:
    page = owner_page
    open_screen(page, stack, "customers")
    expect(page.get_by_role("row")).to_have_count(3)
    page.get_by_label("お名前・メールアドレス").fill("中島")
    page.get_by_role("button", name="検索").click()
    expect(page).to_have_url(re.compile(r"customers\?q=%E4%B8%AD%E5%B3%B6$"))
    expect(page.get_by_role("row")).to_have_count(2)
    page.get_by_role("link", name="中島 彩").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("中島 彩")
    expect(page.get_by_role("heading", name="注文（1 件）")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="2077")).to_have_count(4)  # the order and its three mails
    expect(page.get_by_role("heading", name="メール（3 件）")).to_be_visible()
    expect(page.get_by_text("送信予定")).to_have_count(3)
    screenshot(page, "customers")

    # A mail of the history opens on the deliveries screen
    thanks_row = page.get_by_role("row").filter(has_text="· thanks")
    # the template's name, not only the step id
    expect(thanks_row).to_contain_text("サンキューメール（出荷日）")
    thanks_row.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("中島 彩様、ご注文ありがとうございます")
    page.go_back()

    page.get_by_role("button", name="配信停止にする").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text(f"{NAKAJIMA} を配信停止リストに登録")
    dialog.get_by_role("button", name="配信停止にする").click()
    expect(page.get_by_test_id("notice-success")).to_contain_text("配信停止にしました")
    expect(page.locator(".cu-facts")).to_contain_text("手動で登録")
    expect(page.get_by_role("button", name="配信停止にする")).to_have_count(0)
    assert customer(local, owner_token, NAKAJIMA)["suppression"] == "manual"

    page.get_by_role("link", name="お客様一覧へ戻る").click()
    page.get_by_role("navigation", name="お客様の表示切り替え").get_by_role(
        "link", name="配信停止リスト"
    ).click()
    expect(page.get_by_role("row").filter(has_text=NAKAJIMA)).to_contain_text("手動で登録")


def test_erasing_a_customer_needs_their_address_typed(
    owner_page: Page, stack: LocalStack, local: LocalClient, owner_token: str, orders: None
) -> None:
    page = owner_page
    open_screen(page, stack, "customers")
    page.get_by_label("お名前・メールアドレス").fill("hikari")
    page.get_by_role("button", name="検索").click()
    page.get_by_role("link", name="㈱ひかり商会 光 一郎").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("㈱ひかり商会 光 一郎")

    page.get_by_role("button", name="個人情報を消去").click()
    dialog = page.get_by_role("dialog")
    erase = dialog.get_by_role("button", name="消去する")
    typed = dialog.get_by_label(f"確認のため「{HIKARI}」と入力してください")
    expect(erase).to_be_disabled()
    typed.fill("ichiro@hikari-shokai")
    expect(erase).to_be_disabled()
    typed.fill(HIKARI)
    expect(erase).to_be_enabled()
    erase.click()

    expect(page.get_by_test_id("notice-success")).to_contain_text("個人情報を消去しました")
    expect(page.get_by_role("heading", level=1)).to_have_text("（消去済みのお客様）")
    expect(page.locator(".cu-facts")).to_contain_text("個人情報消去済み")
    expect(page.get_by_text("停止", exact=True)).to_have_count(3)  # its three planned mails
    expect(page.get_by_role("button", name="個人情報を消去")).to_have_count(0)
    found = local.get("/api/shops/demo/customers?q=hikari", token=owner_token).json()["items"]
    assert found == []  # no personal data left to find them by


def test_an_rms_csv_import_reports_taken_and_refused_rows(
    owner_page: Page, stack: LocalStack, local: LocalClient, owner_token: str
) -> None:
    page = owner_page
    open_screen(page, stack, "imports")
    expect(page.get_by_label("楽天RMS 受注データ")).to_be_checked()
    page.get_by_label("CSVファイル", exact=True).set_input_files(
        files=[{"name": "rms-orders.csv", "mimeType": "text/csv", "buffer": rms_csv()}]
    )
    page.get_by_role("button", name="取り込む").click()

    report = page.get_by_role("region", name="取込結果")
    expect(report).to_be_visible()
    expect(page.get_by_test_id("notice-success")).to_contain_text("注文 2 件、取り込めなかった行 1 行")
    expect(report.locator(".stat").filter(has_text="読み込んだ行")).to_contain_text("4")
    expect(report.locator(".stat").filter(has_text="取り込んだ注文")).to_contain_text("2")
    expect(report.locator(".stat").filter(has_text="取り込めなかった行")).to_contain_text("1")
    refused = report.get_by_role("table", name="取り込めなかった行")
    row = refused.get_by_role("row").filter(has_text="5 行目")
    expect(row).to_contain_text("338361-20261129-0200000003")
    expect(row).to_contain_text("日付の誤り")
    expect(report).to_contain_text("338361-20261128-0200000001")
    screenshot(page, "imports")

    # The new orders are there: the buyer (read as CP932: 髙) and their order on the customers screen
    keys = {
        item["order"]["order_id"]
        for item in local.get("/api/shops/demo/orders", token=owner_token).json()["items"]
    }
    assert {"338361-20261128-0200000001", "338361-20261129-0200000002"} <= keys
    assert "338361-20261129-0200000003" not in keys
    open_screen(page, stack, "customers")
    page.get_by_label("お名前・メールアドレス").fill("髙橋")
    page.get_by_role("button", name="検索").click()
    page.get_by_role("link", name="髙橋 一郎").click()
    order = page.get_by_role("row").filter(has_text="深蒸し煎茶 100g × 2、ほうじ茶ティーバッグ 20袋 × 1")
    expect(order).to_contain_text("338361-20261128-0200000001")
    expect(page.get_by_role("heading", name="メール（3 件）")).to_be_visible()  # planned like a mail's order

    # The same file again doubles nothing
    open_screen(page, stack, "imports")
    page.get_by_label("CSVファイル", exact=True).set_input_files(
        files=[{"name": "rms-orders.csv", "mimeType": "text/csv", "buffer": rms_csv()}]
    )
    page.get_by_role("button", name="取り込む").click()
    expect(page.get_by_role("region", name="取込結果")).to_contain_text("既存 2 件（変更なし）")


def test_any_csv_is_imported_with_the_columns_mapped_in_the_browser(
    owner_page: Page, stack: LocalStack
) -> None:
    page = owner_page
    open_screen(page, stack, "imports")
    page.get_by_label("その他のCSV（列を指定）").check()
    page.get_by_label("CSVファイル", exact=True).set_input_files(
        files=[{"name": "cart.csv", "mimeType": "text/csv", "buffer": csv_file("mapped-orders.csv")}]
    )
    # The header row is read in the page; the usual names are mapped already, 姓 + 名 joined
    expect(page.get_by_text("1行目の列名（11 列）を読み取りました")).to_be_visible()
    expect(page.get_by_label("注文番号", exact=True)).to_have_value("注文ID")
    expect(page.get_by_label("注文日時", exact=True)).to_have_value("注文日")
    expect(page.get_by_label("お名前", exact=True)).to_have_value("姓")
    expect(page.get_by_label("お名前（2列目）")).to_have_value("名")
    expect(page.get_by_label("メールアドレス", exact=True)).to_have_value("メール")
    page.get_by_label("日付の形式").fill("%Y/%m/%d %H:%M")
    page.get_by_role("button", name="取り込む").click()

    report = page.get_by_role("region", name="取込結果")
    expect(report.locator(".stat").filter(has_text="取り込んだ注文")).to_contain_text("2")
    refused = report.get_by_role("table", name="取り込めなかった行")
    expect(refused.get_by_role("row")).to_have_count(4)
    expect(refused.get_by_role("row").filter(has_text="4 行目")).to_contain_text("日付の誤り")
    expect(refused.get_by_role("row").filter(has_text="5 行目")).to_contain_text("必須項目なし")
    expect(refused.get_by_role("row").filter(has_text="6 行目")).to_contain_text("数値の誤り")
    expect(report).to_contain_text("EC-1001")
