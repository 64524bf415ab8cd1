"""Rules for changing a shop's operators (its owners manage them; the Cognito calls are the adapter's).

- A role belongs to the pair (operator, shop): an owner changes it only in their own shop, and a
  change there never reaches another shop, so no owner needs a say over another shop's roles.
- A shop always keeps an enabled owner: the last one cannot be demoted or removed (409).
- Nobody joins a shop by being invited: an invitation is answered the same whether or not the
  address has an account (``okaeri.api.routes.users``), and grants the role only when its addressee
  accepts it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from okaeri.errors import ConflictError
from okaeri.membership import Role


class Member(Protocol):
    @property
    def username(self) -> str: ...

    @property
    def enabled(self) -> bool: ...

    def role_in(self, shop_id: str) -> Role | None: ...


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
