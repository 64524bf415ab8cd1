"""A whole Okaeri in moto: bucket, tables, schedule group, SES identity, secrets, and a real relay.

``stack`` wires the very handlers' dependencies (``okaeri.wiring.build_*``) to moto with a
movable clock, loads the みかん山房 shop, its scenario, templates and coupon pool, and points the
shop's Rakuten relay (``*.fw.rakuten.ne.jp``) at an aiosmtpd relay on 127.0.0.1.
"""

from __future__ import annotations

import email
import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from email.parser import BytesHeaderParser
from typing import Any

import boto3
import pytest
from boto3.dynamodb.conditions import Key
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.dynamodb.models import dynamodb_backends
from moto.ses.models import ses_backends

from infra.identity import create_user_pool
from okaeri.api.deps import AdminDeps
from okaeri.aws.clients import dynamodb_client, s3_client
from okaeri.aws.config import DynamoConfig, DynamoCoupons
from okaeri.aws.smtp_relay import SmtpRelayTransport
from okaeri.models import RelayConfig, Scenario, Shop, Template, load_document
from okaeri.ports import Transport
from okaeri.services.events import EventsDeps
from okaeri.services.ingest import IngestDeps
from okaeri.services.schedule import ScheduleDeps
from okaeri.services.send import SendDeps
from okaeri.settings import AdminSettings, IngestSettings, ScheduleSettings, SendSettings
from okaeri.wiring import (
    build_admin_deps,
    build_events_deps,
    build_ingest_deps,
    build_schedule_deps,
    build_send_deps,
)
from tests.conftest import FIXTURES
from tests.integration.conftest import REGION
from tests.support.dynamo import all_items
from tests.support.smtp_relay import SmtpRelayServer, smtp_relay

__all__ = ["smtp_relay"]

CONFIG = FIXTURES / "config"
SHOP_ID = "mikan-sanbo"
BUCKET = "okaeri-raw-mail"
GROUP = "okaeri"
SEND_ARN = f"arn:aws:lambda:{REGION}:{DEFAULT_ACCOUNT_ID}:function:okaeri-send"


class MovableClock:
    def __init__(self, start: datetime) -> None:
        self.moment = start

    def now(self) -> datetime:
        return self.moment

    def set(self, moment: datetime) -> None:
        self.moment = moment

    def advance(self, delta: timedelta) -> None:
        self.moment += delta


@dataclass
class Stack:
    clock: MovableClock
    ingest: IngestDeps
    schedule: ScheduleDeps
    send: SendDeps
    events: EventsDeps
    admin: AdminDeps
    relay: SmtpRelayServer
    shop: Shop
    tables: dict[str, str]
    stream_position: dict[str, int] = field(default_factory=dict)

    def ses_outbox(self) -> list[Any]:
        return list(ses_backends[DEFAULT_ACCOUNT_ID][REGION].sent_messages)


def _user_pool() -> dict[str, str]:
    """The operators' user pool, its app client and role groups, from ``infra.identity``."""
    pool_id, client_id = create_user_pool(boto3.client("cognito-idp", region_name=REGION))
    return {"USER_POOL_ID": pool_id, "USER_POOL_CLIENT_ID": client_id, "AWS_REGION": REGION}


def _environment(tables: dict[str, str], secret_arn: str, dlq_arn: str) -> dict[str, str]:
    return {
        **{f"{logical.upper()}_TABLE": name for logical, name in tables.items()},
        "RAW_MAIL_BUCKET": BUCKET,
        "SCHEDULE_GROUP": GROUP,
        "SEND_FUNCTION_ARN": SEND_ARN,
        "SCHEDULER_ROLE_ARN": f"arn:aws:iam::{DEFAULT_ACCOUNT_ID}:role/okaeri-scheduler",
        "SCHEDULE_DLQ_ARN": dlq_arn,
        "SES_CONFIGURATION_SET": "okaeri",
        "UNSUBSCRIBE_SECRET_ID": secret_arn,
    }


