"""``/api/shops/<shop_id>/users``: the shop's operators (owner only).

A role belongs to the pair (operator, shop): it is set and changed by that shop's owners alone, and
holds in that shop alone (``okaeri.membership``).

- ``GET /users``: who works in this shop and their role here, and who is invited (status
  ``invited``); never their other shops.
- ``POST /users {"email", "role"}``: invite. The answer is the same whether or not the address has
  an account (201, an ``invited`` entry: no account state, nothing of other shops): a new address
  gets an account and Cognito mails a temporary password; either way the person joins only when
  they accept the invitation after signing in (``/api/me``, ``/api/invitations/<shop>/accept``).
  Someone already in this shop: 409 ``already_member``. ``Idempotency-Key`` answers a retry alike.
- ``PUT /users/<username>/role {"role"}``: the role in this shop, of someone in it.
- ``DELETE /users/<username>``: remove from this shop, or withdraw the invitation (a user left
  with neither shops nor invitations is disabled, not deleted).

A shop always keeps an owner (409 ``last_owner``). Changes reach the user's token at their next
sign-in or token refresh (within the hour).
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from pydantic import BaseModel, ConfigDict

from okaeri.api.common import OWNER, SHOP_PATH, IdempotencyKey, once, shop_caller
from okaeri.api.deps import AdminDeps
from okaeri.api.responses import json_response
from okaeri.api.support import answers, operator
from okaeri.mail_address import MailAddress
from okaeri.services import operators
from okaeri.services.operators import OperatorDeps, Removed, RoleName, ShopOperator

TAGS = ["users"]


class Invite(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: MailAddress
    role: RoleName


class RoleChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: RoleName


def register(app: APIGatewayHttpResolver, deps: AdminDeps) -> None:
    service = OperatorDeps(users=deps.users, logs=deps.logs, clock=deps.clock)

    @app.get(
        f"{SHOP_PATH}/users",
        tags=TAGS,
        summary="ショップのユーザー / the shop's users",
        openapi_extensions=OWNER,
    )
    def list_users(shop_id: str) -> list[ShopOperator]:
        shop_caller(app, shop_id)
        return operators.shop_operators(deps.users, shop_id)

    @app.post(
        f"{SHOP_PATH}/users",
        tags=TAGS,
        summary="ユーザーの招待 / invite a user",
        openapi_extensions=OWNER,
        responses=answers(ShopOperator, 201),
    )
    def invite(shop_id: str, body: Invite, idempotency_key: IdempotencyKey = None) -> Response[Any]:
        caller = shop_caller(app, shop_id)

        def create() -> Response[Any]:
            invited = operators.invite(service, shop_id, body.email, body.role, by=operator(caller))
            return json_response(201, invited)

        return once(app, deps, shop_id, caller, create)

    @app.put(
        f"{SHOP_PATH}/users/<username>/role",
        tags=TAGS,
        summary="役割の変更 / change a user's role",
        openapi_extensions=OWNER,
    )
    def change_role(shop_id: str, username: str, body: RoleChange) -> ShopOperator:
        caller = shop_caller(app, shop_id)
        return operators.change_role(service, shop_id, username, body.role, by=operator(caller))

    @app.delete(
        f"{SHOP_PATH}/users/<username>",
        tags=TAGS,
        summary="ショップから外す・招待の取り消し / remove a user from the shop, withdraw an invitation",
        openapi_extensions=OWNER,
    )
    def remove(shop_id: str, username: str) -> Removed:
        caller = shop_caller(app, shop_id)
        return operators.remove(service, shop_id, username, by=operator(caller))
