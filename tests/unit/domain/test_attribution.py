"""``okaeri.attribution``: which variant a mail carries, which mail an order is credited to, and which
runs an order repeats — pure decisions over deliveries and order records."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from okaeri.attribution import (
    RunStart,
    credit_for,
    pick_variant,
    repeated_runs,
    runs_started,
    split_stats_id,
    step_stats_id,
)
from okaeri.models import Delivery, Order, OrderRecord, Step
from okaeri.models.scenario import ID_PATTERN
from tests.unit.services.support import at
from tests.unit.services.test_fakes import delivery

TOKYO = ZoneInfo("Asia/Tokyo")
PLACED = at("2026-12-10 00:30")  # 2026-12-09 15:30 UTC: the shop's day is the 10th
ORDER_ID = "B-2"
OWN_KEY = f"csv#{ORDER_ID}"
WINDOW = 7


def record(*, placed: datetime | None = PLACED, **changes: Any) -> OrderRecord:
    """The customer's second order, ``B-2`` (7,300 yen), placed at ``placed``."""
    order = Order.model_validate(
        {
            "source": "csv",
            "order_id": ORDER_ID,
            "ordered_at": None if placed is None else placed.isoformat(),
            "customer": {"email": "a@example.com"},
            "total": 7300,
        }
    )
    fields: dict[str, Any] = {
        "shop_id": "s",
        "order": order,
        "customer_id": "c",
        "order_rank": 2,
        "received_at": PLACED + timedelta(minutes=3),
    }
    return OrderRecord.model_validate(fields | changes)


def mail(delivery_id: str, before: timedelta, *, status: str = "sent", **changes: Any) -> Delivery:
    """A mail of the customer's first order sent ``before`` the order was placed."""
    sent_at = PLACED - before
    return delivery(**{"id": delivery_id, "status": status, "send_at": sent_at, "sent_at": sent_at} | changes)


def credited(deliveries: list[Delivery], order: OrderRecord | None = None) -> str | None:
    credit = credit_for(order or record(), deliveries, window_days=WINDOW, zone=TOKYO)
    return None if credit is None else credit.delivery_id


# --- A/B variants ---------------------------------------------------------------------------------------


def step(*weights: int) -> Step:
    """A step with variants ``v0``, ``v1``… of the given weights (none: one template, no variants)."""
    wording: dict[str, Any] = (
        {"variants": [{"id": f"v{n}", "template": f"t{n}", "weight": w} for n, w in enumerate(weights)]}
        if weights
        else {"template": "thanks"}
    )
    return Step.model_validate({"id": "thanks", "immediate": True, "purposes": ["thanks"]} | wording)


def test_a_step_without_variants_gives_none() -> None:
    assert pick_variant(step(), "d-1") is None


def test_a_delivery_id_always_picks_the_same_variant() -> None:
    ab = step(1, 1, 1)
    first = [pick_variant(ab, f"d-{n}") for n in range(300)]
    assert first == [pick_variant(step(1, 1, 1), f"d-{n}") for n in range(300)]
    assert {variant.id for variant in first if variant is not None} == {"v0", "v1", "v2"}


@pytest.mark.parametrize("weights", [(3, 1), (1, 2, 1), (1, 1, 1, 97)])
def test_the_variants_share_the_mails_by_weight_within_a_binomial_bound(weights: tuple[int, ...]) -> None:
    ab, mails = step(*weights), 20_000
    picked = Counter(getattr(pick_variant(ab, f"delivery-{n}"), "id", None) for n in range(mails))
    total = sum(weights)
    for n, weight in enumerate(weights):
        share = weight / total
        spread = (mails * share * (1 - share)) ** 0.5
        assert abs(picked[f"v{n}"] - mails * share) < 4.5 * spread, (weights, picked)
    assert sum(picked.values()) == mails


@given(st.from_regex(ID_PATTERN, fullmatch=True), st.none() | st.from_regex(ID_PATTERN, fullmatch=True))
def test_a_stats_row_id_reads_back_as_its_step_and_variant(step_id: str, variant: str | None) -> None:
    assert split_stats_id(step_stats_id(step_id, variant)) == (step_id, variant)


# --- last-touch credit ------------------------------------------------------------------------------------


def test_the_order_is_credited_to_the_last_mail_before_it() -> None:
    thanks = mail("thanks", timedelta(days=3), step_id="thanks")
    coupon = mail("coupon", timedelta(hours=5, minutes=30), step_id="coupon", variant="b")
    credit = credit_for(record(), [coupon, thanks], window_days=WINDOW, zone=TOKYO)
    assert credit is not None
    assert credit.model_dump() == {
        "delivery_id": "coupon",
        "scenario_id": "sc",
        "step_id": "coupon",
        "variant": "b",
        "sent_at": PLACED - timedelta(hours=5, minutes=30),
        "hours": 5.5,
        "total": 7300,
        "day": date(2026, 12, 10),  # the order's day in the shop's zone, not UTC's 9th
    }


def test_a_mail_of_the_order_itself_is_never_its_credit() -> None:
    own = mail("own", timedelta(hours=1), order_key=OWN_KEY)
    earlier = mail("earlier", timedelta(days=1))
    assert credited([own, earlier]) == "earlier"
    assert credited([own]) is None


@pytest.mark.parametrize("status", ["scheduled", "sending", "failed", "unknown", "cancelled", "skipped"])
def test_only_a_sent_mail_earns_credit(status: str) -> None:
    assert credited([mail("other", timedelta(hours=2), status=status)]) is None
    assert (
        credited([mail("other", timedelta(hours=2), status=status), mail("sent", timedelta(days=2))])
        == "sent"
    )


