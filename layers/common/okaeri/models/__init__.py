"""Pydantic models at the edges of the domain.

Each name is imported from its module when it is first used (``from okaeri.models import Order``
loads ``okaeri.models.order`` and what it needs, not every model): a function's cold start builds the
models it uses. Type checkers read the imports below (``as``: the names are this package's).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from okaeri.models.base import (
        ConfigModel as ConfigModel,
    )
    from okaeri.models.base import (
        load_document as load_document,
    )
    from okaeri.models.base import (
        read_document as read_document,
    )
    from okaeri.models.base import (
        validate_document as validate_document,
    )
    from okaeri.models.delivery import (
        MAILED_STATUSES as MAILED_STATUSES,
    )
    from okaeri.models.delivery import (
        PENDING_STATUSES as PENDING_STATUSES,
    )
    from okaeri.models.delivery import (
        Delivery as Delivery,
    )
    from okaeri.models.delivery import (
        DeliveryStatus as DeliveryStatus,
    )
    from okaeri.models.delivery import (
        Finding as Finding,
    )
    from okaeri.models.delivery import (
        PlanChange as PlanChange,
    )
    from okaeri.models.delivery import (
        PlannedDelivery as PlannedDelivery,
    )
    from okaeri.models.delivery import (
        PlanResult as PlanResult,
    )
    from okaeri.models.delivery import (
        ReplanReason as ReplanReason,
    )
    from okaeri.models.delivery import (
        Run as Run,
    )
    from okaeri.models.delivery import (
        SkippedStep as SkippedStep,
    )
    from okaeri.models.order import (
        Customer as Customer,
    )
    from okaeri.models.order import (
        Item as Item,
    )
    from okaeri.models.order import (
        Order as Order,
    )
    from okaeri.models.order import (
        OrderKind as OrderKind,
    )
    from okaeri.models.order import (
        ShipTo as ShipTo,
    )
    from okaeri.models.order import (
        normalise_order_id as normalise_order_id,
    )
    from okaeri.models.records import (
        CustomerRecord as CustomerRecord,
    )
    from okaeri.models.records import (
        OrderRecord as OrderRecord,
    )
    from okaeri.models.records import (
        ReceptionEntry as ReceptionEntry,
    )
    from okaeri.models.records import (
        RelayConfig as RelayConfig,
    )
    from okaeri.models.records import (
        SendLogEntry as SendLogEntry,
    )
    from okaeri.models.records import (
        SesEvent as SesEvent,
    )
    from okaeri.models.scenario import (
        Conditions as Conditions,
    )
    from okaeri.models.scenario import (
        Purpose as Purpose,
    )
    from okaeri.models.scenario import (
        RepeatPolicy as RepeatPolicy,
    )
    from okaeri.models.scenario import (
        Scenario as Scenario,
    )
    from okaeri.models.scenario import (
        Step as Step,
    )
    from okaeri.models.scenario import (
        Trigger as Trigger,
    )
    from okaeri.models.shop import (
        CalendarSettings as CalendarSettings,
    )
    from okaeri.models.shop import (
        Legal as Legal,
    )
    from okaeri.models.shop import (
        Links as Links,
    )
    from okaeri.models.shop import (
        QuietHours as QuietHours,
    )
    from okaeri.models.shop import (
        Sender as Sender,
    )
    from okaeri.models.shop import (
        Shop as Shop,
    )
    from okaeri.models.template import (
        Template as Template,
    )

#: Where each name lives.
MODULE_OF: Final = {
    "CalendarSettings": "shop",
    "Conditions": "scenario",
    "ConfigModel": "base",
    "Customer": "order",
    "CustomerRecord": "records",
    "Delivery": "delivery",
    "DeliveryStatus": "delivery",
    "Finding": "delivery",
    "Item": "order",
    "Legal": "shop",
    "Links": "shop",
    "MAILED_STATUSES": "delivery",
    "Order": "order",
    "OrderKind": "order",
    "OrderRecord": "records",
    "PENDING_STATUSES": "delivery",
    "PlanChange": "delivery",
    "PlanResult": "delivery",
    "PlannedDelivery": "delivery",
    "Purpose": "scenario",
    "QuietHours": "shop",
    "ReceptionEntry": "records",
    "RelayConfig": "records",
    "RepeatPolicy": "scenario",
    "ReplanReason": "delivery",
    "Run": "delivery",
    "Scenario": "scenario",
    "SendLogEntry": "records",
    "Sender": "shop",
    "SesEvent": "records",
    "ShipTo": "order",
    "Shop": "shop",
    "SkippedStep": "delivery",
    "Step": "scenario",
    "Template": "template",
    "Trigger": "scenario",
    "load_document": "base",
    "normalise_order_id": "order",
    "read_document": "base",
    "validate_document": "base",
}


def __getattr__(name: str) -> Any:
    module = MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value
