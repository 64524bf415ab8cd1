"""Send: the conditional state machine, one transport call per attempt, and every refusal."""

from __future__ import annotations

import email
import email.policy
import time
from collections.abc import Mapping
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any

import pytest

from okaeri.compliance import is_rakuten_masked
from okaeri.errors import ConflictError
from okaeri.models import RelayConfig
from okaeri.services.send import choose_transport, throttle_delay
from okaeri.unsubscribe_links import verify_token
from tests.fakes import FakeCoupons, FakeDeliveries, FakeTransport, RecordingSleep, faulty
from tests.unit.services.support import (
    CONFIG,
    RAKUTEN_RELAY,
    SECRET,
    SHOP_ID,
    World,
    at,
    kurashi_mail,
    kurashi_mask,
)

ORDERED = at("2026-12-03 09:25")
THANKS_AT, LIKE_AT, LOVE_AT = at("2026-12-04 10:00"), at("2026-12-18 19:00"), at("2026-12-24 19:00")
YAHOO_EMAIL = "sho.nakamura@example.com"


def planned(**create: Any) -> World:
    world = World.create(ORDERED, **create)
    world.receive("yahoo-forwarded-inline")
    world.pump()
    return world


def throttled_thanks(*, times: int) -> tuple[World, str]:
    """A planned order at the thanks mail's time, SES throttling its next ``times`` calls; the mail's id."""
    world = planned()
    world.ses.throttle(times=times)
    world.clock.set(THANKS_AT)
    return world, world.delivery_of("thanks")


def read(raw: bytes) -> EmailMessage:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def text_of(raw: bytes) -> str:
    body = read(raw).get_body(("plain",))
    assert body is not None
    content: str = body.get_content()
    return content


def status(world: World, delivery_id: str) -> tuple[str, str | None]:
    delivery = world.deliveries.get(SHOP_ID, delivery_id)
    assert delivery is not None
    return delivery.status, delivery.reason


# --- the ordinary send ----------------------------------------------------------------------------


def test_a_due_delivery_is_claimed_sent_once_and_marked() -> None:
    world = planned()
    thanks = world.delivery_of("thanks")
    world.clock.set(THANKS_AT + timedelta(minutes=7))

    outcome = world.send(thanks)

    assert (outcome.status, outcome.transport, outcome.message_id) == ("sent", "ses", "ses-000001")
    delivery = world.deliveries.get(SHOP_ID, thanks)
    assert delivery is not None
    assert (delivery.status, delivery.message_id, delivery.transport, delivery.attempts) == (
        "sent",
        "ses-000001",
        "ses",
        1,
    )
    assert delivery.sent_at == THANKS_AT + timedelta(minutes=7)
    [mail] = world.ses.accepted
    assert (mail.sender, mail.recipient, mail.tags) == (
        "shop@mikan-sanbo.example",
        YAHOO_EMAIL,
        {"shop": SHOP_ID, "delivery": thanks},
    )
    message = read(mail.raw)
    assert message["Subject"] == "【みかん山房】中村 翔様、ご注文の品を発送しました"
    assert "kome-ya-20000001" in text_of(mail.raw)
    assert "はじめまして" in text_of(mail.raw)  # the buyer's first order
    [log] = world.logs.sends
    assert (log.delivery_id, log.status, log.message_id, log.transport) == (
        thanks,
        "sent",
        "ses-000001",
        "ses",
    )
    # not the orders per day (scenario ``*``), nor the scenario's runs (step ``*``)
    step_counters = {key: n for key, n in world.config.counters.items() if "*" not in key[2:4]}
    assert step_counters == {(SHOP_ID, THANKS_AT.date(), "thanks-like-love", "thanks", "sent"): 1}


def test_the_unsubscribe_link_is_signed_for_this_delivery_and_address() -> None:
    world = planned()
    world.clock.set(THANKS_AT)
    world.send(world.delivery_of("thanks"))
    header = read(world.ses.accepted[0].raw)["List-Unsubscribe"]
    token = header.split("/u/")[1].split(">")[0]
    claim = verify_token(SECRET, token)
    assert (claim.shop_id, claim.delivery_id) == (SHOP_ID, world.delivery_of("thanks"))
    assert claim.is_for(SECRET, YAHOO_EMAIL)


