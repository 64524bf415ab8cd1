"""Shopify webhooks: the HMAC check, and the payload → Order for each topic."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import datetime
from typing import Any

import pytest

from okaeri.errors import ParseError
from okaeri.import_formats import order_from_shopify, verify_hmac
from okaeri.import_formats.shopify import sign
from tests.conftest import FIXTURES

SECRET = b"9f3c1e0a7b5d42e8a6c4f1b3d5e7a9c0b2d4f6a8c0e2a4c6e8f0b2d4f6a8c0e2"


def payload(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((FIXTURES / "imports" / f"shopify-{name}.json").read_text("utf-8"))
    return document


def body(name: str) -> bytes:
    return (FIXTURES / "imports" / f"shopify-{name}.json").read_bytes()


# --- HMAC -----------------------------------------------------------------------------------------


def test_the_signature_shopify_computes_is_accepted() -> None:
    raw = body("orders-create")
    header = base64.b64encode(hmac.new(SECRET, raw, hashlib.sha256).digest()).decode()
    assert sign(SECRET, raw) == header
    assert verify_hmac(SECRET, raw, header)
    assert verify_hmac(SECRET, raw, f" {header}\n")  # header whitespace


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "not base64 at all!",
        base64.b64encode(b"short").decode(),
        sign(b"another-secret", body("orders-create")),
        sign(SECRET, body("orders-create") + b" "),  # the body was changed after signing
        "A" * 1000,
    ],
)
def test_anything_else_is_refused(header: str | None) -> None:
    assert not verify_hmac(SECRET, body("orders-create"), header)


def test_without_a_secret_nothing_verifies() -> None:
    assert not verify_hmac(b"", b"{}", sign(b"", b"{}"))


# --- payload → Order --------------------------------------------------------------------------------


def test_orders_create_is_an_order_with_buyer_recipient_items_and_totals() -> None:
    order = order_from_shopify(payload("orders-create"), "orders/create")

    assert (order.source, order.kind, order.order_id, order.key) == (
        "shopify",
        "order",
        "#1042",
        "shopify##1042",
    )
    assert order.ordered_at == datetime.fromisoformat("2026-11-28T14:03:26+09:00")  # processed_at
    assert order.customer.model_dump() == {
        "name": "山田 花子",
        "name_kana": None,
        "email": "hanako.yamada@example.jp",
        "phone": "03-0000-0000",
    }
    assert order.ship_to.model_dump() == {
        "name": "山田 一郎",
        "postal_code": "790-0001",
        "prefecture": "愛媛県",  # from JP-38, not Shopify's romanised "Ehime"
        "address": "松山市一番町1-1みかんビル3F",
    }
    assert [(i.sku, i.name, i.quantity, i.unit_price) for i in order.items] == [
        ("mikan-5kg", "温州みかん - 5kg", 2, 3240)
    ]
    assert (order.total, order.currency, order.payment_method, order.shipping_method) == (
        7280,
        "JPY",
        "shopify_payments",
        "宅配便（ヤマト運輸）",
    )
    assert order.is_gift is True  # shipped to someone else
    assert (order.shipped_at, order.carrier, order.tracking_number) == (None, None, None)


def test_orders_fulfilled_is_a_shipment_from_the_latest_successful_fulfillment() -> None:
    shipment = order_from_shopify(payload("orders-fulfilled"), "orders/fulfilled")

    assert (shipment.kind, shipment.key) == ("shipment", "shopify##1042")
    assert shipment.shipped_at == datetime.fromisoformat("2026-11-30T16:20:00+09:00")
    assert (shipment.carrier, shipment.tracking_number) == (
        "Yamato (JA)",
        "4321-0000-9876",
    )  # not the cancelled one
    assert shipment.customer.email == "hanako.yamada@example.jp"  # a stub, should the order be unknown


def test_a_fulfillment_without_a_tracking_number_field_uses_the_list() -> None:
    data = payload("orders-fulfilled")
    data["fulfillments"] = [
        {"created_at": "2026-11-30T10:00:00+09:00", "status": "success", "tracking_numbers": ["T-1"]}
    ]
    shipment = order_from_shopify(data, "orders/fulfilled")
    assert (shipment.carrier, shipment.tracking_number) == (None, "T-1")


def test_fulfilled_without_any_successful_fulfillment_knows_no_ship_time() -> None:
    data = payload("orders-fulfilled")
    data["fulfillments"] = [data["fulfillments"][0]]  # the cancelled one only
    shipment = order_from_shopify(data, "orders/fulfilled")
    assert (shipment.kind, shipment.shipped_at, shipment.tracking_number) == ("shipment", None, None)


def test_orders_cancelled_is_a_cancellation() -> None:
    assert order_from_shopify(payload("orders-create"), "orders/cancelled").kind == "cancellation"


def test_missing_names_and_fractional_prices_stay_unknown() -> None:
    data = {
        "id": 99,
        "currency": "USD",
        "total_price": "12.50",
        "line_items": [{"title": "Mug", "quantity": 1, "price": "12.50"}],
        "created_at": "2026-11-28T01:00:00Z",
    }
    order = order_from_shopify(data, "orders/create")
    assert (order.order_id, order.currency, order.total) == ("99", "USD", None)
    assert [(i.sku, i.name, i.unit_price) for i in order.items] == [(None, "Mug", None)]
    assert (order.customer.name, order.ship_to.name, order.is_gift) == (None, None, None)


@pytest.mark.parametrize(
    ("data", "topic"),
    [
        ({"name": "#1"}, "orders/create"),  # no id
        ({"id": 1, "line_items": [{"quantity": -1}]}, "orders/create"),
        ({"id": 1, "created_at": "yesterday"}, "orders/create"),
        ({"id": 1}, "products/create"),
    ],
)
def test_a_payload_that_is_no_order_is_a_parse_error(data: dict[str, Any], topic: str) -> None:
    with pytest.raises(ParseError) as caught:
        order_from_shopify(data, topic)
    assert caught.value.reason == "bad_payload"
    assert caught.value.message_ja
    assert caught.value.message_en
