"""Issue #15 over the fakes: an order credited to the mail before it, holdout groups and their
repeats, A/B variants, and the results read back from the counters — every event twice too."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from okaeri.attribution import in_holdout
from okaeri.identity import customer_id_for
from okaeri.models import Order, ReceptionEntry, Scenario
from okaeri.services.ingest import apply_order
from okaeri.services.results import results, results_csv
from okaeri.services.scenarios import ScenarioDeps, promote
from tests.unit.services.support import SHOP_ID, World, at, fixture_shop, fixture_template, scenario
from tests.unit.services.test_any_order import NOW as ANY_ORDER_NOW
from tests.unit.services.test_any_order import ORDER, SHIPMENT, arrive, shipped_scenario

NOW = at("2026-12-01 09:00")  # a Tuesday
EMAIL = "hanako@example.jp"
THANKS = {"id": "thanks", "immediate": True, "template": "thanks", "purposes": ["thanks"]}
COUPON = {
    "id": "coupon",
    "offset_days": 2,
    "hour": 10,
    "template": "love",
    "purposes": ["usage_tips", "coupon"],
}


def ordered(**changes: Any) -> Scenario:
    """Mails from the order: a thanks at once, a coupon (riding on usage tips) two days later."""
    return scenario(
        **{"id": "follow", "trigger": "ordered", "repeat_policy": "every_time", "steps": [THANKS, COUPON]}
        | changes
    )


def place(
    world: World,
    order_id: str,
    *,
    email: str = EMAIL,
    total: int = 5000,
    when: datetime | None = None,
    shop_id: str = SHOP_ID,
    times: int = 1,
) -> str:
    """An order through ``apply_order`` (as a CSV row would come), then the stream, each ``times`` times."""
    order = Order.model_validate(
        {
            "source": "csv",
            "order_id": order_id,
            "ordered_at": (when or world.clock.now()).isoformat(),
            "customer": {"name": "山田 花子", "email": email},
            "total": total,
        }
    )
    shop = world.config.shops[shop_id]
    for _ in range(times):
        base = ReceptionEntry(
            shop_id=shop_id, s3_key=f"import/{order_id}", received_at=world.clock.now(), result="parsed"
        )
        apply_order(world.ingest_deps(), order, base, shop=shop)
    world.pump(times=times)
    return order.key


def cancel(world: World, order_id: str, *, times: int = 1) -> None:
    order = Order.model_validate({"source": "csv", "order_id": order_id, "kind": "cancellation"})
    for _ in range(times):
        base = ReceptionEntry(
            shop_id=SHOP_ID, s3_key=f"cancel/{order_id}", received_at=world.clock.now(), result="parsed"
        )
        apply_order(world.ingest_deps(), order, base, shop=world.config.shops[SHOP_ID])
    world.pump(times=times)


def sent_step(world: World, step: str, order_key: str) -> str:
    delivery_id = world.delivery_of(step, order_key)
    outcome = world.send(delivery_id)
    assert outcome.status == "sent", outcome
    return delivery_id


def counter(world: World, name: str, *, step: str | None = None) -> int:
    return sum(
        count
        for (shop, _, _, step_id, counter_name), count in world.config.counters.items()
        if shop == SHOP_ID and counter_name == name and (step is None or step_id == step)
    )


def world_with(*scenarios: Scenario) -> World:
    return World.create(NOW, scenarios=list(scenarios) or [ordered()])


# --- attribution -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("after", "credited"),
    [
        (timedelta(days=7) - timedelta(seconds=1), True),  # just inside
        (timedelta(days=7), True),  # on the window's end: included
        (timedelta(days=7, seconds=1), False),  # just outside
    ],
    ids=["inside", "equal", "outside"],
)
def test_an_order_within_the_window_is_credited_to_the_mail_before_it(
    after: timedelta, credited: bool
) -> None:
    world = world_with()
    first = place(world, "A-1")
    thanks = sent_step(world, "thanks", first)
    sent_at = world.delivery(thanks).sent_at
    assert sent_at is not None

    world.clock.set(sent_at + after)
    second = place(world, "A-2", total=7300, when=sent_at + after)

    record = world.order(second)
    if not credited:
        assert record.credit is None
        assert counter(world, "converted") == 0
        assert world.delivery(thanks).conversions == {}
        return
    assert record.credit is not None
    assert (record.credit.delivery_id, record.credit.total, record.credit.day) == (
        thanks,
        7300,
        (sent_at + after).astimezone(world.config.shops[SHOP_ID].tz).date(),
    )
    assert record.credit.hours == round(after.total_seconds() / 3600, 1)
    assert counter(world, "converted", step="thanks") == 1
    assert counter(world, "revenue", step="thanks") == 7300
    conversion = world.delivery(thanks).conversions[second]
    assert (conversion.order_id, conversion.total, conversion.cancelled) == ("A-2", 7300, False)


def test_the_later_of_two_mails_takes_the_credit() -> None:
    world = world_with()
    first = place(world, "B-1")
    sent_step(world, "thanks", first)
    world.clock.set(at("2026-12-03 10:00"))
    coupon = sent_step(world, "coupon", first)
    world.clock.advance(hours=5)

    second = place(world, "B-2", total=3000)

    credit = world.order(second).credit
    assert credit is not None
    assert credit.delivery_id == coupon
    assert credit.step_id == "coupon"
    assert counter(world, "converted", step="coupon") == 1
    assert counter(world, "converted", step="thanks") == 0


def test_an_order_before_any_mail_is_not_credited() -> None:
    world = world_with()
    place(world, "C-1")  # its thanks is planned, not sent
    world.clock.advance(minutes=5)
    second = place(world, "C-2")
    assert world.order(second).credit is None
    assert counter(world, "converted") == 0


def test_a_cancelled_order_gives_its_credit_back_once() -> None:
    world = world_with()
    first = place(world, "D-1")
    thanks = sent_step(world, "thanks", first)
    world.clock.advance(days=1)
    second = place(world, "D-2", total=4200)
    assert counter(world, "revenue") == 4200

    world.clock.advance(hours=1)
    cancel(world, "D-2", times=2)

    assert counter(world, "converted") == 0
    assert counter(world, "revenue") == 0
    assert world.delivery(thanks).conversions[second].cancelled is True
    assert world.order(second).credit is not None  # kept, to say what was taken back


def test_a_buyer_of_two_shops_is_never_credited_across_them() -> None:
    world = world_with()
    other = fixture_shop().model_copy(update={"id": "other-shop", "name": "別の店"})
    world.config.add_shop(other)
    for name in ("thanks", "love"):
        world.config.add_template(other.id, fixture_template(name))
    world.config.add_scenario(other.id, ordered())
    first = place(world, "E-1")
    sent_step(world, "thanks", first)
    world.clock.advance(days=1)

    other_key = place(world, "E-1", shop_id=other.id)  # the same address, the same order id, another shop
    place(world, "E-2", shop_id=other.id)

    for key in (other_key, "csv#E-2"):
        record = world.orders.get(other.id, key)
        assert record is not None
        assert record.credit is None
    assert counter(world, "converted") == 0


def test_every_event_twice_counts_once() -> None:
    world = world_with(ordered(holdout_percent=0))
    first = place(world, "F-1", times=2)
    sent_step(world, "thanks", first)
    world.clock.advance(days=1)
    place(world, "F-2", total=9999, times=2)
    world.pump(times=2)  # the credit's own change on the order, twice

    assert counter(world, "converted") == 1
    assert counter(world, "revenue") == 9999
    assert counter(world, "runs_mailed") == 2
    assert counter(world, "repeated_mailed") == 1


# --- holdout -------------------------------------------------------------------------------------


def test_the_same_customer_is_always_in_the_same_group() -> None:
    draws = {in_holdout(SHOP_ID, f"customer-{n}", "follow", 30) for _ in range(3) for n in range(1)}
    assert len(draws) == 1
    for n in range(200):
        customer = f"customer-{n}"
        assert in_holdout(SHOP_ID, customer, "follow", 30) == in_holdout(SHOP_ID, customer, "follow", 30)
    assert not any(in_holdout(SHOP_ID, f"customer-{n}", "follow", 0) for n in range(1000))


@pytest.mark.parametrize("percent", [1, 10, 25, 50])
def test_the_held_out_share_is_within_a_binomial_bound(percent: int) -> None:
    customers = 20_000
    held = sum(in_holdout(SHOP_ID, f"customer-{n}", "follow", percent) for n in range(customers))
    expected = customers * percent / 100
    spread = (customers * percent / 100 * (1 - percent / 100)) ** 0.5
    assert abs(held - expected) < 4.5 * spread  # ~1 in 150,000 for a fair draw


def held_out_email(percent: int, *, held: bool = True) -> str:
    """An address whose customer is (or is not) in the ``follow`` scenario's holdout group."""
    for n in range(10_000):
        email = f"buyer{n}@example.jp"
        if in_holdout(SHOP_ID, customer_id_for(email), "follow", percent) == held:
            return email
    raise AssertionError("no such address")


