"""The AWS resources of a deployment, created in the local stack's moto server from the shared
definitions (``infra/tables.py``, ``infra/identity.py``, ``infra/resources.py``) the CDK stack
builds from, and the environment the functions' settings read (``okaeri.settings``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from infra.identity import create_user_pool
from infra.resources import (
    NAME_PREFIX,
    RAW_MAIL_BUCKET,
    SCHEDULE_DLQ,
    SCHEDULE_DLQ_RETENTION_DAYS,
    SCHEDULE_GROUP,
    SCHEDULER_ROLE,
    SEND_FUNCTION,
    SES_CONFIGURATION_SET,
    UNSUBSCRIBE_SECRET,
    UNSUBSCRIBE_SECRET_BYTES,
)
from infra.tables import TABLES, create_tables
from okaeri_dev.gateway import COGNITO_PATH

if TYPE_CHECKING:
    from boto3 import Session

REGION: Final = "ap-northeast-1"


@dataclass(frozen=True)
class Resources:
    account: str  # moto's account for the made-up credentials
    tables: dict[str, str]  # logical name → table name
    bucket: str
    schedule_group: str
    dead_letter_url: str
    dead_letter_arn: str
    user_pool_id: str
    user_pool_client_id: str
    unsubscribe_secret_arn: str
    orders_stream_arn: str

    def environment(self) -> dict[str, str]:
        """The functions' environment (the variables ``okaeri.settings`` reads), as the CDK sets it."""
        return {
            **{table.env_var(): self.tables[table.logical_name] for table in TABLES},
            "RAW_MAIL_BUCKET": self.bucket,
            "SCHEDULE_GROUP": self.schedule_group,
            "SEND_FUNCTION_ARN": f"arn:aws:lambda:{REGION}:{self.account}:function:{SEND_FUNCTION}",
            "SCHEDULER_ROLE_ARN": f"arn:aws:iam::{self.account}:role/{SCHEDULER_ROLE}",
            "SCHEDULE_DLQ_ARN": self.dead_letter_arn,
            "SES_CONFIGURATION_SET": SES_CONFIGURATION_SET,
            "UNSUBSCRIBE_SECRET_ID": self.unsubscribe_secret_arn,
            "USER_POOL_ID": self.user_pool_id,
            "USER_POOL_CLIENT_ID": self.user_pool_client_id,
            "AWS_REGION": REGION,
            "COGNITO_ENDPOINT": COGNITO_PATH,  # the gateway's proxy to the pool: the page's own origin
        }


def create_resources(session: Session, *, sending_domains: list[str]) -> Resources:
    """Tables (TTL on), the raw mail bucket, the schedule group and its dead-letter queue, SES
    identities and the configuration set, the unsubscribe signing key, the operators' user pool."""
    tables = create_tables(session.client("dynamodb"), f"{NAME_PREFIX}-")
    session.client("s3").create_bucket(
        Bucket=RAW_MAIL_BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION}
    )
    session.client("scheduler").create_schedule_group(Name=SCHEDULE_GROUP)
    sqs: Any = session.client("sqs")  # (no SQS type stubs in the dev tools)
    dlq_url = sqs.create_queue(
        QueueName=SCHEDULE_DLQ,
        Attributes={"MessageRetentionPeriod": str(SCHEDULE_DLQ_RETENTION_DAYS * 86400)},
    )["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    ses = session.client("sesv2")
    ses.create_configuration_set(ConfigurationSetName=SES_CONFIGURATION_SET)
    for domain in sending_domains:
        ses.create_email_identity(EmailIdentity=domain, ConfigurationSetName=SES_CONFIGURATION_SET)
    secret = session.client("secretsmanager").create_secret(
        Name=UNSUBSCRIBE_SECRET, SecretBinary=os.urandom(UNSUBSCRIBE_SECRET_BYTES)
    )
    pool_id, client_id = create_user_pool(session.client("cognito-idp"))
    stream_arn = session.client("dynamodb").describe_table(TableName=tables["orders"])["Table"][
        "LatestStreamArn"
    ]
    return Resources(
        account=session.client("sts").get_caller_identity()["Account"],
        tables=tables,
        bucket=RAW_MAIL_BUCKET,
        schedule_group=SCHEDULE_GROUP,
        dead_letter_url=dlq_url,
        dead_letter_arn=dlq_arn,
        user_pool_id=pool_id,
        user_pool_client_id=client_id,
        unsubscribe_secret_arn=secret["ARN"],
        orders_stream_arn=stream_arn,
    )
