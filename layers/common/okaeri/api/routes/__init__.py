"""One module per area of the admin API; each has ``register(app, deps)``.

A request reaches one area, named by its path (``area_of``): the admin function imports an area's
module, and builds its resolver, when the area is first asked for (``okaeri.api.app.AdminApi``), so
a cold start imports what its request needs, not every route's services. ``AREAS`` lists every
module; ``tests/unit/api/test_areas.py`` checks that each route's path names the module that
registers it.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from aws_lambda_powertools.event_handler import APIGatewayHttpResolver

    from okaeri.api.deps import AdminDeps

Registrar = Callable[["APIGatewayHttpResolver", "AdminDeps"], None]

#: Every area, in the order the full resolver registers them.
AREAS: Final = (
    "public",
    "me",
    "orders",
    "deliveries",
    "customers",
    "segments",
    "logs",
    "dashboard",
    "results",
    "shop",
    "scenarios",
    "templates",
    "masks",
    "coupons",
    "users",
    "imports",
    "webhooks",
    "relays",
)
SHOP_PREFIX: Final = "/api/shops/"
#: ``/api/shops/<shop_id>/<segment>…`` → the area serving it.
SHOP_SEGMENTS: Final = {
    "orders": "orders",
    "deliveries": "deliveries",
    "customers": "customers",
    "suppressions": "customers",
    "segments": "segments",
    "segments.csv": "segments",
    "receptions": "logs",
    "sends": "logs",
    "dashboard": "dashboard",
    "results": "results",
    "results.csv": "results",
    "calendar": "shop",
    "settings": "shop",
    "scenarios": "scenarios",
    "templates": "templates",
    "masks": "masks",
    "coupons": "coupons",
    "users": "users",
    "imports": "imports",
    "integrations": "webhooks",
    "relays": "relays",
}
#: Any other path: its first segments → the area serving it.
PREFIXES: Final = (
    ("/api/me", "me"),
    ("/api/invitations/", "me"),
    ("/api/webhooks/", "webhooks"),
    ("/config.json", "public"),
    ("/u/", "public"),
)


def area_of(path: str) -> str | None:
    """The area whose module serves ``path``; None for a path no area serves (the page's files, or
    nothing: a 404)."""
    if path.startswith(SHOP_PREFIX):
        parts = path[len(SHOP_PREFIX) :].split("/", 2)
        return SHOP_SEGMENTS.get(parts[1]) if len(parts) > 1 else None
    for prefix, area in PREFIXES:
        if path == prefix or (path.startswith(prefix) and (prefix.endswith("/") or path[len(prefix)] == "/")):
            return area
    return None


def registrar(area: str) -> Registrar:
    """The area module's ``register``, imported now."""
    if area not in AREAS:
        raise KeyError(area)
    register: Registrar = import_module(f"{__name__}.{area}").register
    return register
