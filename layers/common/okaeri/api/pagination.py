"""Long lists come in pages: ``?limit=`` (1–200, default 50) and an opaque ``cursor``.

A cursor is the DynamoDB key to continue from, base64url-encoded with the shop it belongs to; a
cursor of another shop, or one that is not ours, is a 400. (Key conditions always carry the
shop, so even a forged key could not reach another shop's items; DynamoDB refuses a key that
does not fit the query, which the API also answers with a 400.)
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict

from okaeri.errors import BadRequestError

ItemT = TypeVar("ItemT")
DEFAULT_LIMIT = 50
MAX_LIMIT = 200
MAX_CURSOR = 2048


class Page[ItemT](BaseModel):
    """One page of a list and the cursor of the next (``null`` on the last page)."""

    model_config = ConfigDict(defer_build=True)

    items: list[ItemT]
    next_cursor: str | None = None


def encode_cursor(shop_id: str, key: dict[str, Any] | None) -> str | None:
    if key is None:
        return None
    raw = json.dumps({"s": shop_id, "k": key}, separators=(",", ":"), ensure_ascii=False, default=str)
    return base64.urlsafe_b64encode(raw.encode("utf-8")).decode("ascii").rstrip("=")


def decode_cursor(shop_id: str, cursor: str | None) -> dict[str, Any] | None:
    if not cursor:
        return None
    refused = BadRequestError(
        "ページの指定（cursor）が正しくありません。一覧を最初から読み直してください。",
        "The page cursor is not valid. Reload the list from the start.",
        code="bad_cursor",
    )
    if len(cursor) > MAX_CURSOR:
        raise refused
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, binascii.Error, UnicodeError):
        raise refused from None
    if not isinstance(data, dict) or data.get("s") != shop_id or not isinstance(data.get("k"), dict):
        raise refused
    key: dict[str, Any] = data["k"]
    if not all(isinstance(name, str) and isinstance(value, str | int | float) for name, value in key.items()):
        raise refused
    return key
