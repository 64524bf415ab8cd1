"""Signed unsubscribe links: ``{public_base_url}/u/{token}``.

A token carries the shop id, the delivery id and a keyed hash of the recipient's address (never
the address itself), signed with HMAC-SHA256 under the deployment's secret. It does not expire:
an opt-out link must keep working. Layout (URL-safe base64 without padding)::

    b64(b"1" 0x1f shop_id 0x1f delivery_id 0x1f email_hash) "." b64(HMAC-SHA256(...)[:16])
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from okaeri.errors import InvalidTokenError

if TYPE_CHECKING:  # the models (pydantic) are not needed to make or check a token
    from okaeri.models import Shop

VERSION: Final = "1"
MIN_SECRET_BYTES: Final = 16
MAX_TOKEN_CHARS: Final = 512
_SEPARATOR: Final = "\x1f"
_MAC_BYTES: Final = 16
_EMAIL_HASH_BYTES: Final = 12
_TOKEN = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")


@dataclass(frozen=True, slots=True)
class UnsubscribeClaim:
    """What a valid token says: which shop, which delivery, and a hash of the recipient."""

    shop_id: str
    delivery_id: str
    email_hash: str

    def is_for(self, secret: bytes, email: str) -> bool:
        """Whether the token was made for ``email`` (compared in constant time)."""
        return hmac.compare_digest(self.email_hash, email_hash(secret, email))


def email_hash(secret: bytes, email: str) -> str:
    """A keyed, truncated hash of the address (case-folded): not reversible without the secret."""
    digest = hmac.new(_key(secret, b"email"), email.strip().lower().encode(), hashlib.sha256).digest()
    return _b64(digest[:_EMAIL_HASH_BYTES])


def make_token(secret: bytes, *, shop_id: str, delivery_id: str, email: str) -> str:
    """A compact, URL-safe token for the unsubscribe link of one delivery."""
    if not shop_id or not delivery_id or _SEPARATOR in shop_id + delivery_id:
        raise ValueError("shop_id and delivery_id must be non-empty and free of control characters")
    body = _b64(_SEPARATOR.join((VERSION, shop_id, delivery_id, email_hash(secret, email))).encode())
    return f"{body}.{_b64(_mac(secret, body))}"


def verify_token(secret: bytes, token: str) -> UnsubscribeClaim:
    """The claim of a token signed with ``secret``; anything else raises ``InvalidTokenError``."""
    if len(token) > MAX_TOKEN_CHARS or not _TOKEN.fullmatch(token):
        raise _invalid()
    body, _, signature = token.partition(".")
    if not hmac.compare_digest(_unb64(signature), _mac(secret, body)):
        raise _invalid()
    try:
        fields = _unb64(body).decode().split(_SEPARATOR)
    except UnicodeDecodeError as exc:
        raise _invalid() from exc
    if len(fields) != 4 or fields[0] != VERSION:
        raise _invalid()
    return UnsubscribeClaim(shop_id=fields[1], delivery_id=fields[2], email_hash=fields[3])


def unsubscribe_url(shop: Shop, token: str) -> str | None:
    """``{links.public_base_url}/u/{token}``, or None when the shop has no public base URL."""
    base = shop.links.public_base_url
    return None if not base else f"{base.rstrip('/')}/u/{token}"


def _key(secret: bytes, purpose: bytes) -> bytes:
    if len(secret) < MIN_SECRET_BYTES:
        raise ValueError(f"the unsubscribe secret must be at least {MIN_SECRET_BYTES} bytes")
    return hmac.new(secret, b"okaeri-unsubscribe/" + purpose, hashlib.sha256).digest()


def _mac(secret: bytes, body: str) -> bytes:
    return hmac.new(_key(secret, b"token"), body.encode(), hashlib.sha256).digest()[:_MAC_BYTES]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise _invalid() from exc
    if _b64(data) != text:  # only the canonical spelling: no second token for the same bytes
        raise _invalid()
    return data


def _invalid() -> InvalidTokenError:
    return InvalidTokenError(
        "配信停止リンクが正しくありません（途中で切れているか、書き換えられています）",
        "the unsubscribe link is not valid (cut short or altered)",
    )
