"""Pydantic models at the edges of the domain."""

from okaeri.models.base import ConfigModel, load_document, read_document, validate_document
from okaeri.models.delivery import (
    MAILED_STATUSES,
    PENDING_STATUSES,
    Delivery,
    DeliveryStatus,
    Finding,
    PlanChange,
    PlannedDelivery,
    PlanResult,
    ReplanReason,
    Run,
    SkippedStep,
)
from okaeri.models.order import Customer, Item, Order, OrderKind, ShipTo, normalise_order_id
from okaeri.models.records import (
    CustomerRecord,
    OrderRecord,
    ReceptionEntry,
    RelayConfig,
    SendLogEntry,
    SesEvent,
)
from okaeri.models.scenario import Conditions, Purpose, RepeatPolicy, Scenario, Step, Trigger
from okaeri.models.shop import CalendarSettings, Legal, Links, QuietHours, Sender, Shop
from okaeri.models.template import Template

__all__ = [
    "MAILED_STATUSES",
    "PENDING_STATUSES",
    "CalendarSettings",
    "Conditions",
    "ConfigModel",
    "Customer",
    "CustomerRecord",
    "Delivery",
    "DeliveryStatus",
    "Finding",
    "Item",
    "Legal",
    "Links",
    "Order",
    "OrderKind",
    "OrderRecord",
    "PlanChange",
    "PlanResult",
    "PlannedDelivery",
    "Purpose",
    "QuietHours",
    "ReceptionEntry",
    "RelayConfig",
    "RepeatPolicy",
    "ReplanReason",
    "Run",
    "Scenario",
    "SendLogEntry",
    "Sender",
    "SesEvent",
    "ShipTo",
    "Shop",
    "SkippedStep",
    "Step",
    "Template",
    "Trigger",
    "load_document",
    "normalise_order_id",
    "read_document",
    "validate_document",
]
