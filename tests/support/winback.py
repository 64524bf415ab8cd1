"""Win-back (issue #16): a tea shop's 90-day win-back scenario and its buyers' orders, for the service
tests over the fakes and the integration tests over DynamoDB (docs/journeys-winback.md's example)."""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any

from okaeri.customer_figures import customer_order
from okaeri.identity import customer_id_for
from okaeri.models import Order, OrderRecord, Scenario
from okaeri.ports import Customers, Orders

WINBACK: dict[str, Any] = {
    "id": "winback-90",
    "name": "お久しぶりクーポン（90日）",
    "trigger": "lapsed",
    "lapsed_days": 90,
    "repeat_policy": "once",
    "steps": [
        {"id": "coupon", "offset_days": 0, "hour": 10, "template": "love", "purposes": ["thanks", "coupon"]},
        {"id": "reminder", "offset_days": 7, "hour": 19, "template": "like", "purposes": ["usage_tips"]},
    ],
}


def winback_scenario(**changes: Any) -> Scenario:
    """The 90-day win-back (a coupon on the lapse day at 10:00, a reminder a week later), changed."""
    return Scenario.model_validate(WINBACK | changes)


def tea_order(
    email: str,
    order_id: str,
    when: datetime,
    *,
    source: str = "yahoo",
    sku: str = "sencha-100",
    total: int = 3240,
) -> Order:
    """One order of the tea shop's, placed ``when``."""
    return Order.model_validate(
        {
            "source": source,
            "order_id": order_id,
            "ordered_at": when,
            "customer": {"name": "森 さくら", "email": email},
            "ship_to": {"name": "森 さくら", "prefecture": "静岡県"},
            "items": [{"sku": sku, "name": "煎茶 100g", "quantity": 1, "unit_price": total}],
            "total": total,
        }
    )


def buy(orders: Orders, customers: Customers, shop_id: str, order: Order, *, zone: tzinfo) -> OrderRecord:
    """The order stored and counted for its buyer, as ingest does (its time is when it was received)."""
    email = order.customer.email
    assert email is not None
    assert order.ordered_at is not None
    customer_id = customer_id_for(email)
    rank = customers.record_order(
        shop_id,
        customer_id,
        email=email,
        name=order.customer.name,
        order=customer_order(order, received_at=order.ordered_at, zone=zone),
    )
    record = OrderRecord(
        shop_id=shop_id, order=order, customer_id=customer_id, order_rank=rank, received_at=order.ordered_at
    )
    stored = orders.put_new(record)
    assert stored is not None
    return stored


def cancel(orders: Orders, customers: Customers, record: OrderRecord, *, zone: tzinfo, at: datetime) -> None:
    """The order cancelled and taken back from its buyer's figures, as ingest does."""
    assert record.customer_id is not None
    orders.mark_cancelled(record.shop_id, record.order, raw_key=f"inbound/cancel-{record.order_key}", at=at)
    others = [
        customer_order(other.order, received_at=other.received_at, zone=zone)
        for other in orders.by_customer(record.shop_id, record.customer_id)
        if other.status == "open" and other.order_key != record.order_key
    ]
    customers.cancel_order(
        record.shop_id,
        record.customer_id,
        customer_order(record.order, received_at=record.received_at, zone=zone),
        others=others,
    )