def test_a_held_out_run_plans_its_steps_but_sends_nothing_and_schedules_nothing() -> None:
    world = world_with(ordered(holdout_percent=10))
    email = held_out_email(10)
    key = place(world, "G-1", email=email, times=2)

    deliveries = world.deliveries.by_order(SHOP_ID, key)
    assert {(d.step_id, d.status, d.reason, d.held_out) for d in deliveries} == {
        ("thanks", "skipped", "holdout", True),
        ("coupon", "skipped", "holdout", True),
    }
    assert world.schedules.entries == {}
    assert counter(world, "runs_held_out") == 1
    assert counter(world, "runs_mailed") == 0
    assert counter(world, "held_out", step="thanks") == 1
    assert counter(world, "held_out", step="coupon") == 1
    world.clock.advance(days=3)
    assert world.fire() == []
    assert world.ses.accepted == []


def test_advertising_only_holds_out_only_the_advertising_steps() -> None:
    world = world_with(ordered(holdout_percent=10, holdout_scope="advertising_only"))
    key = place(world, "H-1", email=held_out_email(10))

    by_step = {d.step_id: d for d in world.deliveries.by_order(SHOP_ID, key)}
    assert (by_step["thanks"].status, by_step["thanks"].held_out) == ("scheduled", True)
    assert (by_step["coupon"].status, by_step["coupon"].reason) == ("skipped", "holdout")
    assert set(world.schedules.entries) == {by_step["thanks"].id}
    assert counter(world, "runs_held_out") == 1


