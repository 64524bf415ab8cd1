"""The shop's operators through the admin API over the fakes (owner only; ``FakeOperators``)."""

from __future__ import annotations

from typing import Any

from tests.unit.api.conftest import BASE, OTHER_SHOP, Admin
from tests.unit.services.support import SHOP_ID


def users(admin: Admin) -> dict[str, dict[str, Any]]:
    answer = admin.owner.get(f"{BASE}/users")
    assert answer.status == 200, answer.text
    return {user["email"]: user for user in answer.json()}


def actions(admin: Admin) -> list[tuple[str, dict[str, Any]]]:
    return [(entry.action, dict(entry.detail)) for entry in admin.world.logs.audits]


def test_the_owner_lists_the_shops_operators_and_only_their_role_here(admin: Admin) -> None:
    listed = users(admin)
    assert set(listed) == {"owner@okaeri.test", "manager@okaeri.test", "staff@okaeri.test"}
    assert listed["owner@okaeri.test"] == {
        "username": "owner@okaeri.test",
        "email": "owner@okaeri.test",
        "role": "owner",
        "enabled": True,
        "status": "CONFIRMED",
    }
    answer = admin.manager.get(f"{BASE}/users")
    assert (answer.status, answer.error_code) == (403, "forbidden_role")


def test_an_invitation_grants_nothing_until_accepted(admin: Admin) -> None:
    key = {"Idempotency-Key": "invite-1"}
    first = admin.owner.post(f"{BASE}/users", {"email": "new@okaeri.test", "role": "staff"}, headers=key)
    assert first.status == 201, first.text
    assert first.json() == {
        "username": "new@okaeri.test",
        "email": "new@okaeri.test",
        "role": "staff",
        "enabled": True,
        "status": "invited",
    }
    again = admin.owner.post(f"{BASE}/users", {"email": "new@okaeri.test", "role": "staff"}, headers=key)
    assert (again.status, again.json()) == (201, first.json())
    new = admin.world.users.find("new@okaeri.test")
    assert new is not None
    assert (new.roles, new.invitations) == ({}, {SHOP_ID: "staff"})
    assert actions(admin) == [
        ("user.invite", {"user": "new@okaeri.test", "email": "new@okaeri.test", "role": "staff",
                         "by": "owner@okaeri.test"}),
    ]  # fmt: skip
    answer = admin.owner.post(f"{BASE}/users", {"email": "staff@okaeri.test", "role": "manager"})
    assert (answer.status, answer.error_code) == (409, "already_member")


def test_the_owner_changes_a_role_and_the_last_owner_stays(admin: Admin) -> None:
    answer = admin.owner.put(f"{BASE}/users/staff@okaeri.test/role", {"role": "manager"})
    assert (answer.status, answer.json()["role"]) == (200, "manager")
    unchanged = admin.owner.put(f"{BASE}/users/staff@okaeri.test/role", {"role": "manager"})
    assert unchanged.status == 200
    assert [action for action, _ in actions(admin)] == ["user.role"]  # the same role is no change
    answer = admin.owner.put(f"{BASE}/users/owner@okaeri.test/role", {"role": "staff"})
    assert (answer.status, answer.error_code) == (409, "last_owner")
    answer = admin.owner.delete(f"{BASE}/users/owner@okaeri.test")
    assert (answer.status, answer.error_code) == (409, "last_owner")


def test_removing_takes_only_this_shop(admin: Admin) -> None:
    admin.world.users.add("both@okaeri.test", {SHOP_ID: "staff", OTHER_SHOP: "manager"})
    answer = admin.owner.delete(f"{BASE}/users/both@okaeri.test")
    assert (answer.status, answer.json()) == (200, {"username": "both@okaeri.test", "removed": True})
    both = admin.world.users.find("both@okaeri.test")
    assert both is not None
    assert (both.roles, both.enabled) == ({OTHER_SHOP: "manager"}, True)
    answer = admin.owner.delete(f"{BASE}/users/staff@okaeri.test")
    assert answer.status == 200
    staff = admin.world.users.find("staff@okaeri.test")
    assert staff is not None
    assert staff.enabled is False  # no shop and no invitation left: disabled, not deleted
    assert admin.owner.delete(f"{BASE}/users/staff@okaeri.test").status == 404
    assert admin.owner.delete(f"{BASE}/users/outsider@okaeri.test").status == 404
    assert admin.owner.put(f"{BASE}/users/no%20such/role", {"role": "staff"}).status == 404


def test_the_invited_person_accepts_or_declines(admin: Admin) -> None:
    admin.owner.post(f"{BASE}/users", {"email": "new@okaeri.test", "role": "manager"})
    admin.owner.post(f"/api/shops/{OTHER_SHOP}/users", {"email": "new@okaeri.test", "role": "staff"})
    new = admin.owner.as_user(
        {"sub": "sub-new", "cognito:username": "new@okaeri.test", "email": "new@okaeri.test"}
    )
    me = new.get("/api/me").json()
    assert [(i["shop"], i["role"]) for i in me["invitations"]] == [
        (SHOP_ID, "manager"),
        (OTHER_SHOP, "staff"),
    ]
    accepted = new.post(f"/api/invitations/{SHOP_ID}/accept")
    assert accepted.json() == {"shop": SHOP_ID, "role": "manager", "accepted": True}
    assert new.post(f"/api/invitations/{OTHER_SHOP}/decline").json()["accepted"] is False
    assert new.post(f"/api/invitations/{SHOP_ID}/accept").error_code == "no_invitation"
    user = admin.world.users.find("new@okaeri.test")
    assert user is not None
    assert (user.roles, user.invitations) == ({SHOP_ID: "manager"}, {})
    answers = [(entry.shop_id, entry.action, entry.detail["by"]) for entry in admin.world.logs.audits][-2:]
    assert answers == [
        (SHOP_ID, "user.accept", "new@okaeri.test"),
        (OTHER_SHOP, "user.decline", "new@okaeri.test"),
    ]
