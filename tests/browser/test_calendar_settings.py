"""The business calendar and the settings screens: holidays by name, closing a day moves the
sample ship date (and undo), weekday rules, shop settings, write-only relay credentials, a coupon
upload with refused codes, inviting a user, and what a staff user may not change."""

from __future__ import annotations

import re
from datetime import date

from playwright.sync_api import Locator, Page, expect

from okaeri_dev.stack import LocalStack
from tests.browser.conftest import (
    OWNER_EMAIL,
    PHONE,
    STAFF_EMAIL,
    open_screen,
    screenshot,
    sign_in,
)
from tests.e2e.conftest import OWNER_PASSWORD
from tests.e2e.local import LocalClient

SETTINGS = "/api/shops/demo/settings"


def day_button(page: Page, day: date) -> Locator:
    """A calendar day's toggle, by its accessible name ("2026年12月1日(火)・営業日…")."""
    return page.get_by_role("button", name=re.compile(rf"^{day.year}年{day.month}月{day.day}日\("))


def sample_ship_date(page: Page) -> date:
    value = page.get_by_test_id("sample-ship-date").get_attribute("datetime")
    assert value is not None
    return date.fromisoformat(value)


def owner_token(local: LocalClient) -> str:
    return local.sign_in(OWNER_EMAIL, OWNER_PASSWORD)


def test_holidays_by_name_and_closing_a_day_moves_the_sample_ship_date(
    owner_page: Page, stack: LocalStack, local: LocalClient
) -> None:
    page = owner_page
    open_screen(page, stack, "calendar")
    expect(page.get_by_role("heading", name="2026年", exact=True)).to_be_visible()
    labour_day = page.get_by_role("button", name=re.compile(r"^2026年11月23日\(月\).*勤労感謝の日"))
    expect(labour_day).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_text("勤労感謝の日", exact=True)).to_be_visible()

    # The clock stands at 2026-11-30 07:00 (before the 12:00 cutoff): an order now ships the next
    # business day. Closing that day moves the ship date later; undo opens it again.
    ship = sample_ship_date(page)
    assert ship == date(2026, 12, 1)
    button = day_button(page, ship)
    expect(button).to_have_attribute("aria-pressed", "false")
    button.click()
    expect(button).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_test_id("sample-ship-date")).not_to_have_attribute("datetime", ship.isoformat())
    moved = sample_ship_date(page)
    assert moved > ship
    expect(page.get_by_test_id("notice-success")).to_contain_text("休業日にしました")
    calendar = local.get("/api/shops/demo/calendar", token=owner_token(local)).json()
    assert ship.isoformat() in calendar["closed_dates"]
    assert calendar["sample"]["ship_date"] == moved.isoformat()

    page.get_by_test_id("notice-success").get_by_role("button", name="元に戻す").click()
    expect(button).to_have_attribute("aria-pressed", "false")
    expect(page.get_by_test_id("sample-ship-date")).to_have_attribute("datetime", ship.isoformat())
    calendar = local.get("/api/shops/demo/calendar", token=owner_token(local)).json()
    assert ship.isoformat() not in calendar["closed_dates"]

    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "calendar")

    # The keyboard reaches the days: one tab stop for the year, the arrow keys move between days.
    expect(button).to_have_attribute("tabindex", "0")
    button.focus()
    page.keyboard.press("ArrowRight")
    expect(day_button(page, date(2026, 12, 2))).to_be_focused()
    expect(day_button(page, date(2026, 12, 2))).to_have_attribute("tabindex", "0")

    page.get_by_role("link", name="次の年（2027年）").click()
    expect(page.get_by_role("heading", name="2027年", exact=True)).to_be_visible()
    new_year = page.get_by_role("button", name=re.compile(r"^2027年1月1日\(金\).*元日"))
    expect(new_year).to_have_attribute("aria-pressed", "true")