def test_a_sent_mail_without_a_send_time_earns_nothing() -> None:
    assert credited([mail("d", timedelta(hours=1), sent_at=None)]) is None


@pytest.mark.parametrize(
    ("before", "earns"),
    [
        (timedelta(seconds=-1), False),  # after the order
        (timedelta(0), False),  # at the very moment of the order
        (timedelta(seconds=1), True),
        (timedelta(days=WINDOW), True),  # the window's end is included
        (timedelta(days=WINDOW, seconds=1), False),
    ],
    ids=["after", "same-moment", "just-before", "window-end", "past-window"],
)
def test_a_mail_earns_credit_only_before_the_order_and_within_the_window(
    before: timedelta, earns: bool
) -> None:
    assert credited([mail("d", before)]) == ("d" if earns else None)


def test_the_window_is_measured_from_the_order_time_or_else_its_arrival() -> None:
    late = record(placed=None)  # no order time: received 3 minutes after PLACED
    assert credited([mail("d", -timedelta(minutes=1))], late) == "d"
    assert credited([mail("d", -timedelta(minutes=1))]) is None


def test_a_cancelled_order_earns_no_mail_anything() -> None:
    assert credited([mail("d", timedelta(hours=1))], record(status="cancelled")) is None


# --- repeat runs ---------------------------------------------------------------------------------------


def run_mails(
    run_id: str, started: timedelta, *states: tuple[str, str | None], **changes: Any
) -> list[Delivery]:
    """A run of the customer's first order started ``started`` before ``PLACED``: a mail per
    (status, reason) in ``states``."""
    start = PLACED - started
    return [
        delivery(
            **{
                "id": f"{run_id}-{n}",
                "run_id": run_id,
                "run_started_at": start,
                "send_at": start,
                "status": status,
                "reason": reason,
                "step_id": f"step{n}",
            }
            | changes
        )
        for n, (status, reason) in enumerate(states)
    ]


SENT: tuple[str, None] = ("sent", None)


def repeated(
    deliveries: list[Delivery], *, days: int | None = 30, order: OrderRecord | None = None
) -> list[str]:
    return [run.run_id for run, _ in repeated_runs(order or record(), deliveries, lambda _: days)]


def test_a_run_started_before_the_order_within_repeat_days_repeats() -> None:
    mails = run_mails("r", timedelta(days=10), SENT, ("scheduled", None))
    [(run, _)] = repeated_runs(record(), mails, lambda _: 30)
    assert run == RunStart(
        run_id="r",
        scenario_id="sc",
        scenario_version=1,
        order_key="rakuten#1",
        started_at=PLACED - timedelta(days=10),
        held_out=False,
    )


def test_a_superseded_run_does_not_count() -> None:
    replanned = run_mails("old", timedelta(days=3), ("cancelled", "replanned"), ("cancelled", "replanned"))
    assert repeated(replanned) == []
    assert runs_started(replanned) == []


def test_a_run_never_planned_does_not_count() -> None:
    never = run_mails("never", timedelta(days=3), ("skipped", "past"), ("skipped", "beyond_max_window"))
    assert repeated(never) == []


def test_a_run_that_reached_its_customer_counts_whatever_became_of_some_of_its_mails() -> None:
    mixed = run_mails(
        "mixed",
        timedelta(days=3),
        ("skipped", "past"),
        ("cancelled", "replanned"),
        ("cancelled", "order_cancelled"),
    )
    held = run_mails("held", timedelta(days=4), ("skipped", "holdout"), held_out=True)
    assert repeated(mixed + held) == ["mixed", "held"]
    assert [run.held_out for run, _ in repeated_runs(record(), mixed + held, lambda _: 30)] == [False, True]


def test_a_run_of_the_order_itself_or_after_it_is_not_repeated() -> None:
    own = run_mails("own", timedelta(hours=1), SENT, order_key=OWN_KEY)
    later = run_mails("later", -timedelta(hours=1), SENT)
    same_moment = run_mails("same", timedelta(0), SENT)
    assert repeated(own + later + same_moment) == []


@pytest.mark.parametrize(
    ("started", "counts"),
    [(timedelta(days=30), True), (timedelta(days=30, seconds=1), False)],
    ids=["on-the-last-day", "a-second-late"],
)
def test_repeat_days_are_counted_from_the_runs_start(started: timedelta, counts: bool) -> None:
    assert repeated(run_mails("r", started, SENT)) == (["r"] if counts else [])


def test_a_run_of_a_scenario_gone_or_without_a_start_time_is_not_counted() -> None:
    assert repeated(run_mails("r", timedelta(days=1), SENT), days=None) == []
    assert repeated(run_mails("r", timedelta(days=1), SENT, run_started_at=None)) == []


def test_each_scenario_is_asked_its_own_repeat_days() -> None:
    short = run_mails("short", timedelta(days=20), SENT, scenario_id="short")
    long = run_mails("long", timedelta(days=20), SENT, scenario_id="long")
    asked: list[str] = []

    def repeat_days(run: RunStart) -> int:
        asked.append(run.scenario_id)
        return 10 if run.scenario_id == "short" else 60

    assert [run.run_id for run, _ in repeated_runs(record(), short + long, repeat_days)] == ["long"]
    assert sorted(asked) == ["long", "short"]


def test_a_cancelled_order_repeats_nothing() -> None:
    assert repeated(run_mails("r", timedelta(days=1), SENT), order=record(status="cancelled")) == []
