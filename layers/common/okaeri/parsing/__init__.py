"""Order mails → ``Order``: Rakuten, Yahoo!ショッピング, EC-CUBE, and shop-defined parse masks.

``parse_mail`` reads any bytes and either returns an ``Order`` or raises ``ParseError`` with a
stable ``reason``: ``empty``, ``too_large``, ``too_many_parts``, ``too_deep``, ``not_an_order``,
``unrecognised``, ``missing_field`` or ``undecodable``. Mails are parsed with
``email.policy.default``; ``too_large`` covers the mail's size (``MAX_MAIL_BYTES``) and the header
bound checked before parsing (``MAX_MIME_HEADER_BYTES`` for one ``Content-Type``,
``Content-Transfer-Encoding``, ``Content-Disposition`` or ``MIME-Version`` field,
``MAX_MIME_HEADERS_TOTAL`` for all of them together; see ``headers.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo
from email.errors import MessageError
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from okaeri.errors import ParseError
from okaeri.models.order import Order
from okaeri.parsing.decode import MAX_MAIL_BYTES, MAX_MIME_DEPTH, MAX_MIME_PARTS, read_mail
from okaeri.parsing.detect import parse_views
from okaeri.parsing.headers import MAX_MIME_HEADER_BYTES, MAX_MIME_HEADERS_TOTAL
from okaeri.parsing.mask import ParseMask

__all__ = [
    "MAX_MAIL_BYTES",
    "MAX_MIME_DEPTH",
    "MAX_MIME_HEADERS_TOTAL",
    "MAX_MIME_HEADER_BYTES",
    "MAX_MIME_PARTS",
    "ParseMask",
    "parse_mail",
]

# What the email and codec layers (and pydantic, a ValueError) may raise on input nobody
# foresaw. Anything else is a bug in this package and must surface as one.
_UNFORESEEN = (UnicodeError, LookupError, ValueError, IndexError, MessageError)


@lru_cache(maxsize=64)
def _zone(name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ParseError(
            "unrecognised",
            f"タイムゾーン {name} が見つかりません（例: Asia/Tokyo）",
            f"unknown IANA timezone {name!r} (e.g. Asia/Tokyo)",
        ) from exc


def parse_mail(raw: bytes, *, masks: Sequence[ParseMask] = (), timezone: str = "Asia/Tokyo") -> Order:
    """The order in a raw mail (RFC 5322 bytes, as SES stores it).

    Raises ``ParseError`` (and nothing else) when the mail is not an order or cannot be read.
    Times without an offset in the mail are in ``timezone`` (a mask may set its own).
    """
    zone = _zone(timezone)
    try:
        views = read_mail(bytes(raw))
        return parse_views(views, masks, zone)
    except _UNFORESEEN as exc:
        raise ParseError(
            "unrecognised",
            f"メールを解析できませんでした（{type(exc).__name__}）",
            f"the mail could not be parsed ({type(exc).__name__}: {str(exc)[:200]})",
        ) from exc
