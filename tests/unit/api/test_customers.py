"""``/customers`` and ``/suppressions`` over the fakes: search and one customer (staff), opting a
customer out and the suppression list (manager; lifting an opt-out, a bounce or a complaint: owner),
erasing a customer's personal data (owner, confirmed by their address)."""

from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import quote

from okaeri.api.pagination import encode_cursor
from okaeri.identity import customer_id_for
from tests.support.operations import HIKARI, NAKAJIMA, all_pages, flat, make_unknown
from tests.unit.api.conftest import BASE, OTHER_SHOP, Admin, audited, fire_until, plan_orders, refused_below
from tests.unit.services.support import SHOP_ID

CUSTOMERS = f"{BASE}/customers"
SUPPRESSIONS = f"{BASE}/suppressions"
NAKAJIMA_ID = customer_id_for(NAKAJIMA)
ONE = f"{CUSTOMERS}/{NAKAJIMA_ID}"


def emails(admin: Admin, **query: str | int) -> list[str]:
    answer = admin.staff.get(CUSTOMERS, **query)
    assert answer.status == 200, answer.text
    return [item["email"] for item in answer.json()["items"]]


def test_customers_are_paged_and_searched_folded(admin: Admin) -> None:
    plan_orders(admin)
    pages = all_pages(admin.staff, CUSTOMERS, limit=3)
    assert [len(page) for page in pages] == [3, 1]
    every = flat(pages)
    assert [c["customer_id"] for c in every] == sorted(c["customer_id"] for c in every)  # id order
    assert {c["customer_id"] for c in every} == {customer_id_for(c["email"]) for c in every}
    [nakajima] = admin.staff.get(CUSTOMERS, q="中島").json()["items"]
    assert (nakajima["customer_id"], nakajima["name"], nakajima["order_count"]) == (NAKAJIMA_ID, "中島 彩", 1)
    assert emails(admin, q="HIKARI-shokai") == emails(admin, q="ひかり 商会") == [HIKARI]
    assert [len(page) for page in all_pages(admin.staff, CUSTOMERS, q="fw.rakuten", limit=1) if page] == [
        1,
        1,
    ]
    assert emails(admin, q="   ") == emails(admin)
    for query in (
        {"cursor": "bogus"},
        {"cursor": admin.staff.get(f"{BASE}/orders", limit=1).json()["next_cursor"]},
    ):
        assert admin.staff.get(CUSTOMERS, **query).error_code == "bad_cursor"
    assert admin.staff.get(CUSTOMERS, q="x" * 101).status == 422
    refused_below(admin, "staff", "GET", CUSTOMERS)


def test_one_customer_with_their_orders_and_mails(admin: Admin) -> None:
    planned = plan_orders(admin)
    answer = admin.staff.get(ONE)
    assert answer.status == 200, answer.text
    detail = answer.json()
    assert (detail["customer"]["email"], detail["erased"], detail["suppression"]) == (NAKAJIMA, False, None)
    assert [order["order"]["order_id"] for order in detail["orders"]] == ["2077"]
    assert [d["id"] for d in detail["deliveries"]] == [d.id for d in reversed(planned.of(NAKAJIMA))]
    missing = admin.staff.get(f"{CUSTOMERS}/{'0' * 32}")
    assert (missing.status, missing.error_code) == (404, "customer_not_found")
    assert admin.owner.get(f"/api/shops/{OTHER_SHOP}/customers/{NAKAJIMA_ID}").status == 404
    refused_below(admin, "staff", "GET", ONE)


