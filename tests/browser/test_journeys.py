"""Journeys beyond one order on the admin page (issue #16): a win-back scenario (trigger lapsed, its
lapsed_days) and stop on reorder saved from the editor; the shop's frequency cap of advertising
mails saved from the settings; a mail stopped because its customer ordered again, said in words
in the deliveries list and detail, the order and the customer, in Japanese and English."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import boto3
from playwright.sync_api import Page, expect

from okaeri.aws.deliveries import DynamoDeliveries
from okaeri.models import DeliveryStatus
from okaeri.models.delivery import Skip
from okaeri_dev.send_sample import order_mail
from okaeri_dev.stack import LocalStack
from tests.browser.conftest import OWNER_EMAIL, open_screen
from tests.e2e.conftest import OWNER_PASSWORD
from tests.e2e.local import REGION, LocalClient

SCENARIOS = "/api/shops/demo/scenarios"
SETTINGS = "/api/shops/demo/settings"
REORDERED_JA = "お客様から新しいご注文があったため（再注文で止める）"
REORDERED_EN = "The customer ordered again (stop on reorder)"


def owner_token(local: LocalClient) -> str:
    return local.sign_in(OWNER_EMAIL, OWNER_PASSWORD)


def test_a_win_back_scenario_is_saved_with_its_lapsed_days_and_stop_on_reorder(
    owner_page: Page, stack: LocalStack, local: LocalClient
) -> None:
    page = owner_page
    open_screen(page, stack, "scenarios", "new")
    step = page.get_by_role("group", name="ステップ 1")
    expect(step.get_by_label("テンプレート")).to_have_value("thanks")
    expect(page.get_by_label("休眠とみなす日数（N）")).to_have_count(0)  # only for the lapsed trigger

    # Lapsed: the number of days appears with its hint, and step 1 becomes a coupon mail on day 0.
    page.get_by_label("起点").select_option(label="休眠（最終注文から N 日）")
    days = page.get_by_label("休眠とみなす日数（N）")
    expect(days).to_have_value("90")
    expect(page.get_by_text("最終注文から 90 日たっても次のご注文がないお客様に送ります")).to_be_visible()
    expect(page.get_by_text("その日（休眠日）が0日目で")).to_be_visible()
    expect(step.get_by_label("ステップID")).to_have_value("winback")
    expect(step.get_by_role("checkbox", name="クーポン（広告）")).to_be_checked()
    expect(step.get_by_role("checkbox", name="お礼")).not_to_be_checked()
    expect(step.get_by_label("休眠日からの日数")).to_have_value("0")
    expect(step.get_by_text("受け付けたらすぐに送信する")).to_have_count(0)  # no order starts it
    expect(step.get_by_label("テンプレート")).to_have_value("winback")  # the win-back template
    days.fill("20")
    expect(page.get_by_text("30〜730の整数で入力してください。")).to_be_visible()
    days.fill("45")
    expect(page.get_by_text("最終注文から 45 日たっても次のご注文がないお客様に送ります")).to_be_visible()

    # Stop on reorder: each choice says what it does.
    stop = page.get_by_label("再注文で止める")
    expect(stop).to_have_value("advertising")
    expect(page.get_by_text("送信待ちのクーポン・販促のメールを送りません")).to_be_visible()
    stop.select_option(label="すべて止める")
    expect(page.get_by_text("このシナリオの送信待ちのメールをすべて送りません")).to_be_visible()

    page.get_by_label("シナリオ名").fill("お久しぶりクーポン")
    page.get_by_label("シナリオID").fill("winback")
    page.get_by_label("販売チャネル").fill("yahoo")
    # The demo shop checks Rakuten's rules: a coupon rides on a usage-tips mail.
    step.get_by_role("checkbox", name="使い方のご案内").check()
    expect(page.get_by_text("ルール上の問題はありません")).to_be_visible()
    page.get_by_role("button", name="作成", exact=True).click()
    expect(page.get_by_role("heading", name="お久しぶりクーポン")).to_be_visible()

    saved = local.get(f"{SCENARIOS}/winback", token=owner_token(local)).json()
    assert saved["trigger"] == "lapsed"
    assert saved["lapsed_days"] == 45
    assert saved["stop_on_reorder"] == "all"
    assert saved["conditions"]["sources"] == ["yahoo"]
    assert [(s["id"], s["offset_days"], s["template"], sorted(s["purposes"])) for s in saved["steps"]] == [
        ("winback", 0, "winback", ["coupon", "usage_tips"])
    ]
    # The saved scenario reads back as it was shown.
    expect(page.get_by_label("起点")).to_have_value("lapsed")
    expect(page.get_by_label("休眠とみなす日数（N）")).to_have_value("45")
    expect(page.get_by_label("再注文で止める")).to_have_value("all")
    # No order starts it: no sample order plans it either.
    expect(page.get_by_test_id("preview-lapsed")).to_contain_text("最後のご注文から 45 日たっても")
    expect(page.get_by_role("button", name="サンプル注文で計算")).to_have_count(0)

    # A scenario of another trigger sends no lapsed_days: back to the ship date, and saved.
    page.get_by_label("起点").select_option("shipped")
    expect(page.get_by_label("休眠とみなす日数（N）")).to_have_count(0)
    expect(page.get_by_role("group", name="ステップ 1").get_by_label("ステップID")).to_have_value("winback")
    page.get_by_label("再注文で止める").select_option("none")
    page.get_by_role("button", name="保存（新しい版）").click()
    expect(page.get_by_test_id("saved-note")).to_contain_text("第2版として保存しました")
    again = local.get(f"{SCENARIOS}/winback", token=owner_token(local)).json()
    assert (again["trigger"], again["lapsed_days"], again["stop_on_reorder"]) == ("shipped", None, "none")

    # The list names the trigger; English too.
    page.get_by_label("起点").select_option("lapsed")
    expect(page.get_by_label("休眠とみなす日数（N）")).to_have_value(
        "90"
    )  # the saved version has none: the default
    page.get_by_label("休眠とみなす日数（N）").fill("45")
    page.get_by_role("button", name="保存（新しい版）").click()
    expect(page.get_by_test_id("saved-note")).to_contain_text("第3版として保存しました")
    open_screen(page, stack, "scenarios")
    row = page.get_by_role("row").filter(has_text="お久しぶりクーポン")
    expect(row).to_contain_text("休眠（最終注文から45日）")
    page.get_by_role("button", name="English").click()
    expect(row).to_contain_text("Lapsed (45 days)")
    row.get_by_role("link", name="お久しぶりクーポン").click()
    expect(page.get_by_label("Starts from")).to_have_value("lapsed")
    expect(page.get_by_text("Lapsed (N days after the last order)")).to_be_attached()
    expect(page.get_by_text("Day 0 is that day (the lapse day)")).to_be_visible()
    expect(page.get_by_label("Stop on reorder")).to_have_value("none")


def test_the_frequency_cap_is_saved_and_turned_off(
    owner_page: Page, stack: LocalStack, local: LocalClient
) -> None:
    page = owner_page
    demo_cap = {"mails": 2, "days": 7}  # the demo shop's (devstack/okaeri_dev/demo/shop.yaml)
    assert local.get(SETTINGS, token=owner_token(local)).json()["frequency_cap"] == demo_cap
    open_screen(page, stack, "settings")
    cap = page.get_by_test_id("frequency-cap")
    expect(cap).to_contain_text("広告メールの上限")
    turn_on = cap.get_by_role("checkbox", name="お客様ごとに、広告メールの通数に上限を設ける")
    expect(turn_on).to_be_checked()
    expect(cap.get_by_label("期間（日）", exact=True)).to_have_value("7")
    expect(cap.get_by_label("通数", exact=True)).to_have_value("2")
    expect(cap).to_contain_text("日に")
    expect(cap).to_contain_text("通まで")

    # A wrong value is refused in the form, before the API.
    cap.get_by_label("通数", exact=True).fill("0")
    page.get_by_role("button", name="保存", exact=True).click()
    expect(cap.get_by_text("1〜50")).to_have_count(2)  # the hint and the error
    assert local.get(SETTINGS, token=owner_token(local)).json()["frequency_cap"] == demo_cap

    cap.get_by_label("期間（日）", exact=True).fill("10")
    cap.get_by_label("通数", exact=True).fill("3")
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.get_by_test_id("notice-success")).to_contain_text("ショップ設定を保存しました")
    assert local.get(SETTINGS, token=owner_token(local)).json()["frequency_cap"] == {"mails": 3, "days": 10}

    # Read back after a reload, in English too; then turned off.
    page.reload()
    cap = page.get_by_test_id("frequency-cap")
    expect(cap.get_by_label("期間（日）", exact=True)).to_have_value("10")
    expect(cap.get_by_label("通数", exact=True)).to_have_value("3")
    page.get_by_role("button", name="English").click()
    expect(cap).to_contain_text("Advertising mail limit")
    expect(cap.get_by_label("Mails", exact=True)).to_have_value("3")
    cap.get_by_role("checkbox", name="Limit the advertising mails each customer gets").uncheck()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_test_id("notice-success")).to_be_visible()
    assert local.get(SETTINGS, token=owner_token(local)).json()["frequency_cap"] is None

    # Off, it offers the usual limit again when turned on (2 in 7 days).
    page.reload()
    cap = page.get_by_test_id("frequency-cap")
    turn_on = cap.get_by_role("checkbox", name="Limit the advertising mails each customer gets")
    expect(turn_on).not_to_be_checked()
    expect(cap.get_by_label("Mails", exact=True)).to_have_count(0)
    turn_on.check()
    expect(cap.get_by_label("Mails", exact=True)).to_have_value("2")


def stop_as_reordered(local: LocalClient, buyer: str) -> dict[str, Any]:
    """One of the buyer's pending mails, stopped as the stop-on-reorder rule stops it: ``skipped``,
    reason ``reordered``, written by the deliveries adapter the schedule service uses."""
    item: dict[str, Any] = next(
        d for d in local.deliveries() if d["status"] == "scheduled" and buyer in str(d.get("customer_email"))
    )
    client = boto3.client(
        "dynamodb",
        endpoint_url=local.aws_url,
        region_name=REGION,
        aws_access_key_id="e2e",
        aws_secret_access_key="e2e",
    )
    deliveries = DynamoDeliveries(local.table("deliveries").name, retention_days=1, client=client)
    assert deliveries.finish(
        str(item["pk"]),
        str(item["sk"]),
        status=DeliveryStatus.SKIPPED,
        reason=Skip.REORDERED,
        from_status=[DeliveryStatus.SCHEDULED],
    )
    return item


def test_a_mail_stopped_by_a_reorder_says_why(
    owner_page: Page, stack: LocalStack, local: LocalClient
) -> None:
    buyer = "buyer-came-back"
    ordered = datetime.fromisoformat(local.now()) - timedelta(hours=1)
    assert local.send_mail(order_mail(ordered_at=ordered, serial=4601, buyer_tag="came-back")).endswith(
        " parsed"
    )
    stopped = stop_as_reordered(local, buyer)
    page = owner_page

    # The deliveries list: the reason in words, its code beside.
    open_screen(page, stack, "deliveries")
    page.get_by_label("お客様（名前・メールアドレス）").fill(buyer)
    page.get_by_role("button", name="検索").click()
    skipped = page.get_by_role("row").filter(has_text="送信見送り")
    expect(skipped).to_have_count(1)
    expect(skipped).to_contain_text(stopped["step_id"])
    expect(skipped).to_contain_text(REORDERED_JA)
    expect(skipped).to_contain_text("(reordered)")
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("row").filter(has_text="Skipped")).to_contain_text(REORDERED_EN)

    # The mail's page.
    open_screen(page, stack, "deliveries", str(stopped["sk"]))
    facts = page.get_by_role("region", name="Details")
    expect(facts).to_contain_text(REORDERED_EN)
    page.get_by_role("button", name="日本語").click()
    facts = page.get_by_role("region", name="配信情報")
    expect(facts).to_contain_text(REORDERED_JA)

    # The order, as the receptions screen shows it.
    open_screen(page, stack, "receptions")
    page.get_by_role("row").filter(has_text="0000004601").get_by_role("link").first.click()
    mails = page.locator(".planned-mails li")
    expect(mails.filter(has_text=REORDERED_JA)).to_have_count(1)
    expect(mails.filter(has_text=REORDERED_JA)).to_contain_text(f"/ {stopped['step_id']}")

    # The customer's mails.
    token = owner_token(local)
    customer_id = local.get(f"/api/shops/demo/customers?q={buyer}", token=token).json()["items"][0][
        "customer_id"
    ]
    open_screen(page, stack, "customers", customer_id)
    row = page.get_by_role("row").filter(has_text="送信見送り")
    expect(row).to_contain_text(REORDERED_JA)
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("row").filter(has_text="Skipped")).to_contain_text(REORDERED_EN)
