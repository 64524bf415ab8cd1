"""DynamoLogs: reception, send and audit entries, newest first per shop, paged for the admin page."""

from __future__ import annotations

from datetime import timedelta

import pytest

from okaeri.aws.dynamo import Expression, Table
from okaeri.aws.logs import DynamoLogs
from okaeri.models import ReceptionEntry, SendLogEntry
from tests.integration.aws.conftest import OTHER_SHOP, RETENTION_DAYS, SHOP, T0, stored_item


def reception(n: int, *, shop_id: str = SHOP, **fields: object) -> ReceptionEntry:
    data: dict[str, object] = {
        "shop_id": shop_id,
        "s3_key": f"inbound/{shop_id}/mail-{n}",
        "received_at": T0 + timedelta(minutes=n),
        "result": "parsed",
        "order_key": f"rakuten#A-{n}",
        "kind": "order",
        "sender": "order@rakuten.co.jp",
        "subject": "【楽天市場】注文内容ご確認",
    }
    return ReceptionEntry.model_validate(data | fields)


def send(n: int, *, shop_id: str = SHOP) -> SendLogEntry:
    return SendLogEntry(
        shop_id=shop_id,
        delivery_id=f"d-{n}",
        at=T0 + timedelta(seconds=n),
        status="sent",
        transport="ses",
        message_id=f"m-{n}",
    )


def test_a_reception_round_trips_and_expires(logs: DynamoLogs, tables: dict[str, str]) -> None:
    entry = reception(
        1, result="failed", reason="missing_field", message_ja="注文番号がありません", message_en="no id"
    )
    logs.put_reception(entry)
    page, next_key = logs.receptions(SHOP)
    assert page == [entry]
    assert next_key is None
    item = stored_item(
        tables["logs"], f"{SHOP}#reception", "2026-11-20T01:01:00.000000+00:00#inbound/sakura-farm/mail-1"
    )
    assert item is not None
    assert item["expires_at"] == int((entry.received_at + timedelta(days=RETENTION_DAYS)).timestamp())


def test_a_repeated_event_rewrites_its_reception_entry(logs: DynamoLogs) -> None:
    logs.put_reception(reception(1))
    logs.put_reception(reception(1, result="duplicate"))
    page, _ = logs.receptions(SHOP)
    assert [entry.result for entry in page] == ["duplicate"]


def test_receptions_page_newest_first(logs: DynamoLogs) -> None:
    for n in range(5):
        logs.put_reception(reception(n))
    first, key = logs.receptions(SHOP, limit=2)
    assert [entry.s3_key for entry in first] == ["inbound/sakura-farm/mail-4", "inbound/sakura-farm/mail-3"]
    assert key is not None
    second, key = logs.receptions(SHOP, limit=2, start_key=key)
    assert [entry.s3_key for entry in second] == ["inbound/sakura-farm/mail-2", "inbound/sakura-farm/mail-1"]
    third, key = logs.receptions(SHOP, limit=2, start_key=key)
    assert [entry.s3_key for entry in third] == ["inbound/sakura-farm/mail-0"]
    assert key is None


def test_sends_round_trip_newest_first(logs: DynamoLogs) -> None:
    entries = [send(n) for n in range(3)]
    for entry in entries:
        logs.put_send(entry)
    logs.put_send(entries[0])  # a retried log write is the same entry
    page, key = logs.sends(SHOP, limit=10)
    assert page == entries[::-1]
    assert key is None


def test_audit_entries_are_kept_once_per_action_and_detail(logs: DynamoLogs, tables: dict[str, str]) -> None:
    detail = {"delivery": "d-1", "by": "owner@example.jp", "ratio": 0.5}
    logs.put_audit(SHOP, action="stop", at=T0, detail=detail)
    logs.put_audit(SHOP, action="stop", at=T0, detail=detail)
    logs.put_audit(SHOP, action="stop", at=T0, detail={"delivery": "d-2"})
    expr = Expression()
    items = Table(tables["logs"]).query_all(expr, f"pk = {expr.value(f'{SHOP}#audit')}")
    assert len(items) == 2
    assert {item["action"] for item in items} == {"stop"}
    assert detail in [item["detail"] for item in items]


def test_shops_never_see_each_others_logs(logs: DynamoLogs) -> None:
    logs.put_reception(reception(1))
    logs.put_send(send(1))
    logs.put_reception(reception(2, shop_id=OTHER_SHOP))
    assert [entry.shop_id for entry in logs.receptions(OTHER_SHOP)[0]] == [OTHER_SHOP]
    assert logs.sends(OTHER_SHOP) == ([], None)


def test_an_action_on_a_mail_is_kept_under_the_mail_too(logs: DynamoLogs, tables: dict[str, str]) -> None:
    """Same sort key, same expiry, in the shop's log and under the mail; a repeat is the same two
    entries; an entry on no mail (or another mail, or another shop's) is not the mail's."""
    detail = {"delivery": "d-1", "by": "owner@example.jp"}
    for _ in range(2):
        logs.put_audit(SHOP, action="delivery.stop", at=T0, detail=detail, delivery="d-1")
    logs.put_audit(SHOP, action="delivery.stop", at=T0, detail={"delivery": "d-2"}, delivery="d-2")
    logs.put_audit(SHOP, action="settings.update", at=T0, detail={"by": "owner@example.jp"})
    logs.put_audit(OTHER_SHOP, action="delivery.stop", at=T0, detail=detail, delivery="d-1")

    expr = Expression()
    shop_log = Table(tables["logs"]).query_all(expr, f"pk = {expr.value(f'{SHOP}#audit')}")
    assert len(shop_log) == 3
    [in_shop_log] = [item for item in shop_log if item["detail"] == detail]
    [under_mail] = list(logs.delivery_audit(SHOP, "d-1"))
    assert under_mail["pk"] == f"{SHOP}#audit#d-1"
    for name in ("sk", "action", "at", "detail", "expires_at"):
        assert under_mail[name] == in_shop_log[name], name
    assert under_mail["expires_at"] == int((T0 + timedelta(days=RETENTION_DAYS)).timestamp())
    assert [item["detail"] for item in logs.delivery_audit(SHOP, "d-2")] == [{"delivery": "d-2"}]
    assert list(logs.delivery_audit(SHOP, "d-3")) == []
    assert [item["shop_id"] for item in logs.delivery_audit(OTHER_SHOP, "d-1")] == [OTHER_SHOP]


def test_a_mails_actions_are_read_whole_oldest_first_page_after_page(
    logs: DynamoLogs, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Written in any order, among other mails' actions, read back in time order, every one, over
    more than one query page (the page lowered to 3 items)."""
    monkeypatch.setattr("okaeri.aws.logs.CHUNK", 3)
    minutes = [7, 2, 9, 0, 5, 1, 8, 3, 6, 4]
    for n in minutes:
        at = T0 + timedelta(minutes=n)
        logs.put_audit(
            SHOP, action="delivery.edit", at=at, detail={"delivery": "d-1", "n": n}, delivery="d-1"
        )
        logs.put_audit(SHOP, action="delivery.stop", at=at, detail={"delivery": "d-2"}, delivery="d-2")
    read = list(logs.delivery_audit(SHOP, "d-1"))
    assert [item["detail"]["n"] for item in read] == sorted(minutes)
    assert {item["detail"]["delivery"] for item in read} == {"d-1"}