def test_a_held_out_run_repeats_like_a_mailed_one() -> None:
    world = world_with(ordered(holdout_percent=10, repeat_days=30))
    email = held_out_email(10)
    place(world, "I-1", email=email)
    world.clock.advance(days=29)
    place(world, "I-2", email=email)
    world.clock.advance(days=2)
    place(world, "I-3", email=email)  # 31 days after I-1: repeats only I-2's run

    assert counter(world, "runs_held_out") == 3
    assert counter(world, "repeated_held_out") == 2
    assert counter(world, "repeated_mailed") == 0


# --- A/B variants ------------------------------------------------------------------------------


VARIANTS = {
    "id": "thanks",
    "immediate": True,
    "variants": [
        {"id": "a", "template": "thanks", "weight": 3},
        {"id": "b", "template": "like", "weight": 1},
    ],
    "purposes": ["thanks"],
}


def test_each_delivery_carries_one_variant_by_weight_and_keeps_it() -> None:
    world = world_with(ordered(steps=[VARIANTS]))
    keys = [place(world, f"J-{n}", email=f"j{n}@example.jp") for n in range(200)]
    chosen = {key: world.delivery(world.delivery_of("thanks", key)) for key in keys}
    share_a = sum(d.variant == "a" for d in chosen.values()) / len(chosen)
    assert 0.6 < share_a < 0.9  # weight 3 : 1
    assert {(d.variant, d.template_id) for d in chosen.values()} == {("a", "thanks"), ("b", "like")}

    for key in keys[:10]:  # the same order again: the same delivery, the same variant
        place(world, key.removeprefix("csv#"), email=chosen[key].customer_email or "", times=1)
        assert world.delivery(chosen[key].id).variant == chosen[key].variant


