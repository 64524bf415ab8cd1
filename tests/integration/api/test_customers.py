"""``/customers`` and ``/suppressions``: search, opt-out by hand, erasure (個人情報保護法), the list."""

from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import quote

from okaeri.identity import customer_id_for
from tests.integration.api.conftest import OTHER_SHOP, Api
from tests.integration.api.ops_helpers import (
    BASE,
    HIKARI,
    NAKAJIMA,
    all_pages,
    audit_entries,
    make_unknown,
    plan_orders,
    schedule_names,
    stored,
)
from tests.integration.pipeline.conftest import SHOP_ID
from tests.integration.pipeline.test_pipeline import all_deliveries, fire_due_schedules, ingest, pump_stream

CUSTOMERS = f"{BASE}/customers"
SUPPRESSIONS = f"{BASE}/suppressions"
NAKAJIMA_ID = customer_id_for(NAKAJIMA)


# --- reading ---------------------------------------------------------------------------------------


def test_customers_are_searched_and_paged(api: Api) -> None:
    plan_orders(api)
    pages = all_pages(api.staff, CUSTOMERS, limit=3)
    assert [len(page) for page in pages] == [3, 1]
    assert len({item["customer_id"] for page in pages for item in page}) == 4
    [found] = api.staff.get(CUSTOMERS, q="中島").json()["items"]
    assert (found["customer_id"], found["email"], found["order_count"]) == (NAKAJIMA_ID, NAKAJIMA, 1)
    assert [c["email"] for c in api.staff.get(CUSTOMERS, q="HIKARI-shokai").json()["items"]] == [HIKARI]
    masked = all_pages(api.staff, CUSTOMERS, q="fw.rakuten", limit=1)
    assert [len(page) for page in masked if page] == [1, 1]
    assert api.staff.get(CUSTOMERS, cursor="bogus").error_code == "bad_cursor"
    orders_cursor = api.staff.get(f"{BASE}/orders", limit=1).json()["next_cursor"]
    assert api.staff.get(CUSTOMERS, cursor=orders_cursor).error_code == "bad_cursor"


def test_one_customer_with_orders_and_mails(api: Api) -> None:
    planned = plan_orders(api)
    answer = api.staff.get(f"{CUSTOMERS}/{NAKAJIMA_ID}")
    assert answer.status == 200, answer.text
    detail = answer.json()
    assert detail["customer"]["name"] == "中島 彩"
    assert (detail["erased"], detail["suppression"]) == (False, None)
    assert [order["order"]["order_id"] for order in detail["orders"]] == ["2077"]
    assert {d["id"] for d in detail["deliveries"]} == {d.id for d in planned.of(NAKAJIMA)}
    assert api.staff.get(f"{CUSTOMERS}/{'0' * 32}").error_code == "customer_not_found"
    assert api.owner.get(f"/api/shops/{OTHER_SHOP}/customers/{NAKAJIMA_ID}").status == 404
    assert api.outsider.get(f"{CUSTOMERS}/{NAKAJIMA_ID}").error_code == "forbidden_shop"


# --- unsubscribe by hand -------------------------------------------------------------------------------


def test_a_manager_unsubscribes_a_customer_once_and_no_mail_goes_out(api: Api) -> None:
    planned = plan_orders(api)
    path = f"{CUSTOMERS}/{NAKAJIMA_ID}/unsubscribe"
    assert api.staff.post(path).error_code == "forbidden_role"
    first = api.manager.post(path)
    assert first.status == 200, first.text
    body = first.json()
    assert (body["changed"], body["suppression"]) == (True, "manual")
    assert body["customer"]["unsubscribed_at"] is not None
    again = api.manager.post(path).json()
    assert (again["changed"], again["customer"]) == (False, body["customer"])
    assert [e["action"] for e in audit_entries(api)].count("customer.unsubscribe") == 1
    thanks = planned.one(NAKAJIMA, "thanks")
    fire_due_schedules(api.stack, thanks.send_at + timedelta(minutes=5))
    assert (stored(api, thanks.id).status, stored(api, thanks.id).reason) == ("skipped", "suppressed")


