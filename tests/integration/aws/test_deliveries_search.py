"""DynamoDeliveries for the admin API: search by send time, the pace count, operators' writes."""

from __future__ import annotations

from datetime import timedelta

import pytest

from okaeri.aws.deliveries import DynamoDeliveries, due_shard
from okaeri.models import Delivery
from tests.integration.aws.conftest import OTHER_SHOP, SHOP, T0, make_delivery, stored_item


def put(deliveries: DynamoDeliveries, n: int, *, shop_id: str = SHOP, **fields: object) -> Delivery:
    delivery = make_delivery(f"d-{n}", shop_id=shop_id, send_at=T0 + timedelta(hours=n), **fields)
    assert deliveries.put_new(delivery)
    return delivery


def ids(found: list[Delivery]) -> list[str]:
    return [delivery.id for delivery in found]


def test_search_is_latest_send_time_first_within_the_period(deliveries: DynamoDeliveries) -> None:
    for n in range(5):
        put(deliveries, n, status="sent" if n % 2 else "scheduled")
    put(deliveries, 9, shop_id=OTHER_SHOP)
    found, last = deliveries.search(SHOP, since=None, until=None, keep=None, limit=10, start=None)
    assert (ids(found), last) == (["d-4", "d-3", "d-2", "d-1", "d-0"], None)
    sent, _ = deliveries.search(
        SHOP, since=None, until=None, keep=lambda d: d.status == "sent", limit=10, start=None
    )
    assert ids(sent) == ["d-3", "d-1"]
    window, _ = deliveries.search(
        SHOP, since=T0 + timedelta(hours=1), until=T0 + timedelta(hours=2), keep=None, limit=10, start=None
    )
    assert ids(window) == ["d-2", "d-1"]


def test_search_goes_on_from_its_key(deliveries: DynamoDeliveries) -> None:
    for n in range(5):
        put(deliveries, n)
    first, last = deliveries.search(SHOP, since=None, until=None, keep=None, limit=3, start=None)
    assert ids(first) == ["d-4", "d-3", "d-2"]
    assert last is not None
    assert set(last) == {"pk", "sk", "shop_id", "send_at"}
    rest, _ = deliveries.search(SHOP, since=None, until=None, keep=None, limit=3, start=last)
    assert ids(rest) == ["d-1", "d-0"]


def test_the_pace_counts_the_scheduled_mails_of_a_period_without_reading_them(
    deliveries: DynamoDeliveries,
) -> None:
    for n in range(5):
        put(deliveries, n, status="cancelled" if n == 3 else "scheduled")
    put(deliveries, 2, shop_id=OTHER_SHOP)
    hours = [T0 + timedelta(hours=n) for n in range(6)]
    assert deliveries.count_scheduled(SHOP, hours[1], hours[4]) == 2  # d-1, d-2; d-3 cancelled; d-4 after
    assert deliveries.count_scheduled(SHOP, hours[0], hours[1]) == 1  # the start is in, the end is not
    assert deliveries.count_scheduled(SHOP, hours[5], hours[5] + timedelta(days=2)) == 0


def test_an_edit_applies_to_a_scheduled_delivery_only(deliveries: DynamoDeliveries) -> None:
    put(deliveries, 1)
    edited = deliveries.edit(SHOP, "d-1", changes={"edited_subject": "件名", "edited_text": "本文"})
    assert edited is not None
    assert (edited.edited_subject, edited.edited_text) == ("件名", "本文")
    undone = deliveries.edit(SHOP, "d-1", changes={"edited_text": None})
    assert undone is not None
    assert (undone.edited_subject, undone.edited_text) == ("件名", None)
    put(deliveries, 2, status="sent")
    assert deliveries.edit(SHOP, "d-2", changes={"edited_subject": "x"}) is None
    assert deliveries.edit(OTHER_SHOP, "d-1", changes={"edited_subject": "x"}) is None
    with pytest.raises(ValueError, match="status"):
        deliveries.edit(SHOP, "d-1", changes={"status": "sent"})


def test_requeue_brings_an_unknown_delivery_back_to_the_due_index(
    deliveries: DynamoDeliveries, tables: dict[str, str]
) -> None:
    put(deliveries, 1)
    assert deliveries.claim(
        SHOP, "d-1", now=T0 + timedelta(hours=1), lease_until=T0 + timedelta(hours=2)
    ).claimed
    assert deliveries.mark_unknown(SHOP, "d-1", now=T0 + timedelta(hours=3))
    again = T0 + timedelta(hours=4)
    assert deliveries.requeue(
        SHOP, "d-1", send_at=again, reason="resent_by_operator", from_status=["unknown"]
    )
    stored = deliveries.get(SHOP, "d-1")
    assert stored is not None
    assert (stored.status, stored.reason, stored.send_at, stored.lease_until) == (
        "scheduled",
        "resent_by_operator",
        again,
        None,
    )
    item = stored_item(tables["deliveries"], SHOP, "d-1")
    assert item is not None
    assert item["due_shard"] == f"scheduled#{due_shard('d-1')}"
    assert [d.id for d in deliveries.due(again, limit=10)] == ["d-1"]
    assert not deliveries.requeue(SHOP, "d-1", send_at=again, reason="x", from_status=["unknown"])


def test_redacting_the_recipient(deliveries: DynamoDeliveries) -> None:
    put(deliveries, 1)
    assert deliveries.redact_email(SHOP, "d-1")
    stored = deliveries.get(SHOP, "d-1")
    assert stored is not None
    assert stored.customer_email is None
    assert stored.status == "scheduled"
    assert not deliveries.redact_email(SHOP, "d-404")
    assert not deliveries.redact_email(OTHER_SHOP, "d-1")
