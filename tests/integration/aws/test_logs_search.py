"""DynamoLogs for the admin API: pages with a test, the send log's pages, receptions from a time on."""

from __future__ import annotations

from datetime import timedelta

import pytest

from okaeri.aws.logs import DynamoLogs
from okaeri.aws.search import InvalidStartKeyError
from okaeri.models import ReceptionEntry, SendLogEntry
from tests.integration.aws.conftest import OTHER_SHOP, SHOP, T0


def reception(n: int, *, shop_id: str = SHOP, result: str = "parsed") -> ReceptionEntry:
    return ReceptionEntry.model_validate(
        {
            "shop_id": shop_id,
            "s3_key": f"inbound/{shop_id}/mail-{n}",
            "received_at": T0 + timedelta(minutes=n),
            "result": result,
        }
    )


def sent(n: int) -> SendLogEntry:
    return SendLogEntry(shop_id=SHOP, delivery_id=f"d-{n}", at=T0 + timedelta(seconds=n), status="sent")


def keys(entries: list[ReceptionEntry]) -> list[str]:
    return [entry.s3_key.rsplit("-", 1)[-1] for entry in entries]


def test_reception_pages_newest_first_with_a_test(logs: DynamoLogs) -> None:
    for n in range(6):
        logs.put_reception(reception(n, result="failed" if n in {1, 4} else "parsed"))
    logs.put_reception(reception(9, shop_id=OTHER_SHOP, result="failed"))
    first, last = logs.reception_page(SHOP, keep=None, limit=4, start=None)
    assert keys(first) == ["5", "4", "3", "2"]
    rest, _ = logs.reception_page(SHOP, keep=None, limit=4, start=last)
    assert keys(rest) == ["1", "0"]
    failed, end = logs.reception_page(SHOP, keep=lambda e: e.result == "failed", limit=10, start=None)
    assert (keys(failed), end) == (["4", "1"], None)


def test_send_pages_and_start_keys_of_another_log_are_refused(logs: DynamoLogs) -> None:
    for n in range(3):
        logs.put_send(sent(n))
        logs.put_reception(reception(n))
    first, last = logs.send_page(SHOP, limit=2, start=None)
    assert [entry.delivery_id for entry in first] == ["d-2", "d-1"]
    assert last is not None
    rest, _ = logs.send_page(SHOP, limit=2, start=last)
    assert [entry.delivery_id for entry in rest] == ["d-0"]
    _, reception_key = logs.reception_page(SHOP, keep=None, limit=1, start=None)
    with pytest.raises(InvalidStartKeyError):
        logs.send_page(SHOP, limit=2, start=reception_key)
    with pytest.raises(InvalidStartKeyError):
        logs.reception_page(OTHER_SHOP, keep=None, limit=2, start=reception_key)


def test_receptions_from_a_time_on(logs: DynamoLogs) -> None:
    for n in range(4):
        logs.put_reception(reception(n))
    assert keys(list(logs.receptions_since(SHOP, T0 + timedelta(minutes=2)))) == ["3", "2"]
    assert list(logs.receptions_since(OTHER_SHOP, T0)) == []