# --- erasure --------------------------------------------------------------------------------------------


def test_erasure_end_to_end(api: Api) -> None:
    planned = plan_orders(api)
    thanks, like, love = (planned.one(NAKAJIMA, step) for step in ("thanks", "like", "love"))
    fire_due_schedules(api.stack, thanks.send_at + timedelta(minutes=5))
    assert stored(api, thanks.id).status == "sent"
    make_unknown(api, love)
    path = f"{CUSTOMERS}/{NAKAJIMA_ID}/erase"

    assert api.manager.post(path, {"confirm": NAKAJIMA}).error_code == "forbidden_role"
    assert api.owner.post(path, {"confirm": HIKARI}).error_code == "confirm_mismatch"
    assert api.owner.post(path, {}).status == 422
    answer = api.owner.post(path, {"confirm": " Aya.Nakajima@EXAMPLE.net "})
    assert answer.status == 200, answer.text
    assert answer.json() == {
        "customer_id": NAKAJIMA_ID,
        "already": False,
        "orders_redacted": 1,
        "deliveries_cancelled": 2,
        "deliveries_redacted": 3,
    }

    record = api.stack.admin.orders.get(SHOP_ID, "ec-cube#2077")
    assert record is not None
    customer, ship_to = record.order.customer, record.order.ship_to
    assert (customer.name, customer.name_kana, customer.email, customer.phone) == (None, None, None, None)
    assert (ship_to.name, ship_to.postal_code, ship_to.address) == (None, None, None)
    assert ship_to.prefecture is not None
    assert record.order.items
    assert record.order.total is not None
    assert record.order.ordered_at is not None
    assert record.status == "open"
    after = {d.id: stored(api, d.id) for d in (thanks, like, love)}
    assert {d.customer_email for d in after.values()} == {None}
    assert after[thanks.id].status == "sent"
    assert {(after[i].status, after[i].reason) for i in (like.id, love.id)} == {("cancelled", "erased")}
    assert not {like.id, love.id} & schedule_names()
    erased = api.stack.admin.customers.get(SHOP_ID, NAKAJIMA_ID)
    assert erased is not None
    assert (erased.email, erased.name, erased.order_count) == ("[erased]", "[erased]", 1)
    assert api.stack.admin.customers.suppression(SHOP_ID, NAKAJIMA) == "manual"
    [entry] = [e for e in audit_entries(api) if e["action"] == "customer.erase"]
    logged = json.dumps(entry, ensure_ascii=False, default=str)
    assert NAKAJIMA_ID in logged
    assert "nakajima" not in logged.lower()
    assert "中島" not in logged

    # the redaction's MODIFY records plan nothing; the same order mail again brings nothing back
    assert pump_stream(api.stack) >= 1
    assert len(all_deliveries(api.stack)) == 12
    assert ingest(api.stack, "eccube-html-gift", key_suffix="-again")["result"] == "duplicate"
    pump_stream(api.stack)
    assert len(all_deliveries(api.stack)) == 12
    again = api.stack.admin.orders.get(SHOP_ID, "ec-cube#2077")
    assert again is not None
    assert again.order.customer.email is None
    assert not {like.id, love.id} & schedule_names()

    # erasing twice changes nothing; the person is no longer findable
    twice = api.owner.post(path, {"confirm": NAKAJIMA})
    assert (twice.status, twice.json()["already"]) == (200, True)
    assert [e["action"] for e in audit_entries(api)].count("customer.erase") == 1
    assert api.staff.get(CUSTOMERS, q="中島").json()["items"] == []
    assert api.staff.get(f"{BASE}/deliveries", q="nakajima").json()["items"] == []
    assert api.staff.get(f"{BASE}/orders", q="中島").json()["items"] == []
    detail = api.staff.get(f"{CUSTOMERS}/{NAKAJIMA_ID}").json()
    assert (detail["erased"], detail["customer"]["email"]) == (True, "[erased]")
    assert api.manager.post(f"{CUSTOMERS}/{NAKAJIMA_ID}/unsubscribe").error_code == "customer_erased"