def test_a_manager_opts_a_customer_out_once_and_no_mail_goes(admin: Admin) -> None:
    planned = plan_orders(admin)
    path = f"{ONE}/unsubscribe"
    refused_below(admin, "manager", "POST", path)
    first = admin.manager.post(path)
    assert first.status == 200, first.text
    body = first.json()
    assert (body["changed"], body["suppression"], body["customer"]["unsubscribed_at"]) == (
        True, "manual", "2026-11-29T22:00:00Z"
    )  # fmt: skip
    assert admin.owner.post(path).json() == {**body, "changed": False}
    assert audited(admin, "customer.unsubscribe") == [{"customer": NAKAJIMA_ID, "by": "manager@okaeri.test"}]
    assert admin.staff.get(ONE).json()["suppression"] == "manual"
    thanks = planned.one(NAKAJIMA, "thanks")
    fire_until(admin, thanks.send_at + timedelta(minutes=5))
    done = admin.world.delivery(thanks.id)
    assert (done.status, done.reason, admin.world.accepted().get(thanks.id)) == (
        "skipped",
        "suppressed",
        None,
    )
    assert admin.manager.post(f"{CUSTOMERS}/{'0' * 32}/unsubscribe").error_code == "customer_not_found"


def test_an_owner_erases_a_customers_personal_data_once(admin: Admin) -> None:
    planned = plan_orders(admin)
    world = admin.world
    thanks, like, love = (planned.one(NAKAJIMA, step) for step in ("thanks", "like", "love"))
    fire_until(admin, thanks.send_at + timedelta(minutes=5))
    make_unknown(world.deliveries, love)
    path = f"{ONE}/erase"
    refused_below(admin, "owner", "POST", path, json_body={"confirm": NAKAJIMA})
    for body, status, code in (
        ({"confirm": HIKARI}, 400, "confirm_mismatch"),
        ({}, 422, "invalid_request"),
        ({"confirm": "ab"}, 422, "invalid_request"),
        ({"confirm": NAKAJIMA, "why": "asked"}, 422, "invalid_request"),
    ):
        answer = admin.owner.post(path, body)
        assert (answer.status, answer.error_code) == (status, code), body
    assert world.customer(NAKAJIMA_ID).email == NAKAJIMA
    world.orders.drain_stream()

    answer = admin.owner.post(path, {"confirm": " Aya.Nakajima@EXAMPLE.net "})
    assert (answer.status, answer.json()) == (200, {
        "customer_id": NAKAJIMA_ID, "already": False, "orders_redacted": 1,
        "deliveries_cancelled": 2, "deliveries_redacted": 3,
    })  # fmt: skip
    order = world.order("ec-cube#2077").order
    assert {order.customer.name, order.customer.email, order.ship_to.name, order.ship_to.address} == {None}
    assert (order.ship_to.prefecture is not None, order.total is not None, world.order("ec-cube#2077").status) == (
        True, True, "open"
    )  # fmt: skip
    after = {d.id: world.delivery(d.id) for d in (thanks, like, love)}
    assert {d.customer_email for d in after.values()} == {None}
    assert [(after[d.id].status, after[d.id].reason) for d in (like, love)] == [("cancelled", "erased")] * 2
    assert after[thanks.id].status == "sent"
    assert not {like.id, love.id} & set(world.schedules.entries)
    assert (world.customer(NAKAJIMA_ID).email, world.customer(NAKAJIMA_ID).order_count) == ("[erased]", 1)
    assert world.customers.suppression(SHOP_ID, NAKAJIMA) == "manual"
    counts = {name: value for name, value in answer.json().items() if name != "already"}
    assert audited(admin, "customer.erase") == [counts | {"by": "owner@okaeri.test"}]  # no personal data
    assert "nakajima" not in json.dumps(audited(admin, "customer.erase")).lower()

    assert len(world.pump()) >= 1  # the redaction changed the order: its record plans nothing
    assert len(world.deliveries.all()) == 12
    twice = admin.owner.post(path, {"confirm": NAKAJIMA})
    assert (twice.status, twice.json()["already"]) == (200, True)
    assert len(audited(admin, "customer.erase")) == 1
    assert admin.staff.get(CUSTOMERS, q="中島").json()["items"] == []
    assert admin.staff.get(f"{BASE}/orders", q="中島").json()["items"] == []
    assert admin.staff.get(f"{BASE}/deliveries", q="nakajima").json()["items"] == []
    detail = admin.staff.get(ONE).json()
    assert (detail["erased"], detail["suppression"], detail["customer"]["name"]) == (True, None, "[erased]")
    assert admin.manager.post(f"{ONE}/unsubscribe").error_code == "customer_erased"


