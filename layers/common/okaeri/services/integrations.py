"""The Shopify integration as a shop's owner sets it up: the webhook's signing secret (write-only,
a secret ``okaeri/shopify/<shop_id>``; reads say only whether it is set) and where Shopify should
call. Setting and removing the secret is audited."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field

from okaeri.errors import NotFoundError
from okaeri.import_formats import KIND_BY_TOPIC
from okaeri.ports import Clock, Logs, SecretStore, ShopConfig
from okaeri.services.documents import audit

SECRET_PREFIX = "okaeri/shopify"
WEBHOOK_PATH = "/api/webhooks/shopify"


def secret_id(shop_id: str) -> str:
    return f"{SECRET_PREFIX}/{shop_id}"


class ShopifyIntegration(BaseModel):
    model_config = ConfigDict(defer_build=True)

    secret_set: bool = Field(description="whether the webhook secret is stored (it is never shown)")
    webhook_url_path: str
    topics: list[str]


@dataclass(frozen=True)
class IntegrationDeps:
    config: ShopConfig
    secrets: SecretStore
    logs: Logs
    clock: Clock


def _integration(shop_id: str, *, secret_set: bool) -> ShopifyIntegration:
    return ShopifyIntegration(
        secret_set=secret_set, webhook_url_path=f"{WEBHOOK_PATH}/{shop_id}", topics=list(KIND_BY_TOPIC)
    )


def shopify_integration(deps: IntegrationDeps, shop_id: str) -> ShopifyIntegration:
    return _integration(shop_id, secret_set=deps.secrets.is_set(secret_id(shop_id)))


def set_shopify_secret(deps: IntegrationDeps, shop_id: str, secret: str, *, by: str) -> ShopifyIntegration:
    if deps.config.shop(shop_id) is None:
        raise NotFoundError(f"ショップ {shop_id} は登録されていません", f"shop {shop_id} is not set up")
    deps.secrets.put_string(secret_id(shop_id), secret)
    audit(deps.logs, deps.clock, shop_id, "integrations.shopify.secret_set", by=by)
    return _integration(shop_id, secret_set=True)


def delete_shopify_secret(deps: IntegrationDeps, shop_id: str, *, by: str) -> ShopifyIntegration:
    deps.secrets.delete(secret_id(shop_id))
    audit(deps.logs, deps.clock, shop_id, "integrations.shopify.secret_deleted", by=by)
    return _integration(shop_id, secret_set=False)


def webhook_secret(deps: IntegrationDeps, shop_id: str) -> bytes:
    """The shop's webhook secret; empty (nothing verifies) when none is set."""
    try:
        return deps.secrets.get_bytes(secret_id(shop_id))
    except NotFoundError:
        return b""