def test_staff_cannot_erase_and_outsiders_cannot_reach(api: Api) -> None:
    plan_orders(api)
    path = f"{CUSTOMERS}/{NAKAJIMA_ID}/erase"
    assert api.staff.post(path, {"confirm": NAKAJIMA}).error_code == "forbidden_role"
    assert api.outsider.post(path, {"confirm": NAKAJIMA}).error_code == "forbidden_shop"
    assert (
        api.owner.post(f"/api/shops/{OTHER_SHOP}/customers/{NAKAJIMA_ID}/erase", {"confirm": NAKAJIMA}).status
        == 404
    )
    customer = api.stack.admin.customers.get(SHOP_ID, NAKAJIMA_ID)
    assert customer is not None
    assert customer.email == NAKAJIMA


# --- the suppression list -------------------------------------------------------------------------------


def test_managers_keep_the_list_and_pages_go_on(api: Api) -> None:
    assert api.staff.get(SUPPRESSIONS).json() == {"items": [], "next_cursor": None}
    assert api.staff.post(SUPPRESSIONS, {"address": "a@example.jp"}).error_code == "forbidden_role"
    added = api.manager.post(SUPPRESSIONS, {"address": "Taro@Example.JP"})
    assert added.status == 201, added.text
    assert added.json() == {"address": "taro@example.jp", "reason": "manual", "added": True}
    again = api.manager.post(SUPPRESSIONS, {"address": "taro@example.jp"})
    assert (again.status, again.json()["added"]) == (200, False)
    for address in ("b@example.jp", "c@example.jp"):
        assert api.manager.post(SUPPRESSIONS, {"address": address}).status == 201
    pages = all_pages(api.staff, SUPPRESSIONS, limit=2)
    assert [[item["address"] for item in page] for page in pages] == [
        ["b@example.jp", "c@example.jp"],
        ["taro@example.jp"],
    ]
    assert api.manager.post(SUPPRESSIONS, {"address": "x@example.jp", "reason": "bounce"}).status == 422
    assert api.manager.post(SUPPRESSIONS, {"address": "not an address"}).status == 422
    assert [e["action"] for e in audit_entries(api)].count("suppression.add") == 3


def test_who_may_lift_what(api: Api) -> None:
    plan_orders(api)
    customers = api.stack.admin.customers
    now = api.stack.clock.now()
    customers.suppress(SHOP_ID, "bounced@example.jp", reason="bounce", at=now, delivery_id="d-1")
    assert api.manager.post(SUPPRESSIONS, {"address": "mine@example.jp"}).status == 201

    lifted = api.manager.delete(f"{SUPPRESSIONS}/{quote('mine@example.jp', safe='')}")
    assert (lifted.status, lifted.json()) == (200, {"address": "mine@example.jp", "reason": "manual"})
    assert api.manager.delete(f"{SUPPRESSIONS}/mine@example.jp").error_code == "not_listed"
    assert api.staff.delete(f"{SUPPRESSIONS}/bounced@example.jp").error_code == "forbidden_role"
    assert api.manager.delete(f"{SUPPRESSIONS}/bounced@example.jp").error_code == "forbidden_role"
    assert customers.suppression(SHOP_ID, "bounced@example.jp") == "bounce"
    assert api.owner.delete(f"{SUPPRESSIONS}/BOUNCED@example.jp").json()["reason"] == "bounce"
    assert customers.suppression(SHOP_ID, "bounced@example.jp") is None

    assert api.owner.post(f"{CUSTOMERS}/{NAKAJIMA_ID}/erase", {"confirm": NAKAJIMA}).status == 200
    kept = api.owner.delete(f"{SUPPRESSIONS}/{quote(NAKAJIMA, safe='')}")
    assert (kept.status, kept.error_code) == (409, "customer_erased")
    assert customers.suppression(SHOP_ID, NAKAJIMA) == "manual"
    assert api.owner.delete(f"/api/shops/{OTHER_SHOP}/suppressions/{quote(NAKAJIMA, safe='')}").status == 404
