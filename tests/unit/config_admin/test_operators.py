"""Who may change whom: a shop keeps an owner; a role belongs to (operator, shop); the membership
format the token reader and the Cognito adapter share; the caller's role is the one in the shop."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from okaeri.api.auth import caller_from_claims, require
from okaeri.errors import ConflictError, ForbiddenError
from okaeri.membership import Role, format_memberships, parse_memberships
from okaeri.services.operators import check_not_member, check_owner_remains


@dataclass
class Person:
    username: str
    roles: dict[str, Role] = field(default_factory=dict)
    enabled: bool = True

    def role_in(self, shop_id: str) -> Role | None:
        return self.roles.get(shop_id)


ALICE = Person("alice", {"mikan": "owner"})
BOB = Person("bob", {"mikan": "owner"})
CAROL = Person("carol", {"mikan": "manager"})


def test_the_last_owner_can_be_neither_demoted_nor_removed() -> None:
    members = [ALICE, CAROL]
    for new_role in ("manager", "staff", None):
        with pytest.raises(ConflictError) as refused:
            check_owner_remains(members, ALICE, shop_id="mikan", new_role=new_role)
        assert refused.value.code == "last_owner"
    check_owner_remains(members, ALICE, shop_id="mikan", new_role="owner")
    check_owner_remains(members, CAROL, shop_id="mikan", new_role=None)


def test_with_another_owner_an_owner_may_go() -> None:
    check_owner_remains([ALICE, BOB, CAROL], ALICE, shop_id="mikan", new_role="staff")
    check_owner_remains([ALICE, BOB, CAROL], ALICE, shop_id="mikan", new_role=None)


def test_a_disabled_owner_does_not_count() -> None:
    disabled = Person("bob", {"mikan": "owner"}, enabled=False)
    with pytest.raises(ConflictError):
        check_owner_remains([ALICE, disabled], ALICE, shop_id="mikan", new_role=None)


def test_an_owner_of_another_shop_is_not_an_owner_here() -> None:
    elsewhere = Person("dave", {"mikan": "staff", "sakura": "owner"})
    with pytest.raises(ConflictError):
        check_owner_remains([ALICE, elsewhere], ALICE, shop_id="mikan", new_role="staff")
    check_owner_remains([elsewhere], elsewhere, shop_id="mikan", new_role=None)  # staff here


def test_only_someone_already_in_the_shop_cannot_be_invited_to_it() -> None:
    with pytest.raises(ConflictError) as refused:
        check_not_member(CAROL, shop_id="mikan")
    assert refused.value.code == "already_member"
    check_not_member(CAROL, shop_id="sakura")
    check_not_member(None, shop_id="mikan")


def test_memberships_are_shop_role_pairs_and_an_old_bare_shop_takes_the_group_role() -> None:
    assert parse_memberships("mikan:owner, sakura:staff") == {"mikan": "owner", "sakura": "staff"}
    assert parse_memberships("mikan,sakura:staff", legacy_role="manager") == {
        "mikan": "manager",
        "sakura": "staff",
    }
    assert parse_memberships("mikan,sakura:staff") == {"sakura": "staff"}  # no group, no role
    assert parse_memberships("mikan:king,Bad Shop:owner,:owner,mikan:staff,") == {"mikan": "staff"}
    assert parse_memberships(None) == parse_memberships("") == {}
    assert format_memberships({"mikan": "owner", "sakura": "staff"}) == "mikan:owner,sakura:staff"
    roles: dict[str, Role] = {"a": "staff", "b": "owner"}
    assert parse_memberships(format_memberships(roles)) == roles


def test_the_callers_role_is_the_one_in_the_shop_asked_for() -> None:
    caller = caller_from_claims(
        {"sub": "s-1", "cognito:groups": "[owner]", "custom:shops": "mikan:staff,sakura:owner"}
    )
    assert caller.shops == ("mikan", "sakura")
    require(caller, "sakura", "owner")
    require(caller, "mikan", "staff")
    with pytest.raises(ForbiddenError) as refused:
        require(caller, "mikan", "manager")  # the owner group does not lift the role in mikan
    assert refused.value.code == "forbidden_role"
    with pytest.raises(ForbiddenError) as refused:
        require(caller, "ringo", "staff")
    assert refused.value.code == "forbidden_shop"


def test_a_caller_with_no_role_anywhere_is_signed_in_and_reaches_no_shop() -> None:
    caller = caller_from_claims({"sub": "s-2", "custom:shops": "mikan"})
    assert (caller.roles, caller.username) == ((), "s-2")
    with pytest.raises(ForbiddenError):
        require(caller, "mikan", "staff")