def test_sends_and_conversions_are_counted_per_variant() -> None:
    world = world_with(ordered(steps=[VARIANTS]))
    first = place(world, "K-1")
    thanks = sent_step(world, "thanks", first)
    variant = world.delivery(thanks).variant
    world.clock.advance(days=1)
    place(world, "K-2", total=1200)

    assert counter(world, "sent", step=f"thanks@{variant}") == 1
    assert counter(world, "converted", step=f"thanks@{variant}") == 1
    answer = results(world.config, world.clock, SHOP_ID, days=30)
    step = answer.scenarios[0].steps[0]
    assert (step.sent, step.converted, step.revenue) == (1, 1, 1200)
    figures = {v.variant: (v.sent, v.converted, v.revenue) for v in step.variants}
    assert figures[variant or ""] == (1, 1, 1200)
    assert step.ab is not None
    assert step.ab.verdict == "too_few"


def test_promotion_makes_a_new_version_with_the_winner_alone() -> None:
    world = world_with(ordered(steps=[VARIANTS]))
    deps = ScenarioDeps(config=world.config, logs=world.logs, clock=world.clock)
    answer = promote(deps, SHOP_ID, "follow", step_id="thanks", variant="b", by="owner@example.jp")
    assert answer.version == 2
    assert answer.changed
    step = world.config.scenario(SHOP_ID, "follow").steps[0]  # type: ignore[union-attr]
    assert (step.template, step.variants) == ("like", None)


# --- the results, from the counters -----------------------------------------------------------------


def test_results_say_zero_and_none_where_nothing_happened() -> None:
    world = world_with(ordered(holdout_percent=20))
    answer = results(world.config, world.clock, SHOP_ID, days=7)
    [follow] = answer.scenarios
    assert (follow.runs.mailed, follow.runs.held_out, follow.lift, follow.lift_interval) == (0, 0, None, None)
    assert follow.repeat_rate.mailed is None
    assert not follow.conclusive
    assert [(s.step_id, s.sent, s.conversion_rate, s.revenue_per_mail) for s in follow.steps] == [
        ("thanks", 0, None, None),
        ("coupon", 0, None, None),
    ]


def test_results_compute_the_lift_from_the_counters() -> None:
    world = world_with(ordered(holdout_percent=10))
    day = NOW.date()
    for counter_name, count in {
        "runs_mailed": 900,
        "runs_held_out": 100,
        "repeated_mailed": 270,
        "repeated_held_out": 10,
    }.items():
        for _ in range(count):
            world.config.count(SHOP_ID, day=day, scenario_id="follow", step_id="*", counter=counter_name)
    [follow] = results(world.config, world.clock, SHOP_ID, days=30).scenarios
    assert follow.repeat_rate.mailed == pytest.approx(0.3)
    assert follow.repeat_rate.held_out == pytest.approx(0.1)
    assert follow.lift == pytest.approx(0.2)
    assert follow.lift_interval is not None
    assert 0 < follow.lift_interval[0] < 0.2 < follow.lift_interval[1]
    assert follow.conclusive
    assert follow.more_runs_needed is None
    csv_text = results_csv(results(world.config, world.clock, SHOP_ID, days=30))
    assert csv_text.splitlines()[1].startswith(
        "follow,サンキュー・ライク・ラブ,,,0,0,0,0,,,900,100,270,10,0.2,"
    )


