"""Who may change whom: a shop keeps an owner; a role change never reaches another owner's shop."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from okaeri.errors import ConflictError, ForbiddenError
from okaeri.services.operators import check_owner_remains, check_role_change_allowed


@dataclass
class Person:
    username: str
    role: str | None
    shops: list[str] = field(default_factory=lambda: ["mikan"])
    enabled: bool = True


ALICE = Person("alice", "owner")
BOB = Person("bob", "owner")
CAROL = Person("carol", "manager")


def test_the_last_owner_can_be_neither_demoted_nor_removed() -> None:
    members = [ALICE, CAROL]
    for new_role in ("manager", "staff", None):
        with pytest.raises(ConflictError) as refused:
            check_owner_remains(members, ALICE, new_role=new_role)
        assert refused.value.code == "last_owner"
    check_owner_remains(members, ALICE, new_role="owner")
    check_owner_remains(members, CAROL, new_role=None)


def test_with_another_owner_an_owner_may_go() -> None:
    check_owner_remains([ALICE, BOB, CAROL], ALICE, new_role="staff")
    check_owner_remains([ALICE, BOB, CAROL], ALICE, new_role=None)


def test_a_disabled_owner_does_not_count() -> None:
    disabled = Person("bob", "owner", enabled=False)
    with pytest.raises(ConflictError):
        check_owner_remains([ALICE, disabled], ALICE, new_role=None)


def test_a_role_shared_with_a_shop_the_caller_does_not_run_cannot_change() -> None:
    elsewhere = Person("dave", "owner", shops=["mikan", "sakura"])
    with pytest.raises(ForbiddenError) as refused:
        check_role_change_allowed(elsewhere, shop_id="mikan", caller_shops=["mikan"], new_role="staff")
    assert refused.value.code == "role_shared"
    assert "sakura" not in refused.value.message_ja + refused.value.message_en
    check_role_change_allowed(elsewhere, shop_id="mikan", caller_shops=["mikan"], new_role="owner")
    check_role_change_allowed(elsewhere, shop_id="mikan", caller_shops=["mikan", "sakura"], new_role="staff")


def test_a_newcomer_from_another_shop_may_join_with_the_same_role() -> None:
    newcomer = Person("erin", "staff", shops=["sakura"])
    check_role_change_allowed(newcomer, shop_id="mikan", caller_shops=["mikan"], new_role="staff")
    with pytest.raises(ForbiddenError):
        check_role_change_allowed(newcomer, shop_id="mikan", caller_shops=["mikan"], new_role="manager")
