"""The Shopify integration's settings through the admin API over the fakes: the secret is write-only."""

from __future__ import annotations

from tests.unit.api.conftest import BASE, Admin
from tests.unit.services.support import SHOP_ID

SHOPIFY = f"{BASE}/integrations/shopify"


def test_the_owner_sets_and_removes_the_webhook_secret(admin: Admin) -> None:
    assert admin.staff.get(SHOPIFY).json() == {
        "secret_set": False,
        "webhook_url_path": f"/api/webhooks/shopify/{SHOP_ID}",
        "topics": ["orders/create", "orders/fulfilled", "orders/cancelled"],
    }
    answer = admin.manager.put(SHOPIFY, {"secret": "whsec-12345678"})
    assert (answer.status, answer.error_code) == (403, "forbidden_role")
    answer = admin.owner.put(SHOPIFY, {"secret": "whsec-12345678"})
    assert (answer.status, answer.json()["secret_set"]) == (200, True)
    assert "whsec" not in admin.staff.get(SHOPIFY).text
    assert admin.world.admin_secrets.get_bytes(f"okaeri/shopify/{SHOP_ID}") == b"whsec-12345678"
    assert admin.owner.delete(SHOPIFY).json()["secret_set"] is False
    assert admin.world.admin_secrets.is_set(f"okaeri/shopify/{SHOP_ID}") is False
    assert [e.action for e in admin.world.logs.audits] == [
        "integrations.shopify.secret_set",
        "integrations.shopify.secret_deleted",
    ]
