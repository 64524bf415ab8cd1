"""The admin API over the in-memory fakes (``tests/fakes.py``), as the pipeline's services are tested:
the very routes and services, every store a fake, callers as API Gateway's JWT authorizer passes them.

| client | role |
| --- | --- |
| ``owner`` | owner of the fixture shop and of ``sakura-farm`` |
| ``manager`` | manager of the fixture shop |
| ``staff`` | staff of the fixture shop |
| ``outsider`` | owner of another shop only |
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from okaeri.api import build_api
from okaeri.membership import parse_memberships
from tests.support.api_client import ApiClient
from tests.unit.services.support import SHOP_ID, World

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
BASE = f"/api/shops/{SHOP_ID}"


def claims(name: str, shops: str) -> dict[str, str]:
    return {"sub": f"sub-{name}", "email": f"{name}@okaeri.test", "custom:shops": shops}


OTHER_SHOP = "sakura-farm"
#: The operators in the users' store, and their ``custom:shops`` claim.
OPERATORS = {
    "owner": f"{SHOP_ID}:owner,{OTHER_SHOP}:owner",
    "manager": f"{SHOP_ID}:manager",
    "staff": f"{SHOP_ID}:staff",
    "outsider": f"{OTHER_SHOP}:owner",
}


@dataclass
class Admin:
    world: World
    owner: ApiClient
    manager: ApiClient
    staff: ApiClient
    outsider: ApiClient


@pytest.fixture
def admin() -> Admin:
    world = World.create(NOW)
    for name, shops in OPERATORS.items():
        world.users.add(f"{name}@okaeri.test", parse_memberships(shops))
    anonymous = ApiClient(build_api(world.admin_deps()))
    clients = {name: anonymous.as_user(claims(name, shops)) for name, shops in OPERATORS.items()}
    return Admin(world=world, **clients)
