"""DynamoDeliveries: the conditional send state machine and the sparse, sharded ``due`` index."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from infra.tables import DELIVERIES, DUE_SHARDS
from okaeri.aws import deliveries as deliveries_module
from okaeri.aws.clients import dynamodb_client
from okaeri.aws.deliveries import DynamoDeliveries, due_shard
from okaeri.models import Delivery
from tests.integration.aws.conftest import (
    OTHER_SHOP,
    RETENTION_DAYS,
    SHOP,
    T0,
    interleaved,
    make_conversion,
    make_delivery,
    stored_item,
    without_conversions,
)

JST = timezone(timedelta(hours=9))
LEASE = T0 + timedelta(minutes=5)


def claim(
    deliveries: DynamoDeliveries,
    delivery_id: str,
    *,
    shop_id: str = SHOP,
    now: datetime = T0,
    lease: datetime = LEASE,
) -> Delivery | None:
    """The claimed delivery, or None when the claim was refused."""
    answer = deliveries.claim(shop_id, delivery_id, now=now, lease_until=lease)
    return answer.delivery if answer.claimed else None


def dynamodb_calls(deliveries: DynamoDeliveries) -> list[str]:
    """The names of the DynamoDB operations the adapter's client makes from now on."""
    calls: list[str] = []
    deliveries._table.client.meta.events.register(
        "before-call.dynamodb.*", lambda model, **_: calls.append(model.name)
    )
    return calls


def test_the_layer_shards_like_the_table_definition() -> None:
    assert deliveries_module.DUE_SHARDS == DUE_SHARDS
    assert {index.name for index in DELIVERIES.indexes} >= {"due", "by_order", "by_customer"}
    assert {due_shard(f"d-{n}") for n in range(200)} == set(range(DUE_SHARDS))


def test_a_delivery_round_trips(deliveries: DynamoDeliveries, tables: dict[str, str]) -> None:
    delivery = make_delivery("d-1", send_at=T0.astimezone(JST), edited_subject="件名", edited_text="本文")
    assert deliveries.put_new(delivery) is True
    assert deliveries.get(SHOP, "d-1") == delivery
    item = stored_item(tables["deliveries"], SHOP, "d-1")
    assert item is not None
    assert item["send_at"] == "2026-11-20T01:00:00.000000+00:00"
    assert item["due_shard"] == f"scheduled#{due_shard('d-1')}"
    assert item["due_at"] == item["send_at"]
    assert item["order_ref"] == f"{SHOP}#rakuten#A-1"
    assert item["customer_ref"] == f"{SHOP}#{'c' * 32}"
    assert item["events"] == {}
    assert item["expires_at"] == int((T0 + timedelta(days=RETENTION_DAYS)).timestamp())


def test_a_delivery_is_stored_once(deliveries: DynamoDeliveries) -> None:
    deliveries.put_new(make_delivery("d-1"))
    assert deliveries.put_new(make_delivery("d-1", step_id="other")) is False
    stored = deliveries.get(SHOP, "d-1")
    assert stored is not None
    assert stored.step_id == "thanks"


def test_a_skipped_delivery_stays_out_of_the_due_index(
    deliveries: DynamoDeliveries, tables: dict[str, str]
) -> None:
    deliveries.put_new(make_delivery("d-1", status="skipped", reason="past"))
    item = stored_item(tables["deliveries"], SHOP, "d-1")
    assert item is not None
    assert "due_shard" not in item
    assert deliveries.due(T0 + timedelta(days=1), limit=10) == []


def test_claim_takes_a_due_delivery_once(deliveries: DynamoDeliveries, tables: dict[str, str]) -> None:
    deliveries.put_new(make_delivery("d-1"))
    claimed = claim(deliveries, "d-1")
    assert claimed is not None
    assert (claimed.status, claimed.attempts, claimed.lease_until) == ("sending", 1, LEASE)
    assert deliveries.get(SHOP, "d-1") == claimed
    item = stored_item(tables["deliveries"], SHOP, "d-1")
    assert item is not None
    assert (item["due_shard"], item["due_at"]) == (
        f"sending#{due_shard('d-1')}",
        "2026-11-20T01:05:00.000000+00:00",
    )
    assert claim(deliveries, "d-1") is None


