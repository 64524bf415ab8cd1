"""Issue #16, the win-back trigger: the hourly job over the fakes (services/winback.py).

The tea shop of docs/journeys-winback.md: a 90-day win-back (a coupon on the lapse day at 10:00, a
reminder a week later). A buyer whose last order was on 2026-09-01 lapses on 2026-11-30.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest

from okaeri.attribution import in_holdout
from okaeri.errors import OkaeriError
from okaeri.identity import customer_id_for
from okaeri.models import CustomerRecord, DeliveryStatus, OrderRecord, Scenario
from okaeri.models.delivery import Skip
from okaeri.services.schedule import on_order_change
from okaeri.services.winback import CATCH_UP_DAYS, WinbackDeps, WinbackReport, days_to_take, run_winback
from tests.fakes import FakeCustomers
from tests.support.winback import buy, cancel, tea_order, winback_scenario
from tests.unit.services.support import SHOP_ID, World, at

BUYER = "sakura.mori@example.jp"
LAST_ORDER = at("2026-09-01 10:00")
LAPSE_DAY = date(2026, 11, 30)  # 2026-09-01 + 90 days


def tea_world(now: datetime, *scenarios: Scenario, **shop: Any) -> World:
    """The fixture shop as a tea shop outside the malls' rules (its own site), with ``scenarios``."""
    world = World.create(now, scenarios=list(scenarios) or [winback_scenario()])
    stored = world.config.shop(SHOP_ID)
    assert stored is not None
    world.config.put_shop(stored.model_copy(update={"compliance": "none", **shop}))
    return world


def order(world: World, email: str, order_id: str, when: datetime, **fields: Any) -> OrderRecord:
    shop = world.config.shop(SHOP_ID)
    assert shop is not None
    return buy(
        world.orders, world.customers, SHOP_ID, tea_order(email, order_id, when, **fields), zone=shop.tz
    )


def deps(world: World, customers: FakeCustomers | None = None) -> WinbackDeps:
    return WinbackDeps(
        schedule=world.schedule_deps(), customers=customers or world.customers, registry=world.config
    )


def job(world: World, when: datetime | None = None, customers: FakeCustomers | None = None) -> WinbackReport:
    """The hourly job at ``when`` (the world's clock moved there)."""
    if when is not None:
        world.clock.set(when)
    return run_winback(deps(world, customers))


def winback_mails(world: World) -> list[Any]:
    return sorted(
        (d for d in world.deliveries.all() if d.scenario_id.startswith("winback")), key=lambda d: d.send_at
    )


def lapsed_world(*scenarios: Scenario, **shop: Any) -> World:
    """The buyer's one order on 09-01; the job done through the day before the lapse."""
    world = tea_world(at("2026-11-29 00:30"), *scenarios, **shop)
    order(world, BUYER, "Y-1", LAST_ORDER)
    job(world)  # the first run notes 11-29 done
    return world


# --- the day itself -------------------------------------------------------------------------------


def test_a_buyer_whose_last_order_is_exactly_lapsed_days_old_gets_a_run_from_that_day() -> None:
    world = lapsed_world()
    assert winback_mails(world) == []  # 89 days: nothing yet
    report = job(world, at("2026-11-30 00:30"))
    coupon, reminder = winback_mails(world)
    assert (coupon.step_id, coupon.send_at, coupon.status) == ("coupon", at("2026-11-30 10:00"), "scheduled")
    assert (reminder.step_id, reminder.send_at) == ("reminder", at("2026-12-07 19:00"))
    assert coupon.order_key == reminder.order_key == "yahoo#Y-1"  # rendered from the last order
    assert coupon.customer_id == customer_id_for(BUYER)
    assert coupon.run_started_at == at("2026-11-30 00:30")  # a reorder from now on is "since"
    assert report.started == [coupon.run_id]
    assert report.days == {SHOP_ID: [LAPSE_DAY]}
    assert set(world.schedules.entries) == {coupon.id, reminder.id}
    assert world.config.total("runs_mailed") == 1


