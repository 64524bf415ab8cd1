"""Small things the shop routes share: who did a write and its audit entry, the OpenAPI answer of a
route that builds its ``Response`` itself (``once``), the operations services' deps, a page of a list
and an id sent in the path. The shop itself (or a 404) is ``okaeri.services.operations.shop_of``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar
from urllib.parse import unquote

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from pydantic import BaseModel

from okaeri.api.auth import Caller
from okaeri.api.common import once, shop_caller
from okaeri.api.deps import AdminDeps
from okaeri.api.pagination import Page, decode_cursor, encode_cursor
from okaeri.api.responses import json_response
from okaeri.errors import NotFoundError
from okaeri.services import documents
from okaeri.services.operations import OperationsDeps

ItemT = TypeVar("ItemT")
MAX_ID = 256


def operator(caller: Caller) -> str:
    """Who did it, as the audit log names them: the caller's address or id."""
    return caller.email or caller.sub


def audit(deps: AdminDeps, shop_id: str, caller: Caller, action: str, **detail: Any) -> None:
    """One audit entry (``action`` like ``scenario.save``), with ``by``: the caller's address or id."""
    documents.audit(deps.logs, deps.clock, shop_id, action, by=operator(caller), **detail)


def answers(model: type[BaseModel], status: int = 200) -> dict[int, OpenAPIResponse]:
    """The documented answer of a route returning ``json_response(status, model)``."""
    return {status: {"description": "OK", "content": {"application/json": {"model": model}}}}


def operations(deps: AdminDeps) -> OperationsDeps:
    """The admin deps as the operations services (orders, deliveries, customers, dashboard) take them."""
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


def paged[ItemT](
    shop_id: str,
    cursor: str | None,
    read: Callable[[dict[str, Any] | None], tuple[Sequence[ItemT], dict[str, Any] | None]],
) -> Page[ItemT]:
    """A page of a list: ``read`` from where ``cursor`` says, and the cursor of the next page."""
    items, last = read(decode_cursor(shop_id, cursor))
    return Page[ItemT](items=list(items), next_cursor=encode_cursor(shop_id, last))


def path_id(value: str, what_ja: str, what_en: str) -> str:
    """A path parameter as sent URL-encoded (an order key carries ``#``: ``rakuten%23338361-…``);
    one that cannot be an id of ours is simply not found."""
    decoded = unquote(value)
    if not decoded or len(decoded) > MAX_ID or not decoded.isprintable():
        raise NotFoundError(f"{what_ja}が見つかりません。", f"{what_en} not found.", code="not_found")
    return decoded


def act_on(
    app: APIGatewayHttpResolver,
    deps: AdminDeps,
    shop_id: str,
    *,
    raw_id: str,
    what: tuple[str, str],
    action: Callable[[str, str], BaseModel],
) -> Response[Any]:
    """A write on one item named in the path: the caller (checked against the route's role), the item's id (``what``:
    its name in Japanese and English), then ``action(id, operator)`` answered with 200, once per
    ``Idempotency-Key``."""
    caller = shop_caller(app, shop_id)
    item_id = path_id(raw_id, *what)
    return once(app, deps, shop_id, caller, lambda: json_response(200, action(item_id, operator(caller))))