def test_claim_allows_a_minute_early_and_no_more(deliveries: DynamoDeliveries) -> None:
    deliveries.put_new(make_delivery("d-1"))
    assert claim(deliveries, "d-1", now=T0 - timedelta(seconds=61)) is None
    assert claim(deliveries, "d-1", now=T0 - timedelta(seconds=59)) is not None


def test_claim_of_a_missing_or_foreign_delivery_is_none(deliveries: DynamoDeliveries) -> None:
    deliveries.put_new(make_delivery("d-1"))
    assert claim(deliveries, "nope") is None
    assert claim(deliveries, "d-1", shop_id=OTHER_SHOP) is None
    assert deliveries.get(OTHER_SHOP, "nope") is None


def test_a_refused_claim_says_why_from_the_refusal_itself(deliveries: DynamoDeliveries) -> None:
    deliveries.put_new(make_delivery("early", send_at=T0 + timedelta(hours=1)))
    deliveries.put_new(make_delivery("done", status="sent"))
    calls = dynamodb_calls(deliveries)

    early = deliveries.claim(SHOP, "early", now=T0, lease_until=LEASE)
    done = deliveries.claim(SHOP, "done", now=T0, lease_until=LEASE)
    missing = deliveries.claim(SHOP, "nope", now=T0, lease_until=LEASE)

    assert calls == ["UpdateItem"] * 3  # one conditional write each, no read before or after
    assert early.claimed is False
    assert early.delivery is not None
    assert (early.delivery.status, early.delivery.send_at, early.delivery.attempts) == (
        "scheduled",
        T0 + timedelta(hours=1),
        0,
    )
    assert done.claimed is False
    assert done.delivery is not None
    assert done.delivery.status == "sent"
    assert (missing.claimed, missing.delivery) == (False, None)
    assert deliveries.get(SHOP, "nope") is None  # a refused claim makes no item


def test_mark_sent_only_from_sending(deliveries: DynamoDeliveries, tables: dict[str, str]) -> None:
    deliveries.put_new(make_delivery("d-1"))
    sent_at = T0 + timedelta(seconds=3)
    assert deliveries.mark_sent(SHOP, "d-1", message_id="m-1", transport="ses", at=sent_at) is False
    claim(deliveries, "d-1")
    assert deliveries.mark_sent(SHOP, "d-1", message_id="m-1", transport="ses", at=sent_at) is True
    stored = deliveries.get(SHOP, "d-1")
    assert stored is not None
    assert (stored.status, stored.message_id, stored.transport, stored.sent_at) == (
        "sent",
        "m-1",
        "ses",
        sent_at,
    )
    item = stored_item(tables["deliveries"], SHOP, "d-1")
    assert item is not None
    assert "due_shard" not in item
    assert "due_at" not in item
    assert item["expires_at"] == int((sent_at + timedelta(days=RETENTION_DAYS)).timestamp())
    assert deliveries.mark_sent(SHOP, "d-1", message_id="m-2", transport="ses", at=sent_at) is False
    again = deliveries.get(SHOP, "d-1")
    assert again is not None
    assert again.message_id == "m-1"


