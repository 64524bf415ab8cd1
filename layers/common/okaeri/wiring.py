"""Builds each function's dependencies from its settings: the one place adapters are wired.

``build_*`` take the settings and a clock (the local stack passes its movable clock); the
``*_deps()`` getters are what the Lambda handlers use: built once per cold start, lazily.

The pipeline functions (ingest, schedule, send with its sweeper and SES events) read the
``config`` table through ``CachedConfig`` (``okaeri.aws.config_cache``): versions once per warm
container, edited settings once a minute. The admin API reads it fresh.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import cache
from typing import TYPE_CHECKING

from okaeri.aws.clients import (
    cognito_client,
    dynamodb_client,
    s3_client,
    scheduler_client,
    secrets_client,
    sesv2_client,
)
from okaeri.aws.config import DynamoConfig, DynamoCoupons
from okaeri.aws.config_cache import CachedConfig
from okaeri.aws.customers import DynamoCustomers
from okaeri.aws.deliveries import DynamoDeliveries
from okaeri.aws.frequency import DynamoFrequencyCaps
from okaeri.aws.logs import DynamoLogs
from okaeri.aws.orders import DynamoOrders
from okaeri.aws.scheduler import EventBridgeSchedules
from okaeri.aws.secrets import SecretsManagerSecrets
from okaeri.aws.ses import SesTransport
from okaeri.aws.smtp_relay import SmtpRelayTransport
from okaeri.aws.users import CognitoUsers
from okaeri.models import RelayConfig
from okaeri.ports import Clock, Secrets, Transport
from okaeri.settings import (
    AdminSettings,
    IngestSettings,
    ScheduleSettings,
    SchedulingMixin,
    SendSettings,
    TablesMixin,
    load_settings,
)

if TYPE_CHECKING:  # each builder imports its own function's services: a cold start loads only its own
    from okaeri.api.deps import AdminDeps
    from okaeri.services.events import EventsDeps
    from okaeri.services.ingest import IngestDeps
    from okaeri.services.schedule import ScheduleDeps
    from okaeri.services.send import SendDeps
    from okaeri.services.winback import WinbackDeps


class SystemClock:
    """The real time, in UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)


def _orders(settings: TablesMixin) -> DynamoOrders:
    return DynamoOrders(
        settings.orders_table, retention_days=settings.retention_days, client=dynamodb_client()
    )


def _customers(settings: TablesMixin, clock: Clock) -> DynamoCustomers:
    return DynamoCustomers(
        settings.customers_table,
        retention_days=settings.retention_days,
        clock=clock,
        client=dynamodb_client(),
    )


def _deliveries(settings: TablesMixin) -> DynamoDeliveries:
    return DynamoDeliveries(
        settings.deliveries_table, retention_days=settings.retention_days, client=dynamodb_client()
    )


def _logs(settings: TablesMixin) -> DynamoLogs:
    return DynamoLogs(settings.logs_table, retention_days=settings.retention_days, client=dynamodb_client())


def _schedules(settings: SchedulingMixin, clock: Clock) -> EventBridgeSchedules:
    return EventBridgeSchedules(
        scheduler_client(),
        group=settings.schedule_group,
        target_arn=settings.send_function_arn,
        role_arn=settings.scheduler_role_arn,
        dead_letter_arn=settings.schedule_dlq_arn,
        clock=clock,
    )


def _pipeline_config(settings: TablesMixin, clock: Clock) -> CachedConfig:
    """The config table as the pipeline reads it: through the per-container cache."""
    return CachedConfig(DynamoConfig(settings.config_table, client=dynamodb_client()), clock=clock)


def relay_transports(secrets: Secrets) -> Callable[[RelayConfig], Transport]:
    """Relay transports whose credentials come from Secrets Manager, fetched only after STARTTLS."""

    def build(relay: RelayConfig) -> Transport:
        def credentials() -> tuple[str, str]:
            secret = secrets.get_json(relay.secret_arn)
            return secret["username"], secret["password"]

        return SmtpRelayTransport(relay, credentials=credentials)

    return build


def build_ingest_deps(settings: IngestSettings, clock: Clock) -> IngestDeps:
    from okaeri.aws.raw_mail import S3RawMail  # with the mail parsers: ingest's and admin's alone
    from okaeri.services.ingest import IngestDeps

    return IngestDeps(
        orders=_orders(settings),
        customers=_customers(settings, clock),
        logs=_logs(settings),
        config=_pipeline_config(settings, clock),
        raw_mail=S3RawMail(s3_client(), settings.raw_mail_bucket),
        clock=clock,
    )


