"""``/api/shops/<shop_id>/users``: the shop's operators (owner only).

- ``GET /users``: who works in this shop, their role and account state (never their other shops).
- ``POST /users {"email", "role"}``: invite: Cognito creates the account and mails a temporary
  password, or an existing account gets this shop added (and is enabled again if it had lost its
  last shop). ``Idempotency-Key`` answers a retried invitation alike.
- ``PUT /users/<username>/role {"role"}``, ``DELETE /users/<username>`` (remove from this shop; a
  user left without shops is disabled, not deleted).

A shop always keeps an owner (409 ``last_owner``). A role is one Cognito group shared by all of a
user's shops, so it can be changed here only for users whose other shops are the caller's too (403
``role_shared`` otherwise). Changes reach the user's token at their next sign-in (within the hour).
"""

from __future__ import annotations

import re
from typing import Any, Literal

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from pydantic import BaseModel, ConfigDict, Field

from okaeri.api.common import OWNER, SHOP_PATH, IdempotencyKey, once, shop_caller
from okaeri.api.deps import AdminDeps
from okaeri.api.responses import json_response
from okaeri.api.support import answers, audit
from okaeri.aws.users import Operator
from okaeri.errors import NotFoundError
from okaeri.services.operators import check_owner_remains, check_role_change_allowed

TAGS = ["users"]
RoleName = Literal["owner", "manager", "staff"]
USERNAME = re.compile(r"[\w.@+-]{1,128}")
ADDRESS_PATTERN = r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$"


class Invite(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str = Field(max_length=254, pattern=ADDRESS_PATTERN)
    role: RoleName


class RoleChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: RoleName


class ShopOperator(BaseModel):
    """An operator as this shop sees them (their other shops are not this shop's business)."""

    username: str
    email: str
    role: str | None
    enabled: bool
    status: str

    @classmethod
    def of(cls, operator: Operator) -> ShopOperator:
        return cls(
            username=operator.username,
            email=operator.email,
            role=operator.role,
            enabled=operator.enabled,
            status=operator.status,
        )


class Removed(BaseModel):
    username: str
    removed: bool


def register(app: APIGatewayHttpResolver, deps: AdminDeps) -> None:
    def member(shop_id: str, username: str) -> Operator:
        operator = deps.users.find(username) if USERNAME.fullmatch(username) else None
        if operator is None or shop_id not in operator.shops:
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
        return [ShopOperator.of(operator) for operator in deps.users.of_shop(shop_id)]

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
            existing = deps.users.find(body.email)
            if existing is not None:
                check_role_change_allowed(
                    existing, shop_id=shop_id, caller_shops=caller.shops, new_role=body.role
                )
                if shop_id in existing.shops:
                    check_owner_remains(deps.users.of_shop(shop_id), existing, new_role=body.role)
            operator = deps.users.invite(body.email, shop_id=shop_id, role=body.role)
            audit(
                deps, shop_id, caller, "user.invite", user=operator.username, email=body.email, role=body.role
            )
            return json_response(201, ShopOperator.of(operator))

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
        check_role_change_allowed(target, shop_id=shop_id, caller_shops=caller.shops, new_role=body.role)
        check_owner_remains(deps.users.of_shop(shop_id), target, new_role=body.role)
        if target.role != body.role:
            deps.users.set_role(target.username, body.role)
            audit(deps, shop_id, caller, "user.role", user=target.username, role=body.role, was=target.role)
        return ShopOperator.of(deps.users.get(target.username))

    @app.delete(
        f"{SHOP_PATH}/users/<username>",
        tags=TAGS,
        summary="ショップから外す / remove a user from the shop",
        openapi_extensions=OWNER,
    )
    def remove(shop_id: str, username: str) -> Removed:
        caller = shop_caller(app, shop_id)
        target = member(shop_id, username)
        check_owner_remains(deps.users.of_shop(shop_id), target, new_role=None)
        deps.users.remove_from_shop(target.username, shop_id)
        audit(deps, shop_id, caller, "user.remove", user=target.username, email=target.email)
        return Removed(username=target.username, removed=True)
