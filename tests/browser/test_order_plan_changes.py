"""An order's plan changes on its page (issue #13): a Rakuten shipping notice arrives before its
order mail, so the stub is planned on what it knows (the demo's catch-all scenario); the order mail
brings the items and a scenario for them takes over; a later notice moves the ship date. The order's
page tells that history — when, why, which mails were cancelled, planned or moved from what time to
what time — in Japanese and in English."""

from __future__ import annotations

import base64
import email
from email.message import Message
from urllib.parse import quote

from playwright.sync_api import Page, expect

from okaeri_dev.stack import LocalStack
from tests.browser.conftest import OWNER_EMAIL, open_screen
from tests.conftest import FIXTURES
from tests.e2e.conftest import OWNER_PASSWORD
from tests.e2e.local import LocalClient

MAIL = FIXTURES / "mail"
ORDER_NUMBER = "512034-20261205-1000000077"  # rakuten-shipped and rakuten-utf8-qp: 小林 蓮, いくら
ORDER_KEY = f"rakuten#{ORDER_NUMBER}"
IKURA = {
    "id": "ikura-fans",
    "name": "いくらのお客さま",
    "trigger": "shipped",
    "conditions": {"skus": ["ikura-*"]},
    "priority": 20,
    "active": True,
    "steps": [{"id": "thanks", "offset_days": 0, "hour": 10, "template": "thanks", "purposes": ["thanks"]}],
}


def shipping_notice(shipped: str) -> bytes:
    """The fixture's shipping notice with another ship date (its body is base64 UTF-8)."""
    raw = (MAIL / "rakuten-shipped.eml").read_bytes()
    message: Message = email.message_from_bytes(raw)
    body = base64.b64decode(message.get_payload()).decode("utf-8")
    assert "2026-12-07" in body
    message.set_payload(
        base64.encodebytes(body.replace("2026-12-07", shipped).encode("utf-8")).decode("ascii")
    )
    return message.as_bytes()


def test_the_order_page_shows_how_its_plan_changed(
    owner_page: Page, stack: LocalStack, local: LocalClient
) -> None:
    token = local.sign_in(OWNER_EMAIL, OWNER_PASSWORD)
    assert local.post("/api/shops/demo/scenarios", IKURA, token=token).status == 201
    # 1. The shipping notice first: a stub without items, planned by the catch-all scenario.
    assert local.send_mail((MAIL / "rakuten-shipped.eml").read_bytes()).endswith(" parsed")
    # 2. The order mail: ikura in the cart, the ikura scenario takes the run over.
    assert local.send_mail((MAIL / "rakuten-utf8-qp.eml").read_bytes()).endswith(" parsed")
    local.advance("2h")  # the stack's clock stands still otherwise
    # 3. A second notice: shipped two days later, the pending thanks mail moves with it.
    assert local.send_mail(shipping_notice("2026-12-09")).endswith(" parsed")
    detail = local.get(f"/api/shops/demo/orders/{quote(ORDER_KEY, safe='')}", token=token).json()
    assert [change["change"] for change in detail["plan_changes"]] == ["superseded"] * 3 + [
        "replaces",
        "moved",
    ]

    page = owner_page
    open_screen(page, stack, "receptions")
    page.get_by_role("row").filter(has_text=ORDER_NUMBER).first.get_by_role("link").first.click()
    history = page.get_by_role("region", name="計画の変更")
    expect(history).to_be_visible()
    replannings = history.get_by_test_id("plan-change")
    expect(replannings).to_have_count(2)
    arrived = replannings.nth(0)
    expect(arrived).to_contain_text("2026/11/30 07:00 注文メールが届いたため計画し直しました")
    expect(arrived.locator("li")).to_have_count(4)
    expect(arrived).to_contain_text(
        "thanks-like-love / thanks：2026/12/07 10:00 の予定を取り消し（シナリオ ikura-fans に切り替え）"
    )
    expect(arrived).to_contain_text("thanks-like-love / love：")
    expect(arrived).to_contain_text(
        "ikura-fans / thanks：2026/12/07 10:00 に新しく予定（シナリオ thanks-like-love の代わり）"
    )
    shipped = replannings.nth(1)
    expect(shipped).to_contain_text("2026/11/30 09:00 出荷日がわかったため計画し直しました")
    expect(shipped).to_contain_text("ikura-fans / thanks：2026/12/07 10:00 → 2026/12/09 10:00 に移動")
    # the superseded mails read as stopped for the new plan, not as a bare code
    expect(page.locator(".planned-mails li").filter(has_text="thanks-like-love / like")).to_contain_text(
        "注文の情報が変わり、別の計画に切り替えたため"
    )

    page.get_by_role("button", name="English").click()
    history = page.get_by_role("region", name="Plan changes")
    expect(history).to_be_visible()
    replannings = history.get_by_test_id("plan-change")
    expect(replannings.nth(0)).to_contain_text("Re-planned: the order mail arrived")
    expect(replannings.nth(0)).to_contain_text(
        "ikura-fans / thanks: newly planned for 07/12/2026, 10:00 (instead of scenario thanks-like-love)"
    )
    expect(replannings.nth(0)).to_contain_text(
        "thanks-like-love / thanks: planned for 07/12/2026, 10:00, cancelled"
    )
    expect(replannings.nth(1)).to_contain_text("30/11/2026, 09:00 Re-planned: the ship date became known")
    expect(replannings.nth(1)).to_contain_text(
        "ikura-fans / thanks: moved from 07/12/2026, 10:00 to 09/12/2026, 10:00"
    )