def test_the_coupon_mail_hands_out_one_code_and_the_legal_footer() -> None:
    world = planned()
    world.clock.set(LOVE_AT)
    assert world.send(world.delivery_of("love")).status == "sent"
    text = text_of(world.ses.accepted[0].raw)
    assert "クーポンコード: MKN-5A-0001" in text
    assert "有限会社みかん山房" in text  # 特定電子メール法: the sender is named in advertising
    assert world.coupons.remaining(SHOP_ID, "MIKAN5") == 2


class CountingCoupons(FakeCoupons):
    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.asked: list[tuple[str, str, str]] = []

    def code_for(self, shop_id: str, pool: str, delivery_id: str) -> str:
        self.asked.append((shop_id, pool, delivery_id))
        return super().code_for(shop_id, pool, delivery_id)


def test_a_coupon_mail_looks_its_code_up_once_for_text_and_html() -> None:
    coupons = CountingCoupons({SHOP_ID: {"MIKAN5": CONFIG / "coupons-MIKAN5.csv"}})
    world = planned(coupons=coupons)
    world.clock.set(LOVE_AT)
    love = world.delivery_of("love")
    assert world.send(love).status == "sent"
    raw = world.ses.accepted[0].raw
    html = read(raw).get_body(("html",))
    assert html is not None
    assert "MKN-5A-0001" in html.get_content()
    assert "MKN-5A-0001" in text_of(raw)
    assert coupons.asked == [(SHOP_ID, "MIKAN5", love)]  # …looked up once


def test_the_thanks_mail_counts_this_orders_place_among_the_buyers_orders() -> None:
    world = World.create(at("2026-12-04 18:30"))
    world.config.add_mask(SHOP_ID, kurashi_mask())
    world.receive("k1", raw=kurashi_mail(order_id="KC-0412"))
    world.receive("k2", raw=kurashi_mail(order_id="KC-0413"))
    world.pump()
    world.clock.set(at("2026-12-07 10:00"))  # ordered after the cutoff on Friday: shipped Monday
    world.fire()
    texts = sorted(text_of(mail.raw) for mail in world.ses.accepted)
    assert len(texts) == 2
    assert any("2回目のご注文です" in text and "KC-0413" in text for text in texts)
    assert any("はじめまして" in text and "KC-0412" in text for text in texts)


def test_an_operators_edit_replaces_the_templates_subject_and_text() -> None:
    world = planned()
    thanks = world.delivery_of("thanks")
    edited = world.deliveries.items[(SHOP_ID, thanks)].model_copy(
        update={
            "edited_subject": "{{ customer.name }}様へ個別のご連絡",
            "edited_text": "ご注文 {{ order.order_id }} について",
        }
    )
    world.deliveries.items[(SHOP_ID, thanks)] = edited
    world.clock.set(THANKS_AT)
    assert world.send(thanks).status == "sent"
    message = read(world.ses.accepted[0].raw)
    assert message["Subject"] == "中村 翔様へ個別のご連絡"
    assert message.get_content_type() == "text/plain"  # the template's HTML does not ride along
    assert text_of(world.ses.accepted[0].raw).startswith("ご注文 kome-ya-20000001 について")


# --- wake-ups that must not send ----------------------------------------------------------------


def test_a_missing_delivery_is_reported() -> None:
    world = planned()
    assert world.send("mikan-sanbo.thanks.nope").status == "missing"


@pytest.mark.parametrize("state", ["sent", "sending", "cancelled", "skipped", "unknown", "failed"])
def test_only_a_scheduled_delivery_is_sent(state: str) -> None:
    world = planned()
    thanks = world.delivery_of("thanks")
    world.deliveries.items[(SHOP_ID, thanks)] = world.deliveries.items[(SHOP_ID, thanks)].model_copy(
        update={"status": state}
    )
    world.clock.set(THANKS_AT)
    outcome = world.send(thanks)
    assert (outcome.status, outcome.reason) == ("not_scheduled", state)
    assert world.ses.calls == 0
    assert world.delivery(thanks).status == state


def test_a_wake_up_from_before_a_reschedule_is_not_due() -> None:
    world = planned()
    thanks = world.delivery_of("thanks")
    world.deliveries.reschedule(SHOP_ID, thanks, send_at=THANKS_AT + timedelta(days=2))
    world.clock.set(THANKS_AT)
    assert world.send(thanks).status == "not_due"
    assert status(world, thanks) == ("scheduled", None)
    assert world.ses.calls == 0


