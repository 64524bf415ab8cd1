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

import re
from typing import Any, Literal

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from pydantic import BaseModel, ConfigDict

from okaeri.api.common import OWNER, SHOP_PATH, IdempotencyKey, once, shop_caller
from okaeri.api.deps import AdminDeps
from okaeri.api.responses import json_response
from okaeri.api.support import answers, audit
from okaeri.aws.users import Operator
from okaeri.errors import NotFoundError
from okaeri.mail_address import MailAddress
from okaeri.services.operators import check_not_member, check_owner_remains

TAGS = ["users"]
RoleName = Literal["owner", "manager", "staff"]
USERNAME = re.compile(r"[\w.@+-]{1,128}")
INVITED = "invited"


class Invite(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: MailAddress
    role: RoleName


class RoleChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: RoleName


class ShopOperator(BaseModel):
    """An operator as this shop sees them: their role here (their other shops are not this shop's
    business). Someone invited and not yet joined has status ``invited`` and nothing of their account."""

    username: str
    email: str
    role: RoleName | None
    enabled: bool
    status: str

    @classmethod
    def of(cls, operator: Operator, shop_id: str) -> ShopOperator:
        role = operator.role_in(shop_id)
        if role is None:
            return cls.invited(operator, shop_id)
        return cls(
            username=operator.username,
            email=operator.email,
            role=role,
            enabled=operator.enabled,
            status=operator.status,
        )

    @classmethod
    def invited(cls, operator: Operator, shop_id: str) -> ShopOperator:
        """The same for every address, with an account elsewhere or none: an invitation says
        nothing of the person's account or other shops."""
        return cls(
            username=operator.username,
            email=operator.email,
            role=operator.invitations.get(shop_id),
            enabled=True,
            status=INVITED,
        )


class Removed(BaseModel):
    username: str
    removed: bool


def register(app: APIGatewayHttpResolver, deps: AdminDeps) -> None:
    def member(shop_id: str, username: str, *, invited_too: bool = False) -> Operator:
        operator = deps.users.find(username) if USERNAME.fullmatch(username) else None
        found = operator is not None and (
            shop_id in operator.roles or (invited_too and shop_id in operator.invitations)
        )
        if operator is None or not found:
            raise NotFoundError("そのユーザーはこのショップにいません。", "That user is not in this shop.")
        return operator

    @app.get(
        f"{SHOP_PATH}/users",
        tags=TAGS,
        summary="ショップのユーザー / the shop's users",
        openapi_extensions=OWNER,
    )
    def list_users(shop_id: str) -> list[ShopOperator]:
        shop_caller(app, shop_id)
        return [ShopOperator.of(operator, shop_id) for operator in deps.users.of_shop(shop_id)]

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
            check_not_member(deps.users.find(body.email), shop_id=shop_id)
            operator = deps.users.invite(body.email, shop_id=shop_id, role=body.role)
            audit(
                deps, shop_id, caller, "user.invite", user=operator.username, email=body.email, role=body.role
            )
            return json_response(201, ShopOperator.invited(operator, shop_id))

        return once(app, deps, shop_id, caller, create)

    @app.put(
        f"{SHOP_PATH}/users/<username>/role",
        tags=TAGS,
        summary="役割の変更 / change a user's role",
        openapi_extensions=OWNER,
    )
    def change_role(shop_id: str, username: str, body: RoleChange) -> ShopOperator:
        caller = shop_caller(app, shop_id)
        target = member(shop_id, username)
        was = target.role_in(shop_id)
        check_owner_remains(deps.users.of_shop(shop_id), target, shop_id=shop_id, new_role=body.role)
        if was != body.role:
            target = deps.users.set_role(target.username, shop_id, body.role)
            audit(deps, shop_id, caller, "user.role", user=target.username, role=body.role, was=was)
        return ShopOperator.of(target, shop_id)

    @app.delete(
        f"{SHOP_PATH}/users/<username>",
        tags=TAGS,
        summary="ショップから外す・招待の取り消し / remove a user from the shop, withdraw an invitation",
        openapi_extensions=OWNER,
    )
    def remove(shop_id: str, username: str) -> Removed:
        caller = shop_caller(app, shop_id)
        target = member(shop_id, username, invited_too=True)
        check_owner_remains(deps.users.of_shop(shop_id), target, shop_id=shop_id, new_role=None)
        deps.users.remove_from_shop(target.username, shop_id)
        audit(deps, shop_id, caller, "user.remove", user=target.username, email=target.email)
        return Removed(username=target.username, removed=True)