def _load_shop(config: DynamoConfig, coupons: DynamoCoupons, relay: RelayConfig) -> Shop:
    shop = load_document(Shop, CONFIG / "shop.yaml")
    config.put_shop(shop)
    config.save_scenario(SHOP_ID, load_document(Scenario, CONFIG / "scenario-thanks-like-love.yaml"))
    for path in sorted(CONFIG.glob("template-*.yaml")):
        config.save_template(SHOP_ID, load_document(Template, path))
    codes = (CONFIG / "coupons-MIKAN5.csv").read_text(encoding="utf-8").split()[1:]
    coupons.load_pool(SHOP_ID, "MIKAN5", [*codes, *(f"MIKAN5-PIPE-{n:03d}" for n in range(20))])
    config.put_relay(SHOP_ID, "rakuten", relay)
    return shop


@pytest.fixture
def stack(tables: dict[str, str], smtp_relay: SmtpRelayServer) -> Stack:
    s3_client().create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    boto3.client("scheduler", region_name=REGION).create_schedule_group(Name=GROUP)
    dlq = boto3.client("sqs", region_name=REGION).create_queue(QueueName="okaeri-schedule-dlq")["QueueUrl"]
    dlq_arn = f"arn:aws:sqs:{REGION}:{DEFAULT_ACCOUNT_ID}:{dlq.rsplit('/', 1)[-1]}"
    ses = boto3.client("sesv2", region_name=REGION)
    ses.create_email_identity(EmailIdentity="mikan-sanbo.example")
    ses.create_configuration_set(ConfigurationSetName="okaeri")
    secrets = boto3.client("secretsmanager", region_name=REGION)
    unsubscribe_arn = secrets.create_secret(Name="okaeri/unsubscribe", SecretString="x" * 32)["ARN"]
    relay_arn = secrets.create_secret(
        Name="okaeri/relay/mikan-sanbo/rakuten",
        SecretString=json.dumps({"username": smtp_relay.username, "password": smtp_relay.password}),
    )["ARN"]
    environ = _environment(tables, unsubscribe_arn, dlq_arn) | _user_pool()
    clock = MovableClock(datetime.fromisoformat("2026-11-30T07:00:00+09:00"))
    send = build_send_deps(SendSettings.model_validate({k.lower(): v for k, v in environ.items()}), clock)

    def relay_for(relay: RelayConfig) -> SmtpRelayTransport:
        return SmtpRelayTransport(
            relay, credentials=smtp_relay.credentials, tls_context=smtp_relay.ssl_context_for_client()
        )

    send = replace(send, relay_for=relay_for)
    relay = smtp_relay.relay_config(domains=["*.fw.rakuten.ne.jp"], secret_arn=relay_arn)
    shop = _load_shop(DynamoConfig(tables["config"]), DynamoCoupons(tables["config"]), relay)
    lowered = {k.lower(): v for k, v in environ.items()}
    return Stack(
        clock=clock,
        ingest=build_ingest_deps(IngestSettings.model_validate(lowered), clock),
        schedule=build_schedule_deps(ScheduleSettings.model_validate(lowered), clock),
        send=send,
        events=build_events_deps(SendSettings.model_validate(lowered), clock),
        admin=replace(build_admin_deps(AdminSettings.model_validate(lowered), clock), relay_for=relay_for),
        relay=smtp_relay,
        shop=shop,
        tables=tables,
    )


def put_mail(key: str, raw: bytes) -> None:
    s3_client().put_object(Bucket=BUCKET, Key=key, Body=raw)


def s3_event(key: str, at: str = "2026-12-06T00:00:00.000Z") -> dict[str, Any]:
    return {"Records": [{
        "eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": REGION, "eventTime": at,
        "eventName": "ObjectCreated:Put",
        "s3": {"s3SchemaVersion": "1.0", "bucket": {"name": BUCKET, "arn": f"arn:aws:s3:::{BUCKET}"},
               "object": {"key": key, "size": 1}},
    }]}  # fmt: skip


