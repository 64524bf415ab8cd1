"""``/orders`` over the fakes: search by shop day and text, pages, one order with its mails (staff)."""

from __future__ import annotations

from typing import Any

from okaeri.api.pagination import encode_cursor
from tests.support.operations import NAKAJIMA, NEWEST_FIRST, all_pages, path_key
from tests.support.operations import order_keys as keys
from tests.unit.api.conftest import BASE, OTHER_SHOP, Admin, plan_orders, refused_below
from tests.unit.services.support import SHOP_ID

ORDERS = f"{BASE}/orders"


def found(admin: Admin, **query: Any) -> list[str]:
    answer = admin.staff.get(ORDERS, **query)
    assert answer.status == 200, answer.text
    return keys(answer.json()["items"])


def test_every_role_of_the_shop_reads_the_orders_newest_first_page_by_page(admin: Admin) -> None:
    plan_orders(admin)
    for client in (admin.staff, admin.manager, admin.owner):
        assert client.get(ORDERS).json() == admin.staff.get(ORDERS).json()
    assert found(admin) == NEWEST_FIRST
    pages = all_pages(admin.staff, ORDERS, limit=3)
    assert [keys(page) for page in pages] == [NEWEST_FIRST[:3], NEWEST_FIRST[3:]]
    first = admin.staff.get(ORDERS, limit=1).json()
    assert found(admin, limit=1, cursor=first["next_cursor"]) == NEWEST_FIRST[1:2]
    refused_below(admin, "staff", "GET", ORDERS)


def test_orders_of_a_period_in_shop_days(admin: Admin) -> None:
    plan_orders(admin)
    assert found(admin, **{"from": "2026-12-01"}) == NEWEST_FIRST[:3]
    assert found(admin, **{"from": "2026-11-30", "to": "2026-12-02"}) == NEWEST_FIRST[2:]
    assert found(admin, **{"from": "2026-12-04", "to": "2026-12-04"}) == ["ec-cube#2077"]
    assert found(admin, to="2026-12-05") == NEWEST_FIRST  # 07:05 in Tokyo: still the 5th there
    assert found(admin, to="2026-11-29") == []
    for query, code in (
        ({"from": "12/01/2026"}, "bad_date"),
        ({"to": "2026-02-30"}, "bad_date"),
        ({"from": "2026-12-05", "to": "2026-12-01"}, "bad_period"),
    ):
        answer = admin.staff.get(ORDERS, **query)
        assert (answer.status, answer.error_code) == (400, code), query


def test_orders_by_id_name_kana_or_address_folded(admin: Admin) -> None:
    plan_orders(admin)
    assert found(admin, q="2077") == ["ec-cube#2077"]
    assert found(admin, q="midori-cha") == ["yahoo#MIDORI-CHA-10000077"]
    assert found(admin, q="髙橋") == [NEWEST_FIRST[3]]
    assert found(admin, q="ナカジマ") == ["ec-cube#2077"]
    assert found(admin, q="Ａｙａ.Nakajima") == ["ec-cube#2077"]
    assert found(admin, q="  2077  ") == ["ec-cube#2077"]
    rakuten = admin.staff.get(ORDERS, q="fw.rakuten.ne.jp", limit=1).json()
    assert keys(rakuten["items"]) == NEWEST_FIRST[:1]
    assert found(admin, q="fw.rakuten.ne.jp", limit=1, cursor=rakuten["next_cursor"]) == NEWEST_FIRST[3:]
    assert admin.staff.get(ORDERS, q="no such buyer").json() == {"items": [], "next_cursor": None}
    answer = admin.staff.get(ORDERS, q="x" * 101)
    assert (answer.status, answer.error_code) == (422, "invalid_request")


def test_bad_limits_and_cursors_of_another_list_or_shop_are_refused(admin: Admin) -> None:
    plan_orders(admin)
    theirs = {
        "pk": f"{OTHER_SHOP}#ec-cube#2077",
        "sk": "ec-cube#2077",
        "shop_id": OTHER_SHOP,
        "ordered_at": "b",
    }
    deliveries_cursor = admin.staff.get(f"{BASE}/deliveries", limit=1).json()["next_cursor"]
    for cursor in (
        "%%%",
        encode_cursor(OTHER_SHOP, theirs),
        encode_cursor(SHOP_ID, theirs),  # a key of another shop under ours
        encode_cursor(SHOP_ID, {"pk": SHOP_ID, "sk": "a"}),
        deliveries_cursor,
    ):
        answer = admin.staff.get(ORDERS, cursor=cursor)
        assert (answer.status, answer.error_code) == (400, "bad_cursor"), cursor
    for limit in (0, 201):
        assert admin.staff.get(ORDERS, limit=limit).status == 422
    assert len(found(admin, limit=200)) == 4


def test_one_order_with_its_mails_in_send_order(admin: Admin) -> None:
    planned = plan_orders(admin)
    answer = admin.staff.get(f"{ORDERS}/{path_key('ec-cube#2077')}")
    assert answer.status == 200, answer.text
    detail = answer.json()
    assert detail["order"]["order"]["customer"]["email"] == NAKAJIMA
    assert detail["order"]["raw_keys"] == [f"inbound/{SHOP_ID}/eccube-html-gift"]
    assert [d["id"] for d in detail["deliveries"]] == [d.id for d in planned.of(NAKAJIMA)]
    assert [d["step_id"] for d in detail["deliveries"]] == ["thanks", "like", "love"]
    assert detail["plan_changes"] == []
    assert admin.owner.get(f"{ORDERS}/ec-cube%232077").json() == detail
    missing = admin.staff.get(f"{ORDERS}/{path_key('ec-cube#9999')}")
    assert (missing.status, missing.error_code) == (404, "order_not_found")
    refused_below(admin, "staff", "GET", f"{ORDERS}/{path_key('ec-cube#2077')}")


def test_another_shops_orders_are_not_there(admin: Admin) -> None:
    plan_orders(admin)
    theirs = f"/api/shops/{OTHER_SHOP}/orders"
    assert admin.owner.get(f"{theirs}/{path_key('ec-cube#2077')}").status == 404
    assert admin.owner.get(theirs).json() == {"items": [], "next_cursor": None}
    answer = admin.outsider.get(ORDERS)
    assert "2077" not in answer.text
