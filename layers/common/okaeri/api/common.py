"""What every route module uses: the caller, shop checks, idempotent writes, query helpers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Header, Query

from okaeri.api.auth import Caller, caller_from_event, require
from okaeri.api.deps import AdminDeps
from okaeri.api.idempotency import run_once
from okaeri.api.pagination import DEFAULT_LIMIT, MAX_LIMIT
from okaeri.api.resolver import ROLE_EXTENSION, declared_role
from okaeri.errors import BadRequestError

SHOP_PATH = "/api/shops/<shop_id>"

#: Query parameters of every paged list.
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="items per page / 1ページの件数")]
Cursor = Annotated[str | None, Query(max_length=2048, description="next_cursor of the previous page")]
IdempotencyKey = Annotated[
    str | None,
    Header(alias="Idempotency-Key", max_length=128, description="retry-safe writes / 再送しても一度だけ実行"),
]
DEFAULT_PAGE_LIMIT = DEFAULT_LIMIT

#: Every shop route declares the least role it needs in its OpenAPI operation (``x-okaeri-role``):
#: ``okaeri.api.resolver`` enforces it before anything else; the role × route test reads it back.
STAFF: dict[str, Any] = {ROLE_EXTENSION: "staff"}
MANAGER: dict[str, Any] = {ROLE_EXTENSION: "manager"}
OWNER: dict[str, Any] = {ROLE_EXTENSION: "owner"}


def current_caller(app: APIGatewayHttpResolver) -> Caller:
    return caller_from_event(app.current_event.raw_event)


def shop_caller(app: APIGatewayHttpResolver, shop_id: str) -> Caller:
    """The caller, checked again: a member of ``shop_id`` with at least the role the route declares.

    ``AdminResolver`` has refused everyone else already; the role is read from the matched route, so
    the declaration in the decorator (``openapi_extensions``) is the only place it is written.
    """
    route = app.context.get("_route")
    role = declared_role(route) if route is not None else None
    return require(current_caller(app), shop_id, role or "owner")


def once(
    app: APIGatewayHttpResolver,
    deps: AdminDeps,
    shop_id: str,
    caller: Caller,
    action: Callable[[], Response[Any]],
) -> Response[Any]:
    """Run a retry-prone write once per ``Idempotency-Key`` header (when the request has one)."""
    event = app.current_event
    return run_once(
        deps.logs,
        deps.clock,
        shop_id=shop_id,
        caller=caller,
        method=event.http_method,
        path=event.path,
        headers=dict(event.headers or {}),
        body=event.body,
        action=action,
    )


def parse_day(value: str | None, name: str) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadRequestError(
            f"{name} は YYYY-MM-DD の形式で指定してください。",
            f"{name} must be a date (YYYY-MM-DD).",
            code="bad_date",
        ) from None


def parse_moment(value: str | None, name: str) -> datetime | None:
    if value in (None, ""):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise BadRequestError(
            f"{name} はタイムゾーン付きの日時（例 2026-12-01T10:00:00+09:00）で指定してください。",
            f"{name} must be a date-time with a time zone (e.g. 2026-12-01T10:00:00+09:00).",
            code="bad_datetime",
        )
    return moment
