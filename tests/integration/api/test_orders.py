"""``/orders``: search by period and text, pages, one order with its mails, on the moto stack."""

from __future__ import annotations

from okaeri.api.pagination import encode_cursor
from tests.integration.api.conftest import OTHER_SHOP, Api
from tests.integration.api.ops_helpers import BASE, NAKAJIMA, all_pages, path_key, plan_orders
from tests.integration.pipeline.conftest import SHOP_ID
from tests.support.operations import NEWEST_FIRST
from tests.support.operations import order_keys as keys

ORDERS = f"{BASE}/orders"


def test_orders_page_newest_first_and_the_cursor_goes_on(api: Api) -> None:
    plan_orders(api)
    everything = api.staff.get(ORDERS).json()
    assert keys(everything["items"]) == NEWEST_FIRST
    assert everything["next_cursor"] is None
    pages = all_pages(api.staff, ORDERS, limit=3)
    assert [len(page) for page in pages] == [3, 1]
    assert keys([item for page in pages for item in page]) == NEWEST_FIRST
    first = api.staff.get(ORDERS, limit=1).json()
    second = api.staff.get(ORDERS, limit=1, cursor=first["next_cursor"]).json()
    assert keys(first["items"] + second["items"]) == NEWEST_FIRST[:2]


def test_orders_by_period_in_shop_days(api: Api) -> None:
    plan_orders(api)
    december = api.staff.get(ORDERS, **{"from": "2026-12-01"}).json()
    assert keys(december["items"]) == NEWEST_FIRST[:3]
    early = api.staff.get(ORDERS, **{"from": "2026-11-30", "to": "2026-12-02"}).json()
    assert keys(early["items"]) == NEWEST_FIRST[2:]
    one_day = api.staff.get(ORDERS, **{"from": "2026-12-04", "to": "2026-12-04"}).json()
    assert keys(one_day["items"]) == ["ec-cube#2077"]
    assert api.staff.get(ORDERS, to="2026-11-29").json()["items"] == []
    assert api.staff.get(ORDERS, **{"from": "12/01/2026"}).error_code == "bad_date"
    assert api.staff.get(ORDERS, **{"from": "2026-12-05", "to": "2026-12-01"}).error_code == "bad_period"


def test_orders_by_id_name_or_address(api: Api) -> None:
    plan_orders(api)
    assert keys(api.staff.get(ORDERS, q="2077").json()["items"]) == ["ec-cube#2077"]
    assert keys(api.staff.get(ORDERS, q="midori-cha").json()["items"]) == ["yahoo#MIDORI-CHA-10000077"]
    assert keys(api.staff.get(ORDERS, q="髙橋").json()["items"]) == [NEWEST_FIRST[3]]
    assert keys(api.staff.get(ORDERS, q="ナカジマ").json()["items"]) == ["ec-cube#2077"]  # kana
    assert keys(api.staff.get(ORDERS, q="Aya.Nakajima").json()["items"]) == ["ec-cube#2077"]
    rakuten = api.staff.get(ORDERS, q="fw.rakuten.ne.jp", limit=1).json()
    assert keys(rakuten["items"]) == [NEWEST_FIRST[0]]
    rest = api.staff.get(ORDERS, q="fw.rakuten.ne.jp", limit=1, cursor=rakuten["next_cursor"]).json()
    assert keys(rest["items"]) == [NEWEST_FIRST[3]]
    assert api.staff.get(ORDERS, q="no such buyer").json() == {"items": [], "next_cursor": None}
    assert api.staff.get(ORDERS, q="x" * 101).status == 422


def test_bad_and_foreign_cursors_are_400(api: Api) -> None:
    plan_orders(api)
    assert api.staff.get(ORDERS, cursor="%%%").error_code == "bad_cursor"
    theirs = encode_cursor(
        OTHER_SHOP, {"pk": OTHER_SHOP, "sk": "a", "shop_id": OTHER_SHOP, "ordered_at": "b"}
    )
    assert api.staff.get(ORDERS, cursor=theirs).error_code == "bad_cursor"
    forged = encode_cursor(SHOP_ID, {"pk": OTHER_SHOP, "sk": "a", "shop_id": OTHER_SHOP, "ordered_at": "b"})
    assert api.staff.get(ORDERS, cursor=forged).error_code == "bad_cursor"
    short = encode_cursor(SHOP_ID, {"pk": SHOP_ID, "sk": "a"})
    assert api.staff.get(ORDERS, cursor=short).error_code == "bad_cursor"
    assert api.staff.get(ORDERS, limit=0).status == 422
    assert api.staff.get(ORDERS, limit=201).status == 422


def test_one_order_with_its_mails(api: Api) -> None:
    planned = plan_orders(api)
    mails = planned.of(NAKAJIMA)
    answer = api.staff.get(f"{ORDERS}/{path_key('ec-cube#2077')}")
    assert answer.status == 200, answer.text
    detail = answer.json()
    assert detail["order"]["order"]["customer"]["email"] == NAKAJIMA
    assert detail["order"]["order"]["total"] is not None
    assert [d["id"] for d in detail["deliveries"]] == [d.id for d in mails]
    assert [d["step_id"] for d in detail["deliveries"]] == ["thanks", "like", "love"]
    assert api.staff.get(f"{ORDERS}/{path_key('ec-cube#9999')}").error_code == "order_not_found"


def test_another_shops_order_is_not_found_and_another_shop_is_forbidden(api: Api) -> None:
    plan_orders(api)
    assert api.owner.get(f"/api/shops/{OTHER_SHOP}/orders/{path_key('ec-cube#2077')}").status == 404
    assert api.owner.get(f"/api/shops/{OTHER_SHOP}/orders").json() == {"items": [], "next_cursor": None}
    assert api.outsider.get(f"{ORDERS}/{path_key('ec-cube#2077')}").error_code == "forbidden_shop"
    answer = api.outsider.get(ORDERS)
    assert (answer.status, answer.error_code) == (403, "forbidden_shop")
    assert "2077" not in answer.text


def test_a_step_skipped_when_the_order_came_shows_in_the_order_and_the_deliveries(api: Api) -> None:
    """The thanks mail's time had gone by more than a day when the order mail arrived: the order
    lists it as skipped with the reason beside the planned mails, and so does the delivery list."""
    from datetime import timedelta

    from tests.integration.pipeline.test_pipeline import ingest, pump_stream

    api.stack.clock.advance(timedelta(days=10))
    entry = ingest(api.stack, "eccube-html-gift")
    assert entry["result"] == "parsed"
    pump_stream(api.stack)
    detail = api.staff.get(f"{ORDERS}/{path_key(entry['order'])}").json()
    steps = {d["step_id"]: (d["status"], d["reason"]) for d in detail["deliveries"]}
    assert steps["thanks"] == ("skipped", "past")
    assert [status for status, _ in steps.values()].count("scheduled") == 2
    listed = api.staff.get(f"{BASE}/deliveries", status="skipped").json()["items"]
    assert [(d["step_id"], d["reason"]) for d in listed] == [("thanks", "past")]
