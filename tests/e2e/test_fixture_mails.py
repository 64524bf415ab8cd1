"""The project's fixture mails through the whole local stack, as a shop would send them.

SMTP in (``orders+demo@okaeri.local``) → orders in DynamoDB → the clock moved 30 days →
``/dev/outbox`` holds exactly the planned mails: one per delivery, at its time, to its buyer,
through SES or (Rakuten's masked addresses) the shop's relay, with the right headers.
"""

from __future__ import annotations

import email
import email.policy
import json
from collections import Counter
from datetime import datetime
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from typing import Any

import pytest

from okaeri_dev.stack import LocalStack
from tests.conftest import FIXTURES
from tests.e2e.local import LocalClient

MAILS = FIXTURES / "mail"
ORDERS = ("eccube-html-gift", "yahoo-iso2022-company", "rakuten-iso2022-nec", "rakuten-utf8-qp")
SUBJECTS = {
    "thanks": "【おかえり茶舗（デモ）】{name}様、ご注文ありがとうございます",
    "like": "{name}様、おいしい淹れ方のご案内",
    "love": "{name}様へ、感謝をこめて",
}
RELAY = "relay:sub.fw.rakuten.ne.jp"


def expected(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((MAILS / f"{name}.expected.json").read_text(encoding="utf-8"))
    return document


@pytest.fixture(scope="module")
def received(local: LocalClient) -> dict[str, str]:
    """Each fixture mail sent once by SMTP: name → the server's answer."""
    return {
        name: local.send_mail((MAILS / f"{name}.eml").read_bytes())
        for name in (*ORDERS, "newsletter", "rakuten-shipped")
    }


def parsed(message: dict[str, Any]) -> EmailMessage:
    mail = email.message_from_string(message["raw"], policy=email.policy.default)
    assert isinstance(mail, EmailMessage)
    return mail


def test_the_smtp_answer_says_what_ingest_made_of_each_mail(received: dict[str, str]) -> None:
    for name in (*ORDERS, "rakuten-shipped"):
        assert received[name].startswith("2.0.0 OK inbound/demo/"), received[name]
        assert received[name].endswith(" parsed"), received[name]
    assert received["newsletter"].endswith("not_an_order (not_an_order)")


def test_fixture_mails_in_become_exactly_the_planned_mails_out(
    stack: LocalStack, local: LocalClient, received: dict[str, str]
) -> None:
    orders = {item["order"]["order_id"]: item for item in local.orders("demo")}
    assert set(orders) == {expected(name)["order_id"] for name in ORDERS}
    planned = local.deliveries()
    assert len(planned) == 12  # four orders × thanks, like, love
    assert {item["status"] for item in planned} == {"scheduled"}
    assert local.outbox() == []

    moved = local.advance("30d")
    assert Counter(wake_up["status"] for wake_up in moved["wake_ups"]) == Counter({"sent": 12})

    outbox = local.outbox()
    deliveries = {item["message_id"]: item for item in local.deliveries()}
    assert len(outbox) == 12
    assert {item["status"] for item in deliveries.values()} == {"sent"}
    assert {message["message_id"] for message in outbox} == set(deliveries)  # one mail per delivery
    by_order_key = {item["sk"]: item["order"] for item in orders.values()}
    for message in outbox:
        delivery = deliveries[message["message_id"]]
        order = by_order_key[delivery["order_key"]]
        buyer = order["customer"]["email"]
        mail = parsed(message)
        assert message["to"] == buyer == delivery["customer_email"]
        assert message["transport"] == (RELAY if buyer.endswith(".fw.rakuten.ne.jp") else "ses")
        assert message["transport"] == delivery["transport"]
        assert message["tags"]["delivery"] == delivery["sk"]
        assert mail["To"] == buyer
        assert mail["From"] == "おかえり茶舗 <shop@okaeri.local>"
        assert mail["Subject"] == SUBJECTS[delivery["step_id"]].format(name=order["customer"]["name"])
        assert mail["Subject"] == message["subject"]
        assert mail["Message-ID"]
        sent_at = datetime.fromisoformat(delivery["send_at"])
        assert datetime.fromisoformat(message["at"]) == sent_at  # sent at its own time on the clock…
        assert parsedate_to_datetime(mail["Date"]) == sent_at  # …which the handlers were given
        body = mail.get_body(preferencelist=("plain",))
        assert body is not None
        text = body.get_content()
        if delivery["step_id"] == "love":
            assert "DEMO10-" in text  # a code from the demo pool
            assert mail["List-Unsubscribe"].startswith(f"<{stack.gateway_url}/u/")
            assert mail["List-Unsubscribe-Post"] is None  # RFC 8058 one-click needs https; this is http
        else:
            assert "DEMO10-" not in text
    steps = Counter(deliveries[message["message_id"]]["step_id"] for message in outbox)
    assert steps == Counter({"thanks": 4, "like": 4, "love": 4})
    # Rakuten's known ship date (rakuten-shipped) put that order's thanks on 2026-12-07 10:00 JST
    shipped = expected("rakuten-shipped")["order_id"]
    thanks = next(
        message
        for message in outbox
        if deliveries[message["message_id"]]["step_id"] == "thanks"
        and by_order_key[deliveries[message["message_id"]]["order_key"]]["order_id"] == shipped
    )
    assert thanks["at"] == "2026-12-07T01:00:00+00:00"


def test_the_unsubscribe_link_of_a_sent_mail_works_on_the_local_gateway(
    local: LocalClient, received: dict[str, str]
) -> None:
    if not local.outbox():
        local.advance("30d")
    love = next(parsed(m) for m in local.outbox() if parsed(m)["List-Unsubscribe"])
    url = str(love["List-Unsubscribe"]).strip("<>").split(">")[0]
    path = url.split("127.0.0.1", 1)[1].split("/", 1)[1]
    reply = local.request("POST", f"/{path}", body=b"List-Unsubscribe=One-Click")
    assert reply.status == 200
    assert "text/html" in reply.headers["content-type"]
    again = local.request("POST", f"/{path}", body=b"List-Unsubscribe=One-Click")
    assert again.status == 200  # already unsubscribed: the same page, nothing else


def test_the_orders_are_visible_through_the_api(
    local: LocalClient, owner_token: str, received: dict[str, str]
) -> None:
    reply = local.get("/api/shops/demo/orders", token=owner_token)
    assert reply.status == 200, reply.body
    listed = json.dumps(reply.json()["items"], ensure_ascii=False)
    for name in ORDERS:
        assert expected(name)["order_id"] in listed
    deliveries = local.get("/api/shops/demo/deliveries", token=owner_token)
    assert deliveries.status == 200, deliveries.body
    assert len(deliveries.json()["items"]) == 12
