"""Small things the shop routes share: the shop itself (or a 404), the audit log of writes, and the
OpenAPI answer of a route that builds its ``Response`` itself (``once``)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from pydantic import BaseModel

from okaeri.api.auth import Caller
from okaeri.api.deps import AdminDeps
from okaeri.errors import NotFoundError
from okaeri.models import Shop


def shop_of(deps: AdminDeps, shop_id: str) -> Shop:
    """The shop's settings; a 404 when the shop has none (a member of a shop not set up yet)."""
    shop = deps.config.shop(shop_id)
    if shop is None:
        raise NotFoundError(
            "このショップの設定がまだありません。",
            f"shop {shop_id} has no settings yet.",
            code="shop_not_found",
        )
    return shop


def audit(deps: AdminDeps, shop_id: str, caller: Caller, action: str, **detail: Any) -> None:
    """One audit entry (``action`` like ``scenario.save``), with ``by``: the caller's address or id."""
    deps.logs.put_audit(
        shop_id, action=action, at=deps.clock.now(), detail={**detail, "by": caller.email or caller.sub}
    )


def answers(model: type[BaseModel], status: int = 200) -> dict[int, OpenAPIResponse]:
    """The documented answer of a route returning ``json_response(status, model)``."""
    return {status: {"description": "OK", "content": {"application/json": {"model": model}}}}
