"""DynamoDeliveries: a re-planning note is appended to the delivery's history in the same
conditional write as its move or its cancellation (issue #13), and only when that write happens."""

from __future__ import annotations

from datetime import timedelta

from okaeri.aws.deliveries import DynamoDeliveries, due_shard
from okaeri.models import PlanChange
from tests.integration.aws.conftest import SHOP, T0, make_delivery, stored_item


def note(change: str, **fields: object) -> PlanChange:
    return PlanChange.model_validate(
        {"at": T0, "delivery_id": "d-1", "change": change, "reason": "shipment", **fields}
    )


def test_moves_append_their_notes_in_order(deliveries: DynamoDeliveries, tables: dict[str, str]) -> None:
    deliveries.put_new(make_delivery("d-1"))
    first, second = T0 + timedelta(days=1), T0 + timedelta(days=2)
    moved = note("moved", send_at_from=T0, send_at_to=first)
    again = note("moved", send_at_from=first, send_at_to=second)
    assert deliveries.reschedule(SHOP, "d-1", send_at=first, note=moved)
    assert deliveries.reschedule(SHOP, "d-1", send_at=second, note=again)
    stored = deliveries.get(SHOP, "d-1")
    assert stored is not None
    assert (stored.send_at, stored.history) == (second, [moved, again])
    item = stored_item(tables["deliveries"], SHOP, "d-1")
    assert item is not None
    assert item["due_shard"] == f"scheduled#{due_shard('d-1')}"


def test_a_cancellation_keeps_its_note_and_a_refused_one_writes_none(deliveries: DynamoDeliveries) -> None:
    deliveries.put_new(make_delivery("d-1"))
    gone = note("superseded", scenario_from="plain", scenario_to="special", send_at_from=T0)
    assert deliveries.finish(
        SHOP, "d-1", status="cancelled", reason="replanned", from_status=["scheduled"], note=gone
    )
    assert not deliveries.finish(
        SHOP, "d-1", status="cancelled", reason="replanned", from_status=["scheduled"], note=gone
    )
    stored = deliveries.get(SHOP, "d-1")
    assert stored is not None
    assert (stored.status, stored.reason, stored.history) == ("cancelled", "replanned", [gone])


def test_a_step_the_planner_skipped_is_revived_once_with_its_note_and_due_again(
    deliveries: DynamoDeliveries, tables: dict[str, str]
) -> None:
    deliveries.put_new(make_delivery("d-1", status="skipped", reason="past"))
    assert deliveries.due(T0 + timedelta(days=30), limit=10) == []  # a skipped step is not due
    later = T0 + timedelta(days=3)
    revived = note("moved", scenario_from="plain", scenario_to="plain", send_at_from=T0, send_at_to=later)

    assert deliveries.revive(SHOP, "d-1", send_at=later, reasons=["past", "beyond_max_window"], note=revived)
    assert not deliveries.revive(SHOP, "d-1", send_at=later, reasons=["past"], note=revived)  # a repeat

    stored = deliveries.get(SHOP, "d-1")
    assert stored is not None
    assert (stored.status, stored.reason, stored.send_at, stored.history) == (
        "scheduled",
        None,
        later,
        [revived],
    )
    assert [d.id for d in deliveries.due(later, limit=10)] == ["d-1"]
    item = stored_item(tables["deliveries"], SHOP, "d-1")
    assert item is not None
    assert item["due_shard"] == f"scheduled#{due_shard('d-1')}"
    assert "reason" not in item


def test_only_a_skip_for_one_of_the_reasons_given_is_revived(deliveries: DynamoDeliveries) -> None:
    deliveries.put_new(make_delivery("d-1", status="skipped", reason="unsubscribed"))
    deliveries.put_new(make_delivery("d-2"))
    deliveries.put_new(make_delivery("d-3", status="sent"))
    for delivery_id in ("d-1", "d-2", "d-3", "d-missing"):
        assert not deliveries.revive(SHOP, delivery_id, send_at=T0, reasons=["past", "beyond_max_window"])
    stored = deliveries.get(SHOP, "d-1")
    assert stored is not None
    assert (stored.status, stored.reason, stored.history) == ("skipped", "unsubscribed", [])
