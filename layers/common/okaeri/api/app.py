"""The admin API: one Powertools resolver, its routes, its OpenAPI document, its error shape."""

from __future__ import annotations

from pathlib import Path

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types

from okaeri.api import routes
from okaeri.api.admin_page import register_page
from okaeri.api.deps import AdminDeps
from okaeri.api.resolver import AdminResolver
from okaeri.api.responses import JSON_HEADERS, register_error_handlers
from okaeri.api.routes.public import sign_in_endpoint

API_TITLE = "Okaeri admin API"
API_VERSION = "1.0.0"


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


def build_api(deps: AdminDeps, *, page_dir: Path | None = None) -> APIGatewayHttpResolver:
    """The resolver with every route, bound to ``deps`` (the Lambda's, the local stack's or a test's),
    and the admin page's built files from ``page_dir`` when given."""
    app = AdminResolver(enable_validation=True)
    register_error_handlers(app)
    for register in routes.REGISTRARS:
        register(app, deps)
    app.check_routes()
    if page_dir is not None:
        register_page(app, page_dir, cognito_endpoint=sign_in_endpoint(deps.settings))

    document: list[str] = []  # built on first request: every route is registered by then

    @app.get("/api/openapi.json", include_in_schema=False, security=[])
    def openapi_document() -> Response[str]:
        if not document:
            configure_openapi(app)
            document.append(app.get_openapi_json_schema())
        return Response(200, content_types.APPLICATION_JSON, document[0], headers=dict(JSON_HEADERS))

    return app