def test_a_wake_up_a_few_seconds_early_still_sends() -> None:
    world = planned()
    world.clock.set(THANKS_AT - timedelta(seconds=45))
    assert world.send(world.delivery_of("thanks")).status == "sent"


def test_a_delivery_claimed_by_someone_else_is_left_to_them() -> None:
    world = planned()
    world.clock.set(THANKS_AT)
    thanks = world.delivery_of("thanks")
    assert world.deliveries.claim(
        SHOP_ID, thanks, now=THANKS_AT, lease_until=THANKS_AT + timedelta(minutes=10)
    )
    outcome = world.send(thanks)
    assert (outcome.status, outcome.reason) == ("not_scheduled", "sending")
    assert world.ses.calls == 0


class CountingDeliveries(FakeDeliveries):
    """Counts the reads and claims the send service makes."""

    def __init__(self) -> None:
        super().__init__()
        self.reads = 0
        self.claims = 0

    def get(self, shop_id: str, delivery_id: str) -> Any:
        self.reads += 1
        return super().get(shop_id, delivery_id)

    def claim(self, shop_id: str, delivery_id: str, *, now: datetime, lease_until: datetime) -> Any:
        self.claims += 1
        return super().claim(shop_id, delivery_id, now=now, lease_until=lease_until)


@pytest.mark.parametrize(
    ("wake_up", "expected"),
    [
        ("thanks", ("sent", None)),
        ("like", ("not_due", None)),
        ("mikan-sanbo.thanks.nope", ("missing", None)),
    ],
)
def test_a_wake_up_claims_without_reading_the_delivery_first(
    wake_up: str, expected: tuple[str, str | None]
) -> None:
    deliveries = CountingDeliveries()
    world = planned(deliveries=deliveries)
    world.clock.set(THANKS_AT)
    delivery_id = world.delivery_of(wake_up) if wake_up in ("thanks", "like") else wake_up
    deliveries.reads = 0
    outcome = world.send(delivery_id)
    assert (outcome.status, outcome.reason) == expected
    assert (deliveries.claims, deliveries.reads) == (1, 0)  # the claim's answer says why, no GetItem


def test_an_error_after_the_claim_and_before_the_send_gives_the_claim_back() -> None:
    world = planned()
    world.faults.arm("orders.get", lambda: ConflictError("テスト", "DynamoDB is unavailable (test)"))
    world.clock.set(THANKS_AT)
    thanks = world.delivery_of("thanks")
    with pytest.raises(ConflictError):
        world.send(thanks, orders=faulty(world.orders, world.faults, "orders"))
    assert (world.delivery(thanks).status, world.delivery(thanks).send_at) == ("scheduled", THANKS_AT)
    assert world.ses.calls == 0
    assert world.send(thanks).status == "sent"  # the invocation's retry, not an operator's ``unknown``


# --- skips ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["bounce", "complaint", "manual"])
def test_a_suppressed_address_gets_nothing(reason: str) -> None:
    world = planned()
    world.customers.suppress(SHOP_ID, "Sho.Nakamura@Example.com", reason=reason, at=ORDERED, delivery_id=None)
    world.clock.set(THANKS_AT)
    thanks = world.delivery_of("thanks")
    outcome = world.send(thanks)
    assert (outcome.status, outcome.reason) == ("skipped", "suppressed")
    assert status(world, thanks) == ("skipped", "suppressed")
    assert world.ses.calls == 0
    assert [(log.status, log.reason) for log in world.logs.sends] == [("skipped", "suppressed")]


def test_an_opt_out_stops_advertising_but_not_the_thanks() -> None:
    world = planned()
    world.customers.suppress(SHOP_ID, YAHOO_EMAIL, reason="unsubscribe", at=ORDERED, delivery_id=None)
    world.clock.set(THANKS_AT)
    assert world.send(world.delivery_of("thanks")).status == "sent"
    world.clock.set(LOVE_AT)
    outcome = world.send(world.delivery_of("love"))
    assert (outcome.status, outcome.reason) == ("skipped", "unsubscribed")
    assert len(world.ses.accepted) == 1


