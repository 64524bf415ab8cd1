"""The demo shop's history (``okaeri_dev/history.py``) as planned: no stack, no clock, one seed.

What the stack makes of it (the runs, credits and counters behind ``GET /results``) is
``tests/e2e/test_results.py``'s; here, what the simulation decides and hands the stack.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from okaeri.attribution import in_holdout
from okaeri.identity import customer_id_for
from okaeri.import_formats import RAKUTEN_RMS, read_orders
from okaeri.parsing import parse_mail
from okaeri.planner import plan_order
from okaeri_dev.demo import SHOP_ID, demo_shop
from okaeri_dev.history import (
    DAYS,
    FAMILY_NAMES,
    GIVEN_NAMES,
    IMPORT_TIME,
    CancelNotice,
    History,
    RmsImport,
    plan_history,
    play_history,
    rms_csv,
)
from okaeri_dev.send_sample import cancel_mail

TOKYO = ZoneInfo("Asia/Tokyo")
END = datetime(2026, 11, 30, 7, 0, tzinfo=TOKYO)  # the e2e stacks' start
NAMES = {f"{family} {given}" for family, *_ in FAMILY_NAMES for given, *_ in GIVEN_NAMES}  # 山田 花子, …


@pytest.fixture(scope="module")
def history() -> History:
    return plan_history(demo_shop(), end=END)


def orders_of(history: History) -> list[dict[str, Any]]:
    return [placed.order.model_dump(mode="json") for placed in history.orders]


def test_the_same_seed_gives_the_same_orders_and_another_seed_others(history: History) -> None:
    again = plan_history(demo_shop(), end=END)
    assert again == history
    assert orders_of(plan_history(demo_shop(), end=END, seed=16)) != orders_of(history)


def test_the_orders_fall_in_the_days_before_the_end_each_imported_the_next_morning(history: History) -> None:
    assert (history.start, history.end) == (END - timedelta(days=DAYS), END)
    assert 60 <= len(history.orders) <= 120  # a small shop: bounded, the stack plays each order
    assert len({placed.order.order_id for placed in history.orders}) == len(history.orders)
    for placed in history.orders:
        ordered_at = placed.order.ordered_at
        assert ordered_at is not None
        assert history.start < ordered_at < placed.imported_at <= END
        assert placed.imported_at - ordered_at <= timedelta(days=1)
        assert placed.imported_at.astimezone(TOKYO).time() == IMPORT_TIME
    days = sorted({placed.imported_at.date() for placed in history.orders})
    assert days[0] <= (history.start + timedelta(days=7)).date()
    assert days[-1] >= (END - timedelta(days=7)).date()


def test_buyers_have_fixed_names_example_jp_addresses_and_totals_in_yen(history: History) -> None:
    for placed in history.orders:
        order = placed.order
        assert (order.source, order.kind, order.currency) == ("rakuten", "order", "JPY")
        assert re.fullmatch(r"[a-z]+\.[a-z]+@example\.jp", order.customer.email or "")
        assert order.customer.name in NAMES
        assert order.items
        assert order.total == sum((item.unit_price or 0) * item.quantity for item in order.items) > 0


def test_it_holds_repeat_buyers_cancellations_held_out_runs_and_both_variants(history: History) -> None:
    buyers = Counter(placed.order.customer.email for placed in history.orders)
    repeats = [placed for placed in history.orders if placed.repeats is not None]
    assert len(repeats) >= 10
    assert all(buyers[placed.order.customer.email] >= 2 for placed in repeats)
    ids = {placed.order.order_id for placed in history.orders}
    assert {placed.repeats for placed in repeats} <= ids

    cancelled = [placed for placed in history.orders if placed.cancelled_at is not None]
    assert 2 <= len(cancelled) <= len(history.orders) // 10
    for placed in cancelled:  # within the hour and a half after the import, before its thanks at 10:00
        assert placed.cancelled_at is not None
        assert timedelta(0) < placed.cancelled_at - placed.imported_at <= timedelta(minutes=90)

    gyokuro = [placed for placed in history.orders if placed.scenario_id == "gyokuro-care"]
    held = [placed for placed in gyokuro if placed.held_out]
    assert held
    assert not any(placed.held_out for placed in history.orders if placed.scenario_id != "gyokuro-care")
    for placed in gyokuro:  # the product's own holdout draw: the same customer, the same group
        customer = customer_id_for(placed.order.customer.email or "")
        assert placed.held_out == in_holdout(SHOP_ID, customer, "gyokuro-care", 10)
    variants = Counter(placed.ab_variants for placed in gyokuro if not placed.held_out)
    assert set(variants) == {("general",), ("gyokuro",)}
    assert {placed.scenario_id for placed in history.orders} == {"gyokuro-care", "thanks-like-love"}


def test_the_demo_win_back_and_frequency_cap_change_nothing_in_the_history(history: History) -> None:
    """Issue #16's additions to the demo leave the history's figures as they were: its orders are all
    Rakuten's, so the Yahoo-only win-back starts nothing; and no buyer's run plans more advertising
    mails in any 7 days than the shop's cap (2), so the cap stops none of them, even counting the
    mails a reorder or a cancellation stops."""
    demo = demo_shop()
    assert {placed.order.source for placed in history.orders} == {"rakuten"}
    cap = demo.shop.frequency_cap
    assert cap is not None
    scenarios = {scenario.id: scenario for scenario in demo.scenarios}
    order_counts: Counter[str] = Counter()
    advertising: dict[str, list[datetime]] = {}
    for placed in sorted(history.orders, key=lambda placed: placed.imported_at):
        email = placed.order.customer.email or ""
        order_counts[email] += 1
        plans = plan_order(
            demo.shop,
            list(demo.scenarios),
            placed.order,
            now=placed.imported_at,
            order_count=order_counts[email],
        )
        if not plans or placed.held_out:
            continue
        scenario = scenarios[plans[0].scenario]
        times = advertising.setdefault(email, [])
        times += [mail.send_at for mail in plans[0].deliveries if scenario.step(mail.step).is_advertising]
    assert sum(map(len, advertising.values())) > 0
    window = timedelta(days=cap.days)
    for times in advertising.values():
        times.sort()
        for index, first in enumerate(times):
            assert sum(1 for later in times[index:] if later - first <= window) <= cap.mails


def test_mailed_buyers_order_again_more_often_than_held_out_ones(history: History) -> None:
    """By design (``REACTION`` against ``HELD_OUT_REPEAT``): the results show a positive lift."""
    followed = {placed.repeats for placed in history.orders if placed.repeats is not None}
    runs = [
        placed
        for placed in history.orders
        if placed.scenario_id == "gyokuro-care" and placed.cancelled_at is None
    ]

    def rate(held_out: bool) -> float:
        group = [placed for placed in runs if placed.held_out == held_out]
        return sum(placed.order.order_id in followed for placed in group) / len(group)

    assert rate(held_out=False) > rate(held_out=True)


def test_each_morning_import_is_a_rakuten_rms_csv_that_reads_back_as_its_orders(history: History) -> None:
    imports = [event for event in history.events() if isinstance(event, RmsImport)]
    assert sum(len(event.orders) for event in imports) == len(history.orders)
    for event in imports:
        data = rms_csv(event.orders, TOKYO)
        data.decode("cp932")  # Shift_JIS, as RMS exports it
        parsed = read_orders(data, RAKUTEN_RMS, TOKYO)
        assert parsed.refused == []
        assert [order.model_dump() for order in parsed.orders] == [
            order.model_dump() for order in event.orders
        ]


def test_a_cancellation_notice_reads_as_that_orders_cancellation(history: History) -> None:
    notices = [event for event in history.events() if isinstance(event, CancelNotice)]
    assert len(notices) == sum(placed.cancelled_at is not None for placed in history.orders)
    for notice in notices:
        order = parse_mail(cancel_mail(order_id=notice.order_id, at=notice.at), timezone="Asia/Tokyo")
        assert (order.source, order.kind, order.order_id) == ("rakuten", "cancellation", notice.order_id)


def test_playing_it_moves_the_clock_forward_to_each_event_then_to_the_end(history: History) -> None:
    done: list[tuple[str, Any]] = []
    play_history(
        history,
        advance_to=lambda moment: done.append(("clock", moment)),
        import_rms=lambda data: done.append(("import", read_orders(data, RAKUTEN_RMS, TOKYO).orders)),
        receive_mail=lambda raw: done.append(("mail", parse_mail(raw).order_id)),
    )
    moments = [moment for what, moment in done if what == "clock"]
    assert moments == sorted(moments)
    assert moments[-1] == END
    assert moments[0] == min(placed.imported_at for placed in history.orders)
    imported = [order.order_id for what, orders in done if what == "import" for order in orders]
    assert imported == [p.order.order_id for p in sorted(history.orders, key=lambda p: p.imported_at)]
    cancelled = [order_id for what, order_id in done if what == "mail"]
    assert sorted(cancelled) == sorted(p.order.order_id for p in history.orders if p.cancelled_at)
    for before, after in itertools.pairwise(done):
        if after[0] != "clock":
            assert before[0] == "clock"  # each import and notice right after the clock reached it