# --- a run superseded by better order data ---------------------------------------------------------


@pytest.mark.parametrize("held_out_percent", [0, 50], ids=["mailed", "held-out"])
def test_a_superseded_run_is_no_longer_counted(held_out_percent: int) -> None:
    """The stub (a shipment first) starts the general scenario; the order mail then chooses the
    higher-priority one: the first run never reached its buyer, so its counts are taken back."""
    general = shipped_scenario("general", 1).model_copy(update={"holdout_percent": held_out_percent})
    world = World.create(ANY_ORDER_NOW, scenarios=[general, shipped_scenario("big", 5, min_total=10000)])
    arrive(world, SHIPMENT)
    assert counter(world, "runs_mailed") + counter(world, "runs_held_out") == 1

    arrive(world, ORDER, times=2)

    rows = {
        (scenario_id, name): count
        for (_, _, scenario_id, step_id, name), count in world.config.counters.items()
        if step_id == "*" and scenario_id != "*" and count
    }
    assert rows == {("big", "runs_mailed"): 1}
    assert counter(world, "held_out") == 0
    general_run = [d for d in world.deliveries.all() if d.scenario_id == "general"]
    assert {(d.status, d.reason) for d in general_run} == {("cancelled", "replanned")}


def test_a_cancelled_order_takes_back_its_repeat() -> None:
    world = world_with()
    first = place(world, "L-1")
    sent_step(world, "thanks", first)
    world.clock.advance(days=1)
    place(world, "L-2", total=4200)
    assert (counter(world, "repeated_mailed"), counter(world, "converted")) == (1, 1)

    world.clock.advance(hours=1)
    cancel(world, "L-2")

    assert counter(world, "converted") == 0
    assert counter(world, "repeated_mailed") == 0


def test_a_cancelled_order_leaves_a_run_another_order_repeats_repeated() -> None:
    world = world_with()
    place(world, "M-1")
    world.clock.advance(days=1)
    place(world, "M-2")
    world.clock.advance(days=1)
    place(world, "M-3")  # repeats M-1's run too (counted once) and M-2's
    assert counter(world, "repeated_mailed") == 2

    cancel(world, "M-2", times=2)  # M-1's run is still repeated by M-3
    assert counter(world, "repeated_mailed") == 2
    cancel(world, "M-3")  # now nothing repeats M-1's or M-2's run
    assert counter(world, "repeated_mailed") == 0

    world.clock.advance(days=1)
    place(
        world, "M-4"
    )  # repeats M-1's run again, and M-2's and M-3's (a cancelled order's run still started)
    assert counter(world, "repeated_mailed") == 3


def test_a_retired_variant_is_history_not_an_arm_and_formulas_are_not_written_as_such() -> None:
    """A variant the step no longer has stays in the figures but does not hold the verdict back;
    a scenario name a spreadsheet would read as a formula is written after a quote."""
    steps = [VARIANTS | {"variants": [{"id": "a", "template": "thanks"}, {"id": "c", "template": "like"}]}]
    world = world_with(ordered(steps=steps, name="=HYPERLINK(1)"))
    day = NOW.date()
    for stats_id, sent, converted in (("thanks@a", 500, 100), ("thanks@c", 500, 20), ("thanks@b", 3, 0)):
        for name, amount in (("sent", sent), ("converted", converted)):
            for _ in range(amount):
                world.config.count(SHOP_ID, day=day, scenario_id="follow", step_id=stats_id, counter=name)
    answer = results(world.config, world.clock, SHOP_ID, days=7)
    step = answer.scenarios[0].steps[0]
    assert [(v.variant, v.template) for v in step.variants] == [("a", "thanks"), ("c", "like"), ("b", None)]
    assert step.ab is not None
    assert (step.ab.verdict, step.ab.winner) == ("winner", "a")
    assert results_csv(answer).splitlines()[1].startswith("follow,'=HYPERLINK(1),")
