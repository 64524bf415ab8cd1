"""The admin API's resolver: authorization happens once, centrally, before anything else.

Each route declares who may call it, in its OpenAPI operation:

- ``security=[]``: public (unsubscribe links, ``/config.json``, the OpenAPI document, the Shopify
  webhook, which checks its own HMAC);
- a shop route (``/api/shops/<shop_id>/…``): ``openapi_extensions=STAFF | MANAGER | OWNER``;
- any other route: a signed-in operator with a role.

The check runs before request validation, so a caller without access learns nothing, not even
whether their request was well-formed (403 before 422). Routes call ``shop_caller`` again for the
caller's identity (defence in depth). ``check_routes`` refuses, at build time, a shop route that
declares no role, so a route cannot be added without one.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.event_handler.api_gateway import ResponseBuilder, Route
from aws_lambda_powertools.utilities.data_classes.common import BaseProxyEvent

from okaeri.api.auth import ROLE_RANK, Role, caller_from_event, require
from okaeri.api.body import RequestEvent, read_request_json, require_json
from okaeri.api.responses import error_response, status_for
from okaeri.errors import OkaeriError

ROLE_EXTENSION = "x-okaeri-role"
SHOP_ARGUMENT = "shop_id"


def declared_role(route: Route) -> Role | None:
    role = (route.openapi_extensions or {}).get(ROLE_EXTENSION)
    return role if role in ROLE_RANK else None


def is_public(route: Route) -> bool:
    return route.security == []


class AdminResolver(APIGatewayHttpResolver):
    """Also the one place request bodies are read: every JSON body through ``read_request_json``
    (bounded size and depth), every body decoded by ``RequestEvent`` (a 400 when it cannot be), and
    a route with a body model takes JSON only (``require_json``, a 415, checked after the caller)."""

    def __init__(self, *, enable_validation: bool = True) -> None:
        super().__init__(enable_validation=enable_validation, json_body_deserializer=read_request_json)

    def _to_proxy_event(self, event: dict[str, Any]) -> BaseProxyEvent:
        return RequestEvent(event, self._json_body_deserializer)

    def _call_route(self, route: Route, route_arguments: dict[str, str]) -> ResponseBuilder[Any]:
        try:
            if not is_public(route):
                self._authorize(route, route_arguments)
            require_json(route, self.current_event.headers.get("content-type"))
        except OkaeriError as exc:
            refusal = error_response(status_for(exc), exc.code, exc.message_ja, exc.message_en)
            return ResponseBuilder(response=refusal, serializer=self._serializer, route=route)
        return super()._call_route(route, route_arguments)

    def _authorize(self, route: Route, route_arguments: dict[str, str]) -> None:
        caller = caller_from_event(self.current_event.raw_event)
        if SHOP_ARGUMENT in route_arguments:
            require(caller, route_arguments[SHOP_ARGUMENT], declared_role(route) or "owner")

    def check_routes(self) -> None:
        """Every route of a shop declares its role, every other route is signed-in or public."""
        for route in self._static_routes + self._dynamic_routes:
            if f"<{SHOP_ARGUMENT}>" in route.path and not is_public(route) and declared_role(route) is None:
                raise RuntimeError(f"{route.method} {route.path} declares no {ROLE_EXTENSION}")
