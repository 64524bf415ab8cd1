"""``/api/shops/<shop_id>/coupons``: coupon pools, their unused and used codes, CSV uploads.

- ``GET /coupons`` (staff): every pool with how many codes are free and used: the pools codes were
  loaded into, and the pools the shop's templates hand out codes from (an empty one shows as 0/0).
- ``POST /coupons/<pool>`` (manager): the body is CSV (``Content-Type: text/csv``, UTF-8 or
  Shift_JIS), one code per row, an optional ``code`` header. Codes longer than 64 characters, with
  spaces or unprintable characters are skipped, a code listed twice is loaded once, and a code
  already given to a customer is never loaded again; each skipped row is answered with its reason.
  Loading the same file again changes nothing. ``Idempotency-Key`` answers a retried upload alike.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response

from okaeri.api.body import request_bytes
from okaeri.api.common import MANAGER, SHOP_PATH, STAFF, IdempotencyKey, once, shop_caller
from okaeri.api.deps import AdminDeps
from okaeri.api.responses import json_response
from okaeri.api.support import answers, operator
from okaeri.errors import BadRequestError, ConfigError
from okaeri.rendering.coupons import POOL_PATTERN
from okaeri.services.coupon_upload import decode_upload
from okaeri.services.coupons import CouponDeps, PoolCount, PoolLoadAnswer, load_pool, pool_counts

TAGS = ["coupons"]
CSV_TYPES = ("text/csv", "text/plain", "application/csv", "application/vnd.ms-excel")


def _pool_name(pool: str) -> str:
    if not POOL_PATTERN.fullmatch(pool):
        problem = (
            f"pool: 英数字・_・- で40文字まで（先頭は英数字）: {pool[:80]} / "
            f"letters, digits, _ and - up to 40 characters, starting with a letter or digit: {pool[:80]!r}"
        )
        raise ConfigError("クーポンプール名が正しくありません", "not a coupon pool name", problems=[problem])
    return pool


def register(app: APIGatewayHttpResolver, deps: AdminDeps) -> None:
    def upload_text() -> str:
        content_type = (app.current_event.headers or {}).get("content-type", "")
        if content_type.split(";")[0].strip().lower() not in CSV_TYPES:
            raise BadRequestError(
                "CSV を Content-Type: text/csv で送ってください",
                "send the CSV with Content-Type: text/csv",
                code="unsupported_content_type",
            )
        return decode_upload(request_bytes(app))

    @app.get(
        f"{SHOP_PATH}/coupons", tags=TAGS, summary="クーポンプール / coupon pools", openapi_extensions=STAFF
    )
    def list_pools(shop_id: str) -> list[PoolCount]:
        shop_caller(app, shop_id)
        return pool_counts(deps.coupons, shop_id, deps.config.templates(shop_id))

    @app.post(
        f"{SHOP_PATH}/coupons/<pool>",
        tags=TAGS,
        summary="クーポンコードの登録（CSV） / load codes (CSV)",
        description="Body: text/csv, one code per row, optional header `code`. UTF-8 or Shift_JIS.",
        openapi_extensions=MANAGER,
        responses=answers(PoolLoadAnswer),
    )
    def load_codes(shop_id: str, pool: str, idempotency_key: IdempotencyKey = None) -> Response[Any]:
        caller = shop_caller(app, shop_id)
        name = _pool_name(pool)
        coupon_deps = CouponDeps(coupons=deps.coupons, logs=deps.logs, clock=deps.clock)

        def load() -> Response[Any]:
            return json_response(
                200, load_pool(coupon_deps, shop_id, name, upload_text(), by=operator(caller))
            )

        return once(app, deps, shop_id, caller, load)
