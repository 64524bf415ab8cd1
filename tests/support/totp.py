"""The authenticator app, played by a test: RFC 6238 time-based codes (HMAC-SHA1, 30 s, 6 digits).

Standard library only. ``fresh_code`` waits out the last seconds of a 30 s step, so the code a test
types is still the current one when the server checks it (moto accepts the current step only).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct
import time

STEP_SECONDS = 30
DIGITS = 6


def secret_bytes(secret: str) -> bytes:
    """The key behind a base32 secret as a person may copy it: any case, spaces, no padding."""
    letters = "".join(secret.split()).upper()
    return base64.b32decode(letters + "=" * (-len(letters) % 8))


def totp(key: bytes, at: float, *, digits: int = DIGITS, step: int = STEP_SECONDS) -> str:
    counter = int(at // step)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**digits).zfill(digits)


def fresh_code(secret: str, *, margin: float = 6.0) -> str:
    """The code for now, taken at least ``margin`` seconds before the step ends."""
    left = STEP_SECONDS - time.time() % STEP_SECONDS
    if left < margin:
        time.sleep(left + 0.05)
    return totp(secret_bytes(secret), time.time())


def wrong_code(secret: str) -> str:
    """A well-formed code that is not the current one."""
    right = totp(secret_bytes(secret), time.time())
    return str((int(right) + 500_000) % 10**DIGITS).zfill(DIGITS)
