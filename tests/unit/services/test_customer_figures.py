"""Issue #16: a customer's order figures, kept by every intake, in any order, once each."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from okaeri.customer_figures import CustomerOrder, Figures, after_cancel, after_order
from okaeri.identity import customer_id_for
from okaeri.models import CustomerRecord
from tests.support.customers import counted_order
from tests.unit.services.support import SHOP_ID, World, at, rewrite

BUYER = customer_id_for("aya.nakajima@example.net")  # the ec-cube fixtures' buyer
T0 = datetime(2026, 10, 1, 1, tzinfo=UTC)


def _customer(world: World) -> CustomerRecord:
    found = world.customers.get(SHOP_ID, BUYER)
    assert found is not None
    return found


def test_an_order_mail_gives_the_customer_its_figures() -> None:
    world = World.create(at("2026-12-05 09:00"))
    world.receive("eccube-html-gift")  # ec-cube 2077, ordered 12-04 12:34 JST, ¥9,570, 沖縄県
    customer = _customer(world)
    assert (customer.order_count, customer.total_spent) == (1, 9570)
    assert customer.first_order_at == customer.last_order_at == at("2026-12-04 12:34:56")
    assert (customer.last_order_day, customer.last_order_key) == (date(2026, 12, 4), "ec-cube#2077")
    assert (customer.sources, customer.skus, customer.prefecture) == (
        ["ec-cube"],
        ["mug-blue", "towel-3"],
        "沖縄県",
    )


def test_a_shipment_before_its_order_counts_it_once_and_the_order_adds_its_total() -> None:
    world = World.create(at("2026-12-05 09:00"))
    world.receive("eccube-shipping-mislabelled")  # the shipment of 2077 names the buyer
    assert (_customer(world).order_count, _customer(world).total_spent) == (1, 0)
    world.receive("eccube-html-gift")
    world.receive("eccube-html-gift")
    assert (_customer(world).order_count, _customer(world).total_spent) == (1, 9570)


def test_a_cancellation_takes_the_order_back_before_or_after_its_order_mail() -> None:
    cancel_2077 = rewrite("eccube-cancel", {"2078": "2077"})
    for first, second in (("cancel", "order"), ("order", "cancel")):
        world = World.create(at("2026-12-05 09:00"))
        for which in (first, second, first):
            if which == "cancel":
                world.receive("eccube-cancel", raw=cancel_2077, key="inbound/cancel-2077")
            else:
                world.receive("eccube-html-gift")
        customer = _customer(world)
        assert (customer.order_count, customer.total_spent, customer.last_order_day) == (0, 0, None), first
        assert world.customers.lapsed_on(SHOP_ID, date(2026, 12, 4)) == []


# --- the pure rules ----------------------------------------------------------------------------------

orders = st.lists(
    st.tuples(st.integers(0, 5), st.integers(0, 90), st.integers(0, 10_000), st.booleans()),
    min_size=1,
    max_size=8,
)


@given(orders=orders, cancelled=st.sets(st.integers(0, 5)), data=st.data())
def test_figures_are_those_of_the_open_orders_in_any_order_and_any_repeat(
    orders: list[tuple[int, int, int, bool]], cancelled: set[int], data: st.DataObject
) -> None:
    """Whatever order the events come in, however often: the figures are those of the open orders."""
    known: dict[int, CustomerOrder] = {}
    for number, day, total, _ in orders:
        known.setdefault(number, counted_order(f"o#{number}", at=T0 + timedelta(days=day), total=total))
    events = [("order", number) for number, *_ in orders] + [("cancel", n) for n in cancelled if n in known]
    events = data.draw(st.permutations(events + events))
    figures = Figures()
    gone: set[int] = set()

    def others() -> list[CustomerOrder]:
        return [
            order for n, order in known.items() if n not in gone and order.order_key in figures.order_keys
        ]

    for kind, number in events:
        if kind == "order":
            figures = after_order(figures, known[number]).figures or figures
            if number in gone:  # as ingest: the order mail of a cancelled order takes it back at once
                figures = after_cancel(figures, known[number], others()) or figures
            continue
        gone.add(number)
        if figures.rev:  # as the adapter: a customer not known yet has nothing to take back
            figures = after_cancel(figures, known[number], others()) or figures
    open_orders = [order for n, order in known.items() if n not in gone]
    counted_open = [order for order in open_orders if order.order_key in figures.order_keys]
    assert figures.order_count == len(counted_open)
    assert figures.total_spent == sum(order.total for order in counted_open)
    if counted_open:
        latest = max(counted_open, key=lambda order: order.at)
        assert figures.last_order_at == latest.at
        assert figures.first_order_at == min(order.at for order in counted_open)
    else:
        assert figures.last_order_day is None