def test_managers_keep_the_suppression_list_and_its_pages_go_by_address(admin: Admin) -> None:
    assert admin.staff.get(SUPPRESSIONS).json() == {"items": [], "next_cursor": None}
    refused_below(admin, "manager", "POST", SUPPRESSIONS, json_body={"address": "a@example.jp"})
    answers = [
        (client.post(SUPPRESSIONS, {"address": address}), address)
        for client, address in (
            (admin.manager, "Taro@Example.JP"),
            (admin.owner, "taro@example.jp"),
            (admin.manager, "c@example.jp"),
            (admin.manager, "b@example.jp"),
        )
    ]
    assert [(a.status, a.json()["address"], a.json()["added"]) for a, _ in answers] == [
        (201, "taro@example.jp", True),
        (200, "taro@example.jp", False),
        (201, "c@example.jp", True),
        (201, "b@example.jp", True),
    ]
    pages = all_pages(admin.staff, SUPPRESSIONS, limit=2)
    assert [[item["address"] for item in page] for page in pages] == [
        ["b@example.jp", "c@example.jp"],
        ["taro@example.jp"],
    ]
    assert {item["reason"] for item in flat(pages)} == {"manual"}
    for body in ({"address": "x@example.jp", "reason": "bounce"}, {"address": "not an address"}, {}):
        answer = admin.manager.post(SUPPRESSIONS, body)
        assert (answer.status, answer.error_code) == (422, "invalid_request"), body
    assert [entry["by"] for entry in audited(admin, "suppression.add")] == ["manager@okaeri.test"] * 3
    of_customers = encode_cursor(SHOP_ID, {"pk": SHOP_ID, "sk": f"cust#{NAKAJIMA_ID}"})
    assert admin.staff.get(SUPPRESSIONS, cursor=of_customers).error_code == "bad_cursor"
    refused_below(admin, "staff", "GET", SUPPRESSIONS)


def test_who_may_lift_which_suppression(admin: Admin) -> None:
    plan_orders(admin)
    now = admin.world.clock.now()
    for address, reason in (("bounced@example.jp", "bounce"), ("left@example.jp", "unsubscribe")):
        admin.world.customers.suppress(SHOP_ID, address, reason=reason, at=now, delivery_id="d-1")
    assert admin.manager.post(SUPPRESSIONS, {"address": "mine@example.jp"}).status == 201
    lifted = admin.manager.delete(f"{SUPPRESSIONS}/{quote('mine@example.jp', safe='')}")
    assert (lifted.status, lifted.json()) == (200, {"address": "mine@example.jp", "reason": "manual"})
    again = admin.manager.delete(f"{SUPPRESSIONS}/mine@example.jp")
    assert (again.status, again.error_code) == (404, "not_listed")
    for address in ("bounced@example.jp", "left@example.jp"):
        refused_below(admin, "owner", "DELETE", f"{SUPPRESSIONS}/{address}")
    assert admin.world.customers.suppression(SHOP_ID, "bounced@example.jp") == "bounce"
    assert admin.owner.delete(f"{SUPPRESSIONS}/BOUNCED@example.jp").json()["reason"] == "bounce"
    assert admin.owner.delete(f"{SUPPRESSIONS}/left@example.jp").json()["reason"] == "unsubscribe"
    assert admin.world.customers.suppression(SHOP_ID, "bounced@example.jp") is None
    assert [entry["reason"] for entry in audited(admin, "suppression.remove")] == [
        "manual",
        "bounce",
        "unsubscribe",
    ]
    assert admin.owner.post(f"{ONE}/erase", {"confirm": NAKAJIMA}).status == 200
    kept = admin.owner.delete(f"{SUPPRESSIONS}/{quote(NAKAJIMA, safe='')}")
    assert (kept.status, kept.error_code) == (409, "customer_erased")
    assert admin.world.customers.suppression(SHOP_ID, NAKAJIMA) == "manual"
    assert (
        admin.owner.delete(f"/api/shops/{OTHER_SHOP}/suppressions/{quote(NAKAJIMA, safe='')}").status == 404
    )
