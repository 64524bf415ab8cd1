"""The browser tests' stand-in for an authenticator app computes RFC 6238 codes.

The expected values are RFC 6238's appendix B vectors for SHA-1 (8 digits), whose last six digits
are the 6-digit codes an app would show for the same key and time.
"""

from __future__ import annotations

import base64

import pytest

from tests.support.totp import secret_bytes, totp

RFC_KEY = b"12345678901234567890"


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (59, "94287082"),
        (1111111109, "07081804"),
        (1111111111, "14050471"),
        (1234567890, "89005924"),
        (2000000000, "69279037"),
        (20000000000, "65353130"),
    ],
)
def test_codes_match_the_rfc_vectors(at: int, expected: str) -> None:
    assert totp(RFC_KEY, at, digits=8) == expected
    assert totp(RFC_KEY, at) == expected[-6:]


def test_a_secret_is_read_as_a_person_copies_it() -> None:
    secret = base64.b32encode(RFC_KEY).decode().rstrip("=")
    spaced = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)).lower()
    assert secret_bytes(spaced) == RFC_KEY
    assert secret_bytes("asdf asdf asdf") == base64.b32decode("ASDFASDFASDF====")


def test_a_code_stays_the_same_within_its_30_seconds() -> None:
    assert totp(RFC_KEY, 60) == totp(RFC_KEY, 89.9) != totp(RFC_KEY, 90)
