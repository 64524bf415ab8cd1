"""Shopify: the webhook Shopify calls, and the owner's setting of its signing secret.

- ``POST /api/webhooks/shopify/<shop_id>`` — public (no sign-in): only the HMAC
  (``X-Shopify-Hmac-Sha256``, the shop's secret over the raw body) lets a call in. Topics
  ``orders/create``, ``orders/fulfilled``, ``orders/cancelled``; any other topic is answered 200
  and ignored (Shopify retries every non-2xx answer). Answers, checked in this order:
  no webhook at this address (no such shop, or no secret set for it) → 404 ``no_webhook``, the
  same answer for both, so the address tells no more than whether a webhook can be called there;
  a body past ``MAX_WEBHOOK_BYTES`` → 413, nesting past ``MAX_JSON_DEPTH`` → 400 ``too_deep``
  (before the signature, as no order can be either); a bad or missing signature → 401 without
  detail. A retry (same ``X-Shopify-Webhook-Id``) changes nothing.
- ``GET /api/shops/<shop_id>/integrations/shopify`` (staff): whether the secret is set, and where
  to point the webhooks — never the secret.
- ``PUT`` (owner) sets the secret (write-only), ``DELETE`` (owner) removes it. It lives in Secrets
  Manager as ``okaeri/shopify/<shop_id>``.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from pydantic import BaseModel, ConfigDict, Field, SecretStr

from okaeri.api.body import request_bytes
from okaeri.api.common import OWNER, SHOP_PATH, STAFF, shop_caller
from okaeri.api.deps import AdminDeps
from okaeri.api.responses import error_response, json_response
from okaeri.api.support import operator
from okaeri.errors import NotFoundError
from okaeri.import_formats import KIND_BY_TOPIC, verify_hmac
from okaeri.jsonbody import check_json_bounds
from okaeri.metrics import Metric
from okaeri.models.shop import SHOP_ID_PATTERN
from okaeri.observability import count, logger
from okaeri.services import integrations
from okaeri.services.imports import receive_shopify
from okaeri.services.integrations import WEBHOOK_PATH, IntegrationDeps, ShopifyIntegration

MAX_WEBHOOK_BYTES = 1024 * 1024
#: ``X-Shopify-Triggered-At`` is kept as the reception time when it is this close to now (a retry
#: keeps its first time, so the repeated event rewrites the same reception entry).
TRIGGERED_AT_PAST = timedelta(days=3)
TRIGGERED_AT_FUTURE = timedelta(minutes=5)
_SHOP_ID = re.compile(SHOP_ID_PATTERN)


class WebhookAnswer(BaseModel):
    model_config = ConfigDict(defer_build=True)

    result: str
    order_key: str | None = None
    reason: str | None = None


class ShopifySecret(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid")

    secret: SecretStr = Field(
        min_length=8, max_length=256, description="Shopify's webhook signing secret (write-only)"
    )


def register(app: APIGatewayHttpResolver, deps: AdminDeps) -> None:
    service = IntegrationDeps(config=deps.config, secrets=deps.secrets, logs=deps.logs, clock=deps.clock)

    @app.post(
        f"{WEBHOOK_PATH}/<shop_id>",
        security=[],
        tags=["webhooks"],
        summary="Shopifyの注文Webhook（HMAC署名で確認） / Shopify order webhook (HMAC-verified)",
    )
    def shopify_webhook(shop_id: str) -> Response[Any]:
        shop = deps.config.shop(shop_id) if _SHOP_ID.fullmatch(shop_id) else None
        secret = integrations.webhook_secret(service, shop_id) if shop is not None else b""
        if shop is None or not secret:
            raise NotFoundError(
                "このアドレスにはShopifyのWebhookが設定されていません。",
                "No Shopify webhook is set up at this address.",
                code="no_webhook",
            )
        body = request_bytes(app)
        check_json_bounds(body, max_bytes=MAX_WEBHOOK_BYTES)
        headers = app.current_event.headers
        if not verify_hmac(secret, body, headers.get("x-shopify-hmac-sha256")):
            logger.warning("shopify_signature_refused", extra={"shop": shop_id})
            return error_response(
                401, "unauthorized", "署名を確認できません。", "The signature cannot be verified."
            )
        topic = (headers.get("x-shopify-topic") or "")[:100]
        if topic not in KIND_BY_TOPIC:
            logger.info("shopify_topic_ignored", extra={"shop": shop_id, "topic": topic})
            return json_response(200, WebhookAnswer(result="ignored", reason="topic"))
        entry = receive_shopify(
            deps.ingest(),
            shop,
            topic=topic,
            body=body,
            webhook_id=headers.get("x-shopify-webhook-id") or headers.get("x-shopify-event-id"),
            received_at=_received_at(headers.get("x-shopify-triggered-at"), deps.clock.now()),
            shop_domain=(headers.get("x-shopify-shop-domain") or "")[:100] or None,
        )
        logger.info(
            "shopify_webhook",
            extra={"shop": shop_id, "topic": topic, "result": entry.result, "order": entry.order_key},
        )
        count(Metric.ORDER_INGESTED if entry.result == "parsed" else Metric.WEBHOOK_NOT_APPLIED)
        return json_response(
            200, WebhookAnswer(result=entry.result, order_key=entry.order_key, reason=entry.reason)
        )

    @app.get(
        f"{SHOP_PATH}/integrations/shopify",
        tags=["settings"],
        summary="Shopify連携の状態 / the Shopify integration",
        openapi_extensions=STAFF,
    )
    def shopify_integration(shop_id: str) -> ShopifyIntegration:
        shop_caller(app, shop_id)
        return integrations.shopify_integration(service, shop_id)

    @app.put(
        f"{SHOP_PATH}/integrations/shopify",
        tags=["settings"],
        summary="ShopifyのWebhook署名シークレットを設定 / set the Shopify webhook secret",
        openapi_extensions=OWNER,
    )
    def set_shopify_secret(shop_id: str, body: ShopifySecret) -> ShopifyIntegration:
        caller = shop_caller(app, shop_id)
        return integrations.set_shopify_secret(
            service, shop_id, body.secret.get_secret_value(), by=operator(caller)
        )

    @app.delete(
        f"{SHOP_PATH}/integrations/shopify",
        tags=["settings"],
        summary="ShopifyのWebhook署名シークレットを削除 / remove the Shopify webhook secret",
        openapi_extensions=OWNER,
    )
    def delete_shopify_secret(shop_id: str) -> ShopifyIntegration:
        caller = shop_caller(app, shop_id)
        return integrations.delete_shopify_secret(service, shop_id, by=operator(caller))


def _received_at(triggered_at: str | None, now: datetime) -> datetime:
    if triggered_at:
        try:
            moment = datetime.fromisoformat(triggered_at.strip()[:40])
        except ValueError:
            return now
        if moment.tzinfo is not None and now - TRIGGERED_AT_PAST <= moment <= now + TRIGGERED_AT_FUTURE:
            return moment
    return now
