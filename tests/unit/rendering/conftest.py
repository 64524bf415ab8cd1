"""Fixtures for the rendering tests: the project's own shop and order (tests/fixtures/config)."""

from __future__ import annotations

from typing import Any

import pytest

from okaeri.models import Order, Shop, load_document
from okaeri.rendering import MailContext, PreviewCoupons
from tests.unit.rendering.support import CONFIG, UNSUBSCRIBE, MakeContext


@pytest.fixture(scope="session")
def shop() -> Shop:
    return load_document(Shop, CONFIG / "shop.yaml")


@pytest.fixture(scope="session")
def order() -> Order:
    return load_document(Order, CONFIG / "order.json")


@pytest.fixture
def make_context(shop: Shop, order: Order) -> MakeContext:
    """A MailContext for the fixture shop and order; keyword arguments override any field."""

    def make(**overrides: Any) -> MailContext:
        fields: dict[str, Any] = {
            "shop": shop,
            "order": order,
            "delivery_id": "dlv-1",
            "unsubscribe_url": UNSUBSCRIBE,
            "coupons": PreviewCoupons(),
        }
        fields.update(overrides)
        return MailContext(**fields)

    return make