def test_the_win_back_mail_goes_out_though_its_last_order_shipped_beyond_the_shops_window() -> None:
    """``max_window_days`` (45) counts from the lapse day, not from the order's shipping 90 days ago."""
    world = lapsed_world()
    job(world, at("2026-11-30 00:30"))
    world.clock.set(at("2026-11-30 10:00"))
    (sent,) = world.fire()
    assert sent.status == "sent", sent.reason
    assert world.accepted() == {winback_mails(world)[0].id: 1}


def test_a_step_beyond_the_window_from_the_lapse_day_is_skipped() -> None:
    world = lapsed_world(max_window_days=5)
    job(world, at("2026-11-30 00:30"))
    mails = {mail.step_id: (mail.status, mail.reason) for mail in winback_mails(world)}
    assert mails == {"coupon": ("scheduled", None), "reminder": ("skipped", Skip.BEYOND_MAX_WINDOW)}


def test_a_buyer_who_ordered_since_gets_nothing() -> None:
    world = lapsed_world()
    order(world, BUYER, "Y-2", at("2026-10-15 20:00"))
    job(world, at("2026-11-30 00:30"))
    assert winback_mails(world) == []
    job(world, at("2027-01-13 00:30"))  # the second order's own lapse day
    assert [mail.order_key for mail in winback_mails(world)] == ["yahoo#Y-2", "yahoo#Y-2"]


def test_a_stale_index_entry_of_a_buyer_who_ordered_since_is_checked_again() -> None:
    world = lapsed_world()
    order(world, BUYER, "Y-2", at("2026-10-15 20:00"))

    class StaleIndex(FakeCustomers):
        """The index still answering the buyer under their old day (eventual consistency)."""

        def lapsed_on(self, shop_id: str, day: date) -> list[CustomerRecord]:
            return [
                r for (shop, _), r in self.customers.items() if shop == shop_id and day == LAST_ORDER.date()
            ]

    stale = StaleIndex()
    stale.customers = world.customers.customers
    report = job(world, at("2026-11-30 00:30"), customers=stale)
    assert winback_mails(world) == []
    assert report.skipped == [(customer_id_for(BUYER), "winback-90", "ordered_since")]


def test_the_day_after_the_lapse_day_is_not_a_lapse() -> None:
    world = tea_world(at("2026-12-01 00:30"))
    order(world, BUYER, "Y-1", LAST_ORDER)
    job(world)  # the first run takes today only: 12-01, 91 days after
    assert winback_mails(world) == []


# --- twice, late ------------------------------------------------------------------------------------


def test_the_job_twice_or_after_a_crash_before_the_day_was_noted_starts_nothing_more() -> None:
    world = lapsed_world()
    job(world, at("2026-11-30 00:30"))
    first = {d.id: d for d in winback_mails(world)}
    again = job(world, at("2026-11-30 01:30"))  # the next hour: the day is done
    assert again.days == {}
    assert again.started == []
    world.config.winback[SHOP_ID] = date(2026, 11, 29)  # as if the day had never been noted done
    retried = job(world, at("2026-11-30 02:30"))
    assert retried.runs.created == []
    assert sorted(retried.runs.existing) == sorted(first)
    assert {d.id: d for d in winback_mails(world)} == first
    assert world.config.total("runs_mailed") == 1


def test_the_same_lapse_met_again_after_the_scenario_was_edited_makes_no_second_set() -> None:
    world = lapsed_world(every_time := winback_scenario(repeat_policy="every_time"))
    assert every_time.repeat_policy == "every_time"
    job(world, at("2026-11-30 00:30"))
    world.config.add_scenario(SHOP_ID, winback_scenario(repeat_policy="every_time", name="改訂版"))
    world.config.winback[SHOP_ID] = date(2026, 11, 29)
    job(world, at("2026-11-30 02:30"))
    assert len(winback_mails(world)) == 2


def test_a_job_three_days_late_catches_the_day_up_once_from_the_day_it_runs() -> None:
    world = lapsed_world()
    report = job(world, at("2026-12-03 00:30"))  # 11-30, 12-01 and 12-02 were missed
    assert report.days == {SHOP_ID: [date(2026, 11, 30) + timedelta(days=n) for n in range(4)]}
    coupon, reminder = winback_mails(world)
    assert (coupon.send_at, reminder.send_at) == (at("2026-12-03 10:00"), at("2026-12-10 19:00"))
    assert job(world, at("2026-12-03 05:00")).started == []
    assert len(winback_mails(world)) == 2


