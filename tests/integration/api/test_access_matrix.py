"""Every shop route × every role, and every shop route with another shop's ids.

The routes come from the served OpenAPI document, so a route added later is covered without
touching this file; each declares the least role it needs (``x-okaeri-role``), which the resolver
enforces before anything else (``okaeri.api.resolver``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from okaeri.api.auth import ROLE_RANK
from okaeri.api.resolver import ROLE_EXTENSION
from tests.integration.api.conftest import OTHER_SHOP, Api
from tests.integration.pipeline.conftest import SHOP_ID

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
