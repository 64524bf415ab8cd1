"""The deliveries screen: find a mail by the buyer's name, see it as it will be sent, reschedule,
edit, stop; then move the clock and check the outbox did what the screen said. Roles: staff may
stop and reschedule but sees no edit control."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from okaeri_dev.stack import LocalStack
from tests.browser.conftest import DESKTOP, PHONE, STAFF_EMAIL, open_screen, screenshot, sign_in
from tests.conftest import FIXTURES
from tests.e2e.conftest import OWNER_PASSWORD
from tests.e2e.local import LocalClient

MAILS = FIXTURES / "mail"
NAKAJIMA = "aya.nakajima@example.net"  # eccube-html-gift: 中島 彩
KOBAYASHI = "b0c1d2e3f4a5b6c7@pc.fw.rakuten.ne.jp"  # rakuten-utf8-qp: 小林 蓮
EDITED_SUBJECT = "{{ customer.name }}様へ、感謝をこめて（年末のごあいさつ）"


@pytest.fixture(scope="module")
def planned(local: LocalClient) -> dict[tuple[str, str], dict[str, Any]]:
    """Two fixture orders sent by SMTP; their mails by (buyer address, step)."""
    for name in ("eccube-html-gift", "rakuten-utf8-qp"):
        assert local.send_mail((MAILS / f"{name}.eml").read_bytes()).endswith(" parsed")
    token = local.sign_in("owner@okaeri.local", OWNER_PASSWORD)
    items = local.get("/api/shops/demo/deliveries", token=token).json()["items"]
    assert len(items) == 6
    return {(item["customer_email"], item["step_id"]): item for item in items}


def delivery(local: LocalClient, delivery_id: str) -> dict[str, Any]:
    token = local.sign_in("owner@okaeri.local", OWNER_PASSWORD)
    reply = local.get(f"/api/shops/demo/deliveries/{delivery_id}", token=token)
    assert reply.status == 200, reply.body
    found: dict[str, Any] = reply.json()["delivery"]
    return found


def search(page: Page, text: str) -> None:
    page.get_by_label("お客様（名前・メールアドレス）").fill(text)
    page.get_by_role("button", name="検索").click()


def open_row(page: Page, address: str, step: str) -> None:
    row = page.get_by_role("row").filter(has_text=address).filter(has_text=f"· {step}")
    row.get_by_role("link").click()


def test_staff_may_stop_or_move_a_mail_but_sees_no_edit_control(
    page: Page, stack: LocalStack, staff_password: str, planned: dict[tuple[str, str], dict[str, Any]]
) -> None:
    sign_in(page, stack, STAFF_EMAIL, staff_password)
    # the dashboard's link: the filter is read from the hash
    page.goto(f"{stack.gateway_url}/#/demo/deliveries?status=unknown")
    expect(page.get_by_label("状態")).to_have_value("unknown")
    expect(page.get_by_text("条件に合う配信はありません")).to_be_visible()
    page.get_by_role("link", name="クリア").click()
    expect(page.get_by_role("row")).to_have_count(7)  # the header and six mails

    open_row(page, KOBAYASHI, "thanks")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "【おかえり茶舗（デモ）】小林 蓮様、ご注文ありがとうございます"
    )
    expect(page.get_by_role("button", name="日時を変更")).to_be_visible()
    expect(page.get_by_role("button", name="配信を停止")).to_be_visible()
    expect(page.get_by_role("button", name="件名・本文を編集")).to_have_count(0)
    expect(page.get_by_text("件名・本文の編集はマネージャー以上の方が行えます。")).to_be_visible()


def test_find_reschedule_edit_and_stop_then_the_outbox_agrees(
    owner_page: Page, stack: LocalStack, local: LocalClient, planned: dict[tuple[str, str], dict[str, Any]]
) -> None:
    page = owner_page
    like = planned[(NAKAJIMA, "like")]
    love = planned[(NAKAJIMA, "love")]
    stopped = planned[(KOBAYASHI, "like")]
    open_screen(page, stack, "deliveries")
    expect(page.get_by_role("row")).to_have_count(7)
    expect(page.get_by_role("row").filter(has_text=KOBAYASHI).first).to_contain_text("小林 蓮")
    # a mail is named by its template too, not only by its step id
    like_row = page.get_by_role("row").filter(has_text=NAKAJIMA).filter(has_text="· like")
    expect(like_row.get_by_test_id("template-name")).to_have_text(" · ライクメール（2週間後）")
    screenshot(page, "deliveries")

    # Found by the buyer's name; the filter lands in the hash (a link)
    search(page, "中島")
    expect(page).to_have_url(re.compile(r"#/demo/deliveries\?q=%E4%B8%AD%E5%B3%B6$"))
    expect(page.get_by_role("row")).to_have_count(4)
    expect(page.get_by_role("row").filter(has_text=KOBAYASHI)).to_have_count(0)
    # each row names the buyer found, not only the address (a Rakuten buyer's is masked)
    expect(page.locator("td.dl-customer .dl-customer-name")).to_have_text(["中島 彩"] * 3)

    # The mail as it will be sent: subject, text and the HTML in a sandboxed frame
    open_row(page, NAKAJIMA, "like")
    expect(page.get_by_role("heading", level=1)).to_have_text("中島 彩様、おいしい淹れ方のご案内")
    expect(page.get_by_test_id("send-at")).to_have_text("2026/12/21 19:00")
    frame = page.locator("iframe.preview-frame")
    expect(frame).to_have_attribute("sandbox", "")
    expect(page.frame_locator("iframe.preview-frame").locator("body")).to_contain_text("中島 彩様")
    page.get_by_role("tab", name="テキスト").click()
    expect(page.locator("pre.dl-text")).to_contain_text("中島 彩様")
    screenshot(page, "delivery-detail")

    # Reschedule (shop time), undo moves it back, then again for real
    page.get_by_label("新しい送信日時").fill("2026-12-25T10:00")
    page.get_by_role("button", name="日時を変更").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("2026/12/21 19:00 から 2026/12/25 10:00 に変更します")
    dialog.get_by_role("button", name="変更する").click()
    expect(page.get_by_test_id("send-at")).to_have_text("2026/12/25 10:00")
    assert delivery(local, like["id"])["send_at"] == "2026-12-25T01:00:00Z"
    page.get_by_test_id("notice-success").filter(has_text="2026/12/25 10:00 に変更しました").get_by_role(
        "button", name="元に戻す"
    ).click()
    expect(page.get_by_test_id("send-at")).to_have_text("2026/12/21 19:00")
    assert delivery(local, like["id"])["send_at"] == "2026-12-21T10:00:00Z"
    page.get_by_label("新しい送信日時").fill("2026-12-25T10:00")
    page.get_by_role("button", name="日時を変更").click()
    page.get_by_role("dialog").get_by_role("button", name="変更する").click()
    expect(page.get_by_test_id("send-at")).to_have_text("2026/12/25 10:00")

    # Edit one mail's subject (owner ⊇ manager): it is what the buyer gets
    page.get_by_role("link", name="配信一覧へ戻る").click()
    expect(page).to_have_url(re.compile(r"#/demo/deliveries\?q="))
    open_row(page, NAKAJIMA, "love")
    html_tab = page.get_by_role("tab", name="HTML")
    expect(html_tab).to_be_visible()
    page.get_by_role("button", name="件名・本文を編集").click()
    # the mail has an HTML version, and the editor says plainly what a text edit does to it
    expect(page.get_by_test_id("html-dropped-warning")).to_contain_text("テキストのみで送られます")
    page.get_by_label("件名", exact=True).fill(EDITED_SUBJECT)
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("中島 彩様へ、感謝をこめて（年末のごあいさつ）")
    expect(page.get_by_text("編集済み").first).to_be_visible()
    assert delivery(local, love["id"])["edited_subject"] == EDITED_SUBJECT
    expect(html_tab).to_be_visible()  # a subject edit keeps the HTML version
    expect(page.get_by_test_id("text-only-notice")).to_have_count(0)

    # a text edit: the detail says the mail now goes as text only, and undoing it brings the HTML back
    page.get_by_role("button", name="件名・本文を編集").click()
    body = page.get_by_label("本文", exact=True)
    original = body.input_value()
    body.fill(original + "\n追伸: 年末年始も営業しております。")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_test_id("text-only-notice")).to_contain_text("テキストのみで送られます")
    expect(html_tab).to_have_count(0)
    page.get_by_role("button", name="件名・本文を編集").click()
    page.get_by_label("本文", exact=True).fill(original)
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_test_id("text-only-notice")).to_have_count(0)
    expect(html_tab).to_be_visible()
    assert delivery(local, love["id"])["edited_text"] is None
    assert delivery(local, love["id"])["edited_subject"] == EDITED_SUBJECT

    # Stop another buyer's mail: the confirmation says it cannot be undone
    page.get_by_role("link", name="配信一覧へ戻る").click()
    search(page, "小林")
    open_row(page, KOBAYASHI, "like")
    page.get_by_role("button", name="配信を停止").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("停止した配信は再開できません")
    dialog.get_by_role("button", name="停止する").click()
    expect(page.locator(".dl-facts")).to_contain_text("停止")
    expect(page.locator(".dl-facts")).to_contain_text("担当者が停止しました")
    expect(page.get_by_role("button", name="配信を停止")).to_have_count(0)
    assert delivery(local, stopped["id"])["status"] == "cancelled"

    # Forty days on: every mail went out at its time, the moved one at its new time, the stopped none
    local.advance("40d")
    outbox = {message["tags"]["delivery"]: message for message in local.outbox()}
    assert stopped["id"] not in outbox
    assert len(outbox) == 5
    assert outbox[like["id"]]["at"] == "2026-12-25T01:00:00+00:00"
    assert outbox[love["id"]]["subject"] == "中島 彩様へ、感謝をこめて（年末のごあいさつ）"
    assert outbox[planned[(KOBAYASHI, "love")]["id"]]["at"] == "2026-12-27T10:00:00+00:00"

    page.get_by_role("link", name="配信一覧へ戻る").click()
    page.get_by_role("link", name="クリア").click()
    page.get_by_label("状態").select_option("sent")
    expect(page).to_have_url(re.compile(r"status=sent"))
    expect(page.get_by_role("row")).to_have_count(6)
    open_row(page, NAKAJIMA, "like")
    expect(page.get_by_role("heading", level=2, name="送信した内容")).to_be_visible()
    expect(page.get_by_test_id("send-at")).to_have_text("2026/12/25 10:00")
    expect(page.locator(".dl-history")).to_contain_text("送信しました")


def test_the_list_reads_well_on_a_phone(owner_page: Page, stack: LocalStack) -> None:
    page = owner_page
    open_screen(page, stack, "deliveries")
    page.set_viewport_size(PHONE)
    expect(page.get_by_role("row").filter(has_text=NAKAJIMA).first).to_be_visible()
    widest = page.locator("main").evaluate(
        "main => Math.max(...[...main.querySelectorAll('*')].map((e) => e.getBoundingClientRect().right))"
    )
    assert widest <= PHONE["width"]  # the list fits: each mail is a card, nothing scrolls sideways
    screenshot(page, "deliveries-phone")
    page.set_viewport_size(DESKTOP)


def test_a_stopped_mail_reads_as_not_sent(
    owner_page: Page, stack: LocalStack, local: LocalClient, planned: dict[tuple[str, str], dict[str, Any]]
) -> None:
    """A stopped mail's detail says what its text is (never sent, what it would have said), when it
    was planned for, and that no way of sending was used, not "as it will be sent"."""
    target = planned[(KOBAYASHI, "like")]
    if delivery(local, target["id"])["status"] == "scheduled":
        token = local.sign_in("owner@okaeri.local", OWNER_PASSWORD)
        assert local.post(f"/api/shops/demo/deliveries/{target['id']}/stop", token=token).status == 200
    assert delivery(local, target["id"])["status"] == "cancelled"
    page = owner_page
    open_screen(page, stack, "deliveries", target["id"])
    mail = page.get_by_role("region", name=re.compile("停止したため送信されなかった内容"))
    expect(mail).to_be_visible()
    facts = page.locator(".dl-facts")
    expect(facts).to_contain_text("予定していた送信日時")
    expect(page.get_by_test_id("transport")).to_have_text("送信していません")
    expect(page.locator("main")).not_to_contain_text("送信される内容")
    expect(page.locator("main")).not_to_contain_text("送信時に決まります")
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=2, name=re.compile("Not sent: stopped"))).to_be_visible()
    expect(page.get_by_test_id("transport")).to_have_text("Not sent")
    expect(page.locator("main")).not_to_contain_text("As it will be sent")


def test_the_history_says_who_moved_and_who_stopped_a_mail(
    owner_page: Page, stack: LocalStack, local: LocalClient
) -> None:
    """Every operator action is in the mail's history: who, when, and a move from what to what."""
    from datetime import datetime

    from okaeri_dev.send_sample import order_mail

    buyer = "history-test"
    mail = order_mail(ordered_at=datetime.fromisoformat(local.now()), serial=777, buyer_tag=buyer)
    assert local.send_mail(mail).endswith(" parsed")
    token = local.sign_in("owner@okaeri.local", OWNER_PASSWORD)
    items = local.get("/api/shops/demo/deliveries", token=token).json()["items"]
    [like] = [
        i for i in items if i["customer_email"] == f"buyer-{buyer}@example.jp" and i["step_id"] == "like"
    ]
    page = owner_page
    open_screen(page, stack, "deliveries", like["id"])
    planned_at = page.get_by_test_id("send-at").inner_text()
    page.get_by_label("新しい送信日時").fill(
        page.get_by_label("新しい送信日時").input_value().replace("T19:00", "T10:00")
    )
    page.get_by_role("button", name="日時を変更").click()
    page.get_by_role("dialog").get_by_role("button", name="変更する").click()
    expect(page.get_by_test_id("send-at")).not_to_have_text(planned_at)
    moved_at = page.get_by_test_id("send-at").inner_text()
    page.get_by_role("button", name="配信を停止").click()
    page.get_by_role("dialog").get_by_role("button", name="停止する").click()
    actions = page.get_by_test_id("operator-action")
    expect(actions).to_have_count(2)  # the stack's clock stands still: both at the same minute
    moved = actions.filter(has_text="owner@okaeri.local が送信日時を変更しました")
    expect(moved).to_contain_text(f"{planned_at} → {moved_at}")
    expect(actions.filter(has_text="owner@okaeri.local が停止しました")).to_have_count(1)
    page.get_by_role("button", name="English").click()
    expect(actions.filter(has_text="Stopped by owner@okaeri.local")).to_have_count(1)
    expect(actions.filter(has_text="Moved by owner@okaeri.local")).to_have_count(1)