def test_a_job_stopped_for_weeks_catches_up_two_weeks_only() -> None:
    assert days_to_take(date(2026, 11, 1), date(2026, 12, 1)) == [
        date(2026, 12, 1) - timedelta(days=n) for n in reversed(range(CATCH_UP_DAYS))
    ]
    assert days_to_take(None, date(2026, 12, 1)) == [date(2026, 12, 1)]
    assert days_to_take(date(2026, 12, 1), date(2026, 12, 1)) == []
    world = lapsed_world()
    job(world, at("2026-12-14 00:30"))  # 11-30 is 15 days back: out of reach
    assert winback_mails(world) == []


def test_the_day_is_the_shops_own() -> None:
    """At 23:30 on 11-29 in UTC it is already 11-30 in Tokyo."""
    world = lapsed_world()
    job(world, datetime.fromisoformat("2026-11-29T15:30:00+00:00"))
    assert len(winback_mails(world)) == 2


# --- repeat policies ---------------------------------------------------------------------------------


def lapsing_twice(policy: str) -> World:
    """A 30-day win-back whose reminder waits 60 days: the buyer lapses on 10-01 (run 1, its reminder
    pending till 11-30), orders again on 10-05 and lapses again on 11-04."""
    scenario = winback_scenario(
        lapsed_days=30,
        repeat_policy=policy,
        steps=[
            {
                "id": "coupon",
                "offset_days": 0,
                "hour": 10,
                "template": "love",
                "purposes": ["thanks", "coupon"],
            },
            {"id": "reminder", "offset_days": 60, "hour": 19, "template": "like", "purposes": ["usage_tips"]},
        ],
    )
    world = tea_world(at("2026-09-30 00:30"), scenario, max_window_days=90)
    order(world, BUYER, "Y-1", LAST_ORDER)
    job(world)
    job(world, at("2026-10-01 00:30"))
    world.clock.set(at("2026-10-01 10:00"))
    assert [outcome.status for outcome in world.fire()] == ["sent"]
    order(world, BUYER, "Y-2", at("2026-10-05 12:00"))
    job(world, at("2026-11-04 00:30"))
    return world


def runs(world: World) -> dict[str, list[tuple[str, str, str | None]]]:
    found: dict[str, list[tuple[str, str, str | None]]] = {}
    for mail in winback_mails(world):
        found.setdefault(mail.order_key, []).append((mail.step_id, mail.status, mail.reason))
    return found


def test_repeat_once_wins_a_buyer_back_once_ever() -> None:
    assert runs(lapsing_twice("once")) == {
        "yahoo#Y-1": [("coupon", "sent", None), ("reminder", "scheduled", None)]
    }


def test_repeat_skip_if_active_waits_for_the_first_run_to_finish() -> None:
    assert list(runs(lapsing_twice("skip_if_active"))) == ["yahoo#Y-1"]


def test_repeat_restart_stops_the_first_runs_pending_mails() -> None:
    found = runs(lapsing_twice("restart"))
    assert found["yahoo#Y-1"] == [("coupon", "sent", None), ("reminder", "cancelled", "repeat_restart")]
    assert [step for step, status, _ in found["yahoo#Y-2"] if status == "scheduled"] == ["coupon", "reminder"]


def test_repeat_every_time_starts_again_beside_the_first_run() -> None:
    found = runs(lapsing_twice("every_time"))
    assert found["yahoo#Y-1"][1] == ("reminder", "scheduled", None)
    assert [status for _, status, _ in found["yahoo#Y-2"]] == ["scheduled", "scheduled"]


# --- conditions, holdout, who is not won back --------------------------------------------------------