def test_a_customer_marked_unsubscribed_gets_no_advertising() -> None:
    world = planned()
    customer_id = world.delivery(world.delivery_of("love")).customer_id
    assert customer_id is not None
    world.customers.mark_unsubscribed(SHOP_ID, customer_id, at=ORDERED)
    world.clock.set(LIKE_AT)
    assert world.send(world.delivery_of("like")).status == "sent"  # usage tips: not advertising
    world.clock.set(LOVE_AT)
    assert world.send(world.delivery_of("love")).reason == "unsubscribed"


def as_from(world: World, delivery_id: str, *, source: str, recipient: str | None = None) -> None:
    """The planned order (and, when given, its mail's recipient) as if it had come from ``source``."""
    delivery = world.deliveries.get(SHOP_ID, delivery_id)
    assert delivery is not None
    record = world.orders.items[(SHOP_ID, delivery.order_key)]
    order = record.order.model_copy(update={"source": source})
    world.orders.items[(SHOP_ID, delivery.order_key)] = record.model_copy(update={"order": order})
    if recipient is not None:
        world.deliveries.items[(SHOP_ID, delivery_id)] = delivery.model_copy(
            update={"customer_email": recipient}
        )


@pytest.mark.parametrize(
    ("source", "recipient", "outcome"),
    [
        # The shop's profile is rakuten: its own orders follow Rakuten's rules.
        ("ec-cube", None, ("skipped", "compliance:rakuten.ad_max_21_days")),
        ("rakuten", None, ("skipped", "compliance:rakuten.ad_max_21_days")),
        # A Rakuten buyer is a Rakuten order whatever source brought it (a CSV of Rakuten orders).
        ("csv", "x1@pc.fw.rakuten.ne.jp", ("skipped", "compliance:rakuten.ad_max_21_days")),
        # A Yahoo order follows Yahoo's rules: only the shop's window (issue #16).
        ("yahoo", None, ("sent", None)),
    ],
)
def test_the_compliance_rules_are_checked_again_on_the_real_send_day_under_the_orders_own_profile(
    source: str, recipient: str | None, outcome: tuple[str, str | None]
) -> None:
    world = planned()
    world.clock.set(at("2026-12-26 20:00"))  # 22 days after shipping: Rakuten allows coupons for 21
    love = world.delivery_of("love")
    as_from(world, love, source=source, recipient=recipient)
    sent = world.send(love)
    assert (sent.status, sent.reason) == outcome
    assert world.ses.calls + world.relay.calls == (1 if outcome[0] == "sent" else 0)


def test_a_rakuten_masked_address_goes_through_the_shops_relay() -> None:
    world = World.create(at("2026-12-05 07:10"))
    world.receive("rakuten-utf8-qp")
    world.pump()
    world.clock.set(at("2026-12-07 10:00"))
    outcome = world.send(world.delivery_of("thanks"))
    assert (outcome.status, outcome.transport) == ("sent", "rakuten-relay")
    assert world.relays_asked == [RAKUTEN_RELAY]
    assert [mail.recipient for mail in world.relay.accepted] == ["b0c1d2e3f4a5b6c7@pc.fw.rakuten.ne.jp"]
    assert world.ses.calls == 0


def test_a_rakuten_masked_address_without_a_relay_is_skipped() -> None:
    world = World.create(at("2026-12-05 07:10"))
    world.config.set_relays(SHOP_ID, [])
    world.receive("rakuten-utf8-qp")
    world.pump()
    world.clock.set(at("2026-12-07 10:00"))
    outcome = world.send(world.delivery_of("thanks"))
    assert (outcome.status, outcome.reason) == ("skipped", "relay_missing")
    assert world.ses.calls == world.relay.calls == 0


def test_a_cancelled_order_is_never_mailed_even_if_its_wake_up_fires() -> None:
    world = planned()
    world.orders.mark_cancelled(SHOP_ID, world.order("yahoo#KOME-YA-20000001").order, raw_key="k", at=ORDERED)
    world.clock.set(THANKS_AT)
    assert world.send(world.delivery_of("thanks")).reason == "order_cancelled"


@pytest.mark.parametrize(
    ("break_it", "reason"),
    [
        (lambda w: w.orders.items.clear(), "order_missing"),
        (lambda w: w.config.shops.clear(), "shop_missing"),
        (lambda w: w.config.scenario_store.clear(), "scenario_missing"),
    ],
)
def test_a_delivery_whose_order_shop_or_scenario_is_gone_is_skipped(break_it: Any, reason: str) -> None:
    world = planned()
    break_it(world)
    world.clock.set(THANKS_AT)
    assert world.send(world.delivery_of("thanks")).reason == reason
    assert world.ses.calls == 0


