"""Admin API (API Gateway HTTP API, payload 2.0). For now its public routes: RFC 8058 unsubscribe.

- ``GET  /u/{token}``: a confirmation page (a link scanner's GET must never unsubscribe anyone);
- ``POST /u/{token}``: the one-click unsubscribe a mail client sends (``List-Unsubscribe=One-Click``)
  or the confirmation page's button; answers the result page.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.utilities.typing import LambdaContext

from okaeri.aws.wiring import unsubscribe_deps
from okaeri.observability import count, logger, metrics, tracer
from okaeri.pages import confirmation_page, result_page
from okaeri.services.unsubscribe import UnsubscribeDeps, unsubscribe

HTML_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; form-action 'self'; base-uri 'none'",
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}
STATUS_BY_RESULT = {"unsubscribed": 200, "already": 200, "refused": 400}
MAX_TOKEN = 512


def _html(status: int, body: str) -> Response[str]:
    return Response(status_code=status, content_type=content_types.TEXT_HTML, body=body, headers=HTML_HEADERS)


def build_app(deps: UnsubscribeDeps) -> APIGatewayHttpResolver:
    """The resolver with its routes, bound to ``deps`` (the local stack passes its own)."""
    app = APIGatewayHttpResolver()

    @app.get("/u/<token>")
    def confirm_unsubscribe(token: str) -> Response[str]:
        if len(token) > MAX_TOKEN:
            return _html(400, result_page("refused"))
        return _html(200, confirmation_page(f"/u/{token}"))

    @app.post("/u/<token>")
    def one_click_unsubscribe(token: str) -> Response[str]:
        if len(token) > MAX_TOKEN:
            return _html(400, result_page("refused"))
        result = unsubscribe(deps, token=token)
        if result.shop_id:
            logger.append_keys(shop=result.shop_id)
        logger.info("unsubscribe", extra={"result": result.status, "reason": result.reason})
        count("Unsubscribed" if result.status == "unsubscribed" else "UnsubscribeNoop")
        return _html(STATUS_BY_RESULT[result.status], result_page(result.status))

    return app


@cache
def _app() -> APIGatewayHttpResolver:
    return build_app(unsubscribe_deps())


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return _app().resolve(event, context)
