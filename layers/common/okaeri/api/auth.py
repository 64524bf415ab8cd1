"""Who is calling: the Cognito claims API Gateway's JWT authorizer passes on (payload 2.0).

API Gateway (and the local stack's gateway) has already checked the token's signature, issuer,
audience and expiry; the claims arrive under ``requestContext.authorizer.jwt.claims``, every value
a string: a list claim such as ``cognito:groups`` arrives as ``[owner staff]``. Roles come from
``cognito:groups``; the shops a user belongs to from the ``custom:shops`` attribute (comma
separated). Every shop-scoped route calls :func:`require` before it reads anything.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from okaeri.errors import ForbiddenError, UnauthorizedError

Role = Literal["owner", "manager", "staff"]
ROLES: tuple[Role, ...] = ("staff", "manager", "owner")  # each may do what the ones before it may
ROLE_RANK: dict[str, int] = {role: rank for rank, role in enumerate(ROLES)}
SHOPS_CLAIM = "custom:shops"
GROUPS_CLAIM = "cognito:groups"


class Caller(BaseModel):
    """A signed-in operator: the highest role among their groups, and their shops."""

    model_config = ConfigDict(frozen=True)

    sub: str
    email: str | None = None
    role: Role
    shops: tuple[str, ...]

    def may(self, role: Role) -> bool:
        return ROLE_RANK[self.role] >= ROLE_RANK[role]


def claim_list(value: Any) -> list[str]:
    """A list claim as API Gateway passes it (``[a b]``), as JSON (``["a","b"]``) or as a list."""
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return [str(item) for item in value]
    text = str(value).strip()
    if text.startswith("[") and text.endswith("]"):
        try:
            parsed = json.loads(text)
        except ValueError:
            return [part for part in text[1:-1].replace(",", " ").split() if part]
        if isinstance(parsed, list):
            return [str(item) for item in parsed]
    return [part for part in text.replace(",", " ").split() if part]


def caller_from_claims(claims: Mapping[str, Any] | None) -> Caller:
    """The caller the claims describe; 401 when there are none or no role is among them."""
    if not claims or not claims.get("sub"):
        raise UnauthorizedError("ログインしてください。", "Please sign in.")
    groups = [group for group in claim_list(claims.get(GROUPS_CLAIM)) if group in ROLE_RANK]
    if not groups:
        raise ForbiddenError(
            "このユーザーには役割（owner / manager / staff）がありません。管理者に依頼してください。",
            "This user has no role (owner / manager / staff). Ask an owner to assign one.",
        )
    role = max(groups, key=ROLE_RANK.__getitem__)
    shops = tuple(
        dict.fromkeys(shop.strip() for shop in str(claims.get(SHOPS_CLAIM) or "").split(",") if shop.strip())
    )
    return Caller(sub=str(claims["sub"]), email=claims.get("email"), role=role, shops=shops)


def caller_from_event(event: Mapping[str, Any]) -> Caller:
    context = event.get("requestContext") or {}
    authorizer = context.get("authorizer") or {}
    return caller_from_claims((authorizer.get("jwt") or {}).get("claims"))


def require(caller: Caller, shop_id: str, role: Role = "staff") -> Caller:
    """The caller may act on ``shop_id`` with at least ``role``; otherwise 403, naming neither data nor shop."""
    if shop_id not in caller.shops:
        raise ForbiddenError(
            "このショップを操作する権限がありません。",
            "You do not have access to this shop.",
            code="forbidden_shop",
        )
    if not caller.may(role):
        raise ForbiddenError(
            f"この操作には {role} 以上の役割が必要です。",
            f"This action needs the {role} role or higher.",
            code="forbidden_role",
        )
    return caller
