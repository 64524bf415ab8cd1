"""What the operations routes (orders, deliveries, customers, logs, dashboard) share."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar
from urllib.parse import unquote

from okaeri.api.auth import Caller
from okaeri.api.deps import AdminDeps
from okaeri.api.pagination import Page, encode_cursor
from okaeri.errors import NotFoundError
from okaeri.services.operations import OperationsDeps

ItemT = TypeVar("ItemT")
MAX_ID = 256


def operations(deps: AdminDeps) -> OperationsDeps:
    """The admin deps as the operations services take them."""
    return OperationsDeps(
        config=deps.config,
        orders=deps.orders,
        customers=deps.customers,
        deliveries=deps.deliveries,
        logs=deps.logs,
        schedules=deps.schedules,
        clock=deps.clock,
        unsubscribe_secret=deps.unsubscribe_secret,
    )


def operator(caller: Caller) -> str:
    """Who did it, as the audit log names them."""
    return caller.email or caller.sub


def page_of(shop_id: str, items: Sequence[ItemT], last: dict[str, Any] | None) -> Page[ItemT]:
    return Page[ItemT](items=list(items), next_cursor=encode_cursor(shop_id, last))


def path_id(value: str, what_ja: str, what_en: str) -> str:
    """A path parameter as sent URL-encoded (an order key carries ``#``: ``rakuten%23338361-…``);
    one that cannot be an id of ours is simply not found."""
    decoded = unquote(value)
    if not decoded or len(decoded) > MAX_ID or not decoded.isprintable():
        raise NotFoundError(f"{what_ja}が見つかりません。", f"{what_en} not found.", code="not_found")
    return decoded
