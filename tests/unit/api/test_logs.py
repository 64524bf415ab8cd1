"""``/receptions`` and ``/sends`` over the fakes: the two logs page by page, newest first, the
reception log by result, and a received mail served as stored from the shop's own folder only."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from okaeri.api.pagination import encode_cursor
from tests.conftest import FIXTURES
from tests.support.operations import all_pages, flat, not_the_shops_mails
from tests.unit.api.conftest import BASE, OTHER_SHOP, Admin, fire_until, plan_orders, refused_below
from tests.unit.services.support import SHOP_ID

RECEPTIONS = f"{BASE}/receptions"
SENDS = f"{BASE}/sends"
#: After the four orders (received at once), one mail a minute: a newsletter, an unknown cart's order.
LATER_MAILS = {"newsletter": "not_an_order", "kurashi-order": "failed"}


def receive_all(admin: Admin) -> None:
    plan_orders(admin)
    for name, result in LATER_MAILS.items():
        admin.world.clock.advance(minutes=1)
        assert admin.world.receive(name).result == result


def names(items: list[dict[str, Any]]) -> list[str]:
    return [str(item["s3_key"]).removeprefix(f"inbound/{SHOP_ID}/") for item in items]


def test_the_reception_log_pages_newest_first(admin: Admin) -> None:
    receive_all(admin)
    pages = all_pages(admin.staff, RECEPTIONS, limit=4)
    assert [len(page) for page in pages] == [4, 2]
    received = flat(pages)
    assert names(received)[:2] == ["kurashi-order", "newsletter"]
    assert sorted(names(received)[2:]) == sorted(
        ["eccube-html-gift", "yahoo-iso2022-company", "rakuten-iso2022-nec", "rakuten-utf8-qp"]
    )
    assert [item["received_at"] for item in received] == sorted(
        (i["received_at"] for i in received), reverse=True
    )
    for client in (admin.manager, admin.owner):
        assert client.get(RECEPTIONS).json()["items"] == received
    refused_below(admin, "staff", "GET", RECEPTIONS)


def test_the_reception_log_by_result(admin: Admin) -> None:
    receive_all(admin)
    [failed] = admin.staff.get(RECEPTIONS, result="failed").json()["items"]
    assert (names([failed]), failed["reason"]) == (["kurashi-order"], "unrecognised")
    assert failed["message_ja"]
    assert failed["message_en"]
    assert names(admin.staff.get(RECEPTIONS, result="not_an_order").json()["items"]) == ["newsletter"]
    parsed = all_pages(admin.staff, RECEPTIONS, result="parsed", limit=3)
    assert [len(page) for page in parsed] == [3, 1]
    assert {item["result"] for item in flat(parsed)} == {"parsed"}
    assert admin.staff.get(RECEPTIONS, result="refused").json() == {"items": [], "next_cursor": None}


def test_bad_queries_of_the_logs_are_refused(admin: Admin) -> None:
    receive_all(admin)
    of_sends = encode_cursor(SHOP_ID, {"pk": f"{SHOP_ID}#send", "sk": "x"})
    of_another_shop = encode_cursor(SHOP_ID, {"pk": f"{OTHER_SHOP}#reception", "sk": "x"})
    for path, query, status, code in (
        (RECEPTIONS, {"result": "lost"}, 422, "invalid_request"),
        (RECEPTIONS, {"limit": 201}, 422, "invalid_request"),
        (RECEPTIONS, {"cursor": "x"}, 400, "bad_cursor"),
        (RECEPTIONS, {"cursor": of_sends}, 400, "bad_cursor"),
        (RECEPTIONS, {"cursor": of_another_shop}, 400, "bad_cursor"),
        (SENDS, {"cursor": admin.staff.get(RECEPTIONS, limit=1).json()["next_cursor"]}, 400, "bad_cursor"),
        (SENDS, {"limit": 0}, 422, "invalid_request"),
    ):
        answer = admin.staff.get(path, **query)
        assert (answer.status, answer.error_code) == (status, code), (path, query)
    assert admin.owner.get(f"/api/shops/{OTHER_SHOP}/receptions").json() == {"items": [], "next_cursor": None}


def test_the_send_log_pages_newest_first(admin: Admin) -> None:
    plan_orders(admin)
    assert admin.staff.get(SENDS).json() == {"items": [], "next_cursor": None}
    assert fire_until(admin, datetime(2026, 12, 8, tzinfo=ZoneInfo("Asia/Tokyo"))) == 4  # the thanks mails
    pages = all_pages(admin.staff, SENDS, limit=3)
    assert [len(page) for page in pages] == [3, 1]
    sent = flat(pages)
    thanks = sorted(
        (d for d in admin.world.deliveries.all() if d.step_id == "thanks"), key=lambda d: d.send_at
    )
    assert [item["delivery_id"] for item in sent] == [d.id for d in reversed(thanks)]
    assert {item["status"] for item in sent} == {"sent"}
    assert all(item["message_id"] for item in sent)
    assert admin.owner.get(f"/api/shops/{OTHER_SHOP}/sends").json() == {"items": [], "next_cursor": None}
    refused_below(admin, "staff", "GET", SENDS)


def test_a_received_mail_is_served_as_stored_from_the_shops_folder_only(admin: Admin) -> None:
    receive_all(admin)
    kurashi = f"inbound/{SHOP_ID}/kurashi-order"
    answer = admin.staff.get(f"{RECEPTIONS}/raw", key=kurashi)
    assert answer.status == 200, answer.text
    assert answer.headers["content-type"].startswith("text/plain")
    assert answer.body == (FIXTURES / "mail" / "kurashi-order.eml").read_bytes()
    theirs = not_the_shops_mails(SHOP_ID, OTHER_SHOP)[0]
    admin.world.raw_mail.put(theirs, b"From: a@example.jp\r\nSubject: secret\r\n\r\nsecret")
    for key in not_the_shops_mails(SHOP_ID, OTHER_SHOP):
        refused = admin.owner.get(f"{RECEPTIONS}/raw", key=key)
        assert (refused.status, "secret" in refused.text) == (404, False), key
    assert admin.owner.get(f"/api/shops/{OTHER_SHOP}/receptions/raw", key=theirs).body.endswith(b"secret")
    assert admin.owner.get(f"/api/shops/{OTHER_SHOP}/receptions/raw", key=kurashi).status == 404
    assert admin.staff.get(f"{RECEPTIONS}/raw").status == 422
    refused_below(admin, "staff", "GET", f"{RECEPTIONS}/raw", query={"key": kurashi})
