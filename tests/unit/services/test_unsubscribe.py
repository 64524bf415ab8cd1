"""Unsubscribe links: verified, applied once, and advertising stops while thanks mail goes on."""

from __future__ import annotations

import email
import email.policy

import pytest

from okaeri.identity import customer_id_for
from okaeri.services.previews import PREVIEW_DELIVERY_ID, TEST_DELIVERY_ID
from okaeri.services.unsubscribe import check_link, unsubscribe
from okaeri.unsubscribe_links import make_token
from tests.unit.services.support import SECRET, SHOP_ID, World, at, world_with_a_mail_sent

ORDERED = at("2026-12-03 09:25")
ADDRESS = "sho.nakamura@example.com"
CUSTOMER = customer_id_for(ADDRESS)


@pytest.fixture
def world() -> World:
    world = world_with_a_mail_sent()
    world.clock.set(at("2026-12-06 21:30"))
    return world


def link_token(world: World) -> str:
    """The token of the List-Unsubscribe link in the thanks mail the buyer received."""
    message = email.message_from_bytes(world.ses.accepted[0].raw, policy=email.policy.default)
    return str(message["List-Unsubscribe"]).split("/u/")[1].split(">")[0]


def test_the_link_unsubscribes_the_buyer_once(world: World) -> None:
    token = link_token(world)
    result = unsubscribe(world.unsubscribe_deps(), token=token)

    assert (result.status, result.shop_id) == ("unsubscribed", SHOP_ID)
    assert world.customers.suppression(SHOP_ID, ADDRESS) == "unsubscribe"
    assert world.customer(CUSTOMER).unsubscribed_at == at("2026-12-06 21:30")
    [audit] = world.logs.audits
    assert (audit.action, audit.detail["delivery"], audit.detail["customer"]) == (
        "unsubscribe",
        world.delivery_of("thanks"),
        CUSTOMER,
    )
    assert world.config.total("unsubscribed") == 1

    again = unsubscribe(world.unsubscribe_deps(), token=token)
    assert again.status == "already"
    assert len(world.logs.audits) == 1
    assert world.config.total("unsubscribed") == 1


def test_after_unsubscribing_the_coupon_mail_stops_but_usage_tips_go(world: World) -> None:
    unsubscribe(world.unsubscribe_deps(), token=link_token(world))
    world.clock.set(at("2026-12-18 19:00"))
    assert world.send(world.delivery_of("like")).status == "sent"
    world.clock.set(at("2026-12-24 19:00"))
    assert world.send(world.delivery_of("love")).reason == "unsubscribed"


@pytest.mark.parametrize("token", ["", "abc", "abc.def", "x" * 600])
def test_a_broken_token_is_refused(world: World, token: str) -> None:
    result = unsubscribe(world.unsubscribe_deps(), token=token)
    assert (result.status, result.reason) == ("refused", "invalid_token")
    assert world.customers.suppressed == {}


def test_a_tampered_token_is_refused(world: World) -> None:
    token = link_token(world)
    body, signature = token.split(".")
    tampered = f"{body}.{'A' if signature[0] != 'A' else 'B'}{signature[1:]}"
    assert unsubscribe(world.unsubscribe_deps(), token=tampered).reason == "invalid_token"


def test_a_token_for_another_address_is_refused(world: World) -> None:
    token = make_token(
        SECRET, shop_id=SHOP_ID, delivery_id=world.delivery_of("thanks"), email="someone@example.com"
    )
    result = unsubscribe(world.unsubscribe_deps(), token=token)
    assert (result.status, result.reason) == ("refused", "invalid_token")
    assert world.customers.suppressed == {}


def test_a_token_for_a_delivery_that_is_gone_is_refused(world: World) -> None:
    token = make_token(SECRET, shop_id=SHOP_ID, delivery_id="mikan-sanbo.thanks.gone", email=ADDRESS)
    assert unsubscribe(world.unsubscribe_deps(), token=token).reason == "not_found"


def test_a_bounced_address_keeps_its_stronger_suppression(world: World) -> None:
    world.customers.suppress(SHOP_ID, ADDRESS, reason="bounce", at=ORDERED, delivery_id=None)
    assert unsubscribe(world.unsubscribe_deps(), token=link_token(world)).status == "unsubscribed"
    assert world.customers.suppression(SHOP_ID, ADDRESS) == "bounce"
    assert world.customer(CUSTOMER).unsubscribed_at is not None
    assert unsubscribe(world.unsubscribe_deps(), token=link_token(world)).status == "already"


def test_every_answer_names_the_shop(world: World) -> None:
    token = link_token(world)
    shop = world.config.shop(SHOP_ID)
    assert shop is not None
    assert check_link(world.unsubscribe_deps(), token=token).shop_name == shop.name
    assert check_link(world.unsubscribe_deps(), token=token).status == "confirm"
    assert unsubscribe(world.unsubscribe_deps(), token=token).shop_name == shop.name
    assert unsubscribe(world.unsubscribe_deps(), token=token).shop_name == shop.name  # already


@pytest.mark.parametrize("delivery_id", [TEST_DELIVERY_ID, PREVIEW_DELIVERY_ID])
def test_a_test_sends_link_says_so_and_changes_nothing(world: World, delivery_id: str) -> None:
    """A test send (or preview) has no delivery behind it: its link is not an error, nor an opt-out."""
    token = make_token(SECRET, shop_id=SHOP_ID, delivery_id=delivery_id, email="tencho@example.com")
    for answer in (check_link, unsubscribe):
        result = answer(world.unsubscribe_deps(), token=token)
        assert (result.status, result.shop_id, result.reason) == ("test", SHOP_ID, None)
    assert world.customers.suppression(SHOP_ID, "tencho@example.com") is None


def test_checking_a_link_changes_nothing(world: World) -> None:
    assert check_link(world.unsubscribe_deps(), token=link_token(world)).status == "confirm"
    assert world.customers.suppression(SHOP_ID, ADDRESS) is None
    assert check_link(world.unsubscribe_deps(), token=link_token(world)[:-3] + "AAA").status == "refused"
