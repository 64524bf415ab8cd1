"""What the admin API works with: every store, the schedules, the raw mail, the users, as the
interfaces of ``okaeri.ports`` (``okaeri.wiring`` builds the AWS adapters, the tests in-memory fakes)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from okaeri.ports import (
    AdminConfig,
    AdminCustomers,
    AdminDeliveries,
    AdminLogs,
    Clock,
    CouponPools,
    MailStore,
    OperatorOrders,
    Operators,
    Schedules,
    SecretStore,
    Transport,
)
from okaeri.settings import AdminSettings

if TYPE_CHECKING:  # imported by the areas that use them (the mail parsers come with ingest)
    from okaeri.models import RelayConfig
    from okaeri.services.ingest import IngestDeps
    from okaeri.services.unsubscribe import UnsubscribeDeps


@dataclass(frozen=True)
class AdminDeps:
    settings: AdminSettings
    config: AdminConfig
    coupons: CouponPools
    orders: OperatorOrders
    customers: AdminCustomers
    deliveries: AdminDeliveries
    logs: AdminLogs
    schedules: Schedules
    raw_mail: MailStore
    users: Operators
    secrets: SecretStore  # reads and, for the settings screens, writes
    ses: Transport  # test sends
    relay_for: Callable[[RelayConfig], Transport]
    clock: Clock
    unsubscribe_secret: bytes

    def ingest(self) -> IngestDeps:
        """What the ingest service needs: "parse again", CSV imports and the Shopify webhook use it."""
        from okaeri.services.ingest import IngestDeps

        return IngestDeps(
            orders=self.orders,
            customers=self.customers,
            logs=self.logs,
            config=self.config,
            raw_mail=self.raw_mail,
            clock=self.clock,
        )

    def unsubscribe(self) -> UnsubscribeDeps:
        from okaeri.services.unsubscribe import UnsubscribeDeps

        return UnsubscribeDeps(
            config=self.config,
            customers=self.customers,
            deliveries=self.deliveries,
            logs=self.logs,
            clock=self.clock,
            secret=self.unsubscribe_secret,
        )
