"""テンプレート: the editor's live preview (PC / mobile, text / HTML, a sandboxed frame), render
errors next to the field, the merge-tag help, saving a new version, a test send into the outbox,
creating a template, and the read-only view a staff member gets."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from okaeri.rendering.tag_aliases import ALIASES
from okaeri_dev.stack import LocalStack
from tests.browser.conftest import OWNER_EMAIL, PHONE, STAFF_EMAIL, open_screen, screenshot, sign_in
from tests.e2e.conftest import OWNER_PASSWORD
from tests.e2e.local import LocalClient

BUYER = "山田 花子"  # the sample order's buyer (okaeri.samples.sample_order)
SHOP_NAME = "おかえり茶舗（デモ）"
HTML_FRAME = 'iframe[title="HTMLメールのプレビュー"]'


def test_the_preview_follows_the_typing_in_every_view(owner_page: Page, stack: LocalStack) -> None:
    page = owner_page
    _open(page, stack)
    page.get_by_role("link", name="サンキューメール（出荷日）").click()
    expect(page.get_by_role("heading", name="サンキューメール（出荷日）")).to_be_visible()
    subject = page.get_by_label("件名", exact=True)
    preview_subject = page.get_by_test_id("preview-subject")
    expect(preview_subject).to_contain_text(f"{BUYER}様、ご注文ありがとうございます")

    subject.fill("{{ customer.name }}様、お茶が届きましたか")
    expect(preview_subject).to_have_text(f"{BUYER}様、お茶が届きましたか")

    # The HTML runs in a frame with no permission at all, its document the rendered mail.
    frame = page.locator(HTML_FRAME)
    expect(frame).to_have_attribute("sandbox", "")
    assert "allow-" not in (frame.get_attribute("sandbox") or "")
    page.get_by_label("本文（HTML・任意）").fill(
        "<p><b>{{ customer.name }}様</b>、いつもありがとうございます。</p>"
    )
    expect(page.frame_locator(HTML_FRAME).locator("b")).to_have_text(f"{BUYER}様")

    page.get_by_role("button", name="テキスト", exact=True).click()
    expect(page.get_by_role("button", name="テキスト", exact=True)).to_have_attribute("aria-pressed", "true")
    text = page.get_by_test_id("preview-text")
    expect(text).to_contain_text(f"{BUYER}様")
    page.get_by_label("本文（テキスト）").fill(
        "{{ customer.name }}様\nご注文番号 {{ order.order_id }} です。"
    )
    expect(text).to_contain_text(re.compile(rf"{BUYER}様\nご注文番号 \d{{6}}-\d{{8}}-\d{{10}} です。"))

    # Carrier mobile: the mobile text only, ISO-2022-JP, to the sample's carrier address.
    page.get_by_role("button", name="携帯キャリア").click()
    expect(text).to_contain_text("ご注文の品は本日発送の予定です")  # the sample is not shipped yet
    expect(page.get_by_role("button", name="HTML", exact=True)).to_be_disabled()
    expect(page.locator(".tpl-mail-head")).to_contain_text("@docomo.ne.jp (iso-2022-jp)")

    page.get_by_role("button", name="PC・スマートフォン").click()
    page.get_by_role("button", name="HTML", exact=True).click()
    expect(page.frame_locator(HTML_FRAME).locator("b")).to_have_text(f"{BUYER}様")
    page.evaluate("scrollTo(0, 0)")
    expect(page.locator(HTML_FRAME)).to_be_in_viewport()
    screenshot(page, "template-editor")


def test_an_unknown_tag_is_named_next_to_the_field(owner_page: Page, stack: LocalStack) -> None:
    page = owner_page
    _open(page, stack, "like")
    body = page.get_by_label("本文（テキスト）")
    expect(page.get_by_test_id("preview-subject")).to_contain_text(BUYER)
    body.fill("@client_name@様\n@nosuch_tag@ をご確認ください。")
    error = page.get_by_test_id("tpl-render-error")
    expect(error).to_contain_text("不明な差し込みタグ")
    expect(error).to_contain_text("@nosuch_tag@")
    expect(body).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".field-error")).to_contain_text("@nosuch_tag@")

    body.fill("@client_name@様\n{{ customer.nam }} をご確認ください。")
    expect(error).to_contain_text("customer.nam")
    body.fill("@client_name@様\nご確認ください。")
    expect(error).to_be_hidden()
    expect(page.get_by_test_id("preview-text").or_(page.locator(HTML_FRAME))).to_be_visible()


def test_the_help_lists_every_tag_and_inserts_at_the_cursor(owner_page: Page, stack: LocalStack) -> None:
    page = owner_page
    _open(page, stack, "love")
    help_card = page.locator("details.tpl-tag-help")
    for alias in ALIASES:  # every @tag@ of okaeri.rendering.tag_aliases, each beside its Jinja tag
        expect(help_card.get_by_role("button", name=f"@{alias}@", exact=True)).to_be_visible()
    expect(help_card.get_by_role("button", name="{{ customer.name }}", exact=True)).to_be_visible()
    expect(help_card.get_by_role("button", name="@coupon_DEMO10@")).to_be_visible()

    subject = page.get_by_label("件名", exact=True)
    subject.fill("【】ご案内")
    subject.evaluate("element => { element.focus(); element.setSelectionRange(1, 1); }")
    expect(help_card).to_contain_text("挿入先: 件名")
    help_card.get_by_role("button", name="@shop_name@", exact=True).click()
    expect(subject).to_have_value("【@shop_name@】ご案内")
    expect(page.get_by_test_id("preview-subject")).to_have_text(f"【{SHOP_NAME}】ご案内")
    # The cursor stays after the inserted tag: a second click follows the first.
    help_card.get_by_role("button", name="{{ customer.name }}", exact=True).click()
    expect(subject).to_have_value("【@shop_name@{{ customer.name }}】ご案内")
    expect(page.get_by_test_id("preview-subject")).to_have_text(f"【{SHOP_NAME}{BUYER}】ご案内")


def test_save_makes_a_new_version_and_a_test_send_reaches_the_outbox(
    owner_page: Page, stack: LocalStack, local: LocalClient
) -> None:
    page = owner_page
    _open(page, stack, "like")
    save = page.get_by_role("button", name="保存（新しい版として）")
    expect(save).to_be_disabled()  # nothing changed yet
    page.get_by_label("件名", exact=True).fill("@client_name@様、新しい淹れ方のご案内")
    expect(page.get_by_text("未保存の変更があります。")).to_be_visible()
    expect(page.get_by_text("未保存の変更はテスト送信に含まれません")).to_be_visible()
    save.click()
    expect(page.get_by_test_id("notice-success")).to_contain_text("第2版として保存しました")
    versions = page.get_by_role("region", name="版の履歴")
    expect(versions.get_by_role("listitem").first).to_contain_text("第2版")
    expect(versions.get_by_role("listitem").first).to_contain_text("現在の版")
    expect(page.get_by_text("ID: like・第2版")).to_be_visible()
    stored = local.get("/api/shops/demo/templates/like/versions", token=_owner(local)).json()
    assert sorted(version["version"] for version in stored) == [1, 2]

    # The older version opens from the list, read as it was.
    versions.get_by_role("link", name="第1版").click()
    expect(page.get_by_label("件名", exact=True)).to_have_value("@client_name@様、おいしい淹れ方のご案内")
    expect(page.get_by_text("過去の版（第1版）を表示しています")).to_be_visible()
    page.get_by_role("link", name="最新の版（第2版）を表示").click()
    expect(page.get_by_label("件名", exact=True)).to_have_value("@client_name@様、新しい淹れ方のご案内")

    before = len(local.outbox())
    page.get_by_label("送信先メールアドレス").fill("tester@example.com")
    with page.expect_request(re.compile(r"/templates/like/test-send$")) as sent:
        page.get_by_role("button", name="テスト送信", exact=True).click()
    assert sent.value.headers.get("idempotency-key")
    result = page.get_by_test_id("test-result")
    expect(result).to_contain_text("tester@example.com にテストメールを送信しました")
    expect(result).to_contain_text(f"{BUYER}様、新しい淹れ方のご案内")
    mails = local.outbox(since=before)
    assert [mail["to"] for mail in mails] == ["tester@example.com"]
    assert mails[0]["tags"].get("kind") == "test_send"

    # A save can be undone from its notice: the previous content comes back as a newer version.
    page.get_by_label("件名", exact=True).fill("@client_name@様、間違えた件名")
    save.click()
    saved = page.get_by_test_id("notice-success").filter(has_text="第3版として保存しました")
    saved.get_by_role("button", name="元に戻す").click()
    expect(
        page.get_by_test_id("notice-success").filter(has_text="第2版の内容に戻し、第4版として保存しました")
    ).to_be_visible()
    expect(page.get_by_label("件名", exact=True)).to_have_value("@client_name@様、新しい淹れ方のご案内")
    expect(versions.get_by_role("listitem").first).to_contain_text("第4版")


def test_a_new_template_is_created_as_version_1(
    owner_page: Page, stack: LocalStack, local: LocalClient
) -> None:
    page = owner_page
    _open(page, stack)
    page.get_by_role("link", name="新規作成").click()
    expect(page.get_by_role("heading", name="テンプレートの新規作成")).to_be_visible()
    expect(page.get_by_test_id("preview-subject")).to_contain_text(f"{BUYER}様、ご注文ありがとうございます")
    page.get_by_role("button", name="作成").click()
    expect(page.locator(".field-error")).to_contain_text("IDは半角英数字で始まり")
    page.get_by_label("テンプレートID").fill("welcome")
    page.get_by_label("テンプレート名").fill("ようこそメール")
    page.get_by_role("button", name="作成").click()
    expect(page.get_by_test_id("notice-success")).to_contain_text(
        "テンプレート「ようこそメール」を作成しました（第1版）"
    )
    expect(page.get_by_role("heading", name="ようこそメール")).to_be_visible()
    expect(page).to_have_url(re.compile(r"#/demo/templates/welcome$"))
    template = local.get("/api/shops/demo/templates/welcome", token=_owner(local)).json()
    assert (template["name"], template["version"]) == ("ようこそメール", 1)

    # Another one, copied from an existing template.
    page.get_by_role("link", name="一覧に戻る").click()
    expect(page.get_by_role("link", name="ようこそメール")).to_be_visible()  # the list has the new one
    page.get_by_role("link", name="ラブメール（20日後・クーポン付き）").click()
    page.get_by_role("link", name="複製して新規作成").click()
    expect(page.get_by_label("テンプレート名")).to_have_value("ラブメール（20日後・クーポン付き）（コピー）")
    expect(page.get_by_test_id("preview-subject")).to_have_text(f"{BUYER}様へ、感謝をこめて")
    page.get_by_label("テンプレートID").fill("love-winter")
    page.get_by_role("button", name="作成").click()
    expect(page).to_have_url(re.compile(r"#/demo/templates/love-winter$"))
    copied = local.get("/api/shops/demo/templates/love-winter", token=_owner(local)).json()
    assert 'coupon("DEMO10")' in copied["text"]


def test_staff_get_a_read_only_view(page: Page, stack: LocalStack, staff_password: str) -> None:
    sign_in(page, stack, STAFF_EMAIL, staff_password)
    _open(page, stack)
    expect(page.get_by_role("link", name="サンキューメール（出荷日）")).to_be_visible()
    expect(page.get_by_role("link", name="新規作成")).to_have_count(0)
    page.get_by_role("link", name="サンキューメール（出荷日）").click()
    expect(page.get_by_test_id("preview-subject")).to_contain_text(BUYER)  # staff may preview
    expect(page.get_by_text("閲覧のみです")).to_be_visible()
    expect(page.get_by_label("件名", exact=True)).to_have_attribute("readonly", "")
    expect(page.get_by_role("button", name=re.compile("保存"))).to_have_count(0)
    expect(page.get_by_role("button", name=re.compile("テスト送信"))).to_have_count(0)
    expect(page.get_by_label("送信先メールアドレス")).to_have_count(0)
    expect(page.get_by_role("link", name="複製して新規作成")).to_have_count(0)
    # The help still lists the tags, as text rather than insert buttons.
    expect(page.locator("details.tpl-tag-help code", has_text="@client_name@")).to_be_visible()
    expect(page.locator("details.tpl-tag-help button")).to_have_count(0)
    expect(page.get_by_role("region", name="版の履歴")).to_contain_text("第1版")


def test_the_editor_fits_a_phone(owner_page: Page, stack: LocalStack) -> None:
    page = owner_page
    _open(page, stack, "thanks")  # the menu is folded away on a phone
    page.set_viewport_size(PHONE)
    expect(page.get_by_test_id("preview-subject")).to_contain_text(BUYER)
    page.get_by_role("button", name="プレビューを見る ↓").click()  # the preview is below the form here
    expect(page.locator(HTML_FRAME)).to_be_in_viewport()
    page.get_by_role("button", name="携帯キャリア").click()
    expect(page.get_by_test_id("preview-text")).to_contain_text("ご注文の品は本日発送の予定です")
    assert _widest_in_main(page) <= PHONE["width"]
    page.evaluate("scrollTo(0, 0)")
    screenshot(page, "template-editor-phone")


def _open(page: Page, stack: LocalStack, *rest: str) -> None:
    """``open_screen`` once the shell has taken the signed-in user to the dashboard (it moves a
    page without a shop there, and would undo a navigation made before it did)."""
    expect(page).to_have_url(re.compile(r"#/demo/dashboard$"))
    open_screen(page, stack, "templates", *rest)


def _widest_in_main(page: Page) -> int:
    """The right edge of the furthest-reaching element of the screen (the shell's bar aside)."""
    return int(
        page.evaluate(
            "() => Math.max(...[...document.querySelectorAll('main *')]"
            ".map((element) => element.getBoundingClientRect().right))"
        )
    )


def _owner(local: LocalClient) -> str:
    return local.sign_in(OWNER_EMAIL, OWNER_PASSWORD)