def test_a_weekday_rule_is_saved_and_undone(owner_page: Page, stack: LocalStack, local: LocalClient) -> None:
    page = owner_page
    open_screen(page, stack, "calendar")
    saturday = day_button(page, date(2026, 12, 5))
    expect(saturday).to_have_attribute("aria-pressed", "false")
    page.get_by_role("checkbox", name="土曜日").check()
    page.get_by_label("出荷までの営業日数").fill("2")
    page.get_by_role("button", name="ルールを保存").click()
    expect(page.get_by_test_id("notice-success")).to_contain_text("営業日のルールを保存しました")
    expect(saturday).to_have_attribute("aria-pressed", "true")
    expect(saturday).to_have_accessible_name(re.compile("定休日"))
    stored = local.get(SETTINGS, token=owner_token(local)).json()
    assert stored["calendar"]["closed_weekdays"] == ["sat", "sun"]
    assert stored["ship_lead_business_days"] == 2

    page.get_by_test_id("notice-success").get_by_role("button", name="元に戻す").click()
    expect(saturday).to_have_attribute("aria-pressed", "false")
    expect(page.get_by_role("checkbox", name="土曜日")).not_to_be_checked()
    stored = local.get(SETTINGS, token=owner_token(local)).json()
    assert stored["calendar"]["closed_weekdays"] == ["sun"]
    assert stored["ship_lead_business_days"] == 1

    page.set_viewport_size(PHONE)
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "calendar-phone")


def test_shop_settings_are_saved(owner_page: Page, stack: LocalStack, local: LocalClient) -> None:
    page = owner_page
    open_screen(page, stack, "settings")
    expect(page.get_by_role("link", name="ショップ", exact=True)).to_have_attribute("aria-current", "page")
    expect(page.get_by_label("差出人名")).to_be_visible()  # the form, not "loading"
    screenshot(page, "settings")
    page.get_by_label("差出人名").fill("おかえり茶舗 本店")
    page.get_by_label("終了時刻").fill("09:00")
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.get_by_test_id("notice-success")).to_contain_text("ショップ設定を保存しました")
    stored = local.get(SETTINGS, token=owner_token(local)).json()
    assert stored["sender"]["name"] == "おかえり茶舗 本店"
    assert stored["quiet_hours"] == {"start": "21:00:00", "end": "09:00:00"}

    # A wrong value is refused in the form, before the API.
    page.get_by_label("差出人メールアドレス").fill("not-an-address")
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.get_by_text("メールアドレスの形式で入力してください")).to_be_visible()
    expect(page.get_by_label("差出人メールアドレス")).to_be_focused()


def test_relay_credentials_are_never_shown(owner_page: Page, stack: LocalStack, local: LocalClient) -> None:
    page = owner_page
    open_screen(page, stack, "settings", "relays")
    page.get_by_role("button", name="リレーを追加").click()
    page.get_by_label("名前", exact=True).fill("yahoo")
    page.get_by_label("ホスト名").fill("smtp.example.jp")
    page.get_by_label("宛先ドメイン").fill("example.jp, *.example.jp")
    page.get_by_label("ユーザー名").fill("relay-user-7")
    page.get_by_label("パスワード").fill("relay-secret-9x")
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.get_by_test_id("notice-success")).to_contain_text("SMTPリレー「yahoo」を保存しました")
    row = page.get_by_role("row").filter(has_text="smtp.example.jp")
    expect(row.get_by_text("設定済み")).to_be_visible()
    html = page.content()
    assert "relay-secret-9x" not in html
    assert "relay-user-7" not in html

    row.get_by_role("button", name="yahoo を編集").click()
    expect(page.get_by_label("パスワード")).to_have_count(0)  # hidden until asked to replace
    page.get_by_label("認証情報を置き換える").check()
    expect(page.get_by_label("パスワード")).to_have_value("")
    expect(page.get_by_label("ユーザー名")).to_have_value("")
    relays = local.get("/api/shops/demo/relays", token=owner_token(local)).json()["items"]
    stored = next(relay for relay in relays if relay["name"] == "yahoo")
    assert stored["credentials_set"] is True
    assert "relay-secret-9x" not in str(relays)


