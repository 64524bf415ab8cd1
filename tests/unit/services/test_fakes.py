"""The fakes keep the ports' conditional semantics, and the fault plan fires where it is told."""

from __future__ import annotations

from datetime import timedelta

import pytest

from okaeri.errors import AmbiguousSendError, NotFoundError, ThrottledError
from okaeri.models import Delivery
from okaeri.ports import Claim
from tests.fakes import (
    Crash,
    FakeClock,
    FakeCustomers,
    FakeDeliveries,
    FakeRawMail,
    FakeSchedules,
    FakeTransport,
    FaultPlan,
    crash,
    faulty,
)
from tests.support.customers import counted_order
from tests.unit.services.support import at

NOW = at("2026-12-04 10:00")


def delivery(**changes: object) -> Delivery:
    fields: dict[str, object] = {
        "id": "d-1",
        "shop_id": "s",
        "order_key": "rakuten#1",
        "run_id": "r",
        "customer_id": "c",
        "customer_email": "a@example.com",
        "scenario_id": "sc",
        "scenario_version": 1,
        "step_id": "thanks",
        "template_id": "thanks",
        "send_at": NOW,
    }
    return Delivery.model_validate(fields | changes)


def test_a_fault_fires_on_the_calls_it_names_only() -> None:
    plan = FaultPlan()
    plan.arm("x.go", crash("boom"), times=2, skip=1)
    plan.before("x.go")  # the first call passes
    for _ in range(2):
        with pytest.raises(Crash):
            plan.before("x.go")
    plan.before("x.go")
    plan.before("y.go")
    assert plan.fired == [("x.go", "Crash"), ("x.go", "Crash")]
    assert plan.calls == {"x.go": 4, "y.go": 1}


def test_faulty_checks_before_and_after_the_effect() -> None:
    plan = FaultPlan()
    schedules = FakeSchedules()
    wrapped = faulty(schedules, plan, "schedules")
    plan.arm("schedules.delete", crash(), when="after")
    schedules.create(name="n", at=NOW, timezone="Asia/Tokyo", payload={}, window_minutes=0)
    with pytest.raises(Crash):
        wrapped.delete("n")
    assert "n" not in schedules.entries  # the effect happened, then the process died
    assert wrapped.fires is True  # attributes pass through


def test_the_transport_records_what_it_accepted_and_its_knobs_fire() -> None:
    transport = FakeTransport("relay")
    transport.throttle_every(2)
    transport.drop_after_data(skip=2)

    def send() -> str:
        return transport.send(
            sender="a@x.example", recipient="b@y.example", raw=b"raw", tags={"delivery": "d-1"}
        )

    assert send() == "relay-000001"
    with pytest.raises(ThrottledError):
        send()
    with pytest.raises(AmbiguousSendError):
        send()
    assert transport.per_delivery() == {"d-1": 2}  # the dropped one was accepted
    assert transport.calls == 3


def test_the_delivery_state_machine_is_conditional() -> None:
    store = FakeDeliveries()
    assert store.put_new(delivery())
    assert not store.put_new(delivery(step_id="other"))
    early = store.claim("s", "d-1", now=NOW - timedelta(seconds=61), lease_until=NOW)  # not due
    assert not early.claimed
    assert early.delivery is not None
    assert early.delivery.status == "scheduled"
    claimed = store.claim("s", "d-1", now=NOW, lease_until=NOW + timedelta(minutes=10)).delivery
    assert claimed is not None
    assert (claimed.status, claimed.attempts) == ("sending", 1)
    again = store.claim("s", "d-1", now=NOW, lease_until=NOW)
    assert not again.claimed
    assert again.delivery is not None
    assert again.delivery.status == "sending"
    assert store.claim("s", "nope", now=NOW, lease_until=NOW) == Claim(False, None)
    assert not store.reschedule("s", "d-1", send_at=NOW)
    assert not store.mark_unknown("s", "d-1", now=NOW)  # the lease still runs
    assert store.expired_leases(NOW + timedelta(minutes=10), limit=5) == []
    assert store.expired_leases(NOW + timedelta(minutes=10, seconds=1), limit=5)[0].id == "d-1"
    assert store.mark_sent("s", "d-1", message_id="m", transport="ses", at=NOW)
    assert not store.mark_sent("s", "d-1", message_id="m2", transport="ses", at=NOW)
    assert not store.finish("s", "d-1", status="cancelled", reason="x", from_status=["scheduled"])
    with pytest.raises(ValueError, match="finish"):
        store.finish("s", "d-1", status="sent", reason="x", from_status=["sent"])
    stored = store.get("s", "d-1")
    assert stored is not None
    assert (stored.status, stored.message_id) == ("sent", "m")


def test_returned_models_are_copies() -> None:
    store = FakeDeliveries()
    store.put_new(delivery())
    copy = store.get("s", "d-1")
    assert copy is not None
    copy.status = "sent"
    stored = store.get("s", "d-1")
    assert stored is not None
    assert stored.status == "scheduled"


def test_customers_count_each_order_once_and_match_addresses_loosely() -> None:
    customers = FakeCustomers()
    assert customers.record_order("s", "c", email="a@x.example", name=None, order=counted_order("o1")) == 1
    assert customers.record_order("s", "c", email="a@x.example", name=None, order=counted_order("o1")) == 1
    assert customers.record_order("s", "c", email="a@x.example", name=None, order=counted_order("o2")) == 2
    customers.suppress("s", "A@X.example ", reason="unsubscribe", at=NOW, delivery_id=None)
    customers.suppress("s", "a@x.example", reason="bounce", at=NOW, delivery_id="d")
    customers.suppress("s", "a@x.example", reason="unsubscribe", at=NOW, delivery_id=None)
    assert customers.suppression("s", "ａ@x.example") == "bounce"
    assert customers.suppression("other", "a@x.example") is None


def test_schedules_create_once_and_fire_once() -> None:
    schedules = FakeSchedules()

    def create() -> bool:
        return schedules.create(
            name="n", at=NOW, timezone="Asia/Tokyo", payload={"delivery": "n"}, window_minutes=30
        )

    assert create()
    assert not create()
    assert schedules.fire_due(NOW - timedelta(seconds=1)) == []
    assert [entry.name for entry in schedules.fire_due(NOW)] == ["n"]
    assert schedules.fire_due(NOW) == []


def test_the_clock_only_moves_forward_and_raw_mail_must_exist() -> None:
    clock = FakeClock(NOW)
    assert clock.advance(minutes=5) == NOW + timedelta(minutes=5)
    with pytest.raises(ValueError, match="does not go back"):
        clock.set(NOW)
    with pytest.raises(NotFoundError):
        FakeRawMail().get("inbound/s/missing")
