"""Routes without sign-in: unsubscribe links (RFC 8058) and the page's ``/config.json``.

- ``GET  /u/{token}``: a confirmation page naming the shop (a link scanner's GET must never
  unsubscribe anyone); a test send's link says so, a forged one is refused;
- ``POST /u/{token}``: the one-click unsubscribe a mail client sends (``List-Unsubscribe=One-Click``)
  or the confirmation page's button; answers the result page.
- ``GET /config.json``: where and how to sign in (Cognito endpoint, user pool, app client, region),
  and how soon a saved edit reaches sending (``changes_apply_within_seconds``: the pipeline's
  configuration cache, ``okaeri.ports.CONFIG_TTL_SECONDS``), which the page tells the
  operator on saving settings, scenarios and templates.
"""

from __future__ import annotations

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from pydantic import BaseModel

from okaeri.api.admin_page import sign_in_endpoint
from okaeri.api.deps import AdminDeps
from okaeri.metrics import Metric
from okaeri.observability import count, logger
from okaeri.ports import CONFIG_TTL_SECONDS
from okaeri.services.unsubscribe import check_link, unsubscribe
from okaeri.unsubscribe_pages import PAGE_CSP, confirmation_page, result_page

HTML_HEADERS = {
    "Content-Security-Policy": PAGE_CSP,
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}
STATUS_BY_RESULT = {"unsubscribed": 200, "already": 200, "test": 200, "refused": 400}
MAX_TOKEN = 512


class ClientConfig(BaseModel):
    """What a client needs to sign in, exactly as against AWS."""

    region: str
    user_pool_id: str
    user_pool_client_id: str
    cognito_endpoint: str
    api_base: str = "/api"
    #: An edit of the shop, a scenario, a template, a mask or a relay reaches sending within this.
    changes_apply_within_seconds: int = CONFIG_TTL_SECONDS


def _html(status: int, body: str) -> Response[str]:
    return Response(status_code=status, content_type=content_types.TEXT_HTML, body=body, headers=HTML_HEADERS)


def register(app: APIGatewayHttpResolver, deps: AdminDeps) -> None:
    @app.get("/u/<token>", include_in_schema=False, security=[])
    def confirm_unsubscribe(token: str) -> Response[str]:
        if len(token) > MAX_TOKEN:
            return _html(400, result_page("refused"))
        link = check_link(deps.unsubscribe(), token=token)
        if link.status == "confirm":
            return _html(200, confirmation_page(f"/u/{token}", link.shop_name))
        return _html(STATUS_BY_RESULT[link.status], result_page(link.status, link.shop_name))

    @app.post("/u/<token>", include_in_schema=False, security=[])
    def one_click_unsubscribe(token: str) -> Response[str]:
        if len(token) > MAX_TOKEN:
            return _html(400, result_page("refused"))
        result = unsubscribe(deps.unsubscribe(), token=token)
        if result.shop_id:
            logger.append_keys(shop=result.shop_id)
        logger.info("unsubscribe", extra={"result": result.status, "reason": result.reason})
        count(Metric.UNSUBSCRIBED if result.status == "unsubscribed" else Metric.UNSUBSCRIBE_NOOP)
        return _html(STATUS_BY_RESULT[result.status], result_page(result.status, result.shop_name))

    @app.get("/config.json", security=[], tags=["public"], summary="サインイン設定 / sign-in settings")
    def client_config() -> ClientConfig:
        settings = deps.settings
        return ClientConfig(
            region=settings.aws_region,
            user_pool_id=settings.user_pool_id,
            user_pool_client_id=settings.user_pool_client_id,
            cognito_endpoint=sign_in_endpoint(settings),
        )