def test_a_coupon_csv_is_loaded_with_refused_codes_shown(owner_page: Page, stack: LocalStack) -> None:
    page = owner_page
    open_screen(page, stack, "settings", "coupons")
    expect(page.get_by_test_id("pool-DEMO10")).to_be_visible()
    page.get_by_label("プール名").fill("THANKS5")
    page.get_by_label("CSVファイル").set_input_files(
        files=[
            {
                "name": "codes.csv",
                "mimeType": "text/csv",
                "buffer": b"code\nOKA-0001\nOKA-0002\nHAS SPACE\nOKA-0001\n",
            }
        ]
    )
    page.get_by_role("button", name="アップロード").click()
    result = page.get_by_test_id("coupon-result")
    expect(result).to_contain_text("アップロード結果（THANKS5）")
    refused = result.get_by_role("row").filter(has_text="HAS SPACE")
    expect(refused).to_contain_text("空白が含まれています")
    expect(result.get_by_role("row").filter(has_text="OKA-0001")).to_contain_text(
        "ファイル内で重複しています"
    )
    pool = page.get_by_test_id("pool-THANKS5")
    expect(pool.get_by_role("cell").nth(1)).to_have_text("2")
    expect(pool.get_by_role("cell").nth(2)).to_have_text("0")


def test_the_owner_invites_a_user_and_the_last_owner_is_kept(
    owner_page: Page, stack: LocalStack, local: LocalClient
) -> None:
    page = owner_page
    open_screen(page, stack, "settings", "users")
    page.get_by_label("メールアドレス", exact=True).fill("new.manager@example.com")
    page.get_by_label("役割", exact=True).select_option(label="マネージャー")
    page.get_by_role("button", name="招待する").click()
    expect(page.get_by_test_id("notice-success")).to_contain_text("new.manager@example.com を招待しました")
    row = page.get_by_role("row").filter(has_text="new.manager@example.com")
    expect(row.get_by_role("combobox")).to_have_value("manager")
    expect(row).to_contain_text("招待中")
    users = local.get("/api/shops/demo/users", token=owner_token(local)).json()
    assert {"new.manager@example.com": "manager"}.items() <= {u["email"]: u["role"] for u in users}.items()

    # The API keeps a shop's last owner and says why; the role shown stays the stored one.
    page.get_by_label("owner@okaeri.local の役割").select_option("staff")
    expect(page.get_by_test_id("notice-error")).to_contain_text("最後のオーナー")
    expect(page.get_by_label("owner@okaeri.local の役割")).to_have_value("owner")
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "settings-users")


def test_a_staff_user_sees_read_only_views(page: Page, stack: LocalStack, staff_password: str) -> None:
    sign_in(page, stack, STAFF_EMAIL, staff_password)
    open_screen(page, stack, "settings")
    expect(page.get_by_text("閲覧のみです")).to_be_visible()
    expect(page.get_by_text("shop@okaeri.local")).to_be_visible()
    expect(page.get_by_role("button", name="保存")).to_have_count(0)
    expect(page.get_by_role("link", name="ユーザーと役割")).to_have_count(0)
    page.get_by_role("link", name="SMTPリレー").click()
    expect(page.get_by_text("設定済み").first).to_be_visible()
    expect(page.get_by_role("button").filter(has_text=re.compile("追加|編集|削除"))).to_have_count(0)
    page.get_by_role("link", name="クーポン").click()
    expect(page.get_by_test_id("pool-DEMO10")).to_be_visible()
    expect(page.get_by_role("button", name="アップロード")).to_have_count(0)

    open_screen(page, stack, "calendar")
    expect(page.get_by_text("勤労感謝の日", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="ルールを保存")).to_have_count(0)
    expect(day_button(page, date(2026, 12, 1))).to_have_count(0)
    expect(page.get_by_text("2026年12月1日(火)・営業日")).to_be_attached()


