"""Signed unsubscribe tokens: they round-trip, carry no address, and any change or other key is refused."""

from __future__ import annotations

import base64
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from okaeri.errors import InvalidTokenError
from okaeri.models import Shop
from okaeri.unsubscribe_links import UnsubscribeClaim, make_token, unsubscribe_url, verify_token

SECRET = b"0123456789abcdef-test-secret"
OTHER = b"fedcba9876543210-other-secret"


def token_for(email: str = "Kouji@Example.jp", delivery_id: str = "rakuten#276543:thanks-like:2:like") -> str:
    return make_token(SECRET, shop_id="mikan-sanbo", delivery_id=delivery_id, email=email)


def test_a_token_round_trips_to_its_claim() -> None:
    claim = verify_token(SECRET, token_for())
    assert isinstance(claim, UnsubscribeClaim)
    assert claim.shop_id == "mikan-sanbo"
    assert claim.delivery_id == "rakuten#276543:thanks-like:2:like"
    assert claim.is_for(SECRET, "kouji@example.jp")  # addresses compare case-insensitively
    assert claim.is_for(SECRET, " KOUJI@EXAMPLE.JP ")
    assert not claim.is_for(SECRET, "someone@example.jp")
    assert not claim.is_for(OTHER, "kouji@example.jp")


def test_a_token_is_compact_url_safe_and_carries_no_address() -> None:
    token = token_for()
    assert re.fullmatch(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+", token)
    assert len(token) < 120
    body = token.partition(".")[0]
    decoded = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    assert b"kouji" not in decoded.lower()
    assert b"example" not in decoded
    assert token == token_for()  # deterministic: the same delivery always links the same way


def test_the_token_differs_per_delivery_and_address() -> None:
    assert token_for(delivery_id="a") != token_for(delivery_id="b")
    assert token_for(email="a@example.jp") != token_for(email="b@example.jp")


def flipped(token: str, index: int) -> str:
    replacement = "A" if token[index] != "A" else "B"
    return token[:index] + replacement + token[index + 1 :]


@pytest.mark.parametrize("where", ["body", "signature"])
def test_any_change_is_refused(where: str) -> None:
    token = token_for()
    dot = token.index(".")
    positions = range(dot) if where == "body" else range(dot + 1, len(token))
    for index in positions:
        changed = flipped(token, index)
        if changed == token:
            continue
        with pytest.raises(InvalidTokenError):
            verify_token(SECRET, changed)


def test_another_secret_is_refused() -> None:
    with pytest.raises(InvalidTokenError) as caught:
        verify_token(OTHER, token_for())
    assert caught.value.code == "invalid_token"
    assert "配信停止リンク" in caught.value.message_ja
    assert "unsubscribe link" in caught.value.message_en


@pytest.mark.parametrize(
    "garbage",
    ["", ".", "abc", "a.b.c", "!!!.###", "abc.", ".abc", "a" * 600 + ".b", "Zm9v.YmFy", "é.é", "abc.de f"],
)
def test_garbage_is_refused(garbage: str) -> None:
    with pytest.raises(InvalidTokenError):
        verify_token(SECRET, garbage)


def test_a_truncated_token_is_refused() -> None:
    token = token_for()
    for end in range(len(token)):
        with pytest.raises(InvalidTokenError):
            verify_token(SECRET, token[:end])


def test_a_short_secret_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="16 bytes"):
        make_token(b"short", shop_id="s", delivery_id="d", email="e@x.jp")


def test_ids_with_a_separator_cannot_be_tokenised() -> None:
    with pytest.raises(ValueError, match="delivery_id"):
        make_token(SECRET, shop_id="s", delivery_id="a\x1fb", email="e@x.jp")


@given(
    shop_id=st.text(min_size=1, max_size=40).filter(lambda s: "\x1f" not in s),
    delivery_id=st.text(min_size=1, max_size=120).filter(lambda s: "\x1f" not in s),
    email=st.emails(),
)
def test_round_trip_for_any_ids(shop_id: str, delivery_id: str, email: str) -> None:
    claim = verify_token(SECRET, make_token(SECRET, shop_id=shop_id, delivery_id=delivery_id, email=email))
    assert (claim.shop_id, claim.delivery_id) == (shop_id, delivery_id)
    assert claim.is_for(SECRET, email)


def test_the_unsubscribe_url(shop: Shop) -> None:
    assert unsubscribe_url(shop, "T.K") == "https://okaeri.mikan-sanbo.example/u/T.K"
    trailing = shop.model_copy(
        update={"links": shop.links.model_copy(update={"public_base_url": "https://o.example/"})}
    )
    assert unsubscribe_url(trailing, "T.K") == "https://o.example/u/T.K"
    no_base = shop.model_copy(update={"links": shop.links.model_copy(update={"public_base_url": None})})
    assert unsubscribe_url(no_base, "T.K") is None
