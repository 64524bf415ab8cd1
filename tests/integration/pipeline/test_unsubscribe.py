"""Unsubscribe through the admin function's public routes (RFC 8058), on the moto stack."""

from __future__ import annotations

import base64
import email
import email.policy
import hashlib
import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from okaeri.api import AdminApi, build_api
from okaeri.services.previews import TEST_DELIVERY_ID
from okaeri.unsubscribe_links import make_token
from tests.integration.pipeline.conftest import SHOP_ID, Stack
from tests.integration.pipeline.test_pipeline import all_deliveries, fire_due_schedules, ingest, pump_stream

TOKYO = ZoneInfo("Asia/Tokyo")


def http_event(method: str, path: str, body: str = "") -> dict[str, Any]:
    return {
        "version": "2.0", "routeKey": "$default", "rawPath": path, "rawQueryString": "",
        "headers": {"content-type": "application/x-www-form-urlencoded", "host": "okaeri.example"},
        "requestContext": {
            "accountId": "123456789012", "apiId": "api", "domainName": "okaeri.example", "requestId": "r",
            "stage": "$default", "time": "23/Nov/2026:10:00:00 +0000", "timeEpoch": 0,
            "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "198.51.100.1",
                     "userAgent": "test"},
        },
        "body": body, "isBase64Encoded": False,
    }  # fmt: skip


def app_for(stack: Stack) -> AdminApi:
    return build_api(stack.admin)


def test_one_click_unsubscribe_stops_advertising_but_not_thanks(stack: Stack) -> None:
    assert ingest(stack, "yahoo-iso2022-company")["result"] == "parsed"
    pump_stream(stack)
    # Send the thanks and like mails (day 0 and 14), not yet the coupon mail (day 20).
    fire_due_schedules(stack, datetime(2026, 12, 19, tzinfo=TOKYO))
    outbox = stack.ses_outbox()
    assert len(outbox) == 2  # thanks, like
    raw = outbox[-1].raw_data
    like_mail = email.message_from_bytes(
        raw.encode() if isinstance(raw, str) else raw, policy=email.policy.default
    )
    header = str(like_mail["List-Unsubscribe"])
    match = re.search(r"<https://okaeri\.mikan-sanbo\.example(/u/[^>]+)>", header)
    assert match, header
    path = match.group(1)
    app = app_for(stack)

    page = app.resolve(http_event("GET", path), {})
    assert page["statusCode"] == 200
    assert "配信停止の確認" in page["body"]
    assert f'action="{path}"' in page["body"]
    assert "<script" not in page["body"]
    assert "default-src 'none'" in page["headers"]["Content-Security-Policy"]
    assert (
        stack.send.customers.suppression(SHOP_ID, "ichiro@hikari-shokai.example") is None
    )  # GET changes nothing

    done = app.resolve(http_event("POST", path, "List-Unsubscribe=One-Click"), {})
    assert done["statusCode"] == 200
    assert "配信を停止しました" in done["body"]
    assert stack.send.customers.suppression(SHOP_ID, "ichiro@hikari-shokai.example") == "unsubscribe"
    again = app.resolve(http_event("POST", path, "List-Unsubscribe=One-Click"), {})
    assert again["statusCode"] == 200
    assert "配信停止済み" in again["body"]

    tampered = app.resolve(http_event("POST", path[:-3] + "AAA", "List-Unsubscribe=One-Click"), {})
    assert tampered["statusCode"] == 400
    assert "リンクが無効" in tampered["body"]

    # The coupon mail (advertising) is now skipped; everything else was sent.
    fire_due_schedules(stack, datetime(2027, 1, 31, tzinfo=TOKYO))
    by_step = {str(item["step_id"]): item for item in all_deliveries(stack)}
    assert by_step["thanks"]["status"] == "sent"
    assert by_step["like"]["status"] == "sent"
    assert by_step["love"]["status"] == "skipped"
    assert by_step["love"]["reason"] == "unsubscribed"


def test_the_pages_name_the_shop_and_carry_a_style_the_policy_allows(stack: Stack) -> None:
    assert ingest(stack, "yahoo-iso2022-company")["result"] == "parsed"
    pump_stream(stack)
    fire_due_schedules(stack, datetime(2026, 12, 19, tzinfo=TOKYO))
    raw = stack.ses_outbox()[-1].raw_data
    mail = email.message_from_bytes(
        raw.encode() if isinstance(raw, str) else raw, policy=email.policy.default
    )
    match = re.search(r"(/u/[^>]+)>", str(mail["List-Unsubscribe"]))
    assert match
    app = app_for(stack)
    for method, body in (("GET", ""), ("POST", "List-Unsubscribe=One-Click")):
        page = app.resolve(http_event(method, match.group(1), body), {})
        assert page["statusCode"] == 200
        assert "みかん山房" in page["body"]
        assert "このショップ" not in page["body"]
        policy = page["headers"]["Content-Security-Policy"]
        style = re.search(r"<style>(.*?)</style>", page["body"], re.DOTALL)
        assert style, "the page is styled"
        digest = base64.b64encode(hashlib.sha256(style.group(1).encode()).digest()).decode()
        assert f"style-src 'sha256-{digest}'" in policy  # this style, and no other, may apply
        assert "default-src 'none'" in policy
        assert "script-src" not in policy  # default-src 'none' forbids any script
        assert "<script" not in page["body"]
        assert " style=" not in page["body"]


def test_a_test_sends_unsubscribe_link_answers_a_page_not_an_error(stack: Stack) -> None:
    """The link in an operator's test send has no delivery behind it: it says so, with 200."""
    secret = b"x" * 32
    token = make_token(secret, shop_id=SHOP_ID, delivery_id=TEST_DELIVERY_ID, email="tencho@example.com")
    app = app_for(stack)
    for method, body in (("GET", ""), ("POST", "List-Unsubscribe=One-Click")):
        page = app.resolve(http_event(method, f"/u/{token}", body), {})
        assert page["statusCode"] == 200, page["body"]
        assert "テスト送信" in page["body"]
        assert "みかん山房" in page["body"]
    assert stack.send.customers.suppression(SHOP_ID, "tencho@example.com") is None