def test_removals_ask_first_and_undo_where_they_can(
    owner_page: Page, stack: LocalStack, local: LocalClient
) -> None:
    """Masks, relays and users: delete asks first; undo puts a mask or a user back; a relay's
    credentials cannot come back, so it has no undo; the last owner stays."""
    page = owner_page
    token = local.sign_in(OWNER_EMAIL, OWNER_PASSWORD)
    mask = {
        "name": "hf-mask",
        "kind": "order",
        "match": {"from": "x@example.com"},
        "fields": {"order_id": "注文番号：{value}"},
    }
    assert local.request("PUT", "/api/shops/demo/masks/hf-mask", token=token, json_body=mask).status < 300
    open_screen(page, stack, "settings", "masks")
    page.get_by_role("button", name="hf-mask を削除").click()
    dialog = page.get_by_role("dialog", name="解析マスク「hf-mask」を削除しますか？")
    dialog.get_by_role("button", name="キャンセル").click()
    expect(page.get_by_role("button", name="hf-mask を削除")).to_be_visible()
    page.get_by_role("button", name="hf-mask を削除").click()
    dialog.get_by_role("button", name="削除").click()
    notice = page.get_by_test_id("notice-success").filter(has_text="解析マスク「hf-mask」を削除しました")
    expect(page.get_by_role("button", name="hf-mask を削除")).to_have_count(0)
    notice.get_by_role("button", name="元に戻す").click()
    expect(
        page.get_by_test_id("notice-success").filter(has_text="解析マスク「hf-mask」を元に戻しました")
    ).to_be_visible()
    expect(page.get_by_role("button", name="hf-mask を削除")).to_be_visible()
    expect(page.get_by_role("button", name="hf-mask を編集")).to_be_visible()

    open_screen(page, stack, "settings", "relays")
    names = [r["name"] for r in local.get("/api/shops/demo/relays", token=token).json()["items"]]
    name = names[0]
    page.get_by_role("button", name=f"{name} を削除").click()
    page.get_by_role("dialog", name=f"SMTPリレー「{name}」を削除しますか？").get_by_role(
        "button", name="削除"
    ).click()
    notice = page.get_by_test_id("notice-success").filter(has_text=f"SMTPリレー「{name}」を削除しました")
    expect(notice).to_be_visible()
    expect(notice.get_by_role("button", name="元に戻す")).to_have_count(0)
    expect(page.get_by_role("button", name=f"{name} を削除")).to_have_count(0)

    open_screen(page, stack, "settings", "users")
    page.get_by_label("メールアドレス", exact=True).fill("hf.staff@example.com")
    page.get_by_role("button", name="招待する").click()
    expect(
        page.get_by_test_id("notice-success").filter(has_text="hf.staff@example.com を招待しました")
    ).to_be_visible()
    page.get_by_role("button", name="hf.staff@example.com をショップから外す").click()
    page.get_by_role("dialog", name="ユーザーをショップから外しますか？").get_by_role(
        "button", name="ショップから外す"
    ).click()
    notice = page.get_by_test_id("notice-success").filter(
        has_text="hf.staff@example.com をショップから外しました"
    )
    expect(page.get_by_role("button", name="hf.staff@example.com をショップから外す")).to_have_count(0)
    notice.get_by_role("button", name="元に戻す").click()
    expect(
        page.get_by_test_id("notice-success").filter(has_text="hf.staff@example.com をショップに戻しました")
    ).to_be_visible()
    expect(page.get_by_role("button", name="hf.staff@example.com をショップから外す")).to_be_enabled()
    # The last owner cannot be removed: the API says why, as an error notice.
    page.get_by_role("button", name=f"{OWNER_EMAIL} をショップから外す").click()
    page.get_by_role("dialog", name="ユーザーをショップから外しますか？").get_by_role(
        "button", name="ショップから外す"
    ).click()
    expect(page.get_by_test_id("notice-error")).to_be_visible()
    expect(page.get_by_role("button", name=f"{OWNER_EMAIL} をショップから外す")).to_be_enabled()
