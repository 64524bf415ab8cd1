"""``/api/me``: who is signed in, their role in each of their shops, and their invitations.

- ``GET /api/me``: the shops and roles of the caller's token (what the API authorizes from) and the
  invitations waiting for them (read fresh from Cognito, so one made after sign-in shows at once).
- ``POST /api/invitations/<shop>/accept``: the invited role in that shop becomes theirs; it reaches
  their token at the next refresh, which the page asks for at once.
- ``POST /api/invitations/<shop>/decline``: the invitation is gone; nothing else changes.

Both answer 404 ``no_invitation`` when there is no invitation to that shop for the caller. Only the
caller's own invitations can be answered: the shop is never authorized from the token here, since
the caller is not in it yet.
"""

from __future__ import annotations

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from pydantic import BaseModel

from okaeri.api.auth import Caller
from okaeri.api.common import current_caller
from okaeri.api.deps import AdminDeps
from okaeri.api.support import operator
from okaeri.membership import ROLE_RANK, Role
from okaeri.services import operators
from okaeri.services.operators import Answered, OperatorDeps


class ShopSummary(BaseModel):
    id: str
    name: str | None
    role: Role


class Invitation(BaseModel):
    shop: str
    name: str | None
    role: Role


class Me(BaseModel):
    sub: str
    email: str | None
    role: Role | None  # the highest of ``shops[].role`` (a role holds only in its shop)
    shops: list[ShopSummary]
    invitations: list[Invitation]


def register(app: APIGatewayHttpResolver, deps: AdminDeps) -> None:
    service = OperatorDeps(users=deps.users, logs=deps.logs, clock=deps.clock)

    def shop_name(shop_id: str) -> str | None:
        shop = deps.config.shop(shop_id)
        return shop.name if shop else None

    def answer(caller: Caller, shop: str, *, accept: bool) -> Answered:
        return operators.answer_invitation(
            service, shop, username=caller.username, email=caller.email, accept=accept, by=operator(caller)
        )

    @app.get("/api/me", tags=["me"], summary="ログイン中のユーザー / the signed-in user")
    def me() -> Me:
        caller = current_caller(app)
        shops = [ShopSummary(id=shop, name=shop_name(shop), role=role) for shop, role in caller.roles]
        account = deps.users.find(caller.username)
        invitations = [
            Invitation(shop=shop, name=shop_name(shop), role=role)
            for shop, role in (account.invitations.items() if account else ())
            if shop not in caller.shops
        ]
        highest = max((role for _, role in caller.roles), key=ROLE_RANK.__getitem__, default=None)
        return Me(sub=caller.sub, email=caller.email, role=highest, shops=shops, invitations=invitations)

    @app.post(
        "/api/invitations/<shop>/accept",
        tags=["me"],
        summary="招待を受ける / accept an invitation",
    )
    def accept(shop: str) -> Answered:
        return answer(current_caller(app), shop, accept=True)

    @app.post(
        "/api/invitations/<shop>/decline",
        tags=["me"],
        summary="招待を断る / decline an invitation",
    )
    def decline(shop: str) -> Answered:
        return answer(current_caller(app), shop, accept=False)
