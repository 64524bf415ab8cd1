"""Sign-in, the shell and the page's delivery: CSP, language switch, sign-out, a phone's width."""

from __future__ import annotations

import json
import re
import urllib.request

from playwright.sync_api import Page, expect

from okaeri_dev.stack import LocalStack
from tests.browser.conftest import PHONE, open_screen, screenshot, sign_in


def test_the_page_is_served_under_a_strict_policy(stack: LocalStack) -> None:
    with urllib.request.urlopen(stack.gateway_url + "/", timeout=10) as answer:
        policy = answer.headers["Content-Security-Policy"]
        html = answer.read().decode()
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["default-src"] == "'self'"
    assert "script-src" not in directives  # scripts fall back to 'self': no inline script, no CDN
    assert directives["connect-src"] == "'self'"  # the API and the user pool (via the gateway) only
    assert directives["frame-ancestors"] == "'none'"
    assert "<script>" not in html  # every script is a file of the build
    assert "//" not in html.replace("<!doctype html>", "")  # nothing from another origin


def test_sign_in_shows_the_shell_in_japanese(page: Page, stack: LocalStack) -> None:
    page.goto(stack.gateway_url + "/")
    expect(page.get_by_role("heading", name="Okaeri 管理画面")).to_be_visible()
    screenshot(page, "sign-in")
    sign_in(page, stack)
    expect(
        page.get_by_role("navigation", name="メニュー").get_by_role("link", name="ダッシュボード")
    ).to_be_visible()
    expect(page.get_by_test_id("role")).to_have_text("オーナー")
    assert page.evaluate("document.documentElement.lang") == "ja"


def test_a_wrong_password_is_refused_with_a_message(page: Page, stack: LocalStack) -> None:
    page.goto(stack.gateway_url + "/")
    page.get_by_label("メールアドレス").fill("owner@okaeri.local")
    page.get_by_label("パスワード").fill("not-the-password-1A!")
    page.get_by_role("button", name="ログイン").click()
    expect(page.get_by_role("alert")).to_contain_text("メールアドレスまたはパスワードが正しくありません")


def test_switching_to_english_and_back(page: Page, stack: LocalStack) -> None:
    sign_in(page, stack)
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("navigation", name="Menu").get_by_role("link", name="Dashboard")).to_be_visible()
    assert page.evaluate("document.documentElement.lang") == "en"
    page.reload()  # the choice is kept in this browser, and so is the tab's session
    expect(page.get_by_role("navigation", name="Menu").get_by_role("link", name="Dashboard")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Okaeri admin")).to_be_visible()
    page.get_by_role("button", name="日本語").click()
    expect(page.get_by_role("heading", name="Okaeri 管理画面")).to_be_visible()


def test_sign_out_forgets_the_token(page: Page, stack: LocalStack) -> None:
    sign_in(page, stack)
    page.get_by_role("button", name="ログアウト").click()
    expect(page.get_by_label("メールアドレス")).to_be_visible()
    page.goto(stack.gateway_url + "/#/demo/deliveries")
    expect(page.get_by_label("メールアドレス")).to_be_visible()


def test_a_reload_keeps_the_session_and_sign_out_ends_it(page: Page, stack: LocalStack) -> None:
    """As Cognito's own clients do: the refresh token in the tab's storage (sessionStorage, so a new
    tab or a closed browser starts signed out), a reload signs in again with it, sign-out clears it."""
    sign_in(page, stack)
    open_screen(page, stack, "deliveries")
    kept = page.evaluate("JSON.parse(sessionStorage.getItem('okaeri.session'))")
    assert kept["email"] == "owner@okaeri.local"
    assert kept["refreshToken"]
    assert "okaeri.session" not in page.evaluate("Object.keys(localStorage)")  # nothing outlives the tab

    page.reload()
    expect(page.locator(".topbar")).to_be_visible()
    expect(page.get_by_test_id("role")).to_have_text("オーナー")
    expect(page).to_have_url(re.compile(r"#/demo/deliveries$"))  # still on the same screen
    expect(page.get_by_role("button", name="ログイン", exact=True)).to_have_count(0)

    other = page.context.new_page()  # another tab has its own sessionStorage: signed out there
    other.goto(stack.gateway_url + "/")
    expect(other.get_by_label("メールアドレス")).to_be_visible()
    other.close()

    page.get_by_role("button", name="ログアウト").click()
    expect(page.get_by_label("メールアドレス")).to_be_visible()
    assert page.evaluate("sessionStorage.getItem('okaeri.session')") is None
    page.reload()
    expect(page.get_by_label("メールアドレス")).to_be_visible()
    expect(page.locator(".topbar")).to_have_count(0)


def test_an_expired_session_returns_to_sign_in_with_a_message(page: Page, stack: LocalStack) -> None:
    sign_in(page, stack)
    # The API answers 401 to a token it no longer accepts: the page ends the session and says why.
    page.route(
        "**/api/shops/demo/**",
        lambda route: route.fulfill(status=401, body=json.dumps({"message": "Unauthorized"})),
    )
    open_screen(page, stack, "deliveries")
    expect(page.get_by_text("ログインの有効期限が切れました")).to_be_visible()
    assert page.evaluate("sessionStorage.getItem('okaeri.session')") is None  # nothing left to restore


def test_the_menu_folds_away_on_a_phone(page: Page, stack: LocalStack) -> None:
    page.set_viewport_size(PHONE)
    sign_in(page, stack)
    navigation = page.get_by_role("navigation", name="メニュー")
    expect(navigation).to_be_hidden()
    page.get_by_role("button", name="メニュー").click()
    expect(navigation).to_be_visible()
    navigation.get_by_role("link", name="配信").click()
    expect(navigation).to_be_hidden()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
