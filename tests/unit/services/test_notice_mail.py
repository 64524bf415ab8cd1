"""Issue #13: a mall's notice about an order (only its number: no buyer, items or total) is never an
order — not a new order, not a duplicate of the order it names — and a cancellation notice cancels."""

from __future__ import annotations

from tests.unit.services.support import World, at

NOW = at("2026-12-07 09:00")
KEY = "rakuten#512034-20261205-1000000077"


def test_a_notice_about_a_known_order_is_not_an_order_in_the_reception_log() -> None:
    world = World.create(NOW)
    world.receive("rakuten-utf8-qp")
    world.pump()
    before = world.order(KEY)

    entry = world.receive("rakuten-order-notice")

    assert (entry.result, entry.reason, entry.order_key) == ("not_an_order", "not_an_order", None)
    assert entry.message_en is not None
    assert "512034-20261205-1000000077" in entry.message_en
    assert world.order(KEY) == before  # the order is untouched: not even a raw key added
    assert world.orders.drain_stream() == []


def test_a_notice_about_an_unknown_order_makes_no_order() -> None:
    world = World.create(NOW)
    for name in ("rakuten-order-notice", "yahoo-order-notice"):
        assert world.receive(name).result == "not_an_order"
    assert world.orders.items == {}


def test_a_cancellation_notice_with_only_the_order_number_is_a_cancellation() -> None:
    world = World.create(NOW)
    entry = world.receive("rakuten-cancel-notice")
    assert (entry.result, entry.kind) == ("parsed", "cancellation")
    assert world.order("rakuten#512034-20261205-1000000078").status == "cancelled"
