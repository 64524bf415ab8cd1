"""Shopify order webhooks → ``Order``: ``orders/create``, ``orders/fulfilled``, ``orders/cancelled``.

Shopify signs each webhook: ``X-Shopify-Hmac-Sha256`` is the base64 HMAC-SHA256 of the raw request
body with the shop's webhook secret; ``verify_hmac`` checks it in constant time, before anything
reads the body. The payload is Shopify's Order resource (REST Admin API shape); only the fields
Okaeri needs are read, unknown ones are ignored, and what the payload does not say stays null.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from okaeri.errors import ParseError
from okaeri.models.order import Order, OrderKind
from okaeri.parsing.text import PREFECTURE_ORDER, same_person

Topic = Literal["orders/create", "orders/fulfilled", "orders/cancelled"]
KIND_BY_TOPIC: dict[str, OrderKind] = {
    "orders/create": "order",
    "orders/fulfilled": "shipment",
    "orders/cancelled": "cancellation",
}
MAX_HMAC_HEADER = 200
_SUCCESS = {None, "success"}


def verify_hmac(secret: bytes, body: bytes, header_value: str | None) -> bool:
    """Whether ``header_value`` is the base64 HMAC-SHA256 of ``body`` under ``secret``."""
    if not secret or not header_value or len(header_value) > MAX_HMAC_HEADER:
        return False
    try:
        given = base64.b64decode(header_value.strip(), validate=True)
    except (binascii.Error, ValueError):
        return False
    expected = hmac.new(secret, body, hashlib.sha256).digest()
    return hmac.compare_digest(expected, given)


def sign(secret: bytes, body: bytes) -> str:
    """The header value Shopify sends for ``body`` (what a test or a local sender signs with)."""
    return base64.b64encode(hmac.new(secret, body, hashlib.sha256).digest()).decode("ascii")


# --- the payload (the part Okaeri reads) ------------------------------------------------------------


class _Loose(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="ignore")


class ShopifyCustomer(_Loose):
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    phone: str | None = None


class ShopifyAddress(_Loose):
    first_name: str | None = None
    last_name: str | None = None
    name: str | None = None
    phone: str | None = None
    zip: str | None = None
    province: str | None = None
    province_code: str | None = None
    city: str | None = None
    address1: str | None = None
    address2: str | None = None


class ShopifyLineItem(_Loose):
    sku: str | None = None
    title: str | None = None
    name: str | None = None
    quantity: int = Field(default=1, ge=0)
    price: str | float | int | None = None


class ShopifyShippingLine(_Loose):
    title: str | None = None


class ShopifyFulfillment(_Loose):
    created_at: datetime | None = None
    status: str | None = None
    tracking_company: str | None = None
    tracking_number: str | None = None
    tracking_numbers: list[str] = Field(default_factory=list)


class ShopifyOrder(_Loose):
    id: int | str
    name: str | None = None
    email: str | None = None
    contact_email: str | None = None
    phone: str | None = None
    created_at: datetime | None = None
    processed_at: datetime | None = None
    currency: str | None = None
    total_price: str | float | int | None = None
    gateway: str | None = None
    payment_gateway_names: list[str] = Field(default_factory=list)
    customer: ShopifyCustomer | None = None
    billing_address: ShopifyAddress | None = None
    shipping_address: ShopifyAddress | None = None
    line_items: list[ShopifyLineItem] = Field(default_factory=list, max_length=1_000)
    shipping_lines: list[ShopifyShippingLine] = Field(default_factory=list)
    fulfillments: list[ShopifyFulfillment] = Field(default_factory=list)


def order_from_shopify(payload: dict[str, Any], topic: str) -> Order:
    """The Order a webhook tells of: ``orders/create`` an order, ``orders/fulfilled`` a shipment
    (ship time, carrier and tracking number from the latest successful fulfillment),
    ``orders/cancelled`` a cancellation. Raises ``ParseError`` (``bad_payload``) otherwise."""
    kind = KIND_BY_TOPIC.get(topic)
    if kind is None:
        raise _bad(f"未対応のトピックです: {topic[:60]}", f"unsupported topic {topic[:60]!r}")
    try:
        shopify = ShopifyOrder.model_validate(payload)
        return Order.model_validate(_order_fields(shopify, kind))
    except ValidationError as exc:
        problem = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()[:5])
        raise _bad(f"注文として読めません: {problem}", f"not a Shopify order: {problem}") from None


def _bad(message_ja: str, message_en: str) -> ParseError:
    return ParseError("bad_payload", message_ja[:300], message_en[:300])


def _order_fields(shopify: ShopifyOrder, kind: OrderKind) -> dict[str, Any]:
    buyer = shopify.customer or ShopifyCustomer()
    billing = shopify.billing_address or ShopifyAddress()
    shipping = shopify.shipping_address
    buyer_name = _full_name(buyer.last_name, buyer.first_name) or _address_name(billing)
    recipient = _address_name(shipping) if shipping else None
    fields: dict[str, Any] = {
        "source": "shopify",
        "kind": kind,
        "order_id": shopify.name or str(shopify.id),
        "ordered_at": shopify.processed_at or shopify.created_at,
        "customer": {
            "name": buyer_name,
            "email": shopify.email or shopify.contact_email or buyer.email,
            "phone": buyer.phone or billing.phone or shopify.phone,
        },
        "ship_to": _ship_to(shipping) if shipping else {},
        "items": [_item(line) for line in shopify.line_items],
        "payment_method": next(iter(shopify.payment_gateway_names), None) or shopify.gateway,
        "shipping_method": next((line.title for line in shopify.shipping_lines if line.title), None),
        "total": _yen(shopify.total_price),
        "is_gift": (not same_person(buyer_name, recipient)) if buyer_name and recipient else None,
    }
    if shopify.currency:
        fields["currency"] = shopify.currency
    if kind == "shipment":
        fields |= _shipment(shopify.fulfillments)
    return fields


def _shipment(fulfillments: list[ShopifyFulfillment]) -> dict[str, Any]:
    done = [f for f in fulfillments if f.status in _SUCCESS]
    if not done:
        return {}
    latest = max(done, key=lambda f: f.created_at.timestamp() if f.created_at else float("-inf"))
    return {
        "shipped_at": latest.created_at,
        "carrier": latest.tracking_company or None,
        "tracking_number": latest.tracking_number or next(iter(latest.tracking_numbers), None),
    }


def _item(line: ShopifyLineItem) -> dict[str, Any]:
    return {
        "sku": line.sku or None,
        "name": line.name or line.title,
        "quantity": line.quantity,
        "unit_price": _yen(line.price),
    }


def _ship_to(address: ShopifyAddress) -> dict[str, Any]:
    parts = [
        part.strip() for part in (address.city, address.address1, address.address2) if part and part.strip()
    ]
    return {
        "name": _address_name(address),
        "postal_code": address.zip,
        "prefecture": _prefecture(address.province_code, address.province),
        "address": "".join(parts) or None,
    }


def _full_name(last: str | None, first: str | None) -> str | None:
    """Japanese order: family name first (``山田 太郎``)."""
    return " ".join(part.strip() for part in (last, first) if part and part.strip()) or None


def _address_name(address: ShopifyAddress) -> str | None:
    return _full_name(address.last_name, address.first_name) or address.name


def _prefecture(code: str | None, province: str | None) -> str | None:
    """``JP-13`` → 東京都 (JIS X 0401 order); otherwise the province as Shopify wrote it."""
    if code and code.upper().startswith("JP-") and code[3:].isdigit() and 1 <= int(code[3:]) <= 47:
        return PREFECTURE_ORDER[int(code[3:]) - 1]
    return province


def _yen(value: str | float | int | None) -> int | None:
    """A money string (``"3240.00"``) as a whole amount; None when it has a fraction (never rounded)."""
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return None
    return int(amount) if amount == amount.to_integral_value() else None
