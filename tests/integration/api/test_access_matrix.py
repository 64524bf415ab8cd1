"""Every shop route × every role, and every shop route with another shop's ids.

The routes come from the served OpenAPI document, so a route added later is covered without
touching this file; each declares the least role it needs (``x-okaeri-role``), which the resolver
enforces before anything else (``okaeri.api.resolver``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from okaeri.api.auth import ROLE_RANK
from okaeri.api.resolver import ROLE_EXTENSION
from tests.integration.api.conftest import OTHER_SHOP, Api, sign_in
from tests.integration.conftest import REGION
from tests.integration.pipeline.conftest import SHOP_ID
from tests.support.api_client import ApiClient

SHOP_PREFIX = "/api/shops/{shop_id}"
#: The API must keep at least this many shop routes (a registration lost would shrink the list).
MIN_SHOP_OPERATIONS = 1
PARAMETER = re.compile(r"\{([^}]+)\}")


def shop_operations(document: dict[str, Any]) -> Iterator[tuple[str, str, str | None]]:
    for path, item in document["paths"].items():
        if not path.startswith(SHOP_PREFIX):
            continue
        for method, operation in item.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                yield method.upper(), path, operation.get(ROLE_EXTENSION)


def concrete(path: str, shop_id: str) -> str:
    """The path with the shop filled in and every other parameter an id that does not exist."""
    return PARAMETER.sub(lambda match: shop_id if match.group(1) == "shop_id" else "no-such-id", path)


@pytest.fixture
def operations(api: Api) -> list[tuple[str, str, str | None]]:
    found = list(shop_operations(api.anonymous.get("/api/openapi.json").json()))
    assert len(found) >= MIN_SHOP_OPERATIONS
    return found


def test_every_shop_route_declares_its_role(operations: list[tuple[str, str, str | None]]) -> None:
    undeclared = [f"{method} {path}" for method, path, role in operations if role not in ROLE_RANK]
    assert undeclared == []


def test_each_role_reaches_exactly_the_routes_its_rank_allows(
    api: Api, operations: list[tuple[str, str, str | None]]
) -> None:
    wrong: list[str] = []
    for method, path, role in operations:
        assert role is not None
        for user in ("staff", "manager", "owner"):
            answer = api.client(user).request(method, concrete(path, SHOP_ID), json_body={})
            allowed = ROLE_RANK[user] >= ROLE_RANK[role]
            if allowed and (answer.status == 403 or answer.status >= 500):
                wrong.append(f"{user} {method} {path}: {answer.status} {answer.text[:200]}")
            if not allowed and (answer.status, answer.error_code) != (403, "forbidden_role"):
                wrong.append(f"{user} {method} {path}: {answer.status}, expected 403 forbidden_role")
    assert wrong == []


def test_another_shops_routes_answer_403_and_nothing_else(
    api: Api, operations: list[tuple[str, str, str | None]]
) -> None:
    """``outsider`` owns sakura-farm only: every route of mikan-sanbo refuses them, saying nothing."""
    wrong: list[str] = []
    for method, path, _ in operations:
        answer = api.outsider.request(method, concrete(path, SHOP_ID), json_body={})
        if answer.status != 403 or answer.error_code != "forbidden_shop" or set(answer.json()) != {"error"}:
            wrong.append(f"{method} {path}: {answer.status} {answer.text[:200]}")
        assert SHOP_ID not in answer.text.replace(path, "")
    assert wrong == []


def test_without_a_token_every_shop_route_is_401(
    api: Api, operations: list[tuple[str, str, str | None]]
) -> None:
    statuses = {
        f"{method} {path}": api.anonymous.request(method, concrete(path, OTHER_SHOP), json_body={}).status
        for method, path, _ in operations
    }
    assert set(statuses.values()) == {401}, statuses


def test_a_user_without_a_role_is_refused_everywhere(
    api: Api, operations: list[tuple[str, str, str | None]]
) -> None:
    statuses = {
        api.nobody.request(method, concrete(path, SHOP_ID), json_body={}).status
        for method, path, _ in operations
    }
    assert statuses == {403}


# Roles are per shop (issue #13): a role belongs to (operator, shop). ``outsider`` owns sakura-farm,
# ``staff`` is staff of mikan-sanbo, and ``shop_a_owner`` owns mikan-sanbo and nothing else.

OTHER = f"/api/shops/{OTHER_SHOP}"
HOME = f"/api/shops/{SHOP_ID}"


def only_owner_of(api: Api, shop_id: str, name: str) -> ApiClient:
    settings = api.stack.admin.settings
    claims = sign_in(
        settings.user_pool_id, settings.user_pool_client_id, f"{name}@okaeri.test", f"{shop_id}:owner"
    )
    return api.anonymous.as_user(claims)


def test_inviting_an_operator_of_another_shop_answers_as_for_a_new_address_and_grants_nothing(
    api: Api,
) -> None:
    existing = api.outsider.post(f"{OTHER}/users", {"email": "staff@okaeri.test", "role": "staff"})
    new = api.outsider.post(f"{OTHER}/users", {"email": "fresh@okaeri.test", "role": "staff"})
    assert (existing.status, new.status) == (201, 201), (existing.text, new.text)
    assert existing.headers == new.headers
    shape = {key: value for key, value in existing.json().items() if key not in {"username", "email"}}
    assert shape == {key: value for key, value in new.json().items() if key not in {"username", "email"}}
    assert shape == {"role": "staff", "enabled": True, "status": "invited"}
    assert set(existing.json()) == set(new.json())
    assert SHOP_ID not in existing.text
    listed = {user["email"]: user for user in api.outsider.get(f"{OTHER}/users").json()}
    assert {k: v for k, v in listed["staff@okaeri.test"].items() if k not in {"username", "email"}} == {
        k: v for k, v in listed["fresh@okaeri.test"].items() if k not in {"username", "email"}
    }
    # the person has joined nothing: a fresh token reaches only the shop they were in
    staff = api.signed_in("staff@okaeri.test")
    answer = staff.get(f"{OTHER}/orders")
    assert (answer.status, answer.error_code) == (403, "forbidden_shop")
    assert [shop["id"] for shop in staff.get("/api/me").json()["shops"]] == [SHOP_ID]
    assert api.stack.admin.users.get("staff@okaeri.test").roles == {SHOP_ID: "staff"}


def test_an_invited_operator_sees_the_invitation_and_joins_by_accepting(api: Api) -> None:
    assert (
        api.outsider.post(f"{OTHER}/users", {"email": "staff@okaeri.test", "role": "manager"}).status == 201
    )
    me = api.staff.get("/api/me").json()  # the token from before the invitation: read fresh
    assert me["invitations"] == [{"shop": OTHER_SHOP, "name": "さくら農園", "role": "manager"}]
    assert api.manager.post(f"/api/invitations/{OTHER_SHOP}/accept").error_code == "no_invitation"
    answer = api.staff.post(f"/api/invitations/{OTHER_SHOP}/accept")
    assert answer.status == 200, answer.text
    assert answer.json() == {"shop": OTHER_SHOP, "role": "manager", "accepted": True}
    staff = api.signed_in("staff@okaeri.test")
    me = staff.get("/api/me").json()
    assert [(shop["id"], shop["role"]) for shop in me["shops"]] == [
        (SHOP_ID, "staff"),
        (OTHER_SHOP, "manager"),
    ]
    assert me["invitations"] == []
    assert staff.get(f"{OTHER}/orders").status == 200
    assert staff.put(f"{OTHER}/settings", {}).error_code != "forbidden_role"  # manager there
    assert staff.put(f"{HOME}/settings", {}).error_code == "forbidden_role"  # still staff here
    assert api.staff.post(f"/api/invitations/{OTHER_SHOP}/accept").error_code == "no_invitation"
    listed = {user["email"]: user for user in api.outsider.get(f"{OTHER}/users").json()}
    assert (listed["staff@okaeri.test"]["role"], listed["staff@okaeri.test"]["status"]) == (
        "manager",
        "CONFIRMED",
    )


def test_a_declined_invitation_leaves_everything_as_it_was(api: Api) -> None:
    assert api.outsider.post(f"{OTHER}/users", {"email": "staff@okaeri.test", "role": "owner"}).status == 201
    answer = api.staff.post(f"/api/invitations/{OTHER_SHOP}/decline")
    assert answer.json() == {"shop": OTHER_SHOP, "role": "owner", "accepted": False}
    assert api.staff.get("/api/me").json()["invitations"] == []
    assert api.staff.post(f"/api/invitations/{OTHER_SHOP}/accept").status == 404
    account = api.stack.admin.users.get("staff@okaeri.test")
    assert (account.roles, account.invitations, account.enabled) == ({SHOP_ID: "staff"}, {}, True)
    assert "staff@okaeri.test" not in {user["email"] for user in api.outsider.get(f"{OTHER}/users").json()}
    assert api.signed_in("staff@okaeri.test").get(f"{OTHER}/orders").status == 403


def test_each_shops_owner_changes_only_their_own_shops_role(api: Api) -> None:
    shop_a_owner = only_owner_of(api, SHOP_ID, "shop-a-owner")
    assert api.outsider.post(f"{OTHER}/users", {"email": "staff@okaeri.test", "role": "staff"}).status == 201
    assert api.staff.post(f"/api/invitations/{OTHER_SHOP}/accept").status == 200
    staff = api.stack.admin.users.get("staff@okaeri.test").username
    # the other shop's owner cannot reach this shop's role…
    answer = api.outsider.put(f"{HOME}/users/{staff}/role", {"role": "owner"})
    assert (answer.status, answer.error_code) == (403, "forbidden_shop")
    # …and each owner changes the role in their own shop, which holds there only
    answer = shop_a_owner.put(f"{HOME}/users/{staff}/role", {"role": "manager"})
    assert (answer.status, answer.json()["role"]) == (200, "manager"), answer.text
    answer = api.outsider.put(f"{OTHER}/users/{staff}/role", {"role": "owner"})
    assert (answer.status, answer.json()["role"]) == (200, "owner"), answer.text
    assert api.stack.admin.users.get(staff).roles == {SHOP_ID: "manager", OTHER_SHOP: "owner"}
    answer = shop_a_owner.put(f"{HOME}/users/{staff}/role", {"role": "staff"})
    assert answer.status == 200, answer.text
    assert api.stack.admin.users.get(staff).roles == {SHOP_ID: "staff", OTHER_SHOP: "owner"}
    # an owner here is nobody there: shop A's owner cannot touch shop B's users
    answer = shop_a_owner.put(f"{OTHER}/users/{staff}/role", {"role": "staff"})
    assert (answer.status, answer.error_code) == (403, "forbidden_shop")
    fresh = api.signed_in("staff@okaeri.test")
    assert fresh.put(f"{HOME}/settings", {}).error_code == "forbidden_role"
    assert [(s["id"], s["role"]) for s in fresh.get("/api/me").json()["shops"]] == [
        (SHOP_ID, "staff"),
        (OTHER_SHOP, "owner"),
    ]
    # removal from one shop leaves the other
    assert api.outsider.delete(f"{OTHER}/users/{staff}").status == 200
    assert api.stack.admin.users.get(staff).roles == {SHOP_ID: "staff"}


def test_a_role_written_before_roles_were_per_shop_reads_as_the_users_group(api: Api) -> None:
    """Accounts of the old format (bare shop ids, one role group) keep working; the first change
    spells every entry out, so a change in one shop leaves the other at the old role."""
    cognito = boto3.client("cognito-idp", region_name=REGION)  # the old format is written raw
    pool = api.stack.admin.settings.user_pool_id
    settings = api.stack.admin.settings
    sign_in(pool, settings.user_pool_client_id, "legacy@okaeri.test", f"{SHOP_ID},{OTHER_SHOP}")
    cognito.admin_add_user_to_group(UserPoolId=pool, Username="legacy@okaeri.test", GroupName="manager")
    legacy = api.signed_in("legacy@okaeri.test")
    assert [(s["id"], s["role"]) for s in legacy.get("/api/me").json()["shops"]] == [
        (SHOP_ID, "manager"),
        (OTHER_SHOP, "manager"),
    ]
    username = api.stack.admin.users.get("legacy@okaeri.test").username
    assert api.outsider.put(f"{OTHER}/users/{username}/role", {"role": "staff"}).status == 200
    assert api.stack.admin.users.get(username).roles == {SHOP_ID: "manager", OTHER_SHOP: "staff"}
