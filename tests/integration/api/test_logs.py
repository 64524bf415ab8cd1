"""``/receptions`` and ``/sends``: the logs, a received mail as stored, and "parse again"."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from okaeri.models import load_document
from okaeri.parsing import ParseMask
from tests.integration.api.conftest import OTHER_SHOP, Api
from tests.integration.api.ops_helpers import BASE, all_pages, audit_entries, plan_orders
from tests.integration.pipeline.conftest import SHOP_ID, put_mail
from tests.integration.pipeline.test_pipeline import (
    MAILS,
    all_deliveries,
    fire_due_schedules,
    ingest,
    pump_stream,
)
from tests.support.operations import not_the_shops_mails

TOKYO = ZoneInfo("Asia/Tokyo")
RECEPTIONS = f"{BASE}/receptions"
KURASHI = f"inbound/{SHOP_ID}/kurashi-order"


def receive_all(api: Api) -> None:
    plan_orders(api)
    assert ingest(api.stack, "newsletter")["result"] == "not_an_order"
    assert ingest(api.stack, "kurashi-order")["result"] == "failed"  # no mask for this cart yet


def keys(items: list[dict[str, Any]]) -> list[str]:
    return [str(item["s3_key"]).rsplit("/", 1)[-1] for item in items]


def test_the_reception_log_pages_and_filters(api: Api) -> None:
    receive_all(api)
    pages = all_pages(api.staff, RECEPTIONS, limit=4)
    assert [len(page) for page in pages] == [4, 2]
    received = [item for page in pages for item in page]
    assert len({item["s3_key"] for item in received}) == 6
    assert [item["received_at"] for item in received] == sorted(
        (item["received_at"] for item in received), reverse=True
    )
    [failed] = api.staff.get(RECEPTIONS, result="failed").json()["items"]
    assert (keys([failed]), failed["reason"]) == (["kurashi-order"], "unrecognised")
    assert failed["message_ja"]
    assert failed["message_en"]
    assert keys(api.staff.get(RECEPTIONS, result="not_an_order").json()["items"]) == ["newsletter"]
    assert len(api.staff.get(RECEPTIONS, result="parsed").json()["items"]) == 4
    assert api.staff.get(RECEPTIONS, result="lost").status == 422
    assert api.staff.get(RECEPTIONS, cursor="x").error_code == "bad_cursor"
    assert api.owner.get(f"/api/shops/{OTHER_SHOP}/receptions").json()["items"] == []


def test_the_raw_mail_is_served_as_stored_and_only_the_shops_own(api: Api) -> None:
    receive_all(api)
    answer = api.staff.get(f"{RECEPTIONS}/raw", key=KURASHI)
    assert answer.status == 200, answer.text
    assert answer.headers["content-type"].startswith("text/plain")
    assert answer.body == (MAILS / "kurashi-order.eml").read_bytes()

    theirs = not_the_shops_mails(SHOP_ID, OTHER_SHOP)[0]
    put_mail(theirs, b"From: a@example.jp\r\nSubject: secret\r\n\r\nsecret")
    for key in not_the_shops_mails(SHOP_ID, OTHER_SHOP):
        refused = api.owner.get(f"{RECEPTIONS}/raw", key=key)
        assert refused.status == 404, key
        assert "secret" not in refused.text
    assert api.owner.get(f"/api/shops/{OTHER_SHOP}/receptions/raw", key=theirs).status == 200
    assert api.owner.get(f"/api/shops/{OTHER_SHOP}/receptions/raw", key=KURASHI).status == 404
    assert api.outsider.get(f"{RECEPTIONS}/raw", key=KURASHI).error_code == "forbidden_shop"


def test_parse_again_after_adding_a_mask_brings_the_order_in(api: Api) -> None:
    receive_all(api)
    before = len(all_deliveries(api.stack))
    assert api.staff.post(f"{RECEPTIONS}/reparse", {"key": KURASHI}).error_code == "forbidden_role"
    still = api.manager.post(f"{RECEPTIONS}/reparse", {"key": KURASHI})
    assert (still.status, still.json()["result"]) == (200, "failed")

    api.stack.admin.config.put_mask(SHOP_ID, load_document(ParseMask, MAILS / "kurashi-mask.yaml"))
    headers = {"Idempotency-Key": "reparse-kurashi"}
    answer = api.manager.post(f"{RECEPTIONS}/reparse", {"key": KURASHI}, headers=headers)
    assert answer.status == 200, answer.text
    entry = answer.json()
    assert (entry["result"], entry["order_key"], entry["kind"]) == ("parsed", "mask:kurashi#KC-0412", "order")
    replay = api.manager.post(f"{RECEPTIONS}/reparse", {"key": KURASHI}, headers=headers)
    assert (replay.json(), replay.headers.get("idempotent-replayed")) == (entry, "true")
    assert [e["action"] for e in audit_entries(api)].count("reception.reparse") == 2

    order = api.staff.get(f"{BASE}/orders/mask%3Akurashi%23KC-0412").json()
    assert order["order"]["order"]["customer"]["name"] == "森 さくら"
    pump_stream(api.stack)
    assert len(all_deliveries(api.stack)) == before + 3
    assert "parsed" in {item["result"] for item in api.staff.get(RECEPTIONS).json()["items"]}


def test_parse_again_refuses_another_shops_mail_and_a_missing_one(api: Api) -> None:
    receive_all(api)
    theirs = f"inbound/{OTHER_SHOP}/their-order"
    put_mail(theirs, (MAILS / "eccube-html-gift.eml").read_bytes())
    entries = len(api.staff.get(RECEPTIONS).json()["items"])
    for key in (theirs, f"inbound/{SHOP_ID}/no-such-mail", f"inbound/{SHOP_ID}/../{OTHER_SHOP}/their-order"):
        refused = api.owner.post(f"{RECEPTIONS}/reparse", {"key": key})
        assert refused.status == 404, key
    assert len(api.staff.get(RECEPTIONS).json()["items"]) == entries
    assert api.owner.get(f"/api/shops/{OTHER_SHOP}/receptions").json()["items"] == []
    assert api.manager.post(f"{RECEPTIONS}/reparse", {"key": ""}).status == 422


def test_the_send_log_pages_newest_first(api: Api) -> None:
    plan_orders(api)
    fire_due_schedules(api.stack, datetime(2026, 12, 8, tzinfo=TOKYO))  # the four thanks mails
    pages = all_pages(api.staff, f"{BASE}/sends", limit=3)
    assert [len(page) for page in pages] == [3, 1]
    sent = [item for page in pages for item in page]
    assert {item["status"] for item in sent} == {"sent"}
    assert [item["at"] for item in sent] == sorted((item["at"] for item in sent), reverse=True)
    assert all(item["message_id"] for item in sent)
    assert api.owner.get(f"/api/shops/{OTHER_SHOP}/sends").json() == {"items": [], "next_cursor": None}
    of_receptions = api.staff.get(RECEPTIONS, limit=1).json()["next_cursor"]
    assert api.staff.get(f"{BASE}/sends", cursor=of_receptions).error_code == "bad_cursor"


def test_a_failure_read_again_well_is_one_entry_with_its_history_and_leaves_the_dashboard(api: Api) -> None:
    """A re-read resolves the failure: the mail keeps one row (its time of receipt), now parsed,
    with the earlier readings as its history, and the dashboard no longer counts or links it."""
    receive_all(api)
    [failed] = api.staff.get(RECEPTIONS, result="failed").json()["items"]
    board = api.staff.get(f"{BASE}/dashboard", days=7).json()
    assert (board["failed_receptions"], keys(board["latest_failed_receptions"])) == (1, ["kurashi-order"])
    api.stack.admin.config.put_mask(SHOP_ID, load_document(ParseMask, MAILS / "kurashi-mask.yaml"))
    entry = api.manager.post(f"{RECEPTIONS}/reparse", {"key": KURASHI}).json()
    assert (entry["result"], entry["received_at"]) == ("parsed", failed["received_at"])
    assert entry["read_again_at"] is not None
    assert [(h["result"], h["reason"], h["at"]) for h in entry["history"]] == [
        ("failed", "unrecognised", failed["received_at"])
    ]
    mine = [item for item in api.staff.get(RECEPTIONS).json()["items"] if item["s3_key"] == KURASHI]
    assert mine == [entry]
    assert api.staff.get(RECEPTIONS, result="failed").json()["items"] == []
    board = api.staff.get(f"{BASE}/dashboard", days=7).json()
    assert (board["failed_receptions"], board["latest_failed_receptions"]) == (0, [])
    # Read once more: still one row, the history grows, the audit says from what to what.
    again = api.manager.post(f"{RECEPTIONS}/reparse", {"key": KURASHI}).json()
    assert [h["result"] for h in again["history"]] == ["failed", "parsed"]
    assert [item["s3_key"] for item in api.staff.get(RECEPTIONS).json()["items"]].count(KURASHI) == 1
    reparses = [e for e in audit_entries(api) if e["action"] == "reception.reparse"]
    assert sorted((e["detail"]["was"], e["detail"]["result"]) for e in reparses) == [
        ("failed", "parsed"), ("parsed", "parsed")
    ]  # fmt: skip


def test_the_reception_log_keeps_the_order_id_as_the_mall_wrote_it(api: Api) -> None:
    """The key is normalised (upper case) for lookups; the id shown is the one in the mail."""
    entry = ingest(api.stack, "yahoo-iso2022-company")
    assert entry["result"] == "parsed"
    [listed] = [item for item in api.staff.get(RECEPTIONS).json()["items"] if item["order_key"]]
    assert (listed["order_id"], listed["order_key"]) == ("midori-cha-10000077", "yahoo#MIDORI-CHA-10000077")
