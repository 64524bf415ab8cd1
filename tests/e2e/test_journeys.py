"""Journeys beyond one order (issue #16), end to end on the local stack: the demo shop (compliance
``rakuten``) driven only through its sockets — scenarios saved through the admin API, order mails
by SMTP, the clock moved with ``POST /dev/clock``, the mails read from ``GET /dev/outbox``.

- **Mall rules by the order's source**: a Yahoo-only scenario whose coupon-only step Rakuten's rules
  would refuse saves, checked with Yahoo's rules; without the source condition it is refused with
  Rakuten's rules named (docs/journeys-mall-rules.md).
- **Stop on reorder**: a buyer orders twice within the coupon step's wait; the first order's coupon
  ends ``skipped``/``reordered`` and never goes out, the second order's run goes on to its own
  coupon (docs/journeys-reorder-and-cap.md).
- **Win-back** for Yahoo buyers (Rakuten's 30 days after shipping keep its buyers out): the clock
  moved ``lapsed_days`` past a buyer's last order sends the win-back once; a buyer who ordered
  again in between lapses from that later order instead (docs/journeys-winback.md).

One stack for the module: each test has buyers of its own and reads only their mails, and the
clock only moves forward, so each test plans from the clock's time when it starts.
"""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any
from urllib.parse import quote

from okaeri_dev.send_sample import TOKYO, order_mail, rakuten_order_id
from tests.e2e.local import LocalClient

SCENARIOS = "/api/shops/demo/scenarios"
SERIALS = itertools.count(8_600_000_001)

#: A coupon alone (advertising, no お礼 to ride on), 25 days after shipping: Rakuten's rules refuse
#: it twice (ad_needs_transaction, ad_max_21_days); Yahoo's have nothing against it.
YAHOO_COUPON: dict[str, Any] = {
    "id": "yahoo-coupon",
    "name": "Yahoo!店のクーポン",
    "trigger": "shipped",
    "conditions": {"sources": ["yahoo"]},
    "priority": 1,
    "active": False,  # saved, never started: the demo's thanks-like-love keeps the shop's orders
    "steps": [{"id": "coupon", "offset_days": 25, "hour": 10, "template": "love", "purposes": ["coupon"]}],
}
RAKUTEN_RULES = {"rakuten.ad_needs_transaction", "rakuten.ad_max_21_days"}

LAPSED_DAYS = 30
#: A win-back for Yahoo buyers: on the day a buyer's last order turns 30 days old, a coupon at 10:00.
WINBACK: dict[str, Any] = {
    "id": "winback-30",
    "name": "Yahoo!店のお久しぶりクーポン",
    "trigger": "lapsed",
    "lapsed_days": LAPSED_DAYS,
    "conditions": {"sources": ["yahoo"]},
    "priority": 1,
    "active": True,
    "steps": [{"id": "winback", "offset_days": 0, "hour": 10, "template": "love", "purposes": ["coupon"]}],
}


# --- mail in ------------------------------------------------------------------------------------


def rakuten_order(local: LocalClient, buyer: str) -> str:
    """A Rakuten order mail from ``buyer-<buyer>@example.jp``, placed now; its order key."""
    serial = next(SERIALS)
    placed = datetime.fromisoformat(local.now())
    answer = local.send_mail(order_mail(ordered_at=placed, serial=serial, buyer_tag=buyer))
    assert answer.endswith(" parsed"), answer
    return f"rakuten#{rakuten_order_id(placed, serial)}"


