"""``/api/shops/<shop>/dashboard``: the shop's recent days at a glance (see ``okaeri.services.dashboard``)."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.event_handler.openapi.params import Query

from okaeri.api.common import SHOP_PATH, STAFF, shop_caller
from okaeri.api.deps import AdminDeps
from okaeri.api.support import operations
from okaeri.services.dashboard import MAX_DAYS, Dashboard, Pace, dashboard

DEFAULT_DAYS = 30


def register(app: APIGatewayHttpResolver, deps: AdminDeps) -> None:
    ops = operations(deps)

    @app.get(
        f"{SHOP_PATH}/dashboard",
        tags=["dashboard"],
        summary="ダッシュボード（日別の注文・送信、ステップ別の結果） / the dashboard",
        openapi_extensions=STAFF,
    )
    def get_dashboard(
        shop_id: str,
        days: Annotated[
            int, Query(ge=1, le=MAX_DAYS, description="days back, today included")
        ] = DEFAULT_DAYS,
    ) -> Dashboard:
        shop_caller(app, shop_id)
        return dashboard(ops, shop_id, days=days, pace=Pace(deps.settings.send_rate, deps.deliveries))
