"""``/api/shops/<shop>/receptions`` and ``/sends``: what came in and what went out.

The raw mail of a reception is served only from the shop's own inbound folder
(``inbound/<shop>/``): any other key is a 404, so no shop ever reads another's mail. "Parse again"
(a manager, typically after adding a mask) runs ingest once more on the stored mail; its entry
comes back, and a new order goes on to be planned like any other.
"""

from __future__ import annotations

import base64
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Query
from pydantic import BaseModel, ConfigDict, Field

from okaeri.api.common import (
    DEFAULT_PAGE_LIMIT,
    MANAGER,
    SHOP_PATH,
    STAFF,
    Cursor,
    IdempotencyKey,
    Limit,
    once,
    shop_caller,
)
from okaeri.api.deps import AdminDeps
from okaeri.api.pagination import Page
from okaeri.api.responses import JSON_HEADERS, json_response
from okaeri.api.support import operator, paged
from okaeri.errors import NotFoundError
from okaeri.models import ReceptionEntry, SendLogEntry
from okaeri.models.records import ReceptionResult
from okaeri.services.ingest import INBOUND_PREFIX
from okaeri.services.receptions import ReparseDeps, read_again

RECEPTIONS = f"{SHOP_PATH}/receptions"
MAX_KEY = 1024
RAW_MAIL_TYPE = "text/plain"


class ReparseBody(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid")

    key: str = Field(min_length=1, max_length=MAX_KEY, description="受信メールの保存キー / the mail's S3 key")


def inbound_key(shop_id: str, key: str) -> str:
    """``key`` if it is a mail in the shop's own inbound folder; anything else is not found."""
    prefix = f"{INBOUND_PREFIX}/{shop_id}/"
    parts = key.split("/")
    if (
        not key.startswith(prefix)
        or len(key) > MAX_KEY
        or not key.isprintable()
        or any(part in {"", ".", ".."} for part in parts)
    ):
        raise NotFoundError(
            "このショップの受信メールではありません。",
            "There is no such mail for this shop.",
            code="mail_not_found",
        )
    return key


def register(app: APIGatewayHttpResolver, deps: AdminDeps) -> None:

    @app.get(
        RECEPTIONS,
        tags=["logs"],
        summary="受信ログ（新しい順） / the reception log, newest first",
        openapi_extensions=STAFF,
    )
    def list_receptions(
        shop_id: str,
        result: Annotated[ReceptionResult | None, Query()] = None,
        limit: Limit = DEFAULT_PAGE_LIMIT,
        cursor: Cursor = None,
    ) -> Page[ReceptionEntry]:
        shop_caller(app, shop_id)
        keep = None if result is None else (lambda entry: entry.result == result)
        return paged(
            shop_id,
            cursor,
            lambda start: deps.logs.reception_page(shop_id, keep=keep, limit=limit, start=start),
        )

    @app.get(
        f"{RECEPTIONS}/raw",
        tags=["logs"],
        summary="受信メールの原文 / the received mail as stored (message/rfc822)",
        openapi_extensions=STAFF,
        responses={200: {"description": "the raw mail", "content": {RAW_MAIL_TYPE: {}}}},
    )
    def raw_mail(shop_id: str, key: Annotated[str, Query(min_length=1, max_length=MAX_KEY)]) -> Response[str]:
        shop_caller(app, shop_id)
        raw = deps.raw_mail.get(inbound_key(shop_id, key))
        headers = {**JSON_HEADERS, "Content-Disposition": "inline"}
        response = Response(200, RAW_MAIL_TYPE, base64.b64encode(raw).decode("ascii"), headers=headers)
        response.base64_encoded = True  # the bytes exactly as received (8-bit mails too)
        return response

    @app.post(
        f"{RECEPTIONS}/reparse",
        tags=["logs"],
        summary="受信メールを読み直す（マスク追加後など） / parse a received mail again",
        openapi_extensions=MANAGER,
        responses={
            200: {"description": "the new entry", "content": {"application/json": {"model": ReceptionEntry}}}
        },
    )
    def reparse(shop_id: str, body: ReparseBody, idempotency_key: IdempotencyKey = None) -> Response[Any]:
        caller = shop_caller(app, shop_id)
        key = inbound_key(shop_id, body.key)

        def run() -> Response[Any]:
            service = ReparseDeps(
                ingest=deps.ingest(), logs=deps.logs, raw_mail=deps.raw_mail, clock=deps.clock
            )
            return json_response(200, read_again(service, shop_id, key, by=operator(caller)))

        return once(app, deps, shop_id, caller, run)

    @app.get(
        f"{SHOP_PATH}/sends",
        tags=["logs"],
        summary="送信ログ（新しい順） / the send log, newest first",
        openapi_extensions=STAFF,
    )
    def list_sends(
        shop_id: str, limit: Limit = DEFAULT_PAGE_LIMIT, cursor: Cursor = None
    ) -> Page[SendLogEntry]:
        shop_caller(app, shop_id)
        return paged(shop_id, cursor, lambda start: deps.logs.send_page(shop_id, limit=limit, start=start))