def test_release_puts_a_claimed_delivery_back(deliveries: DynamoDeliveries, tables: dict[str, str]) -> None:
    deliveries.put_new(make_delivery("d-1"))
    later = T0 + timedelta(minutes=7)
    assert deliveries.release(SHOP, "d-1", send_at=later, reason="throttled") is False  # not sending
    claim(deliveries, "d-1")
    assert deliveries.release(SHOP, "d-1", send_at=later, reason="throttled") is True
    stored = deliveries.get(SHOP, "d-1")
    assert stored is not None
    assert (stored.status, stored.send_at, stored.reason, stored.lease_until, stored.attempts) == (
        "scheduled",
        later,
        "throttled",
        None,
        1,
    )
    item = stored_item(tables["deliveries"], SHOP, "d-1")
    assert item is not None
    assert (item["due_shard"], item["due_at"]) == (
        f"scheduled#{due_shard('d-1')}",
        "2026-11-20T01:07:00.000000+00:00",
    )
    assert claim(deliveries, "d-1") is None  # not due again before its new time
    second = claim(deliveries, "d-1", now=later)
    assert second is not None
    assert second.attempts == 2


def test_finish_moves_only_from_the_given_states(
    deliveries: DynamoDeliveries, tables: dict[str, str]
) -> None:
    deliveries.put_new(make_delivery("d-1"))
    assert deliveries.finish(SHOP, "d-1", status="failed", reason="x", from_status=["sending"]) is False
    assert deliveries.finish(
        SHOP, "d-1", status="cancelled", reason="order_cancelled", from_status=["scheduled"]
    )
    stored = deliveries.get(SHOP, "d-1")
    assert stored is not None
    assert (stored.status, stored.reason) == ("cancelled", "order_cancelled")
    item = stored_item(tables["deliveries"], SHOP, "d-1")
    assert item is not None
    assert "due_shard" not in item
    assert (
        deliveries.finish(SHOP, "d-1", status="skipped", reason="y", from_status=["scheduled", "sending"])
        is False
    )
    assert (
        deliveries.finish(SHOP, "missing", status="skipped", reason="y", from_status=["scheduled"]) is False
    )


def test_finish_refuses_what_is_not_a_final_state(deliveries: DynamoDeliveries) -> None:
    with pytest.raises(ValueError, match="finish"):
        deliveries.finish(SHOP, "d-1", status="sent", reason="x", from_status=["sending"])
    with pytest.raises(ValueError, match="finish"):
        deliveries.finish(SHOP, "d-1", status="failed", reason="x", from_status=[])


def test_reschedule_only_while_scheduled(deliveries: DynamoDeliveries, tables: dict[str, str]) -> None:
    deliveries.put_new(make_delivery("d-1"))
    later = T0 + timedelta(days=1)
    assert deliveries.reschedule(SHOP, "d-1", send_at=later) is True
    stored = deliveries.get(SHOP, "d-1")
    assert stored is not None
    assert stored.send_at == later
    item = stored_item(tables["deliveries"], SHOP, "d-1")
    assert item is not None
    assert item["due_at"] == "2026-11-21T01:00:00.000000+00:00"
    assert deliveries.due(T0, limit=10) == []
    claim(deliveries, "d-1", now=later)
    assert deliveries.reschedule(SHOP, "d-1", send_at=T0) is False
    assert deliveries.reschedule(SHOP, "missing", send_at=T0) is False


def test_mark_unknown_only_after_the_lease(deliveries: DynamoDeliveries) -> None:
    deliveries.put_new(make_delivery("d-1"))
    assert deliveries.mark_unknown(SHOP, "d-1", now=LEASE + timedelta(minutes=1)) is False  # scheduled
    claim(deliveries, "d-1")
    assert deliveries.mark_unknown(SHOP, "d-1", now=LEASE) is False  # the lease still holds
    assert deliveries.mark_unknown(SHOP, "d-1", now=LEASE + timedelta(microseconds=1)) is True
    stored = deliveries.get(SHOP, "d-1")
    assert stored is not None
    assert (stored.status, stored.reason) == ("unknown", "lease_expired")
    assert deliveries.expired_leases(LEASE + timedelta(hours=1), limit=10) == []
    assert deliveries.mark_sent(SHOP, "d-1", message_id="m", transport="ses", at=LEASE) is False


