"""Rules for changing a shop's operators (owners manage them; the Cognito calls are the adapter's).

- A shop always keeps an enabled owner: the last one cannot be demoted or removed (409).
- A user's role is one Cognito group and holds in every shop they belong to, so an owner may change
  it only when every other shop of that user is one of their own shops too; otherwise the change
  would reach into a shop they do not run (403, without naming those shops).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from okaeri.errors import ConflictError, ForbiddenError


class Member(Protocol):
    @property
    def username(self) -> str: ...

    @property
    def role(self) -> str | None: ...

    @property
    def shops(self) -> list[str]: ...

    @property
    def enabled(self) -> bool: ...


def check_owner_remains(members: Sequence[Member], target: Member, *, new_role: str | None) -> None:
    """Refuse demoting (``new_role`` other than owner) or removing (``None``) the shop's last owner."""
    if target.role != "owner" or new_role == "owner":
        return
    others = [m for m in members if m.role == "owner" and m.enabled and m.username != target.username]
    if not others:
        raise ConflictError(
            "このショップの最後のオーナーです。先に別のユーザーをオーナーにしてください。",
            "This is the shop's last owner. Make another user an owner first.",
            code="last_owner",
        )


def check_role_change_allowed(
    target: Member, *, shop_id: str, caller_shops: Sequence[str], new_role: str
) -> None:
    """A role change must not reach a shop the caller does not belong to."""
    if target.role == new_role:
        return
    outside = set(target.shops) - {shop_id} - set(caller_shops)
    if outside:
        raise ForbiddenError(
            "このユーザーは他のショップにも所属しています。役割は全ショップ共通のため、ここでは変更できません。",
            "This user also belongs to other shops; a role applies in all of them, so it cannot be "
            "changed from here.",
            code="role_shared",
        )
