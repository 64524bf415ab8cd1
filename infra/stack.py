"""The Okaeri stack: one construct per capability, wired with grants (``infra/capabilities``)."""

from __future__ import annotations

from typing import Any

from aws_cdk import CfnOutput, Environment, Stack, Tags
from constructs import Construct

from infra.capabilities.admin import Admin
from infra.capabilities.inbound import Inbound
from infra.capabilities.observability import Observability
from infra.capabilities.scheduling import Scheduling
from infra.capabilities.sending import Sending
from infra.capabilities.storage import Storage
from infra.lambda_function import LambdaFactory, common_layer
from infra.resources import RECEIPT_RULE_SET
from infra.settings import DeploymentSettings
from infra.tables import CONFIG, ORDERS


class OkaeriStack(Stack):
    def __init__(
        self, scope: Construct, construct_id: str, *, settings: DeploymentSettings, **kwargs: Any
    ) -> None:
        super().__init__(
            scope,
            construct_id,
            env=Environment(account=settings.account or None, region=settings.region),
            description="Okaeri: follow-up mail for online shops (github.com/okaeri)",
            **kwargs,
        )
        Tags.of(self).add("app", "okaeri")
        storage = Storage(self, "Storage", raw_mail_retention_days=settings.raw_mail_retention_days)
        scheduling = Scheduling(self, "Scheduling", storage=storage)
        functions = LambdaFactory(
            layer=common_layer(self),
            log_key=storage.key,
            log_retention_days=settings.log_retention_days,
            environment={
                **storage.environment(retention_days=settings.data_retention_days),
                **scheduling.environment,
            },
        )
        schedule = scheduling.add_schedule_function(storage=storage, functions=functions)
        winback = scheduling.add_winback(storage=storage, functions=functions)
        inbound = Inbound(self, "Inbound", settings=settings, storage=storage, functions=functions)
        sending = Sending(
            self, "Sending", settings=settings, storage=storage, scheduling=scheduling, functions=functions
        )
        admin = Admin(
            self,
            "Admin",
            settings=settings,
            storage=storage,
            scheduling=scheduling,
            sending=sending,
            functions=functions,
        )
        Observability(
            self,
            "Observability",
            storage=storage,
            alarm_email=settings.alarm_email,
            functions={
                "ingest": inbound.ingest,
                "schedule": schedule,
                "winback": winback,
                "send": sending.send,
                "sweep": sending.sweep,
                "events": sending.events,
                "admin": admin.function,
            },
            dead_letter_queues={
                "ingest": inbound.failures,
                "send": sending.send_failures,
                "wake-up": scheduling.dead_letters,
                "order-stream": scheduling.stream_failures,
                "winback": scheduling.winback_failures,
                "ses-events": sending.event_failures,
            },
            api_id=admin.api.api_id,
        )
        functions.finish()
        self._outputs(settings, admin=admin, storage=storage)

    def _outputs(self, settings: DeploymentSettings, *, admin: Admin, storage: Storage) -> None:
        outputs = {
            "AdminUrl": (admin.api.api_endpoint, "管理画面 / the admin page"),
            "UserPoolId": (admin.user_pool.ref, "運用者のユーザープール / the operators' user pool"),
            "UserPoolClientId": (admin.client.ref, "管理画面のアプリクライアント / the page's app client"),
            "RawMailBucket": (
                storage.raw_mail.bucket_name,
                "受信メールの保存先 / where order mail is stored",
            ),
            "ConfigTable": (
                storage.table(CONFIG).table_name,
                "設定のテーブル（okaeri add-shop --table） / the config table (okaeri add-shop --table)",
            ),
            "OrdersTable": (
                storage.table(ORDERS).table_name,
                "注文のテーブル（okaeri migrate-order-keys --table） / the orders table (okaeri migrate-order-keys --table)",
            ),
            "ReceiptRuleSet": (
                RECEIPT_RULE_SET,
                "有効化する受信ルールセット / the receipt rule set to activate",
            ),
            "InboundAddresses": (
                " ".join(
                    address
                    for shop in settings.shops
                    for address in shop.recipients(settings.receiving_domain)
                ),
                "各店舗の転送先 / each shop's forwarding address",
            ),
        }
        for name, (value, description) in outputs.items():
            CfnOutput(self, name, value=value, description=description)