def _populate(deliveries: DynamoDeliveries) -> None:
    """Deliveries over many shards and two shops, in every state."""
    for n in range(12):  # d-0 … d-11: due, one per 10 minutes before T0 (d-11 earliest)
        deliveries.put_new(make_delivery(f"d-{n}", send_at=T0 - timedelta(minutes=10 * n)))
    deliveries.put_new(make_delivery("o-1", shop_id=OTHER_SHOP, send_at=T0 - timedelta(minutes=5)))
    deliveries.put_new(make_delivery("later-1", send_at=T0 + timedelta(hours=1)))
    deliveries.put_new(make_delivery("later-2", send_at=T0 + timedelta(days=3)))
    for name in ("sent-1", "cancelled-1", "lease-1", "lease-2"):
        deliveries.put_new(make_delivery(name, send_at=T0 - timedelta(hours=3)))
    claim(deliveries, "sent-1", lease=T0 - timedelta(hours=2))
    deliveries.mark_sent(SHOP, "sent-1", message_id="m", transport="ses", at=T0 - timedelta(hours=3))
    deliveries.finish(SHOP, "cancelled-1", status="cancelled", reason="stop", from_status=["scheduled"])
    claim(deliveries, "lease-1", lease=T0 - timedelta(minutes=1))
    claim(deliveries, "lease-2", lease=T0 + timedelta(minutes=1))


def test_due_finds_exactly_the_scheduled_and_due_across_shards_and_shops(
    deliveries: DynamoDeliveries,
) -> None:
    _populate(deliveries)
    due = deliveries.due(T0, limit=100)
    assert {(d.shop_id, d.id) for d in due} == {(SHOP, f"d-{n}") for n in range(12)} | {(OTHER_SHOP, "o-1")}
    assert len({due_shard(d.id) for d in due}) >= 5
    assert [d.send_at for d in due] == sorted(d.send_at for d in due)


def test_due_gives_the_earliest_first_within_the_limit(deliveries: DynamoDeliveries) -> None:
    _populate(deliveries)
    assert [d.id for d in deliveries.due(T0, limit=3)] == ["d-11", "d-10", "d-9"]


def test_due_includes_what_falls_due_exactly_now(deliveries: DynamoDeliveries) -> None:
    deliveries.put_new(make_delivery("d-1", send_at=T0))
    assert [d.id for d in deliveries.due(T0, limit=5)] == ["d-1"]
    assert deliveries.due(T0 - timedelta(microseconds=1), limit=5) == []


def test_expired_leases_finds_exactly_the_sending_past_their_lease(deliveries: DynamoDeliveries) -> None:
    _populate(deliveries)
    assert [d.id for d in deliveries.expired_leases(T0, limit=10)] == ["lease-1"]
    later = T0 + timedelta(minutes=2)
    assert [d.id for d in deliveries.expired_leases(later, limit=10)] == ["lease-1", "lease-2"]
    assert [d.id for d in deliveries.expired_leases(later, limit=1)] == ["lease-1"]


def test_by_order_and_by_customer_stay_within_the_shop(deliveries: DynamoDeliveries) -> None:
    deliveries.put_new(make_delivery("d-2", send_at=T0 + timedelta(days=14)))
    deliveries.put_new(make_delivery("d-1", send_at=T0))
    deliveries.put_new(make_delivery("d-3", order_key="rakuten#A-2", customer_id="e" * 32))
    deliveries.put_new(make_delivery("o-1", shop_id=OTHER_SHOP))
    deliveries.put_new(make_delivery("n-1", customer_id=None, order_key="rakuten#A-3"))
    assert [d.id for d in deliveries.by_order(SHOP, "rakuten#A-1")] == ["d-1", "d-2"]
    assert [d.id for d in deliveries.by_order(SHOP, "rakuten#A-2")] == ["d-3"]
    assert [d.id for d in deliveries.by_order(OTHER_SHOP, "rakuten#A-1")] == ["o-1"]
    assert [d.id for d in deliveries.by_customer(SHOP, "c" * 32)] == ["d-1", "d-2"]  # n-1: no customer
    assert [d.id for d in deliveries.by_customer(OTHER_SHOP, "c" * 32)] == ["o-1"]
    assert deliveries.by_customer(SHOP, "f" * 32) == []