def build_schedule_deps(settings: ScheduleSettings, clock: Clock) -> ScheduleDeps:
    from okaeri.services.schedule import ScheduleDeps

    return ScheduleDeps(
        config=_pipeline_config(settings, clock),
        deliveries=_deliveries(settings),
        schedules=_schedules(settings, clock),
        clock=clock,
        orders=_orders(settings),
    )


def build_winback_deps(settings: ScheduleSettings, clock: Clock) -> WinbackDeps:
    """The win-back job (the schedule function's code): the schedule's stores, the customers' index
    and the registry of shops (read fresh from the config table)."""
    from okaeri.services.winback import WinbackDeps

    return WinbackDeps(
        schedule=build_schedule_deps(settings, clock),
        customers=_customers(settings, clock),
        registry=DynamoConfig(settings.config_table, client=dynamodb_client()),
    )


def build_send_deps(settings: SendSettings, clock: Clock) -> SendDeps:
    from okaeri.services.send import SendDeps

    # Relay credentials age on the same clock and TTL as the relay's settings (CachedConfig).
    secrets = SecretsManagerSecrets(secrets_client(), clock=lambda: clock.now().timestamp())
    return SendDeps(
        config=_pipeline_config(settings, clock),
        customers=_customers(settings, clock),
        deliveries=_deliveries(settings),
        schedules=_schedules(settings, clock),
        logs=_logs(settings),
        coupons=DynamoCoupons(settings.config_table, client=dynamodb_client()),
        ses=SesTransport(sesv2_client(retries_off=True), configuration_set=settings.ses_configuration_set),
        relay_for=relay_transports(secrets),
        clock=clock,
        unsubscribe_secret=secrets.get_bytes(settings.unsubscribe_secret_id),
        orders=_orders(settings),
        caps=DynamoFrequencyCaps(settings.customers_table, client=dynamodb_client()),
    )


def build_events_deps(settings: SendSettings, clock: Clock) -> EventsDeps:
    from okaeri.services.events import EventsDeps

    return EventsDeps(
        config=_pipeline_config(settings, clock),
        customers=_customers(settings, clock),
        deliveries=_deliveries(settings),
        clock=clock,
    )


def build_admin_deps(settings: AdminSettings, clock: Clock) -> AdminDeps:
    from okaeri.api.deps import (
        AdminDeps,
    )  # the admin function only: keeps Powertools' resolver out of the others
    from okaeri.aws.raw_mail import S3RawMail

    secrets = SecretsManagerSecrets(secrets_client())
    return AdminDeps(
        settings=settings,
        config=DynamoConfig(settings.config_table, client=dynamodb_client()),
        coupons=DynamoCoupons(settings.config_table, client=dynamodb_client()),
        orders=_orders(settings),
        customers=_customers(settings, clock),
        deliveries=_deliveries(settings),
        logs=_logs(settings),
        schedules=_schedules(settings, clock),
        raw_mail=S3RawMail(s3_client(), settings.raw_mail_bucket),
        users=CognitoUsers(cognito_client(), user_pool_id=settings.user_pool_id),
        secrets=secrets,
        ses=SesTransport(sesv2_client(retries_off=True), configuration_set=settings.ses_configuration_set),
        relay_for=relay_transports(secrets),
        clock=clock,
        unsubscribe_secret=secrets.get_bytes(settings.unsubscribe_secret_id),
    )


@cache
def ingest_deps() -> IngestDeps:
    return build_ingest_deps(load_settings(IngestSettings), SystemClock())


@cache
def schedule_deps() -> ScheduleDeps:
    return build_schedule_deps(load_settings(ScheduleSettings), SystemClock())


@cache
def winback_deps() -> WinbackDeps:
    return build_winback_deps(load_settings(ScheduleSettings), SystemClock())


@cache
def send_deps() -> SendDeps:
    return build_send_deps(load_settings(SendSettings), SystemClock())


@cache
def events_deps() -> EventsDeps:
    return build_events_deps(load_settings(SendSettings), SystemClock())


@cache
def admin_deps() -> AdminDeps:
    return build_admin_deps(load_settings(AdminSettings), SystemClock())
