"""The dashboard and the reception log in a real browser.

An order mail arrives by SMTP: the log shows it parsed with its order number, its page shows the
order and its planned mails, and the dashboard counts it. A mail no reader understands arrives: it
is an alert on the dashboard (with a mail in doubt next to it), a failed entry in the log with its
reason; a manager opens the mail, writes a parse mask for it, tries it, saves it and parses the mail
again: it becomes an order. A staff user reads the same screens without any mask controls.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import boto3
from playwright.sync_api import Page, expect

from okaeri.aws.deliveries import DynamoDeliveries
from okaeri_dev.send_sample import order_mail
from okaeri_dev.stack import LocalStack
from tests.browser.conftest import PHONE, STAFF_EMAIL, open_screen, screenshot, sign_in
from tests.conftest import FIXTURES
from tests.e2e.conftest import OWNER_PASSWORD
from tests.e2e.local import REGION, LocalClient

MAIL = FIXTURES / "mail"


def send_order(local: LocalClient, serial: int) -> None:
    """Sends a new Rakuten order mail (order ``serial``, placed now)."""
    answer = local.send_mail(order_mail(ordered_at=datetime.fromisoformat(local.now()), serial=serial))
    assert answer.endswith(" parsed"), answer


def order_number(local: LocalClient, serial: int) -> str:
    """The order number the demo shop gave the order with ``serial`` (read from the orders table)."""
    return next(
        str(item["order"]["order_id"])
        for item in local.orders("demo")
        if str(item["order"]["order_id"]).endswith(f"{serial:010d}")
    )


def mark_one_delivery_unknown(local: LocalClient) -> None:
    """What the sender leaves when SES did not answer: a mail whose sending is in doubt (written by
    the deliveries adapter as the send function writes it, so the shop's counters follow)."""
    item: dict[str, Any] = next(d for d in local.deliveries() if d["status"] == "scheduled")
    client = boto3.client(
        "dynamodb",
        endpoint_url=local.aws_url,
        region_name=REGION,
        aws_access_key_id="e2e",
        aws_secret_access_key="e2e",
    )
    deliveries = DynamoDeliveries(local.table("deliveries").name, retention_days=1, client=client)
    shop_id, delivery_id, send_at = str(item["pk"]), str(item["sk"]), datetime.fromisoformat(item["send_at"])
    claim = deliveries.claim(shop_id, delivery_id, now=send_at, lease_until=send_at + timedelta(minutes=1))
    assert claim.claimed, claim
    assert deliveries.mark_unknown(shop_id, delivery_id, now=send_at + timedelta(minutes=2))


def test_an_order_mail_is_in_the_log_and_on_the_dashboard(
    owner_page: Page, stack: LocalStack, local: LocalClient
) -> None:
    page = owner_page
    send_order(local, 101)
    number = order_number(local, 101)

    open_screen(page, stack, "receptions")
    row = page.get_by_role("row").filter(has_text=number)
    expect(row).to_contain_text("読み取り済み")
    row.get_by_role("link").click()
    expect(page.get_by_test_id("reception-result")).to_have_text("読み取り済み")
    expect(page.get_by_test_id("reception-order")).to_have_text(number)
    order = page.get_by_role("region", name="登録された注文")
    expect(order).to_contain_text("佐藤 一郎")  # buyer 101 % 4
    expect(order).to_contain_text("送信予定のメール（3通）")
    expect(page.get_by_test_id("mail-text")).to_contain_text(number)  # the mail itself, decoded
    expect(page.get_by_role("button", name="このメールから解析マスクを作る")).to_have_count(
        0
    )  # read: no mask needed

    open_screen(page, stack, "dashboard")
    expect(page.get_by_test_id("stat-orders")).to_contain_text("1")
    expect(page.get_by_test_id("stat-waiting")).to_contain_text("3")
    expect(page.get_by_test_id("all-clear")).to_be_visible()
    chart = page.get_by_role(
        "img", name="日別の注文数（棒）と送信数（線）のグラフ。数値は下の表でも確認できます。"
    )
    expect(chart).to_be_visible()
    assert chart.evaluate("canvas => canvas.width") > 0
    page.get_by_text("日別の数値を表で見る").click()
    expect(page.get_by_role("row").filter(has_text="2026-11-30")).to_contain_text("1")


def test_days_of_orders_and_sent_mails_on_the_dashboard(
    owner_page: Page, stack: LocalStack, local: LocalClient
) -> None:
    page = owner_page
    local.advance("1d")  # 12-01 07:00: two more orders
    send_order(local, 201)
    send_order(local, 202)
    local.advance("1d")  # 12-02 07:00: the first order's thanks mail went out on 12-01 10:00
    send_order(local, 203)

    open_screen(page, stack, "receptions")  # the dashboard was open since signing in: come back to it
    open_screen(page, stack, "dashboard")
    expect(page.get_by_text("集計期間：2026/11/03 〜 2026/12/02")).to_be_visible()
    expect(page.get_by_test_id("stat-orders")).to_contain_text("4")
    expect(page.get_by_test_id("stat-sent")).to_contain_text("1")
    page.get_by_text("日別の数値を表で見る").click()
    day = page.get_by_role("row").filter(has_text="2026-12-01")
    expect(day.get_by_role("cell")).to_have_text(["2026-12-01", "2", "1"])
    steps = page.get_by_role("region", name="ステップ別の結果")
    expect(steps.get_by_role("link", name="サンキュー・ライク・ラブ")).to_have_attribute(
        "href", "#/demo/scenarios/thanks-like-love"
    )
    thanks = steps.get_by_role("row").filter(has_text="thanks")
    expect(thanks.get_by_role("cell").nth(2)).to_have_text("1")  # sent

    page.get_by_label("集計期間", exact=True).select_option(label="直近 7 日間")
    expect(page.get_by_text("集計期間：2026/11/26 〜 2026/12/02")).to_be_visible()
    assert page.url.endswith("#/demo/dashboard?days=7")


def test_an_unreadable_mail_becomes_an_order_through_a_parse_mask(
    owner_page: Page, stack: LocalStack, local: LocalClient
) -> None:
    page = owner_page
    send_order(local, 102)
    mark_one_delivery_unknown(local)
    answer = local.send_mail((MAIL / "unknown-cart.eml").read_bytes())
    assert answer.endswith("failed (unrecognised)"), answer
    key = answer.split(" ")[2]

    # The dashboard (open since signing in, so refreshed): both alerts, each with its way to act.
    open_screen(page, stack, "dashboard")
    page.get_by_role("button", name="最新の情報に更新").click()
    unknown = page.get_by_test_id("alert-unknown")
    expect(unknown).to_contain_text("送信結果が不明なメールが 1 件あります")
    expect(unknown.get_by_role("link", name="送信結果が不明なメールを確認する")).to_have_attribute(
        "href", "#/demo/deliveries?status=unknown"
    )
    failed = page.get_by_test_id("alert-failed")
    expect(failed).to_contain_text("読み取れなかった受信メールが 1 件あります")
    expect(failed).to_contain_text("ご購入ありがとうございます")
    expect(page.get_by_test_id("stat-unknown")).to_contain_text("1")
    page.mouse.move(0, 0)  # no button left hovered in the picture
    screenshot(page, "dashboard")

    # The log, all mails, then only the failed ones (the dashboard's link).
    open_screen(page, stack, "receptions")
    expect(page.get_by_role("row").filter(has_text="ご購入ありがとうございます")).to_contain_text(
        "読み取り失敗"
    )
    screenshot(page, "reception-log")
    open_screen(page, stack, "dashboard")
    page.get_by_role("link", name="受信ログで確認する").click()
    expect(page.get_by_label("結果で絞り込む")).to_have_value("failed")
    row = page.get_by_role("row").filter(has_text="ご購入ありがとうございます")
    expect(row).to_contain_text("どの解析ルールにも一致しない形式です")
    expect(page.get_by_role("row").filter(has_text="読み取り済み")).to_have_count(0)

    # The mail: its text decoded, its source, the reason.
    row.get_by_role("link", name="ご購入ありがとうございます").click()
    expect(page.get_by_test_id("reception-result")).to_have_text("読み取り失敗")
    expect(page.get_by_role("region", name="受信の記録")).to_contain_text("unrecognised")
    expect(page.get_by_test_id("mail-text")).to_contain_text("受付番号 ZX-1")
    page.get_by_role("tab", name="原文（ソース）").click()
    expect(page.get_by_test_id("mail-source")).to_contain_text("Content-Transfer-Encoding: 8bit")
    page.get_by_role("tab", name="本文").click()

    # A mask for it: first for the sender, tried on this very mail, then saved.
    expect(page.get_by_label("マスク名")).to_have_value("some-cart")
    expect(page.get_by_label("差出人に含まれる文字")).to_have_value("@some-cart.example")
    page.get_by_label("注文番号の書き方").fill("受付番号 {value}")
    page.get_by_label("合計金額の書き方").fill("お代金：{value}")
    page.get_by_label("商品行も読み取る").check()
    page.get_by_label("商品欄の始まりの行").fill("ご購入ありがとうございます")
    page.get_by_label("商品行の書き方").fill("お品物：{name}")
    page.get_by_role("button", name="このメールで試す").click()
    result = page.get_by_role("region", name="試した結果")
    expect(result).to_contain_text("このマスクで読み取れました。")
    expect(result).to_contain_text("ZX-1")
    expect(result).to_contain_text("2,000円")
    expect(result).to_contain_text("湯呑み")
    expect(result).to_contain_text("メールアドレスがない注文にはフォローメールを送れません")
    assert local.get("/api/shops/demo/masks", token=owner_token(local)).json() == []  # tried, not saved

    page.get_by_role("button", name="解析マスクを保存").click()
    expect(page.get_by_test_id("notice-success").last).to_contain_text(
        "解析マスク「some-cart」を保存しました"
    )
    page.get_by_role("button", name="このメールをもう一度読み取る").click()
    expect(page.get_by_test_id("reception-result")).to_have_text("読み取り済み")
    expect(page.get_by_test_id("reception-order")).to_have_text("ZX-1")
    expect(page.get_by_role("region", name="登録された注文")).to_contain_text("湯呑み")

    masks = local.get("/api/shops/demo/masks", token=owner_token(local)).json()
    assert [(m["name"], m["match"]["from"], m["fields"]["order_id"]) for m in masks] == [
        ("some-cart", "@some-cart.example", "受付番号 {value}")
    ]
    # Read again well, the failure is resolved: one entry for the mail, with its earlier reading.
    history = page.get_by_test_id("reception-history")
    expect(history.get_by_role("listitem")).to_have_count(1)
    expect(history).to_contain_text("読み取り失敗")
    expect(history).to_contain_text("どの解析ルールにも一致しない形式です")
    [entry] = [e for e in local.receptions() if e["s3_key"] == key]
    assert (entry["result"], entry["order_key"].endswith("#ZX-1")) == ("parsed", True)
    open_screen(page, stack, "dashboard")
    page.get_by_role("button", name="最新の情報に更新").click()
    expect(page.get_by_test_id("alert-unknown")).to_be_visible()
    expect(page.get_by_test_id("alert-failed")).to_have_count(0)
    open_screen(page, stack, "receptions")
    expect(page.get_by_role("row").filter(has_text="ご購入ありがとうございます")).to_have_count(1)

    # The masks tab lists it.
    open_screen(page, stack, "receptions", "masks")
    row = page.get_by_role("row").filter(has_text="some-cart")
    expect(row).to_contain_text("@some-cart.example")

    # Deleting it asks first, and can be undone.
    row.get_by_role("button", name="削除: some-cart").click()
    dialog = page.get_by_role("dialog", name="解析マスク「some-cart」を削除しますか？")
    dialog.get_by_role("button", name="削除").click()
    expect(page.get_by_role("row").filter(has_text="some-cart")).to_have_count(0)
    assert local.get("/api/shops/demo/masks", token=owner_token(local)).json() == []
    deleted = page.get_by_test_id("notice-success").filter(has_text="解析マスク「some-cart」を削除しました")
    deleted.get_by_role("button", name="元に戻す").click()
    expect(page.get_by_role("row").filter(has_text="some-cart")).to_contain_text("@some-cart.example")
    assert [m["name"] for m in local.get("/api/shops/demo/masks", token=owner_token(local)).json()] == [
        "some-cart"
    ]


def owner_token(local: LocalClient) -> str:
    return local.sign_in("owner@okaeri.local", OWNER_PASSWORD)


def test_staff_reads_mails_and_masks_but_cannot_edit_them(
    page: Page, stack: LocalStack, local: LocalClient, staff_password: str
) -> None:
    token = owner_token(local)
    mask = {
        "name": "other-cart",
        "match": {"from": "@other-cart.example"},
        "fields": {"order_id": "No. {value}"},
    }
    assert local.request("PUT", "/api/shops/demo/masks/other-cart", json_body=mask, token=token).status == 200
    answer = local.send_mail((MAIL / "kurashi-order.eml").read_bytes())  # base64, Shift_JIS
    assert answer.endswith("failed (unrecognised)"), answer

    sign_in(page, stack, STAFF_EMAIL, staff_password)
    open_screen(page, stack, "receptions")
    page.get_by_role("row").filter(has_text="くらしカート").get_by_role("link").first.click()
    expect(page.get_by_test_id("reception-result")).to_have_text("読み取り失敗")
    expect(page.get_by_test_id("mail-text")).to_contain_text("■ご注文番号 : KC-0412")
    expect(page.get_by_text("マネージャー以上の権限の方に依頼してください")).to_be_visible()
    for name in ("もう一度読み取る", "このメールで試す", "解析マスクを保存"):
        expect(page.get_by_role("button", name=name)).to_have_count(0)
    expect(page.get_by_label("マスク名")).to_have_count(0)

    open_screen(page, stack, "receptions", "masks")
    row = page.get_by_role("row").filter(has_text="other-cart")
    expect(row).to_contain_text("@other-cart.example")
    expect(row.get_by_role("button", name="削除: other-cart")).to_have_count(0)
    expect(page.get_by_role("link", name="新しい解析マスク")).to_have_count(0)
    row.get_by_role("link", name="表示: other-cart").click()
    expect(page.get_by_role("cell", name="No. {value}")).to_be_visible()
    expect(page.get_by_label("マスク名")).to_have_count(0)


def test_the_dashboard_on_a_phone(owner_page: Page, stack: LocalStack) -> None:
    page = owner_page
    open_screen(page, stack, "dashboard")  # the menu folds away on a phone: go there first
    page.set_viewport_size(PHONE)
    expect(page.get_by_test_id("day-chart")).to_be_visible()
    expect(page.get_by_test_id("stat-orders")).to_be_visible()
    widest = page.locator("#main").evaluate(
        "main => Math.max(...[...main.querySelectorAll('*')]"
        ".filter(e => !e.closest('.table-wrap')).map(e => e.getBoundingClientRect().right))"
    )
    assert widest <= PHONE["width"]  # nothing but a table scrolls sideways
    screenshot(page, "dashboard-phone")


def test_the_log_shows_the_order_id_as_the_mall_wrote_it(
    owner_page: Page, stack: LocalStack, local: LocalClient
) -> None:
    """The key is normalised for lookups (upper case); the log and the entry show the mail's id."""
    page = owner_page
    answer = local.send_mail((MAIL / "yahoo-iso2022-company.eml").read_bytes())
    assert answer.endswith(" parsed"), answer
    open_screen(page, stack, "receptions")
    row = page.get_by_role("row").filter(has_text="midori-cha-10000077")
    expect(row).to_contain_text("読み取り済み")
    expect(row.locator(".mono")).to_have_text("midori-cha-10000077")  # has_text ignores case
    row.get_by_role("link").first.click()
    expect(page.get_by_test_id("reception-order")).to_have_text("midori-cha-10000077")
