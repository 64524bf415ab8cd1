"""Inbound: SES receives each shop's order mail into the raw mail bucket, which wakes ingest."""

from __future__ import annotations

from aws_cdk import Aws
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_ses as ses
from constructs import Construct

from infra.capabilities.scheduling import dead_letter_queue
from infra.capabilities.storage import Storage
from infra.lambda_function import LambdaFactory
from infra.nag import AccountArn
from infra.resources import RECEIPT_RULE_SET, inbound_prefix
from infra.settings import DeploymentSettings
from infra.tables import CONFIG, CUSTOMERS, LOGS, ORDERS
from okaeri.services.ingest import INBOUND_PREFIX


class Inbound(Construct):
    """The receipt rule set (one rule per shop: its addresses → ``inbound/<shop>/``, spam and virus
    scanning on, TLS required), the bucket policy letting only this rule set write, and ingest."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: DeploymentSettings,
        storage: Storage,
        functions: LambdaFactory,
    ) -> None:
        super().__init__(scope, construct_id)
        self.failures = dead_letter_queue(self, "IngestFailures", storage=storage)
        self.ingest = functions.function(
            self,
            "Ingest",
            source="ingest",
            description="Okaeri ingest: a stored order mail → order, buyer and reception log",
            timeout_seconds=60,
            memory_mb=1024,
            dead_letter_queue=self.failures,
        )
        storage.grant_tables(self.ingest, ORDERS, CUSTOMERS, LOGS, CONFIG, write=True)
        storage.grant_raw_mail_read(self.ingest)
        bucket = storage.raw_mail
        rule_set_arn = AccountArn("ses", f"receipt-rule-set/{RECEIPT_RULE_SET}").token
        only_our_rules = {
            "StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID},
            "ArnLike": {"aws:SourceArn": f"{rule_set_arn}:receipt-rule/*"},
        }
        ses_principal = iam.ServicePrincipal("ses.amazonaws.com")
        policy_result = bucket.add_to_resource_policy(
            iam.PolicyStatement(
                sid="SesStoresOrderMail",
                principals=[ses_principal],
                actions=["s3:PutObject"],
                resources=[bucket.arn_for_objects(f"{INBOUND_PREFIX}/*")],
                conditions=only_our_rules,
            )
        )
        storage.allow_service_to_encrypt(
            "SesStoresOrderMail", ses_principal, source_arn=f"{rule_set_arn}:receipt-rule/*"
        )

        self.rule_set = ses.CfnReceiptRuleSet(self, "RuleSet", rule_set_name=RECEIPT_RULE_SET)
        self.rules: dict[str, ses.CfnReceiptRule] = {}
        for shop in settings.shops:
            rule = ses.CfnReceiptRule(
                self,
                f"Rule-{shop.id}",
                rule_set_name=RECEIPT_RULE_SET,
                rule=ses.CfnReceiptRule.RuleProperty(
                    name=f"shop-{shop.id}",
                    enabled=True,
                    recipients=shop.recipients(settings.receiving_domain),
                    scan_enabled=True,
                    tls_policy="Require",
                    actions=[
                        ses.CfnReceiptRule.ActionProperty(
                            s3_action=ses.CfnReceiptRule.S3ActionProperty(
                                bucket_name=bucket.bucket_name,
                                object_key_prefix=inbound_prefix(shop.id),
                            )
                        )
                    ],
                ),
            )
            rule.node.add_dependency(self.rule_set)
            # SES checks it may write (a test object) when the rule is made: policy and key first.
            if policy_result.policy_dependable is not None:
                rule.node.add_dependency(policy_result.policy_dependable)
            rule.node.add_dependency(storage.key)
            self.rules[shop.id] = rule

        if settings.receiving_domain != settings.sending_domain:
            ses.EmailIdentity(
                self, "ReceivingDomain", identity=ses.Identity.domain(settings.receiving_domain)
            )
        self._notify(bucket, self.ingest, storage)

    @staticmethod
    def _notify(bucket: s3.Bucket, ingest: lambda_.Function, storage: Storage) -> None:
        """ObjectCreated under ``inbound/`` → ingest, written on the bucket itself (no custom
        resource). The bucket's name is known before it exists, so the permission needs nothing of
        the bucket and the bucket can wait for it."""
        permission = lambda_.CfnPermission(
            ingest,
            "FromRawMailBucket",
            action="lambda:InvokeFunction",
            function_name=ingest.function_arn,
            principal="s3.amazonaws.com",
            source_account=Aws.ACCOUNT_ID,
            source_arn=storage.raw_mail_arn,
        )
        cfn_bucket = bucket.node.default_child
        assert isinstance(cfn_bucket, s3.CfnBucket)
        cfn_bucket.notification_configuration = s3.CfnBucket.NotificationConfigurationProperty(
            lambda_configurations=[
                s3.CfnBucket.LambdaConfigurationProperty(
                    event="s3:ObjectCreated:*",
                    function=ingest.function_arn,
                    filter=s3.CfnBucket.NotificationFilterProperty(
                        s3_key=s3.CfnBucket.S3KeyFilterProperty(
                            rules=[s3.CfnBucket.FilterRuleProperty(name="prefix", value=f"{INBOUND_PREFIX}/")]
                        )
                    ),
                )
            ]
        )
        cfn_bucket.node.add_dependency(permission)