# --- rendering failures -----------------------------------------------------------------------


def test_a_template_error_fails_the_delivery_without_sending() -> None:
    world = planned()
    thanks = world.delivery_of("thanks")
    world.deliveries.items[(SHOP_ID, thanks)] = world.deliveries.items[(SHOP_ID, thanks)].model_copy(
        update={"edited_subject": "{{ customer.password }}"}
    )
    world.clock.set(THANKS_AT)
    outcome = world.send(thanks)
    assert (outcome.status, outcome.reason) == ("failed", "unknown_tag")
    assert status(world, thanks) == ("failed", "unknown_tag")
    assert world.ses.calls == 0


def test_a_missing_template_version_fails_the_delivery() -> None:
    world = planned()
    thanks = world.delivery_of("thanks")
    world.deliveries.items[(SHOP_ID, thanks)] = world.deliveries.items[(SHOP_ID, thanks)].model_copy(
        update={"template_version": 9}
    )
    world.clock.set(THANKS_AT)
    assert world.send(thanks).reason == "template_missing"


def test_an_empty_coupon_pool_fails_the_coupon_mail() -> None:
    world = planned(coupons=FakeCoupons({SHOP_ID: {"MIKAN5": ["code"]}}))
    world.clock.set(LOVE_AT)
    love = world.delivery_of("love")
    assert world.send(love).reason == "coupon_pool_empty"
    assert status(world, love) == ("failed", "coupon_pool_empty")
    assert world.ses.calls == 0


# --- transport answers ----------------------------------------------------------------------------


@pytest.fixture
def no_sleep(monkeypatch: pytest.MonkeyPatch) -> RecordingSleep:
    """``time.sleep`` replaced by a recorder: whatever waited in-process would show here."""
    recorder = RecordingSleep()
    monkeypatch.setattr(time, "sleep", recorder)
    return recorder


def test_a_throttled_send_waits_for_nothing_and_is_woken_again_30_to_90_seconds_later(
    no_sleep: RecordingSleep,
) -> None:
    world, thanks = throttled_thanks(times=1)
    outcome = world.send(thanks)

    assert (outcome.status, outcome.reason) == ("throttled", "throttled")
    assert (no_sleep.calls, world.ses.calls) == ([], 1)  # one try, no wait in the function
    later = THANKS_AT + throttle_delay(thanks)
    assert timedelta(seconds=30) <= later - THANKS_AT <= timedelta(seconds=90)
    delivery = world.deliveries.get(SHOP_ID, thanks)
    assert delivery is not None
    assert (delivery.status, delivery.send_at, delivery.lease_until, delivery.reason) == (
        "scheduled",
        later,
        None,
        "throttled",
    )
    entry = world.schedules.entries[thanks]
    assert (entry.at, entry.payload) == (later, {"shop": SHOP_ID, "delivery": thanks})
    assert world.ses.accepted == []
    world.clock.set(later)
    assert world.fire()[0].status == "sent"
    assert len(world.ses.accepted) == 1


def test_the_throttle_delay_is_the_delivery_ids_own_and_spreads_a_wave() -> None:
    ids = [f"mikan-sanbo.thanks.{n:04d}" for n in range(200)]
    delays = [throttle_delay(delivery_id) for delivery_id in ids]
    assert delays == [throttle_delay(delivery_id) for delivery_id in ids]  # the same every time
    assert {d.total_seconds() for d in delays} <= set(range(30, 91))
    assert len(set(delays)) > 40  # a throttled wave comes back over the minute, not at once


def test_throttling_that_lasts_moves_the_delivery_again_each_time_and_never_loses_it(
    no_sleep: RecordingSleep,
) -> None:
    world, thanks = throttled_thanks(times=4)
    statuses = [world.send(thanks).status]
    while world.schedules.entries.get(thanks) is not None and len(statuses) < 10:
        world.clock.set(world.schedules.entries[thanks].at)
        statuses += [outcome.status for outcome in world.fire()]
    assert statuses == ["throttled"] * 4 + ["sent"]
    assert no_sleep.calls == []
    assert world.ses.per_delivery() == {thanks: 1}
    assert world.delivery(thanks).sent_at == THANKS_AT + 4 * throttle_delay(thanks)