def test_conditions_are_checked_on_the_last_order_with_the_buyers_order_count() -> None:
    scenario = winback_scenario(conditions={"sources": ["yahoo"], "min_order_count": 2})
    world = tea_world(at("2026-11-29 00:30"), scenario)
    for email, first, last in (
        ("a@example.jp", "rakuten", "yahoo"),  # last order from Yahoo, 2 orders: won back
        ("b@example.jp", "yahoo", "rakuten"),  # last order from Rakuten: not
    ):
        order(world, email, f"{email[0]}-1", at("2026-08-01 10:00"), source=first)
        order(world, email, f"{email[0]}-2", LAST_ORDER, source=last)
    order(world, "c@example.jp", "c-1", LAST_ORDER)  # one order only: not
    job(world)
    report = job(world, at("2026-11-30 00:30"))
    assert {mail.customer_email for mail in winback_mails(world)} == {"a@example.jp"}
    assert sorted(reason for _, _, reason in report.skipped) == ["conditions", "conditions"]


def test_first_order_matches_a_buyer_of_one_order() -> None:
    world = tea_world(at("2026-11-29 00:30"), winback_scenario(conditions={"first_order": True}))
    order(world, "one@example.jp", "o-1", LAST_ORDER)
    order(world, "two@example.jp", "t-1", at("2026-07-01 10:00"))
    order(world, "two@example.jp", "t-2", LAST_ORDER)
    job(world)
    job(world, at("2026-11-30 00:30"))
    assert {mail.customer_email for mail in winback_mails(world)} == {"one@example.jp"}


def test_held_out_buyers_get_their_mails_stored_skipped_and_counted_as_held_out() -> None:
    scenario = winback_scenario(holdout_percent=50)
    world = tea_world(at("2026-11-29 00:30"), scenario)
    buyers = [f"buyer{n}@example.jp" for n in range(12)]
    for n, email in enumerate(buyers):
        order(world, email, f"Y-{n}", LAST_ORDER)
    job(world)
    job(world, at("2026-11-30 00:30"))
    held = {e for e in buyers if in_holdout(SHOP_ID, customer_id_for(e), scenario.id, 50)}
    assert held
    assert held != set(buyers)
    for mail in winback_mails(world):
        expected = (
            (DeliveryStatus.SKIPPED, Skip.HOLDOUT) if mail.customer_email in held else ("scheduled", None)
        )
        assert (mail.status, mail.reason) == expected
        assert (mail.id in world.schedules.entries) == (mail.customer_email not in held)
    assert world.config.total("runs_held_out") == len(held)
    assert world.config.total("runs_mailed") == len(buyers) - len(held)


def test_erased_buyers_and_orders_that_are_gone_get_nothing() -> None:
    world = lapsed_world()
    order(world, "gone@example.jp", "G-1", LAST_ORDER)
    world.orders.items.pop((SHOP_ID, "yahoo#G-1"))  # the order is gone (its retention ran out)
    world.customers.erase(SHOP_ID, customer_id_for(BUYER), marker="erased", at=at("2026-11-01 09:00"))
    report = job(world, at("2026-11-30 00:30"))
    assert winback_mails(world) == []
    assert report.skipped == [(customer_id_for("gone@example.jp"), "winback-90", "order_missing")]


def test_an_erased_buyer_the_index_still_answers_is_left_alone() -> None:
    world = lapsed_world()

    class Lagging(FakeCustomers):
        def lapsed_on(self, shop_id: str, day: date) -> list[CustomerRecord]:
            return [
                r.model_copy(update={"erased_at": at("2026-11-01 09:00")})
                for r in super().lapsed_on(shop_id, day)
            ]

    lagging = Lagging()
    lagging.customers = world.customers.customers
    report = job(world, at("2026-11-30 00:30"), customers=lagging)
    assert winback_mails(world) == []
    assert [why for *_, why in report.skipped] == ["erased"]


def test_a_shop_gone_from_the_config_or_without_an_active_win_back_is_passed_over() -> None:
    world = lapsed_world(winback_scenario(active=False))
    world.config.register_winback("gone-shop")
    report = job(world, at("2026-11-30 00:30"))
    assert winback_mails(world) == []
    assert report.errors == []
    assert world.config.winback[SHOP_ID] == LAPSE_DAY  # the day is done: activating later does not look back


