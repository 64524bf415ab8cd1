"""The admin API resolves each request with its area's routes only: the area a path names must be the
module that registers the path's routes, every route of the full resolver must be reachable that
way, and a request answers the same through its area as through the resolver of every route."""

from __future__ import annotations

import re
import sys
from typing import Any
from unittest import mock

import pytest

from okaeri.api.app import EVERY, AdminApi, build_api
from okaeri.api.resolver import AdminResolver
from okaeri.api.routes import AREAS, area_of, registrar
from tests.support.api_client import ApiClient
from tests.unit.api.conftest import BASE, Admin


def sample_path(route_path: str) -> str:
    return re.sub(r"<[^>]+>", "x1", route_path)


@pytest.mark.parametrize("area", AREAS)
def test_every_route_of_an_area_is_found_by_its_path(area: str) -> None:
    app = AdminResolver()
    registrar(area)(app, mock.MagicMock())  # registering uses no dependency yet
    paths = {route.path for route in [*app._static_routes, *app._dynamic_routes]}
    assert paths
    assert {path: area_of(sample_path(path)) for path in paths} == dict.fromkeys(paths, area)


def test_the_areas_together_hold_every_route_of_the_full_resolver() -> None:
    full = build_api(mock.MagicMock()).resolver(EVERY)
    paths = {route.path for route in [*full._static_routes, *full._dynamic_routes]}
    assert {path for path in paths if area_of(sample_path(path)) is None} == {"/api/openapi.json"}


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/assets/app.js",
        "/api",
        "/api/shops",
        "/api/shops/x1",
        "/api/shops/x1/nothing",
        "/api/meta",
        "/u",
    ],
)
def test_a_path_no_area_serves_goes_to_the_page(path: str) -> None:
    assert area_of(path) is None


def test_a_request_imports_and_builds_only_its_own_area(admin: Admin) -> None:
    api = admin.owner.app
    assert api._resolvers == {}
    assert admin.owner.get(f"{BASE}/settings").status == 200
    assert set(api._resolvers) == {"shop"}
    assert admin.owner.get(f"{BASE}/scenarios").status == 200
    assert set(api._resolvers) == {"shop", "scenarios"}
    assert "okaeri.api.routes.scenarios" in sys.modules


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", f"{BASE}/settings"),
        ("GET", f"{BASE}/scenarios"),
        ("DELETE", f"{BASE}/settings"),  # a method the path does not take
        ("GET", f"{BASE}/nothing"),
        ("GET", "/api/me"),
        ("GET", "/api/shops/sakura-farm/dashboard"),  # another shop: 403 before anything
        ("GET", "/nothing.html"),
        ("GET", "/config.json"),
    ],
)
def test_a_request_answers_through_its_area_as_through_every_route(
    admin: Admin, method: str, path: str
) -> None:
    lazy = admin.manager
    full = ApiClient(EveryRoute(lazy.app.deps), lazy.claims)
    by_area, by_all = lazy.request(method, path), full.request(method, path)
    assert (by_area.status, by_area.body) == (by_all.status, by_all.body)


class EveryRoute(AdminApi):
    """The API with every request going to the resolver of every route."""

    def resolve(self, event: dict[str, Any], context: Any = None) -> dict[str, Any]:
        return self.resolver(EVERY).resolve(event, context)
