"""``/api/shops/<shop>/orders``: search the shop's orders, and one order with its mails (staff)."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.event_handler.openapi.params import Query

from okaeri.api.common import DEFAULT_PAGE_LIMIT, SHOP_PATH, STAFF, Cursor, Limit, parse_day, shop_caller
from okaeri.api.deps import AdminDeps
from okaeri.api.pagination import Page
from okaeri.api.support import operations, paged, path_id
from okaeri.models import OrderRecord
from okaeri.services.operations import OrderDetail, order_detail, search_orders

Day = Annotated[str | None, Query(max_length=10, description="YYYY-MM-DD (shop-local, included)")]
SearchText = Annotated[str | None, Query(max_length=100, description="order id, customer name or email")]


def register(app: APIGatewayHttpResolver, deps: AdminDeps) -> None:
    ops = operations(deps)

    @app.get(
        f"{SHOP_PATH}/orders",
        tags=["orders"],
        summary="注文の検索（新しい順） / search orders, newest first",
        openapi_extensions=STAFF,
    )
    def list_orders(
        shop_id: str,
        *,
        day_from: Annotated[str | None, Query(alias="from", max_length=10)] = None,
        to: Day = None,
        q: SearchText = None,
        limit: Limit = DEFAULT_PAGE_LIMIT,
        cursor: Cursor = None,
    ) -> Page[OrderRecord]:
        shop_caller(app, shop_id)
        since, until, text = parse_day(day_from, "from"), parse_day(to, "to"), q.strip() if q else None
        return paged(
            shop_id,
            cursor,
            lambda start: search_orders(
                ops, shop_id, day_from=since, day_to=until, q=text, limit=limit, start=start
            ),
        )

    @app.get(
        f"{SHOP_PATH}/orders/<order_key>",
        tags=["orders"],
        summary="注文とその配信 / an order and its mails",
        openapi_extensions=STAFF,
    )
    def get_order(shop_id: str, order_key: str) -> OrderDetail:
        shop_caller(app, shop_id)
        return order_detail(ops, shop_id, path_id(order_key, "注文", "Order"))
