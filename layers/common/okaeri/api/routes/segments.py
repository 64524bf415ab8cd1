"""``/api/shops/<shop>/segments``: the customers screen's segments (``okaeri.services.segments``).

- ``GET /segments`` (staff): a page of the segment's customers, latest last order first.
- ``GET /segments/count`` (staff): how many customers it holds (all of them counted).
- ``GET /segments.csv?encoding=utf-8|cp932`` (manager: names and addresses leave Okaeri): the
  segment as CSV, audited (``customers.export``).

The segment's parameters (``orders``, ``min_orders``, ``last_order``, ``days``, ``source``,
``prefecture``, ``sku``) are the same on the three; parameters that do not go together are a 422
naming the parameter.
"""

from __future__ import annotations

import inspect
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from okaeri.api.common import DEFAULT_PAGE_LIMIT, MANAGER, SHOP_PATH, STAFF, Cursor, Limit, shop_caller
from okaeri.api.deps import AdminDeps
from okaeri.api.pagination import Page
from okaeri.api.responses import JSON_HEADERS
from okaeri.api.support import operator, paged
from okaeri.models import CustomerRecord
from okaeri.models.order import known_source
from okaeri.segments import Segment, SegmentError
from okaeri.services.segments import (
    Encoding,
    SegmentCount,
    SegmentDeps,
    export_segment,
    segment_count,
    segment_page,
)

SEGMENTS = f"{SHOP_PATH}/segments"
TAGS = ["customers"]
CSV_TYPES = {"utf-8": "text/csv; charset=utf-8", "cp932": "text/csv; charset=Windows-31J"}
Filter = Annotated[Segment, Query()]


def checked(segment: Segment) -> Segment:
    """The segment when its parameters go together (texts trimmed; a blank one is no condition)."""
    texts = {name: (getattr(segment, name) or "").strip() or None for name in ("source", "prefecture", "sku")}
    segment = segment.model_copy(update=texts)
    if segment.source is not None:
        try:
            known_source(segment.source)
        except ValueError as exc:
            ja, _, en = str(exc).partition(" / ")
            raise SegmentError(f"source: {ja}", f"source: {en}") from None
    return segment.check()


def register(app: APIGatewayHttpResolver, deps: AdminDeps) -> None:
    segments = SegmentDeps(customers=deps.customers, config=deps.config, logs=deps.logs, clock=deps.clock)

    @app.get(
        SEGMENTS,
        tags=TAGS,
        summary="セグメントのお客様 / a segment's customers",
        openapi_extensions=STAFF,
    )
    def list_segment(
        shop_id: str, segment: Filter, limit: Limit = DEFAULT_PAGE_LIMIT, cursor: Cursor = None
    ) -> Page[CustomerRecord]:
        shop_caller(app, shop_id)
        chosen = checked(segment)
        return paged(
            shop_id, cursor, lambda start: segment_page(segments, shop_id, chosen, limit=limit, start=start)
        )

    @app.get(
        f"{SEGMENTS}/count",
        tags=TAGS,
        summary="セグメントの人数 / how many customers a segment holds",
        openapi_extensions=STAFF,
    )
    def count_segment(shop_id: str, segment: Filter) -> SegmentCount:
        shop_caller(app, shop_id)
        return segment_count(segments, shop_id, checked(segment))

    def export_csv(
        shop_id: str,
        segment: Filter,
        encoding: Annotated[Encoding, Query(description="utf-8 (BOM) or cp932 (Excel)")] = "utf-8",
    ) -> Response[Any]:
        caller = shop_caller(app, shop_id)
        export = export_segment(segments, shop_id, checked(segment), encoding=encoding, by=operator(caller))
        headers = {
            **JSON_HEADERS,
            "Content-Disposition": f'attachment; filename="{export.filename}"',
            "X-Okaeri-Rows": str(export.rows),
            "X-Okaeri-Replaced-Rows": str(export.replaced_rows),
        }
        return Response(200, CSV_TYPES[encoding], export.body, headers=headers)

    # Without a return annotation as the resolver sees it: its response validation would serialise
    # the body as text (and fail on CP932's bytes); the file goes out exactly as built.
    export_csv.__signature__ = inspect.signature(export_csv).replace(  # type: ignore[attr-defined]
        return_annotation=inspect.Signature.empty
    )
    app.get(
        f"{SEGMENTS}.csv",
        tags=TAGS,
        summary="セグメントの CSV（監査ログに記録） / a segment as CSV (audited)",
        openapi_extensions=MANAGER,
        responses={
            200: {
                "description": "CSV: UTF-8 with BOM, or CP932 / CSV（BOM 付き UTF-8 または CP932）",
                "content": {content_type: {} for content_type in CSV_TYPES.values()},
            }
        },
    )(export_csv)
