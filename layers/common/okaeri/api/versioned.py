"""What the routes of the versioned documents (scenarios, templates) share: the ``version`` query
parameter, and a create answered with 201, once per ``Idempotency-Key``. What a document kind means
(404s, size, the audit of a save) is ``okaeri.services.documents.DocumentKind``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Query
from pydantic import BaseModel

from okaeri.api.auth import Caller
from okaeri.api.common import once
from okaeri.api.deps import AdminDeps
from okaeri.api.responses import json_response

Version = Annotated[int | None, Query(ge=1, le=1_000_000, description="an older version / 過去の版")]


def create_once(
    app: APIGatewayHttpResolver,
    deps: AdminDeps,
    shop_id: str,
    caller: Caller,
    save: Callable[[], BaseModel],
) -> Response[Any]:
    """A create: ``save`` answered with 201, once per ``Idempotency-Key``."""
    return once(app, deps, shop_id, caller, lambda: json_response(201, save()))
