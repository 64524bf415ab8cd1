"""The Order: what ingest produces from a mail, a webhook, a CSV row or the API."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from typing import Annotated, Any, Final, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

OrderKind = Literal["order", "shipment", "cancellation"]

BUILTIN_SOURCES = frozenset(
    {
        "rakuten",
        "yahoo",
        "amazon",
        "shopify",
        "makeshop",
        "colorme",
        "futureshop",
        "ec-cube",
        "base",
        "stores",
        "csv",
        "api",
    }
)
_MASK_SOURCE = re.compile(r"^mask:[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
#: The fields of ``Order`` a shipment (mail, file or webhook) brings to the order it ships.
SHIPMENT_FIELDS: Final = ("shipped_at", "carrier", "tracking_number", "delivered_at")


def known_source(value: str) -> str:
    """``value`` when it is a built-in source or ``mask:<name>``; a ValueError otherwise."""
    if value in BUILTIN_SOURCES or _MASK_SOURCE.match(value):
        return value
    raise ValueError(
        f"未知の受注元です: {value}（csv, rakuten, yahoo, … または mask:<名前>） / "
        f"unknown source {value!r} (csv, rakuten, yahoo, … or mask:<name>)"
    )


#: Where an order came from: a built-in source or ``mask:<name>``.
OrderSource = Annotated[str, AfterValidator(known_source)]


class _OrderPart(BaseModel):
    # json_schema_serialization_defaults_required: an answer carries every field (see ConfigModel)
    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        defer_build=True,
        json_schema_serialization_defaults_required=True,
    )


class Customer(_OrderPart):
    name: str | None = None
    name_kana: str | None = None
    email: str | None = None
    phone: str | None = None


class ShipTo(_OrderPart):
    name: str | None = None
    postal_code: str | None = None
    prefecture: str | None = None
    address: str | None = None


class Item(_OrderPart):
    sku: str | None = None
    name: str | None = None
    quantity: int = Field(default=1, ge=0)
    unit_price: int | None = None


class Order(_OrderPart):
    source: OrderSource
    kind: OrderKind = "order"
    order_id: str = Field(min_length=1, max_length=128)
    ordered_at: datetime | None = None
    customer: Customer = Field(default_factory=Customer)
    ship_to: ShipTo = Field(default_factory=ShipTo)
    items: list[Item] = Field(default_factory=list)
    payment_method: str | None = None
    shipping_method: str | None = None
    total: int | None = None
    currency: str = "JPY"
    is_gift: bool | None = None
    shipped_at: date | datetime | None = None
    carrier: str | None = None
    tracking_number: str | None = None
    delivered_at: date | None = None  # the actual delivery date, when a delivery event gave it

    @field_validator("ordered_at")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError(
                "ordered_at にはタイムゾーン（+09:00 など）を付けてください / "
                "ordered_at needs a UTC offset such as +09:00"
            )
        return value

    @field_validator("shipped_at", mode="before")
    @classmethod
    def _plain_date_stays_a_date(cls, value: Any) -> Any:
        # "2026-11-26" is a date (the source gave no time), not midnight of that day.
        if isinstance(value, str) and _DATE_ONLY.match(value.strip()):
            return date.fromisoformat(value.strip())
        return value

    @field_validator("shipped_at")
    @classmethod
    def _shipped_aware(cls, value: date | datetime | None) -> date | datetime | None:
        if isinstance(value, datetime) and value.tzinfo is None:
            raise ValueError(
                "shipped_at は日付か、タイムゾーン付きの日時にしてください / "
                "shipped_at must be a date or a datetime with a UTC offset"
            )
        return value

    @property
    def key(self) -> str:
        """The order's identity within a shop: source and normalised order id."""
        return f"{self.source}#{normalise_order_id(self.order_id)}"

    def to_json_dict(self) -> dict[str, Any]:
        """The SPEC's Order JSON (``delivered_at`` only when known)."""
        data = self.model_dump(mode="json")
        if data.get("delivered_at") is None:
            data.pop("delivered_at", None)
        return data


def normalise_order_id(order_id: str) -> str:
    """Fold full-width characters and case, drop spaces: shops resend the same order differently."""
    folded = unicodedata.normalize("NFKC", order_id)
    return re.sub(r"\s+", "", folded).upper()
