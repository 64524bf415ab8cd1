"""The shop's operators through the admin API (owner only), on moto's Cognito user pool."""

from __future__ import annotations

from typing import Any

from tests.integration.api.conftest import Api
from tests.integration.api.ops_helpers import audit_entries
from tests.integration.pipeline.conftest import SHOP_ID

BASE = f"/api/shops/{SHOP_ID}"


def users(api: Api) -> dict[str, dict[str, Any]]:
    answer = api.owner.get(f"{BASE}/users")
    assert answer.status == 200, answer.text
    return {user["email"]: user for user in answer.json()}


def username(api: Api, email: str) -> str:
    return api.stack.admin.users.get(email).username


def test_the_owner_lists_the_shops_operators_and_nothing_of_other_shops(api: Api) -> None:
    listed = users(api)
    assert set(listed) == {  # nobody has no role in the shop, so is not in it
        "owner@okaeri.test",
        "manager@okaeri.test",
        "staff@okaeri.test",
    }
    assert listed["manager@okaeri.test"]["role"] == "manager"
    assert listed["owner@okaeri.test"]["enabled"] is True
    assert all(set(user) == {"username", "email", "role", "enabled", "status"} for user in listed.values())
    assert "sakura-farm" not in api.owner.get(f"{BASE}/users").text


def test_managers_and_outsiders_cannot_manage_users(api: Api) -> None:
    answer = api.manager.get(f"{BASE}/users")
    assert (answer.status, answer.error_code) == (403, "forbidden_role")
    answer = api.manager.post(f"{BASE}/users", {"email": "new@okaeri.test", "role": "staff"})
    assert (answer.status, answer.error_code) == (403, "forbidden_role")
    answer = api.outsider.get(f"{BASE}/users")
    assert (answer.status, answer.error_code) == (403, "forbidden_shop")
    assert "new@okaeri.test" not in users(api)


def test_an_invitation_creates_the_user_once_and_grants_nothing_until_accepted(api: Api) -> None:
    key = {"Idempotency-Key": "invite-new"}
    first = api.owner.post(f"{BASE}/users", {"email": "new@okaeri.test", "role": "staff"}, headers=key)
    assert first.status == 201, first.text
    assert (first.json()["email"], first.json()["role"]) == ("new@okaeri.test", "staff")
    assert (first.json()["status"], first.json()["enabled"]) == ("invited", True)
    second = api.owner.post(f"{BASE}/users", {"email": "new@okaeri.test", "role": "staff"}, headers=key)
    assert second.json() == first.json()
    assert second.headers["idempotent-replayed"] == "true"
    assert (users(api)["new@okaeri.test"]["role"], users(api)["new@okaeri.test"]["status"]) == (
        "staff",
        "invited",
    )
    account = api.stack.admin.users.get("new@okaeri.test")
    assert (account.roles, account.invitations) == ({}, {SHOP_ID: "staff"})
    assert account.status == "FORCE_CHANGE_PASSWORD"  # Cognito mailed a temporary password
    [entry] = [e for e in audit_entries(api) if e["action"] == "user.invite"]
    assert (entry["detail"]["email"], entry["detail"]["by"]) == ("new@okaeri.test", "owner@okaeri.test")


def test_bad_invitations_are_refused(api: Api) -> None:
    for body in (
        {"email": "not-an-address", "role": "staff"},
        {"email": "a@okaeri.test", "role": "king"},
        {},
    ):
        answer = api.owner.post(f"{BASE}/users", body)
        assert answer.status == 422, body
        assert answer.json()["error"]["details"]


def test_inviting_someone_already_in_the_shop_is_refused_and_changes_nothing(api: Api) -> None:
    answer = api.owner.post(f"{BASE}/users", {"email": "staff@okaeri.test", "role": "owner"})
    assert (answer.status, answer.error_code) == (409, "already_member")
    assert users(api)["staff@okaeri.test"]["role"] == "staff"


def test_an_invitation_is_withdrawn_by_removing_it(api: Api) -> None:
    invited = api.owner.post(f"{BASE}/users", {"email": "later@okaeri.test", "role": "manager"}).json()
    answer = api.owner.delete(f"{BASE}/users/{invited['username']}")
    assert answer.json() == {"username": invited["username"], "removed": True}
    assert "later@okaeri.test" not in users(api)
    account = api.stack.admin.users.get("later@okaeri.test")
    assert (account.roles, account.invitations, account.enabled) == ({}, {}, False)


def test_the_owner_changes_a_role(api: Api) -> None:
    staff = username(api, "staff@okaeri.test")
    answer = api.owner.put(f"{BASE}/users/{staff}/role", {"role": "manager"})
    assert answer.status == 200, answer.text
    assert answer.json()["role"] == "manager"
    assert users(api)["staff@okaeri.test"]["role"] == "manager"
    [entry] = [e for e in audit_entries(api) if e["action"] == "user.role"]
    assert (entry["detail"]["role"], entry["detail"]["was"]) == ("manager", "staff")
    assert api.owner.put(f"{BASE}/users/{staff}/role", {"role": "shogun"}).status == 422


def test_the_last_owner_can_neither_step_down_nor_leave(api: Api) -> None:
    me = username(api, "owner@okaeri.test")
    answer = api.owner.put(f"{BASE}/users/{me}/role", {"role": "manager"})
    assert (answer.status, answer.error_code) == (409, "last_owner")
    answer = api.owner.delete(f"{BASE}/users/{me}")
    assert (answer.status, answer.error_code) == (409, "last_owner")
    assert users(api)["owner@okaeri.test"]["role"] == "owner"
    manager = username(api, "manager@okaeri.test")
    assert api.owner.put(f"{BASE}/users/{manager}/role", {"role": "owner"}).status == 200
    answer = api.owner.put(f"{BASE}/users/{me}/role", {"role": "manager"})
    assert answer.status == 200, answer.text


def test_removing_a_user_takes_only_this_shop_and_a_reinvitation_restores_them(api: Api) -> None:
    staff = username(api, "staff@okaeri.test")
    answer = api.owner.delete(f"{BASE}/users/{staff}")
    assert answer.json() == {"username": staff, "removed": True}
    assert "staff@okaeri.test" not in users(api)
    account = api.stack.admin.users.get(staff)
    assert (account.shops, account.enabled) == ([], False)  # no shop left: disabled, not deleted
    assert api.owner.delete(f"{BASE}/users/{staff}").status == 404
    [entry] = [e for e in audit_entries(api) if e["action"] == "user.remove"]
    assert entry["detail"]["email"] == "staff@okaeri.test"
    back = api.owner.post(f"{BASE}/users", {"email": "staff@okaeri.test", "role": "staff"})
    assert back.status == 201, back.text
    assert (back.json()["enabled"], back.json()["status"]) == (True, "invited")
    assert api.stack.admin.users.get(staff).enabled is True  # so that they can sign in to accept
    assert api.signed_in("staff@okaeri.test").post(f"/api/invitations/{SHOP_ID}/accept").status == 200
    assert users(api)["staff@okaeri.test"]["status"] == "CONFIRMED"


def test_users_of_other_shops_and_unknown_users_are_not_found(api: Api) -> None:
    outsider = username(api, "outsider@okaeri.test")
    for path in (f"{BASE}/users/{outsider}", f"{BASE}/users/no-such-user", f"{BASE}/users/bad%20name"):
        assert api.owner.delete(path).status == 404, path
        assert api.owner.put(f"{path}/role", {"role": "staff"}).status == 404, path
    assert api.stack.admin.users.get(outsider).roles == {"sakura-farm": "owner"}
