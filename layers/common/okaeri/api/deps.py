"""What the admin API works with: every table's adapter, the schedules, the raw mail, the users."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from okaeri.aws.config import DynamoConfig, DynamoCoupons
from okaeri.aws.customers import DynamoCustomers
from okaeri.aws.deliveries import DynamoDeliveries
from okaeri.aws.logs import DynamoLogs
from okaeri.aws.orders import DynamoOrders
from okaeri.aws.raw_mail import S3RawMail
from okaeri.aws.scheduler import EventBridgeSchedules
from okaeri.aws.secrets import SecretsManagerSecrets
from okaeri.aws.users import CognitoUsers
from okaeri.models import RelayConfig
from okaeri.ports import Clock, Transport
from okaeri.services.ingest import IngestDeps
from okaeri.services.unsubscribe import UnsubscribeDeps
from okaeri.settings import AdminSettings


@dataclass(frozen=True)
class AdminDeps:
    settings: AdminSettings
    config: DynamoConfig
    coupons: DynamoCoupons
    orders: DynamoOrders
    customers: DynamoCustomers
    deliveries: DynamoDeliveries
    logs: DynamoLogs
    schedules: EventBridgeSchedules
    raw_mail: S3RawMail
    users: CognitoUsers
    secrets: SecretsManagerSecrets  # reads and, for the settings screens, writes
    ses: Transport  # test sends
    relay_for: Callable[[RelayConfig], Transport]
    clock: Clock
    unsubscribe_secret: bytes

    def ingest(self) -> IngestDeps:
        """What the ingest service needs: "parse again", CSV imports and the Shopify webhook use it."""
        return IngestDeps(
            orders=self.orders,
            customers=self.customers,
            logs=self.logs,
            config=self.config,
            raw_mail=self.raw_mail,
            clock=self.clock,
        )

    def unsubscribe(self) -> UnsubscribeDeps:
        return UnsubscribeDeps(
            config=self.config,
            customers=self.customers,
            deliveries=self.deliveries,
            logs=self.logs,
            clock=self.clock,
            secret=self.unsubscribe_secret,
        )
