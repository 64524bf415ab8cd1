"""What a template sees: small read-only views of the order, the customer and the shop.

Templates never get the pydantic models themselves (``order.items`` would be ``dict.items`` on a
dump, and a model carries methods and internals). Each view is a frozen, slotted dataclass; the
sandbox lets a template read exactly the dataclass fields of a view and nothing else.
"""

from __future__ import annotations

import typing
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import ClassVar
from zoneinfo import ZoneInfo

from okaeri.models import Customer, Item, Order, ShipTo, Shop

WEEKDAYS_JA = ("月", "火", "水", "木", "金", "土", "日")


class View:
    """Base of the template-visible views; ``LABEL`` is how error messages name the object."""

    __slots__ = ()
    LABEL: ClassVar[str] = "value"


@dataclass(frozen=True, slots=True)
class DateView(View):
    """A date (or date-time) printed the Japanese way: ``{{ order.ordered_at }}`` → 2026年11月20日."""

    LABEL: ClassVar[str] = "date"
    year: int
    month: int
    day: int
    weekday: str
    hour: int | None = None
    minute: int | None = None

    def __str__(self) -> str:
        return f"{self.year}年{self.month}月{self.day}日"

    @classmethod
    def of(cls, moment: date | datetime | None, tz: ZoneInfo) -> DateView | None:
        if moment is None:
            return None
        if isinstance(moment, datetime):
            local = moment.astimezone(tz)
            return cls(
                local.year, local.month, local.day, WEEKDAYS_JA[local.weekday()], local.hour, local.minute
            )
        return cls(moment.year, moment.month, moment.day, WEEKDAYS_JA[moment.weekday()])


@dataclass(frozen=True, slots=True)
class ItemView(View):
    LABEL: ClassVar[str] = "item"
    sku: str | None
    name: str | None
    quantity: int
    unit_price: int | None
    subtotal: int | None

    def __str__(self) -> str:
        return self.name or ""

    @classmethod
    def of(cls, item: Item) -> ItemView:
        subtotal = None if item.unit_price is None else item.unit_price * item.quantity
        return cls(item.sku, item.name, item.quantity, item.unit_price, subtotal)


@dataclass(frozen=True, slots=True)
class ShipToView(View):
    LABEL: ClassVar[str] = "order.ship_to"
    name: str | None
    postal_code: str | None
    prefecture: str | None
    address: str | None

    def __str__(self) -> str:
        return self.name or ""

    @classmethod
    def of(cls, ship_to: ShipTo) -> ShipToView:
        return cls(ship_to.name, ship_to.postal_code, ship_to.prefecture, ship_to.address)


@dataclass(frozen=True, slots=True)
class CustomerView(View):
    LABEL: ClassVar[str] = "customer"
    name: str | None
    name_kana: str | None
    email: str | None
    order_count: int

    def __str__(self) -> str:
        return self.name or ""

    @classmethod
    def of(cls, customer: Customer, order_count: int) -> CustomerView:
        return cls(customer.name, customer.name_kana, customer.email, order_count)


@dataclass(frozen=True, slots=True)
class OrderView(View):
    LABEL: ClassVar[str] = "order"
    order_id: str
    source: str
    ordered_at: DateView | None
    shipped_at: DateView | None
    delivered_at: DateView | None
    items: tuple[ItemView, ...]
    total: int | None
    payment_method: str | None
    shipping_method: str | None
    carrier: str | None
    tracking_number: str | None
    is_gift: bool | None
    ship_to: ShipToView
    #: True when the shop's mail gave the ship date (``shipped_at``): the goods went out that day
    ship_date_confirmed: bool
    #: True when the ship date is Okaeri's estimate (order day + the shop's lead time): not yet sent
    ship_date_estimated: bool

    def __str__(self) -> str:
        return self.order_id

    @classmethod
    def of(cls, order: Order, tz: ZoneInfo) -> OrderView:
        return cls(
            order_id=order.order_id,
            source=order.source,
            ordered_at=DateView.of(order.ordered_at, tz),
            shipped_at=DateView.of(order.shipped_at, tz),
            delivered_at=DateView.of(order.delivered_at, tz),
            items=tuple(ItemView.of(item) for item in order.items),
            total=order.total,
            payment_method=order.payment_method,
            shipping_method=order.shipping_method,
            carrier=order.carrier,
            tracking_number=order.tracking_number,
            is_gift=order.is_gift,
            ship_to=ShipToView.of(order.ship_to),
            ship_date_confirmed=order.shipped_at is not None,
            ship_date_estimated=order.shipped_at is None,
        )


@dataclass(frozen=True, slots=True)
class ShopView(View):
    LABEL: ClassVar[str] = "shop"
    name: str
    signature: str
    email: str

    def __str__(self) -> str:
        return self.name

    @classmethod
    def of(cls, shop: Shop) -> ShopView:
        return cls(shop.name, shop.signature, shop.sender.address)


@dataclass(frozen=True, slots=True)
class FieldKind:
    """What a view field holds, for the static check: another view, or a tuple of views."""

    view: type[View] | None = None
    element: type[View] | None = None


_FIELDS: dict[type[View], dict[str, FieldKind]] = {}


def view_fields(cls: type[View]) -> dict[str, FieldKind]:
    """The fields a template may read on ``cls``, with the views they lead to."""
    known = _FIELDS.get(cls)
    if known is None:
        hints = typing.get_type_hints(cls)
        known = _FIELDS[cls] = {field.name: _kind(hints[field.name]) for field in fields(cls)}  # type: ignore[arg-type]
    return known


def _kind(hint: object) -> FieldKind:
    args = typing.get_args(hint)
    if typing.get_origin(hint) is tuple and args and isinstance(args[0], type) and issubclass(args[0], View):
        return FieldKind(element=args[0])
    for candidate in (hint, *args):
        if isinstance(candidate, type) and issubclass(candidate, View):
            return FieldKind(view=candidate)
    return FieldKind()
