"""A shop's operators as its owners manage them: list, invite, change a role, remove (the Cognito calls
are the adapter's, behind ``ports.Operators``).

- A role belongs to the pair (operator, shop): an owner changes it only in their own shop, and a
  change there never reaches another shop, so no owner needs a say over another shop's roles.
- A shop always keeps an enabled owner: the last one cannot be demoted or removed (409).
- Nobody joins a shop by being invited: an invitation is answered the same whether or not the
  address has an account (an ``invited`` entry, nothing of the account or other shops), and grants
  the role only when its addressee accepts it.
- Every change is audited (``user.invite``, ``user.role``, ``user.remove``, and the invited
  person's ``user.accept`` / ``user.decline``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel

from okaeri.errors import ConflictError, NotFoundError
from okaeri.membership import SHOP_ID, Role
from okaeri.models.admin import Operator
from okaeri.ports import Clock, Logs, Member, Operators
from okaeri.services.documents import audit

RoleName = Literal["owner", "manager", "staff"]
USERNAME = re.compile(r"[\w.@+-]{1,128}")
INVITED = "invited"


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


class Answered(BaseModel):
    shop: str
    role: Role
    accepted: bool


@dataclass(frozen=True)
class OperatorDeps:
    users: Operators
    logs: Logs
    clock: Clock


def check_owner_remains(
    members: Sequence[Member], target: Member, *, shop_id: str, new_role: str | None
) -> None:
    """Refuse demoting (``new_role`` other than owner) or removing (``None``) the shop's last owner."""
    if target.role_in(shop_id) != "owner" or new_role == "owner":
        return
    others = [
        m for m in members if m.role_in(shop_id) == "owner" and m.enabled and m.username != target.username
    ]
    if not others:
        raise ConflictError(
            "このショップの最後のオーナーです。先に別のユーザーをオーナーにしてください。",
            "This is the shop's last owner. Make another user an owner first.",
            code="last_owner",
        )


def check_not_member(target: Member | None, *, shop_id: str) -> None:
    """Inviting someone already in the shop is refused (their role is changed instead). This says
    nothing the owner cannot see in the shop's own list of users."""
    if target is not None and target.role_in(shop_id) is not None:
        raise ConflictError(
            "このユーザーは既にこのショップにいます。役割は役割の変更で変えてください。",
            "This user is in the shop already; change their role instead.",
            code="already_member",
        )


def member(users: Operators, shop_id: str, username: str, *, invited_too: bool = False) -> Operator:
    """The operator ``username`` of this shop (or invited to it, ``invited_too``); else a 404."""
    operator = users.find(username) if USERNAME.fullmatch(username) else None
    found = operator is not None and (
        shop_id in operator.roles or (invited_too and shop_id in operator.invitations)
    )
    if operator is None or not found:
        raise NotFoundError("そのユーザーはこのショップにいません。", "That user is not in this shop.")
    return operator


def shop_operators(users: Operators, shop_id: str) -> list[ShopOperator]:
    return [ShopOperator.of(operator, shop_id) for operator in users.of_shop(shop_id)]


def invite(deps: OperatorDeps, shop_id: str, email: str, role: RoleName, *, by: str) -> ShopOperator:
    check_not_member(deps.users.find(email), shop_id=shop_id)
    operator = deps.users.invite(email, shop_id=shop_id, role=role)
    audit(
        deps.logs, deps.clock, shop_id, "user.invite", by=by, user=operator.username, email=email, role=role
    )
    return ShopOperator.invited(operator, shop_id)


def change_role(deps: OperatorDeps, shop_id: str, username: str, role: RoleName, *, by: str) -> ShopOperator:
    target = member(deps.users, shop_id, username)
    was = target.role_in(shop_id)
    check_owner_remains(deps.users.of_shop(shop_id), target, shop_id=shop_id, new_role=role)
    if was != role:
        target = deps.users.set_role(target.username, shop_id, role)
        audit(deps.logs, deps.clock, shop_id, "user.role", by=by, user=target.username, role=role, was=was)
    return ShopOperator.of(target, shop_id)


def remove(deps: OperatorDeps, shop_id: str, username: str, *, by: str) -> Removed:
    """Out of the shop, or the invitation withdrawn."""
    target = member(deps.users, shop_id, username, invited_too=True)
    check_owner_remains(deps.users.of_shop(shop_id), target, shop_id=shop_id, new_role=None)
    deps.users.remove_from_shop(target.username, shop_id)
    audit(deps.logs, deps.clock, shop_id, "user.remove", by=by, user=target.username, email=target.email)
    return Removed(username=target.username, removed=True)


def answer_invitation(
    deps: OperatorDeps, shop_id: str, *, username: str, email: str | None, accept: bool, by: str
) -> Answered:
    """The signed-in ``username`` accepts (the invited role in the shop becomes theirs) or declines
    their invitation to the shop; a 404 ``no_invitation`` when there is none."""
    if not SHOP_ID.fullmatch(shop_id):
        raise _no_invitation()
    try:
        role = deps.users.answer_invitation(username, shop_id, accept=accept)
    except NotFoundError:
        raise _no_invitation() from None
    action = "user.accept" if accept else "user.decline"
    audit(deps.logs, deps.clock, shop_id, action, by=by, user=username, email=email, role=role)
    return Answered(shop=shop_id, role=role, accepted=accept)


def _no_invitation() -> NotFoundError:
    return NotFoundError("その招待はありません。", "There is no such invitation.", code="no_invitation")
