"""The gateway's token check, with the pool's keys handed in (no sockets): rotation and refusals."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from okaeri_dev.gateway import TokenRejectedError, TokenVerifier

ISSUER = "https://cognito-idp.ap-northeast-1.amazonaws.com/ap-northeast-1_pool"
OLD = RSAKey.generate_key(2048, parameters={"kid": "old", "alg": "RS256", "use": "sig"})
NEW = RSAKey.generate_key(2048, parameters={"kid": "new", "alg": "RS256", "use": "sig"})


class Keys:
    def __init__(self, *keys: RSAKey) -> None:
        self.keys = keys
        self.fetches = 0

    def __call__(self, url: str) -> Mapping[str, Any]:
        self.fetches += 1
        return KeySet(list(self.keys)).as_dict(private=False)


def token(key: RSAKey, **claims: Any) -> str:
    now = int(time.time())
    body = {"iss": ISSUER, "aud": "client", "token_use": "id", "sub": "u1", "iat": now, "exp": now + 600}
    return jwt.encode({"alg": "RS256", "kid": key.kid}, {**body, **claims}, key)


def verifier(keys: Keys) -> TokenVerifier:
    return TokenVerifier(jwks_url="http://pool/jwks.json", issuer=ISSUER, audience="client", fetch=keys)


def test_the_keys_are_read_once_and_again_for_a_new_key_id() -> None:
    keys = Keys(OLD)
    check = verifier(keys)
    assert check.claims(token(OLD))["sub"] == "u1"
    assert check.claims(token(OLD, sub="u2"))["sub"] == "u2"
    assert keys.fetches == 1
    keys.keys = (OLD, NEW)  # the pool rotated its keys
    assert check.claims(token(NEW))["sub"] == "u1"
    assert keys.fetches == 2


@pytest.mark.parametrize(
    "claims",
    [
        {"exp": int(time.time()) - 1},
        {"iss": ISSUER + "x"},
        {"aud": "other"},
        {"token_use": "access"},
        {"sub": None},
        {"iat": int(time.time()) + 3600},
    ],
)
def test_claims_api_gateway_would_refuse(claims: dict[str, Any]) -> None:
    body = {name: value for name, value in claims.items() if value is not None}
    signed = token(OLD, **body)
    if "sub" in claims:
        now = int(time.time())
        signed = jwt.encode(
            {"alg": "RS256", "kid": "old"},
            {"iss": ISSUER, "aud": "client", "token_use": "id", "iat": now, "exp": now + 60},
            OLD,
        )
    with pytest.raises(TokenRejectedError, match="not valid"):
        verifier(Keys(OLD)).claims(signed)


def test_a_token_signed_by_an_unknown_key_is_refused_after_one_more_look() -> None:
    keys = Keys(OLD)
    with pytest.raises(TokenRejectedError, match="not valid"):
        verifier(keys).claims(token(NEW))
    assert keys.fetches == 2


def test_unreadable_keys_refuse_the_token() -> None:
    def unreachable(url: str) -> Mapping[str, Any]:
        raise OSError("connection refused")

    check = TokenVerifier(
        jwks_url="http://pool/jwks.json", issuer=ISSUER, audience="client", fetch=unreachable
    )
    with pytest.raises(TokenRejectedError, match="could not be read"):
        check.claims(token(OLD))