def yahoo_order_mail(*, order_id: str, email: str, ordered_at: datetime) -> bytes:
    """A Yahoo!ショッピング order notice (the layout of tests/fixtures/mail/yahoo-iso2022-company.eml,
    in UTF-8) for the demo shop."""
    local = ordered_at.astimezone(TOKYO)
    body = f"""Yahoo!ショッピング　おかえり茶舗 Yahoo!店 様

以下のご注文がありました。

注文ID　：{order_id}
注文日時：{local:%Y年%m月%d日 %H時%M分%S秒}

ご注文者　：森 さくら 様
メールアドレス：{email}
電話番号：054-000-0000
お支払い方法：クレジットカード決済
配送方法：宅配便

お届け先：森 さくら 様
〒420-0852 静岡県静岡市葵区紺屋町１７－１

￣￣￣￣￣￣￣￣￣￣
（1）有機栽培 煎茶 やぶきた 100g
　商品コード：sencha-100
　３，２４０円×１＝３，２４０円
===============
商品の合計金額 ：３，２４０円
合計金額 ：３，２４０円
"""
    message = EmailMessage()
    message["From"] = "Yahoo!ショッピング <shopping-order-master@mail.yahoo.co.jp>"
    message["To"] = "shop@okaeri.local"
    message["Subject"] = f"【Yahoo!ショッピング】注文確認：{order_id}"
    message["Date"] = format_datetime(local)
    message["Message-ID"] = make_msgid(domain="mail.yahoo.example")
    message.set_content(body, charset="utf-8", cte="quoted-printable")
    return message.as_bytes(policy=policy.SMTP)


def yahoo_order(local: LocalClient, email: str) -> str:
    """A Yahoo order mail from ``email``, placed now; its order key."""
    order_id = f"okaeri-cha-{next(SERIALS)}"
    placed = datetime.fromisoformat(local.now())
    answer = local.send_mail(yahoo_order_mail(order_id=order_id, email=email, ordered_at=placed))
    assert answer.endswith(" parsed"), answer
    return f"yahoo#{order_id}"


# --- what came of it ----------------------------------------------------------------------------


def deliveries_of(local: LocalClient, token: str, order_key: str) -> dict[str, dict[str, Any]]:
    """The order's mails by step, through the admin API (``GET /orders/{key}``)."""
    reply = local.get(f"/api/shops/demo/orders/{quote(order_key, safe='')}", token=token)
    assert reply.status == 200, reply.body
    return {delivery["step_id"]: delivery for delivery in reply.json()["deliveries"]}


def sent_ids(local: LocalClient) -> set[str]:
    """The delivery ids of every mail in the outbox."""
    return {message["tags"]["delivery"] for message in local.outbox()}


def winback_mails(local: LocalClient, email: str) -> list[dict[str, Any]]:
    """The outbox's win-back mails to ``email`` (a delivery id is ``<shop>.<step>.<hash>``)."""
    return [
        message
        for message in local.outbox()
        if message["to"] == email and message["tags"]["delivery"].split(".")[1] == "winback"
    ]


# --- the tests ----------------------------------------------------------------------------------


def test_a_yahoo_only_coupon_saves_in_the_rakuten_shop_and_without_the_source_is_refused(
    local: LocalClient, owner_token: str
) -> None:
    settings = local.get("/api/shops/demo/settings", token=owner_token).json()
    assert settings["compliance"] == "rakuten"

    lint = local.post(f"{SCENARIOS}/lint", YAHOO_COUPON, token=owner_token)
    assert lint.status == 200, lint.body
    answer = lint.json()
    assert (answer["profile"], answer["profiles"], answer["ok"], answer["findings"]) == (
        "rakuten",
        ["yahoo"],
        True,
        [],
    )
    saved = local.post(SCENARIOS, YAHOO_COUPON, token=owner_token)
    assert saved.status == 201, saved.body
    assert saved.json()["findings"] == []
    stored = local.get(f"{SCENARIOS}/yahoo-coupon", token=owner_token).json()
    assert stored["conditions"]["sources"] == ["yahoo"]
    assert [(step["id"], step["purposes"]) for step in stored["steps"]] == [("coupon", ["coupon"])]

    everyone = YAHOO_COUPON | {"id": "any-coupon", "conditions": {}}
    lint = local.post(f"{SCENARIOS}/lint", everyone, token=owner_token).json()
    assert "rakuten" in lint["profiles"]
    assert lint["ok"] is False
    assert {
        finding["rule"] for finding in lint["findings"] if finding["severity"] == "error"
    } == RAKUTEN_RULES
    refused = local.post(SCENARIOS, everyone, token=owner_token)
    assert (refused.status, refused.error_code) == (422, "compliance_violation"), refused.body
    details = refused.json()["error"]["details"]
    assert {line.split(" — ")[0] for line in details} == {f"step coupon: {rule}" for rule in RAKUTEN_RULES}
    assert all("楽天では" in line for line in details), details  # whose rule, in both languages
    assert all("Rakuten " in line for line in details), details
    assert local.get(f"{SCENARIOS}/any-coupon", token=owner_token).status == 404


