"""Who is calling: the Cognito claims API Gateway's JWT authorizer passes on (payload 2.0).

API Gateway (and the local stack's gateway) has already checked the token's signature, issuer,
audience and expiry; the claims arrive under ``requestContext.authorizer.jwt.claims``, every value
a string: a list claim such as ``cognito:groups`` arrives as ``[owner staff]``. A role belongs to
the pair (operator, shop): both come from the ``custom:shops`` claim, ``shop:role`` entries that only
the admin function writes (``okaeri.membership``); ``cognito:groups`` is read only for entries in
the format before roles were per shop. This claim is the one place authorization reads. Every
shop-scoped route calls :func:`require` before it reads anything.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict

from okaeri.errors import ForbiddenError, UnauthorizedError
from okaeri.membership import ROLE_RANK, ROLES, Role, highest_role, parse_memberships

__all__ = ["ROLES", "ROLE_RANK", "Caller", "Role", "caller_from_claims", "caller_from_event", "require"]

SHOPS_CLAIM = "custom:shops"
GROUPS_CLAIM = "cognito:groups"
USERNAME_CLAIM = "cognito:username"


class Caller(BaseModel):
    """A signed-in operator and their role in each of their shops (possibly none yet: an invited
    operator signs in to accept)."""

    model_config = ConfigDict(defer_build=True, frozen=True)

    sub: str
    username: str = ""
    email: str | None = None
    roles: tuple[tuple[str, Role], ...] = ()

    @property
    def shops(self) -> tuple[str, ...]:
        return tuple(shop for shop, _ in self.roles)

    def role_in(self, shop_id: str) -> Role | None:
        return dict(self.roles).get(shop_id)

    def may(self, shop_id: str, role: Role) -> bool:
        held = self.role_in(shop_id)
        return held is not None and ROLE_RANK[held] >= ROLE_RANK[role]


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
    """The caller the claims describe (401 when there are none): their role in each shop."""
    if not claims or not claims.get("sub"):
        raise UnauthorizedError("ログインしてください。", "Please sign in.")
    legacy = highest_role(claim_list(claims.get(GROUPS_CLAIM)))
    roles = parse_memberships(str(claims.get(SHOPS_CLAIM) or ""), legacy_role=legacy)
    sub = str(claims["sub"])
    return Caller(
        sub=sub,
        username=str(claims.get(USERNAME_CLAIM) or sub),
        email=claims.get("email"),
        roles=tuple(roles.items()),
    )


def caller_from_event(event: Mapping[str, Any]) -> Caller:
    context = event.get("requestContext") or {}
    authorizer = context.get("authorizer") or {}
    return caller_from_claims((authorizer.get("jwt") or {}).get("claims"))


def require(caller: Caller, shop_id: str, role: Role = "staff") -> Caller:
    """The caller may act on ``shop_id`` with at least ``role`` *in that shop*; otherwise 403, naming
    neither data nor shop."""
    if caller.role_in(shop_id) is None:
        raise ForbiddenError(
            "このショップを操作する権限がありません。",
            "You do not have access to this shop.",
            code="forbidden_shop",
        )
    if not caller.may(shop_id, role):
        raise ForbiddenError(
            f"この操作には {role} 以上の役割が必要です。",
            f"This action needs the {role} role or higher.",
            code="forbidden_role",
        )
    return caller
