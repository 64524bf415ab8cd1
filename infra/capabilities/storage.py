"""Storage: the data key, the DynamoDB tables (from ``infra/tables.py``) and the raw mail bucket."""

from __future__ import annotations

from aws_cdk import Aws, Duration, RemovalPolicy, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

from infra.nag import AccountArn, acknowledge, principal_scope, wildcard_resource
from infra.resources import NAME_PREFIX, RAW_MAIL_BUCKET
from infra.tables import TABLES, TableDef
from okaeri.services.ingest import INBOUND_PREFIX

ACCESS_LOG_DAYS = 365


class Storage(Construct):
    """A customer-managed key encrypts everything Okaeri keeps: tables, raw mail, logs, queues."""

    def __init__(self, scope: Construct, construct_id: str, *, raw_mail_retention_days: int) -> None:
        super().__init__(scope, construct_id)
        self.key = kms.Key(
            self,
            "DataKey",
            alias=f"alias/{NAME_PREFIX}",
            description="Okaeri: orders, buyers, mail, logs and queues",
            enable_key_rotation=True,
            removal_policy=RemovalPolicy.RETAIN,
        )
        # CloudWatch Logs encrypts the functions' and the API's log groups with this key.
        self.key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="CloudWatchLogsEncryptsOkaeriLogs",
                principals=[iam.ServicePrincipal(f"logs.{Aws.REGION}.amazonaws.com")],
                actions=[
                    "kms:Encrypt*",
                    "kms:Decrypt*",
                    "kms:ReEncrypt*",
                    "kms:GenerateDataKey*",
                    "kms:Describe*",
                ],
                resources=["*"],  # in a key policy "*" means this key
                conditions={
                    "ArnLike": {"kms:EncryptionContext:aws:logs:arn": AccountArn("logs", "log-group:*").token}
                },
            )
        )
        self.tables: dict[str, dynamodb.Table] = {table.logical_name: self._table(table) for table in TABLES}
        self.access_logs = self._access_log_bucket()
        # Named before it exists, so its notification's permission need not refer to it (no cycle).
        self.raw_mail_name = f"{RAW_MAIL_BUCKET}-{Aws.ACCOUNT_ID}-{Aws.REGION}"
        self.raw_mail_arn = f"arn:{Aws.PARTITION}:s3:::{self.raw_mail_name}"
        self.raw_mail = s3.Bucket(
            self,
            "RawMail",
            bucket_name=self.raw_mail_name,
            encryption=s3.BucketEncryption.KMS,
            encryption_key=self.key,
            bucket_key_enabled=True,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            enforce_ssl=True,
            minimum_tls_version=1.2,
            server_access_logs_bucket=self.access_logs,
            server_access_logs_prefix="raw-mail/",
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="expire-raw-mail",
                    prefix=f"{INBOUND_PREFIX}/",
                    expiration=Duration.days(raw_mail_retention_days),
                    abort_incomplete_multipart_upload_after=Duration.days(1),
                )
            ],
            removal_policy=RemovalPolicy.RETAIN,
        )

    def table(self, definition: TableDef) -> dynamodb.Table:
        return self.tables[definition.logical_name]

    def grant_tables(self, grantee: iam.IGrantable, *tables: TableDef, write: bool) -> None:
        """Read (or read and write) these tables and their indexes, nothing else."""
        scope = principal_scope(grantee)
        for definition in tables:
            table = self.table(definition)
            if write:
                table.grant_read_write_data(grantee)
            else:
                table.grant_read_data(grantee)
            if definition.indexes:
                logical_id = Stack.of(self).get_logical_id(table.node.default_child)  # type: ignore[arg-type]
                acknowledge(
                    scope,
                    f"The {definition.logical_name} table's own indexes (docs/data-model.md)",
                    wildcard_resource(f"<{logical_id}.Arn>/index/*"),
                )

    def grant_index_query(self, grantee: iam.IGrantable, definition: TableDef, index: str) -> None:
        """Query one index of a table, nothing else (the win-back job's read of the customers)."""
        if index not in {i.name for i in definition.indexes}:
            raise ValueError(f"the {definition.logical_name} table has no index {index}")
        table = self.table(definition)
        grantee.grant_principal.add_to_principal_policy(
            iam.PolicyStatement(actions=["dynamodb:Query"], resources=[f"{table.table_arn}/index/{index}"])
        )
        self.key.grant_decrypt(grantee)

    def environment(self, *, retention_days: int) -> dict[str, str]:
        """What every function's settings read about storage (``okaeri.settings``)."""
        return {
            **{table.env_var(): self.tables[table.logical_name].table_name for table in TABLES},
            "RETENTION_DAYS": str(retention_days),
            "RAW_MAIL_BUCKET": self.raw_mail_name,
        }

    def grant_raw_mail_read(self, grantee: iam.IGrantable) -> None:
        """Read stored mail (by the bucket's name: the bucket itself waits for ingest)."""
        grantee.grant_principal.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["s3:GetObject"], resources=[f"{self.raw_mail_arn}/{INBOUND_PREFIX}/*"]
            )
        )
        self.key.grant_decrypt(grantee)
        acknowledge(
            principal_scope(grantee),
            "Order mails are objects SES stores at run time; only those under inbound/",
            wildcard_resource(
                f"arn:<AWS::Partition>:s3:::{RAW_MAIL_BUCKET}-<AWS::AccountId>-<AWS::Region>/{INBOUND_PREFIX}/*"
            ),
        )

    def _table(self, definition: TableDef) -> dynamodb.Table:
        def attribute(name: str) -> dynamodb.Attribute:
            kind = definition.attribute_types.get(name, "S")
            return dynamodb.Attribute(name=name, type=_ATTRIBUTE_TYPES[kind])

        table = dynamodb.Table(
            self,
            definition.logical_name.capitalize(),
            partition_key=attribute(definition.partition_key),
            sort_key=attribute(definition.sort_key),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            encryption=dynamodb.TableEncryption.CUSTOMER_MANAGED,
            encryption_key=self.key,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            time_to_live_attribute=definition.ttl_attribute,
            stream=dynamodb.StreamViewType(definition.stream) if definition.stream else None,
            deletion_protection=True,
            removal_policy=RemovalPolicy.RETAIN,
        )
        for index in definition.indexes:
            table.add_global_secondary_index(
                index_name=index.name,
                partition_key=attribute(index.partition_key),
                sort_key=attribute(index.sort_key) if index.sort_key else None,
                projection_type=dynamodb.ProjectionType(index.projection),
            )
        return table

    def _access_log_bucket(self) -> s3.Bucket:
        """S3 server access logs: the target bucket cannot use SSE-KMS, so SSE-S3 here."""
        bucket = s3.Bucket(
            self,
            "AccessLogs",
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            enforce_ssl=True,
            minimum_tls_version=1.2,
            lifecycle_rules=[
                s3.LifecycleRule(id="expire-access-logs", expiration=Duration.days(ACCESS_LOG_DAYS))
            ],
            removal_policy=RemovalPolicy.RETAIN,
        )
        acknowledge(
            bucket, "This is the access log bucket; logging it into itself would loop", "AwsSolutions-S1"
        )
        return bucket

    def allow_service_to_encrypt(self, sid: str, principal: iam.ServicePrincipal, *, source_arn: str) -> None:
        """Let an AWS service (SES storing mail, SNS, CloudWatch) use the key for one source only."""
        self.key.add_to_resource_policy(
            iam.PolicyStatement(
                sid=sid,
                principals=[principal],
                actions=["kms:GenerateDataKey*", "kms:Decrypt"],
                resources=["*"],  # in a key policy "*" means this key
                conditions={
                    "StringEquals": {"aws:SourceAccount": self.key.stack.account},
                    "ArnLike": {"aws:SourceArn": source_arn},
                },
            )
        )


_ATTRIBUTE_TYPES = {"S": dynamodb.AttributeType.STRING, "N": dynamodb.AttributeType.NUMBER}