def test_a_buyer_ordering_again_within_the_coupons_wait_stops_the_first_orders_coupon(
    local: LocalClient, owner_token: str
) -> None:
    """thanks-like-love (stop_on_reorder: advertising): thanks on the ship day, like at +14 days,
    love (お礼 + クーポン) at +20 days. The buyer orders again two days after the first order."""
    buyer = "reorder-e2e"
    first = rakuten_order(local, buyer)
    local.advance("2d")  # the first order's thanks goes out on its ship day
    assert deliveries_of(local, owner_token, first)["thanks"]["status"] == "sent"
    second = rakuten_order(local, buyer)

    local.advance("20d")  # past the first order's coupon (+20 days at 19:00), before the second's
    earlier = deliveries_of(local, owner_token, first)
    assert (earlier["love"]["status"], earlier["love"]["reason"]) == ("skipped", "reordered")
    assert earlier["like"]["status"] == "sent"  # not advertising: stop_on_reorder leaves it
    later = deliveries_of(local, owner_token, second)
    assert (later["thanks"]["status"], later["like"]["status"]) == ("sent", "sent")
    assert later["love"]["status"] == "scheduled"
    outbox = sent_ids(local)
    assert earlier["love"]["id"] not in outbox
    assert {
        earlier["thanks"]["id"],
        earlier["like"]["id"],
        later["thanks"]["id"],
        later["like"]["id"],
    } <= outbox

    local.advance("2d")  # the second order's own coupon goes out
    later = deliveries_of(local, owner_token, second)
    assert later["love"]["status"] == "sent"
    outbox = sent_ids(local)
    assert later["love"]["id"] in outbox
    assert earlier["love"]["id"] not in outbox
    assert deliveries_of(local, owner_token, first)["love"]["reason"] == "reordered"  # still


def test_the_clock_moved_lapsed_days_wins_a_yahoo_buyer_back_once(
    local: LocalClient, owner_token: str
) -> None:
    lint = local.post(f"{SCENARIOS}/lint", WINBACK, token=owner_token).json()
    assert (lint["profiles"], lint["ok"]) == (["yahoo"], True), lint
    everyone = local.post(f"{SCENARIOS}/lint", WINBACK | {"conditions": {}}, token=owner_token).json()
    # why the sources: a coupon on its own, 29–30 days after the last order shipped
    assert {finding["rule"] for finding in everyone["findings"]} >= RAKUTEN_RULES
    created = local.post(SCENARIOS, WINBACK, token=owner_token)
    assert created.status == 201, created.body

    gone = "winback-gone@example.jp"  # orders once, then never again
    back = "winback-back@example.jp"  # orders again ten days later
    start = datetime.fromisoformat(local.now()).astimezone(TOKYO)
    yahoo_order(local, gone)
    yahoo_order(local, back)
    local.advance("10d")
    yahoo_order(local, back)

    # `gone` lapses LAPSED_DAYS after their order, `back` not yet (their last order is 10 days on).
    lapse = start.date() + timedelta(days=LAPSED_DAYS)
    local.advance(f"{LAPSED_DAYS - 10 + 1}d")
    assert datetime.fromisoformat(local.now()).astimezone(TOKYO).date() > lapse
    (mail,) = winback_mails(local, gone)
    assert datetime.fromisoformat(mail["at"]).astimezone(TOKYO).date() == lapse
    assert winback_mails(local, back) == []

    # On: no second win-back for `gone`; `back` lapses 30 days after their own last order, once.
    local.advance("12d")
    assert len(winback_mails(local, gone)) == 1
    (again,) = winback_mails(local, back)
    assert datetime.fromisoformat(again["at"]).astimezone(TOKYO).date() == lapse + timedelta(days=10)