def test_a_cancelled_last_order_moves_the_lapse_back_to_the_order_before() -> None:
    world = lapsed_world()
    later = order(world, BUYER, "Y-2", at("2026-10-15 20:00"))
    shop = world.config.shop(SHOP_ID)
    assert shop is not None
    cancel(world.orders, world.customers, later, zone=shop.tz, at=at("2026-10-16 09:00"))
    assert world.customer(customer_id_for(BUYER)).last_order_day == LAST_ORDER.date()
    job(world, at("2026-11-30 00:30"))
    assert {mail.order_key for mail in winback_mails(world)} == {"yahoo#Y-1"}


# --- the win-back beside the order's own plan ---------------------------------------------------------


def test_better_data_on_the_last_order_leaves_its_win_back_alone_and_a_cancellation_stops_it() -> None:
    world = lapsed_world()
    job(world, at("2026-11-30 00:30"))
    old = world.order("yahoo#Y-1")
    shipped = old.model_copy(update={"order": old.order.model_copy(update={"shipped_at": date(2026, 9, 2)})})
    outcome = on_order_change(world.schedule_deps(), old, shipped)
    assert outcome.cancelled == []
    assert outcome.moved == []
    assert {mail.status for mail in winback_mails(world)} == {"scheduled"}
    cancelled = shipped.model_copy(update={"status": "cancelled"})
    outcome = on_order_change(world.schedule_deps(), shipped, cancelled)
    assert sorted(outcome.cancelled) == sorted(mail.id for mail in winback_mails(world))


def test_a_win_back_to_a_rakuten_buyer_is_refused_at_send_by_rakutens_30_days() -> None:
    """Rakuten's rules follow the order's mall and count from the last order's shipping: 90 days
    is beyond its 30, whatever the shop's own profile."""
    world = tea_world(at("2026-11-29 00:30"))
    order(world, BUYER, "R-1", LAST_ORDER, source="rakuten")
    job(world)
    job(world, at("2026-11-30 00:30"))
    world.clock.set(at("2026-11-30 10:00"))
    (outcome,) = world.fire()
    assert (outcome.status, outcome.reason) == ("skipped", "compliance:rakuten.max_30_days")


# --- one shop's trouble ------------------------------------------------------------------------------


def test_a_shop_that_fails_keeps_its_day_undone_and_the_others_go_on() -> None:
    from functions.schedule import handler as schedule_handler

    world = lapsed_world()
    other = world.config.shop(SHOP_ID)
    assert other is not None
    world.config.add_shop(other.model_copy(update={"id": "cha-no-ma"}))
    world.config.add_scenario("cha-no-ma", winback_scenario())

    class Throttled(FakeCustomers):
        def lapsed_on(self, shop_id: str, day: date) -> list[CustomerRecord]:
            if shop_id == "cha-no-ma":
                raise RuntimeError("ProvisionedThroughputExceededException")
            return super().lapsed_on(shop_id, day)

    throttled = Throttled()
    throttled.customers = world.customers.customers
    world.clock.set(at("2026-11-30 00:30"))
    with pytest.raises(OkaeriError) as raised:
        schedule_handler.handle_winback(deps(world, throttled))
    assert raised.value.code == "winback_incomplete"
    assert len(winback_mails(world)) == 2  # the fixture shop's buyer was won back all the same
    assert world.config.winback == {SHOP_ID: LAPSE_DAY, "cha-no-ma": None}  # its day: taken again next hour
    report = job(world, customers=throttled)
    assert report.errors == [("cha-no-ma", "RuntimeError")]


def test_a_reorder_after_the_win_back_started_stops_its_pending_coupon() -> None:
    """``stop_on_reorder: advertising`` (the default): the run started at the job's hour, so an order
    placed after it stops its coupon; the reminder (usage tips) still goes."""
    world = lapsed_world()
    job(world, at("2026-11-30 00:30"))
    order(world, BUYER, "Y-2", at("2026-11-30 08:00"))
    world.clock.set(at("2026-11-30 08:00"))
    world.pump()
    mails = {mail.step_id: (mail.status, mail.reason) for mail in winback_mails(world)}
    assert mails == {"coupon": ("skipped", Skip.REORDERED), "reminder": ("scheduled", None)}