def test_events_are_counted_and_a_bounce_is_recorded_on_a_sent_delivery(
    deliveries: DynamoDeliveries, tables: dict[str, str]
) -> None:
    deliveries.put_new(make_delivery("d-1"))
    claim(deliveries, "d-1")
    deliveries.mark_sent(SHOP, "d-1", message_id="m-1", transport="ses", at=T0)
    deliveries.count_event(SHOP, "d-1", "Delivery", status=None)
    deliveries.count_event(SHOP, "d-1", "Open", status=None)
    deliveries.count_event(SHOP, "d-1", "Open", status=None)
    deliveries.count_event(SHOP, "d-1", "Bounce", status="bounced")
    item = stored_item(tables["deliveries"], SHOP, "d-1")
    assert item is not None
    assert item["events"] == {"Delivery": 1, "Open": 2, "Bounce": 1}
    stored = deliveries.get(SHOP, "d-1")
    assert stored is not None
    assert (stored.status, stored.reason) == ("sent", "bounced")  # the mail did go out


def test_an_event_status_that_is_a_delivery_status_moves_a_sent_delivery(
    deliveries: DynamoDeliveries,
) -> None:
    deliveries.put_new(make_delivery("d-1"))
    claim(deliveries, "d-1")
    deliveries.mark_sent(SHOP, "d-1", message_id="m-1", transport="ses", at=T0)
    deliveries.count_event(SHOP, "d-1", "Reject", status="failed")
    stored = deliveries.get(SHOP, "d-1")
    assert stored is not None
    assert (stored.status, stored.reason) == ("failed", "failed")


def test_an_event_status_never_moves_a_delivery_that_is_not_sent(
    deliveries: DynamoDeliveries, tables: dict[str, str]
) -> None:
    deliveries.put_new(make_delivery("d-1"))
    deliveries.count_event(SHOP, "d-1", "Bounce", status="bounced")
    stored = deliveries.get(SHOP, "d-1")
    assert stored is not None
    assert (stored.status, stored.reason) == ("scheduled", None)
    item = stored_item(tables["deliveries"], SHOP, "d-1")
    assert item is not None
    assert item["events"] == {"Bounce": 1}


def test_an_event_for_an_unknown_delivery_creates_nothing(
    deliveries: DynamoDeliveries, tables: dict[str, str]
) -> None:
    deliveries.count_event(SHOP, "ghost", "Delivery", status=None)
    deliveries.count_event(SHOP, "ghost", "Bounce", status="bounced")
    assert stored_item(tables["deliveries"], SHOP, "ghost") is None


def test_two_orders_crediting_an_old_item_at_once_both_stay(
    deliveries: DynamoDeliveries, tables: dict[str, str]
) -> None:
    """Two orders of one buyer are credited to the same delivery written before conversions existed,
    at the same moment (their stream records are on different shards): the other one makes the map
    between this one's first write (refused: no map) and its second (refused: a map now)."""
    assert deliveries.put_new(make_delivery("d-1", status="sent"))
    without_conversions(tables["deliveries"], SHOP, "d-1")
    theirs = make_conversion("rakuten#A-3", order_id="A-3")
    client = interleaved(
        dynamodb_client(), "update_item", lambda: deliveries.add_conversion(SHOP, "d-1", theirs), at_call=2
    )
    racing = DynamoDeliveries(tables["deliveries"], retention_days=RETENTION_DAYS, client=client)

    racing.add_conversion(SHOP, "d-1", make_conversion())

    stored = deliveries.get(SHOP, "d-1")
    assert stored is not None
    assert stored.conversions == {"rakuten#A-2": make_conversion(), "rakuten#A-3": theirs}
