"""The admin API over the in-memory fakes (``tests/fakes.py``), as the pipeline's services are tested:
the very routes and services, every store a fake, callers as API Gateway's JWT authorizer passes them.

| client | role |
| --- | --- |
| ``owner`` | owner of the fixture shop and of ``sakura-farm`` |
| ``manager`` | manager of the fixture shop |
| ``staff`` | staff of the fixture shop |
| ``outsider`` | owner of another shop only |

The other shop, ``sakura-farm``, has the fixture shop's settings and nothing else, as on the moto stack.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest

from okaeri.api import build_api
from okaeri.membership import parse_memberships
from tests.support.api_client import ApiClient
from tests.support.operations import ORDER_MAILS, Planned
from tests.unit.services.support import SHOP_ID, World, fixture_shop

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
    world.config.add_shop(fixture_shop().model_copy(update={"id": OTHER_SHOP, "name": "さくら農園"}))
    for name, shops in OPERATORS.items():
        world.users.add(f"{name}@okaeri.test", parse_memberships(shops))
    anonymous = ApiClient(build_api(world.admin_deps()))
    clients = {name: anonymous.as_user(claims(name, shops)) for name, shops in OPERATORS.items()}
    return Admin(world=world, **clients)


#: When the fixture orders arrive: 2026-11-30 07:00 in Tokyo, as on the moto stack (``tests/integration/api``).
RECEIVED = datetime(2026, 11, 29, 22, 0, tzinfo=UTC)


def plan_orders(admin: Admin, mails: Sequence[str] = ORDER_MAILS) -> Planned:
    """The fixture order mails received at ``RECEIVED`` and planned: twelve deliveries of four buyers."""
    admin.world.clock.set(RECEIVED)
    for name in mails:
        assert admin.world.receive(name).result == "parsed", name
    admin.world.pump()
    return Planned.of_all(admin.world.deliveries.all())


def audited(admin: Admin, action: str) -> list[dict[str, Any]]:
    """The details of the audit entries of ``action`` (``delivery.stop`` …), oldest first."""
    return [dict(entry.detail) for entry in admin.world.logs.audits if entry.action == action]


ROLES = ("staff", "manager", "owner")


def refused_below(admin: Admin, least: str, method: str, path: str, **request: Any) -> None:
    """Everyone short of ``least`` in the shop is refused: a lesser role 403 ``forbidden_role``, the
    owner of another shop 403 ``forbidden_shop``, a request without a token 401."""
    for name in ROLES[: ROLES.index(least)]:
        answer = getattr(admin, name).request(method, path, **request)
        assert (answer.status, answer.error_code) == (403, "forbidden_role"), name
    answer = admin.outsider.request(method, path, **request)
    assert (answer.status, answer.error_code) == (403, "forbidden_shop")
    assert admin.owner.as_user(None).request(method, path, **request).status == 401


def fire_until(admin: Admin, moment: datetime) -> int:
    """Every wake-up due by ``moment`` fires in time order, the clock at its time, as EventBridge
    Scheduler fires them; then the clock is at ``moment``. How many fired."""
    world, fired = admin.world, 0
    while (due := world.schedules.next_at()) is not None and due <= moment:
        world.clock.set(max(world.clock.now(), due))
        fired += len(world.fire())
    world.clock.set(moment)
    return fired