def test_a_retryable_refusal_tries_later_and_gives_up_after_max_attempts() -> None:
    world = planned()
    world.ses.refuse(retryable=True, times=None)
    thanks = world.delivery_of("thanks")
    world.clock.set(THANKS_AT)
    outcomes = []
    for _ in range(5):
        outcomes.append(world.send(thanks, max_attempts=3))
        world.clock.advance(minutes=15)
    assert [o.status for o in outcomes] == [
        "retry_later",
        "retry_later",
        "failed",
        "not_scheduled",
        "not_scheduled",
    ]
    assert outcomes[2].reason == "retries_exhausted"
    assert world.schedules.calls.count(("update", thanks)) == 2
    assert world.ses.accepted == []


def test_a_permanent_refusal_fails_the_delivery() -> None:
    world = planned()
    world.ses.refuse(retryable=False, code="MessageRejected")
    world.clock.set(THANKS_AT)
    thanks = world.delivery_of("thanks")
    outcome = world.send(thanks)
    assert (outcome.status, outcome.reason) == ("failed", "MessageRejected")
    assert status(world, thanks) == ("failed", "MessageRejected")


def test_an_ambiguous_answer_leaves_the_delivery_sending_and_never_resends_it() -> None:
    world = planned()
    world.ses.drop_after_data()
    world.clock.set(THANKS_AT)
    thanks = world.delivery_of("thanks")
    outcome = world.send(thanks)
    assert (outcome.status, outcome.reason) == ("ambiguous", "send_ambiguous")
    assert world.delivery(thanks).status == "sending"
    assert world.send(thanks).status == "not_scheduled"  # the scheduler's retry
    assert len(world.ses.accepted) == 1
    assert [log.status for log in world.logs.sends] == ["ambiguous"]


class UnknownMeanwhile(FakeTransport):
    """Accepts, but by the time it answers the delivery was given up on (lease expired)."""

    def __init__(self, world: World) -> None:
        super().__init__("ses")
        self.world = world

    def send(self, *, sender: str, recipient: str, raw: bytes, tags: Mapping[str, str]) -> str:
        message_id = super().send(sender=sender, recipient=recipient, raw=raw, tags=tags)
        self.world.deliveries.finish(
            SHOP_ID, tags["delivery"], status="unknown", reason="lease_expired", from_status=["sending"]
        )
        return message_id


def test_a_send_marked_too_late_is_still_logged_as_sent() -> None:
    world = planned()
    world.clock.set(THANKS_AT)
    thanks = world.delivery_of("thanks")
    outcome = world.send(thanks, ses=UnknownMeanwhile(world))
    assert (outcome.status, outcome.reason, outcome.message_id) == ("sent", "mark_refused", "ses-000001")
    assert [(log.status, log.message_id) for log in world.logs.sends] == [("sent", "ses-000001")]
    assert status(world, thanks) == ("unknown", "lease_expired")


# --- choosing the way out -------------------------------------------------------------------------


RELAY_A = RelayConfig(host="a", domains=["fw.rakuten.ne.jp"], secret_arn="arn:a")
RELAY_B = RelayConfig(host="b", domains=["PC.fw.rakuten.ne.jp.", "example.org"], secret_arn="arn:b")


@pytest.mark.parametrize(
    ("recipient", "relay"),
    [
        ("x@pc.fw.rakuten.ne.jp", RELAY_B),  # the most specific domain wins
        ("x@mobile.fw.rakuten.ne.jp", RELAY_A),
        ("X@FW.RAKUTEN.NE.JP", RELAY_A),
        ("x@ｅｘａｍｐｌｅ.org", RELAY_B),
        ("x@sub.example.org", RELAY_B),
        ("x@badexample.org", None),
        ("x@rakuten.ne.jp", None),
        ("x@example.com", None),
    ],
)
def test_choose_transport_picks_the_relay_for_the_recipients_domain(
    recipient: str, relay: RelayConfig | None
) -> None:
    assert choose_transport(recipient, [RELAY_A, RELAY_B]) == relay


def test_rakuten_masked_addresses_are_recognised() -> None:
    assert is_rakuten_masked("abc@pc.fw.rakuten.ne.jp")
    assert not is_rakuten_masked("abc@rakuten.co.jp")
    assert not is_rakuten_masked("abc@evilfw.rakuten.ne.jp")
