"""Where an operator saves what the pipeline reads (the shop's settings, the calendar's rules, a
scenario, a template), the page says how soon the edit reaches sending: the time ``/config.json``
gives (``changes_apply_within_seconds``, the pipeline's configuration cache), in Japanese and
English (issue #14 item 3)."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from okaeri.aws.config_cache import CONFIG_TTL_SECONDS
from okaeri_dev.stack import LocalStack
from tests.browser.conftest import open_screen
from tests.e2e.local import LocalClient

JA = "変更は 1 分以内に配信へ反映されます"
EN = "Changes reach sending within a minute"
SCREENS = (("settings",), ("calendar",), ("scenarios", "thanks-like-love"), ("templates", "thanks"))


def test_the_page_says_an_edit_reaches_sending_within_a_minute(
    owner_page: Page, stack: LocalStack, local: LocalClient
) -> None:
    assert CONFIG_TTL_SECONDS == 60  # the wording below is for one minute
    assert local.get("/config.json").json()["changes_apply_within_seconds"] == CONFIG_TTL_SECONDS
    page = owner_page
    for screen in SCREENS:
        open_screen(page, stack, *screen)
        expect(page.get_by_test_id("apply-note")).to_have_text(JA)

    # Saved: the note is still beside the save button, with the notice of the save.
    open_screen(page, stack, "settings")
    page.get_by_label("差出人名").fill("おかえり茶舗 本店")
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.get_by_test_id("notice-success")).to_contain_text("ショップ設定を保存しました")
    expect(page.get_by_test_id("apply-note")).to_have_text(JA)

    page.get_by_role("button", name="English").click()
    expect(page.get_by_test_id("apply-note")).to_have_text(EN)
    for screen in SCREENS[1:]:
        open_screen(page, stack, *screen)
        expect(page.get_by_test_id("apply-note")).to_have_text(EN)
