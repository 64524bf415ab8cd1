"""``/api/me``: who is signed in, their role and shops (the page builds its menus from it)."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from pydantic import BaseModel

from okaeri.api.common import current_caller
from okaeri.api.deps import AdminDeps


class ShopSummary(BaseModel):
    id: str
    name: str | None


class Me(BaseModel):
    sub: str
    email: str | None
    role: str
    shops: list[ShopSummary]


def register(app: APIGatewayHttpResolver, deps: AdminDeps) -> None:
    @app.get("/api/me", tags=["me"], summary="ログイン中のユーザー / the signed-in user")
    def me() -> Me:
        caller = current_caller(app)
        shops = []
        for shop_id in caller.shops:
            shop = deps.config.shop(shop_id)
            shops.append(ShopSummary(id=shop_id, name=shop.name if shop else None))
        return Me(sub=caller.sub, email=caller.email, role=caller.role, shops=shops)
