"""The gateway's routes (infra.resources.GATEWAY_ROUTES) against the admin API's own routes.

A route the API declares public (``security=[]``) must not be behind the JWT authorizer, and every
other route must be: the CDK stack and the local gateway build from the same list, so this catches
an API route added without its gateway route.
"""

from __future__ import annotations

import re
from unittest import mock

import pytest

from infra.resources import GATEWAY_ROUTES, GatewayRoute
from okaeri.api.app import EVERY, build_api
from okaeri_dev.gateway import match_route


def api_routes() -> list[tuple[str, str, bool]]:
    app = build_api(mock.MagicMock()).resolver(EVERY)  # registering the routes uses no dependency yet
    routes = []
    for route in [*app._static_routes, *app._dynamic_routes]:
        methods = [route.method] if isinstance(route.method, str) else list(route.method)
        path = re.sub(r"<[^>]+>", "x", route.path)
        routes += [(method.upper(), path, route.security == []) for method in methods]
    return routes


def test_every_api_route_is_behind_the_authorizer_unless_it_is_public() -> None:
    routes = api_routes()
    assert len(routes) > 20
    wrong = [
        f"{method} {path}: public={public}, gateway route {match_route(method, path).key}"
        for method, path, public in routes
        if match_route(method, path).authorized is public
    ]
    assert wrong == []


@pytest.mark.parametrize(
    ("method", "path", "key"),
    [
        ("GET", "/api/me", "ANY /api/{proxy+}"),
        ("DELETE", "/api/shops/demo/deliveries/d.1/x", "ANY /api/{proxy+}"),
        ("GET", "/api/openapi.json", "GET /api/openapi.json"),
        ("POST", "/api/openapi.json", "ANY /api/{proxy+}"),  # the public route is GET only
        ("POST", "/api/webhooks/shopify/demo", "POST /api/webhooks/shopify/{shop_id}"),
        ("POST", "/api/webhooks/shopify/demo/more", "ANY /api/{proxy+}"),
        ("GET", "/config.json", "$default"),
        ("GET", "/", "$default"),
        ("GET", "/api", "$default"),
        ("GET", "/api/", "$default"),  # {proxy+} needs at least one character
    ],
)
def test_the_most_specific_route_wins(method: str, path: str, key: str) -> None:
    assert match_route(method, path).key == key


def test_an_explicit_method_beats_any_on_the_same_path() -> None:
    routes = (
        GatewayRoute("ANY /a/{b}", authorized=True),
        GatewayRoute("GET /a/{b}", authorized=False, why_public="a test"),
    )
    assert match_route("GET", "/a/x", routes).authorized is False
    assert match_route("PUT", "/a/x", routes).authorized is True
    assert GATEWAY_ROUTES[-1].key == "$default"