def stream_records(stack: Stack) -> list[dict[str, Any]]:
    """New records of the orders table's stream since the last call, as Lambda receives them.

    Read from moto's own stream shard (in-process): botocore's current DynamoDB Streams endpoint
    is not routed by moto's request stubber, so the records are taken from the backend directly.
    """
    table = dynamodb_backends[DEFAULT_ACCOUNT_ID][REGION].get_table(stack.tables["orders"])
    assert table.stream_shard is not None, "the orders table must have a stream"
    arn = dynamodb_client().describe_table(TableName=stack.tables["orders"])["Table"]["LatestStreamArn"]
    seen = stack.stream_position.get("orders", 0)
    fresh = table.stream_shard.items[seen:]
    stack.stream_position["orders"] = seen + len(fresh)
    return [
        {**json.loads(json.dumps(record.to_json(), default=str)), "eventSourceARN": arn} for record in fresh
    ]


def schedules() -> dict[str, dict[str, Any]]:
    client = boto3.client("scheduler", region_name=REGION)
    found: dict[str, dict[str, Any]] = {}
    for summary in client.list_schedules(GroupName=GROUP)["Schedules"]:
        found[summary["Name"]] = dict(client.get_schedule(Name=summary["Name"], GroupName=GROUP))
    return found


# --- helpers for the handler and fault suites ---------------------------------------------------------


def table_items(stack: Stack) -> dict[str, list[dict[str, Any]]]:
    """Every item of every table, sorted by key: two snapshots are equal when nothing was written."""
    client = dynamodb_client()
    snapshot: dict[str, list[dict[str, Any]]] = {}
    for logical, name in stack.tables.items():
        items = [
            item for page in client.get_paginator("scan").paginate(TableName=name) for item in page["Items"]
        ]
        snapshot[logical] = sorted(items, key=lambda item: json.dumps(item, sort_keys=True, default=str))
    return snapshot


def reception_items(stack: Stack, shop_id: str = SHOP_ID) -> list[dict[str, Any]]:
    """The shop's reception log as stored (one item per received mail)."""
    table = boto3.resource("dynamodb", region_name=REGION).Table(stack.tables["logs"])
    return all_items(table.query, KeyConditionExpression=Key("pk").eq(f"{shop_id}#reception"))


def message_id_of(raw: bytes | str) -> str:
    """The Message-ID header of a raw mail (empty when it has none)."""
    headers = email.message_from_string(raw) if isinstance(raw, str) else BytesHeaderParser().parsebytes(raw)
    return str(headers.get("Message-ID", "")).strip()


class TappedTransport:
    """A transport that notes which delivery each message it is handed belongs to (its Message-ID →
    the ``delivery`` tag) before passing it on, so the messages moto and the relay received can be
    counted per delivery."""

    def __init__(self, inner: Transport, deliveries_by_message_id: dict[str, str]) -> None:
        self.name = inner.name
        self.inner = inner
        self.deliveries_by_message_id = deliveries_by_message_id

    def send(self, *, sender: str, recipient: str, raw: bytes, tags: Mapping[str, str]) -> str:
        self.deliveries_by_message_id[message_id_of(raw)] = tags["delivery"]
        return self.inner.send(sender=sender, recipient=recipient, raw=raw, tags=tags)


def tap_transports(stack: Stack) -> dict[str, str]:
    """Tap the send deps' SES and relay transports; returns the (growing) Message-ID → delivery map."""
    tapped: dict[str, str] = {}
    relay_for = stack.send.relay_for
    stack.send = replace(
        stack.send,
        ses=TappedTransport(stack.send.ses, tapped),
        relay_for=lambda relay: TappedTransport(relay_for(relay), tapped),
    )
    return tapped


def accepted_per_delivery(stack: Stack, tapped: Mapping[str, str]) -> Counter[str]:
    """How many messages moto's SES and the relay accepted for each delivery ("" for a message no
    tapped transport was handed: a stray)."""
    message_ids = [message_id_of(message.raw_data) for message in stack.ses_outbox()]
    message_ids += [message_id_of(message.data) for message in stack.relay.messages]
    return Counter(tapped.get(message_id, "") for message_id in message_ids)
