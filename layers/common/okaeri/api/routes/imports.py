"""``/api/shops/<shop_id>/imports/…``: orders from CSV files (manager).

- ``POST /imports/rakuten``: the body is a Rakuten RMS 受注CSV file as exported (Shift_JIS/CP932);
- ``POST /imports/yahoo``: the body is a Yahoo!ショッピング 注文データCSV (CP932 or UTF-8 with BOM);
- ``POST /imports/mapped``: JSON ``{"mapping": ColumnMapping, "csv_base64": "…"}`` for any other CSV.

Send files as ``application/octet-stream`` (the page does): API Gateway hands a binary body over
byte for byte, while a ``text/*`` body must be UTF-8. The answer is an ``ImportReport``: refused rows
are listed (line, reason, message) and do not fail the request; a file refused as a whole is a
400 (not a CSV, wrong columns, undecodable) or a 413 (over 5 MiB or 20,000 rows). With an
``Idempotency-Key`` a retried upload is answered from the first run; without one, importing the
same file again takes nothing new. An import that runs short of time stops cleanly and says how
many orders are left: importing the same file again takes the rest.
"""

from __future__ import annotations

import base64
import binascii
import time
from collections.abc import Callable
from secrets import token_hex
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from pydantic import BaseModel, ConfigDict, Field

from okaeri.api.auth import Caller
from okaeri.api.body import request_bytes
from okaeri.api.common import MANAGER, SHOP_PATH, IdempotencyKey, once, shop_caller
from okaeri.api.deps import AdminDeps
from okaeri.api.responses import error_response, json_response
from okaeri.api.support import operator
from okaeri.errors import BadRequestError
from okaeri.import_formats import (
    MAX_CSV_BYTES,
    RAKUTEN_RMS,
    YAHOO,
    ColumnMapping,
    CsvFileError,
    ImportReport,
    Layout,
    mapped_layout,
    read_orders,
)
from okaeri.metrics import Metric
from okaeri.observability import count, logger
from okaeri.services.documents import shop_of
from okaeri.services.imports import import_orders

#: API Gateway answers after 30 s whatever the Lambda does: stop applying orders well before.
TIME_BUDGET_SECONDS = 24.0
LAMBDA_MARGIN_SECONDS = 3.0
MAX_BASE64_CHARS = 4 * ((MAX_CSV_BYTES + 2) // 3)
_FILE = {"schema": {"type": "string", "format": "binary"}}
CSV_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "the CSV file, byte for byte / CSVファイルそのもの",
        "content": {"application/octet-stream": _FILE, "text/csv": _FILE},
    }
}
REPORT: dict[int, OpenAPIResponse] = {
    200: {
        "description": "what was taken and refused",
        "content": {"application/json": {"model": ImportReport}},
    }
}


class MappedImport(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid")

    mapping: ColumnMapping
    csv_base64: str = Field(min_length=1, max_length=MAX_BASE64_CHARS, description="the CSV file, base64")


def register(app: APIGatewayHttpResolver, deps: AdminDeps) -> None:
    def run(shop_id: str, layout: Layout, read: Callable[[], bytes]) -> Response[Any]:
        caller = shop_caller(app, shop_id)
        return once(
            app,
            deps,
            shop_id,
            caller,
            lambda: _import(app, deps, shop_id=shop_id, caller=caller, layout=layout, data=read()),
        )

    def file_import(source: str, summary: str, layout: Layout) -> None:
        """``POST /imports/<source>``: a marketplace's own CSV export, sent as the request body."""

        def handler(shop_id: str, idempotency_key: IdempotencyKey = None) -> Response[Any]:
            return run(shop_id, layout, lambda: request_bytes(app))

        handler.__name__ = f"import_{source}"  # the OpenAPI operation id
        app.post(
            f"{SHOP_PATH}/imports/{source}",
            tags=["imports"],
            summary=summary,
            responses=REPORT,
            openapi_extensions=MANAGER | CSV_BODY,
        )(handler)

    file_import("rakuten", "楽天RMS 受注CSVの取込 / import a Rakuten RMS order CSV", RAKUTEN_RMS)
    file_import("yahoo", "Yahoo!ショッピング 注文データCSVの取込 / import a Yahoo! Shopping order CSV", YAHOO)

    @app.post(
        f"{SHOP_PATH}/imports/mapped",
        tags=["imports"],
        summary="列を対応づけたCSVの取込 / import any CSV with a column mapping",
        responses=REPORT,
        openapi_extensions=MANAGER,
    )
    def import_mapped(
        shop_id: str, body: MappedImport, idempotency_key: IdempotencyKey = None
    ) -> Response[Any]:
        return run(shop_id, mapped_layout(body.mapping), lambda: _from_base64(body.csv_base64))


def _import(
    app: APIGatewayHttpResolver, deps: AdminDeps, *, shop_id: str, caller: Caller, layout: Layout, data: bytes
) -> Response[Any]:
    shop = shop_of(deps.config, shop_id)
    try:
        parsed = read_orders(data, layout, shop.tz)
    except CsvFileError as exc:
        if exc.too_big:
            return error_response(413, exc.code, exc.message_ja, exc.message_en)
        raise
    now = deps.clock.now()
    by = operator(caller)
    report = import_orders(
        deps.ingest(),
        shop,
        parsed,
        import_id=f"{now:%Y%m%dT%H%M%S}-{token_hex(4)}",
        by=by,
        out_of_time=_deadline(app),
    )
    deps.logs.put_audit(
        shop_id,
        action="orders.import",
        at=now,
        detail={"by": by} | report.model_dump(include=_AUDITED),
    )
    logger.info("orders_imported", extra=report.model_dump(include=_AUDITED))
    count(Metric.ORDERS_IMPORTED, report.orders_new)
    return json_response(200, report)


_AUDITED = {
    "import_id",
    "source",
    "rows",
    "orders_taken",
    "orders_new",
    "orders_updated",
    "orders_known",
    "refused_rows",
    "complete",
    "orders_left",
}


def _from_base64(text: str) -> bytes:
    try:
        return base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        raise BadRequestError(
            "csv_base64 が base64 として読めません。", "csv_base64 is not valid base64.", code="bad_base64"
        ) from None


def _deadline(app: APIGatewayHttpResolver) -> Callable[[], bool]:
    """True once the import should stop: before API Gateway's 30 s, and before the Lambda's own end."""
    budget = TIME_BUDGET_SECONDS
    context = getattr(app, "lambda_context", None)
    if context is not None:
        budget = min(budget, context.get_remaining_time_in_millis() / 1000 - LAMBDA_MARGIN_SECONDS)
    ends = time.monotonic() + budget
    return lambda: time.monotonic() >= ends