def test_a_step_skipped_on_arrival_shows_with_its_reason(
    owner_page: Page, stack: LocalStack, local: LocalClient
) -> None:
    """An order mail that arrives ten days late: its thanks mail's time is gone. The delivery list
    and the order (on the mail's page) say so, with the reason, in Japanese and English."""
    from datetime import datetime, timedelta

    from okaeri_dev.send_sample import order_mail

    buyer = "late-order"
    late = datetime.fromisoformat(local.now()) - timedelta(days=10)
    answer = local.send_mail(order_mail(ordered_at=late, serial=778, buyer_tag=buyer))
    assert answer.endswith(" parsed"), answer
    page = owner_page
    open_screen(page, stack, "deliveries")
    search(page, f"buyer-{buyer}")
    skipped = page.get_by_role("row").filter(has_text="送信見送り")
    expect(skipped).to_have_count(1)
    expect(skipped).to_contain_text("thanks")
    expect(skipped).to_contain_text("送信日時を過ぎていたため")
    expect(page.get_by_role("row").filter(has_text="送信予定")).to_have_count(2)

    open_screen(page, stack, "receptions")
    page.get_by_role("row").filter(has_text="0000000778").get_by_role("link").first.click()
    order = page.get_by_role("region", name="登録された注文")
    expect(order).to_contain_text("送信予定のメール（2通）")
    mails = page.locator(".planned-mails li")  # the region's name follows the language
    expect(mails).to_have_count(3)
    expect(mails.filter(has_text="送信対象外")).to_contain_text("/ thanks — 送信日時を過ぎていたため")
    page.get_by_role("button", name="English").click()
    expect(mails.filter(has_text="Skipped")).to_contain_text("/ thanks — Its send time had passed")
