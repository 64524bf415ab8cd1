"""What operators and shops do to a running local stack: stop and move mails, bad and repeated mail.

Each test sends its own new orders, placed at the stack's current time (the clock only goes
forward, and the tests of this module share one stack), and follows them by order id.
"""

from __future__ import annotations

import itertools
import json
import smtplib
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

import pytest

from okaeri_dev.send_sample import order_mail
from tests.conftest import FIXTURES
from tests.e2e.local import LocalClient

SERIALS = itertools.count(7_000_000_001)


def new_order(local: LocalClient, *, masked: bool = False) -> tuple[str, list[dict[str, Any]]]:
    """A fresh order mail by SMTP; its order key and its planned deliveries (from the tables)."""
    serial = next(SERIALS)
    answer = local.send_mail(
        order_mail(ordered_at=datetime.fromisoformat(local.now()), serial=serial, masked=masked)
    )
    assert answer.endswith(" parsed"), answer
    order = next(
        item for item in local.orders("demo") if item["order"]["order_id"].endswith(f"{serial:010d}")
    )
    return str(order["sk"]), deliveries_of(local, str(order["sk"]))


def deliveries_of(local: LocalClient, order_key: str) -> list[dict[str, Any]]:
    return sorted(
        (item for item in local.deliveries() if item["order_key"] == order_key),
        key=lambda item: item["send_at"],
    )


def shop_snapshot(local: LocalClient) -> dict[str, list[str]]:
    """Every item of the shop's orders, deliveries and customers, as text: equal when nothing changed."""
    return {
        table: sorted(json.dumps(item, sort_keys=True, default=str) for item in items)
        for table, items in (
            ("orders", local.orders("demo")),
            ("deliveries", local.items("deliveries", "demo")),
            ("customers", local.items("customers", "demo")),
        )
    }


def test_a_stopped_mail_stays_unsent_and_a_moved_one_goes_at_its_new_time(
    local: LocalClient, staff_password: str
) -> None:
    token = local.sign_in("staff@okaeri.local", staff_password)
    order_key, planned = new_order(local, masked=True)
    steps = {item["step_id"]: item for item in planned}
    assert set(steps) == {"thanks", "like", "love"}
    thanks, like = steps["thanks"], steps["like"]
    moved_to = datetime.fromisoformat(thanks["send_at"]) + timedelta(days=2, hours=5)  # ship day + 2, 15:00

    stop = local.post(f"/api/shops/demo/deliveries/{thanks['sk']}/stop", token=token)
    assert stop.status == 200, stop.body
    assert stop.json()["status"] == "cancelled"
    move = local.post(
        f"/api/shops/demo/deliveries/{like['sk']}/reschedule", {"send_at": moved_to.isoformat()}, token=token
    )
    assert move.status == 200, move.body
    assert datetime.fromisoformat(move.json()["send_at"]) == moved_to

    seen = local.outbox_count()
    local.advance("25d")
    mine = {message["tags"]["delivery"]: message for message in local.outbox(since=seen)}
    assert thanks["sk"] not in mine  # stopped: never sent
    assert datetime.fromisoformat(mine[like["sk"]]["at"]) == moved_to  # moved: sent at its new time
    assert steps["love"]["sk"] in mine
    now = {item["step_id"]: item for item in deliveries_of(local, order_key)}
    assert (now["thanks"]["status"], now["like"]["status"], now["love"]["status"]) == (
        "cancelled",
        "sent",
        "sent",
    )
    assert datetime.fromisoformat(now["like"]["send_at"]) == moved_to


def test_an_unparseable_mail_is_in_the_reception_log_with_its_reason(local: LocalClient) -> None:
    before = len(local.receptions())
    answer = local.send_mail((FIXTURES / "mail" / "rakuten-missing-id.eml").read_bytes())
    assert answer.endswith("failed (missing_field)"), answer
    entries = local.receptions()
    assert len(entries) == before + 1
    entry = next(item for item in entries if item["s3_key"] in answer)
    assert (entry["result"], entry["reason"]) == ("failed", "missing_field")
    assert entry["message_ja"]
    assert entry["message_en"]
    assert local.get("/dev/metrics").json()["metrics"]["ParseFailed"] >= 1


def test_the_reception_log_is_visible_through_the_api(local: LocalClient, staff_password: str) -> None:
    answer = local.send_mail((FIXTURES / "mail" / "unknown-cart.eml").read_bytes())
    assert answer.endswith("failed (unrecognised)"), answer
    key = answer.split(" ")[2]
    reply = local.get("/api/shops/demo/receptions", token=local.sign_in("staff@okaeri.local", staff_password))
    assert reply.status == 200, reply.body
    entry = next(item for item in reply.json()["items"] if item["s3_key"] == key)
    assert (entry["result"], entry["reason"]) == ("failed", "unrecognised")


def test_a_second_identical_mail_changes_nothing(local: LocalClient) -> None:
    serial = next(SERIALS)
    raw = order_mail(ordered_at=datetime.fromisoformat(local.now()), serial=serial, buyer_tag="same-buyer")
    assert local.send_mail(raw).endswith(" parsed")
    before = shop_snapshot(local)
    again = local.send_mail(raw)
    assert again.endswith(" duplicate"), again
    assert shop_snapshot(local) == before  # no order, customer count or delivery changed
    key = again.split(" ")[2]
    assert next(item for item in local.receptions() if item["s3_key"] == key)["result"] == "duplicate"

    seen = local.outbox_count()
    local.advance("25d")
    order = next(
        item for item in local.orders("demo") if item["order"]["order_id"].endswith(f"{serial:010d}")
    )
    mine = [m for m in local.outbox(since=seen) if m["tags"]["delivery"].split(".")[0] == "demo"]
    ids = {item["sk"] for item in deliveries_of(local, str(order["sk"]))}
    assert Counter(m["tags"]["delivery"] for m in mine if m["tags"]["delivery"] in ids) == Counter(
        dict.fromkeys(ids, 1)
    )  # each of the order's three mails once


@pytest.mark.parametrize(
    "recipient", ["orders+no-such-shop@okaeri.local", "someone@okaeri.local", "orders+demo@elsewhere.example"]
)
def test_mail_for_no_shop_is_refused_at_rcpt(local: LocalClient, recipient: str) -> None:
    before = len(local.receptions())
    with smtplib.SMTP("127.0.0.1", local.smtp_port, timeout=30) as smtp:
        smtp.ehlo()
        smtp.mail("order@rakuten.co.jp")
        code, answer = smtp.rcpt(recipient)
    assert code == 550, answer
    assert b"orders+<shop-id>@okaeri.local" in answer
    assert len(local.receptions()) == before
