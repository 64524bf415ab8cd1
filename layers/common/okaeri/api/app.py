"""The admin API: one Powertools resolver per area of routes, its OpenAPI document, its error shape.

``build_api(deps)`` gives the ``AdminApi`` that the admin function, the local stack and the tests
call: it resolves a request with the resolver of the request's area (``okaeri.api.routes.area_of``),
built, with its module imported, on the area's first request. ``/api/openapi.json`` is served by
the resolver of every area (``build_resolver(deps, AREAS)``), built on the document's first request.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types

from okaeri.api.admin_page import register_page, sign_in_endpoint
from okaeri.api.deps import AdminDeps
from okaeri.api.resolver import AdminResolver
from okaeri.api.responses import JSON_HEADERS, register_error_handlers
from okaeri.api.routes import AREAS, area_of, registrar

API_TITLE = "Okaeri admin API"
API_VERSION = "1.0.0"
OPENAPI_PATH: Final = "/api/openapi.json"
#: The area of the page's own files (``/``, ``/assets/…``) and of any path no area serves.
PAGE: Final = "page"
#: The area of the OpenAPI document: every route.
EVERY: Final = "every"


def configure_openapi(app: APIGatewayHttpResolver) -> None:
    """The document's title, description and security scheme. Only the OpenAPI document needs them,
    and ``HTTPBearer`` is one of Powertools' OpenAPI models, whose module alone takes longer to import
    than the rest of the API: they are imported when the document is first asked for."""
    from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer

    app.configure_openapi(
        title=API_TITLE,
        version=API_VERSION,
        description=(
            "Okaeri のショップ管理API。`Authorization: Bearer <Cognito ID token>` が必要です"
            "（公開ルートを除く）。エラーは `{error: {code, message_ja, message_en, details}}`。\n\n"
            "The Okaeri shop admin API. Send `Authorization: Bearer <Cognito ID token>` (public routes "
            "excepted). Errors are `{error: {code, message_ja, message_en, details}}`."
        ),
        security_schemes={"cognito": HTTPBearer(bearerFormat="JWT")},
        security=[{"cognito": []}],
    )


def build_resolver(deps: AdminDeps, areas: tuple[str, ...], *, page_dir: Path | None = None) -> AdminResolver:
    """A resolver with the routes of ``areas`` bound to ``deps``, and the admin page's built files
    from ``page_dir`` when given; with every area, the OpenAPI document too."""
    app = AdminResolver(enable_validation=True)
    register_error_handlers(app)
    for area in areas:
        registrar(area)(app, deps)
    app.check_routes()
    if page_dir is not None:
        register_page(app, page_dir, cognito_endpoint=sign_in_endpoint(deps.settings))
    if set(areas) == set(AREAS):
        _serve_openapi(app)
    return app


def _serve_openapi(app: AdminResolver) -> None:
    document: list[str] = []  # built on first request: every route is registered by then

    @app.get(OPENAPI_PATH, include_in_schema=False, security=[])
    def openapi_document() -> Response[str]:
        if not document:
            configure_openapi(app)
            document.append(app.get_openapi_json_schema())
        return Response(200, content_types.APPLICATION_JSON, document[0], headers=dict(JSON_HEADERS))


class AdminApi:
    """The admin API as it is served: each request goes to its area's resolver, built on first use."""

    def __init__(self, deps: AdminDeps, *, page_dir: Path | None = None) -> None:
        self.deps = deps
        self.page_dir = page_dir
        self._resolvers: dict[str, AdminResolver] = {}

    def resolver(self, area: str) -> AdminResolver:
        """The resolver of ``area`` (one of ``AREAS``, ``PAGE`` or ``EVERY``), built once."""
        if area not in self._resolvers:
            if area == EVERY:
                self._resolvers[area] = build_resolver(self.deps, AREAS)
            elif area == PAGE:
                self._resolvers[area] = build_resolver(self.deps, (), page_dir=self.page_dir)
            else:
                self._resolvers[area] = build_resolver(self.deps, (area,))
        return self._resolvers[area]

    def resolve(self, event: dict[str, Any], context: Any = None) -> dict[str, Any]:
        path = event.get("rawPath") or event.get("requestContext", {}).get("http", {}).get("path", "")
        area = EVERY if path == OPENAPI_PATH else area_of(path) or PAGE
        return self.resolver(area).resolve(event, context)


def build_api(deps: AdminDeps, *, page_dir: Path | None = None) -> AdminApi:
    """The admin API bound to ``deps`` (the Lambda's, the local stack's or a test's), serving the
    admin page's built files from ``page_dir`` when given."""
    return AdminApi(deps, page_dir=page_dir)
