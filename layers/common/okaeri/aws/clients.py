"""One cached getter per boto3 client, built on first use (never at import time).

boto3 reads the region, the credentials and ``AWS_ENDPOINT_URL`` (the local stack's moto server)
when a client is created, so nothing here reads the environment itself. Tests call
``reset_clients()`` after changing that environment (a new moto mock, another endpoint).
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

import boto3
from botocore.config import Config

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_scheduler import EventBridgeSchedulerClient
    from mypy_boto3_secretsmanager import SecretsManagerClient
    from mypy_boto3_sesv2 import SESV2Client

CONNECT_TIMEOUT_SECONDS = 2
READ_TIMEOUT_SECONDS = 10
SDK_ATTEMPTS = 3  # the first try and two retries ("standard" mode: backoff, throttling-aware)


def _config(*, total_attempts: int = SDK_ATTEMPTS) -> Config:
    return Config(
        connect_timeout=CONNECT_TIMEOUT_SECONDS,
        read_timeout=READ_TIMEOUT_SECONDS,
        retries={"mode": "standard", "total_max_attempts": total_attempts},
    )


@lru_cache(maxsize=1)
def dynamodb_client() -> DynamoDBClient:
    return boto3.client("dynamodb", config=_config())


@lru_cache(maxsize=1)
def s3_client() -> S3Client:
    return boto3.client("s3", config=_config())


@lru_cache(maxsize=1)
def scheduler_client() -> EventBridgeSchedulerClient:
    return boto3.client("scheduler", config=_config())


@lru_cache(maxsize=4)  # (True) and (retries_off=True) are two cache keys: harmless
def sesv2_client(retries_off: bool) -> SESV2Client:
    """SES v2. ``retries_off=True`` is the send client: one attempt, because ``SendEmail`` has no
    idempotency token and a retry after a lost answer could send the mail twice (SPEC decision 4);
    a throttled send is moved a little later by the send service, never waited for in-process.
    Other SES calls use the ordinary retries."""
    return boto3.client("sesv2", config=_config(total_attempts=1 if retries_off else SDK_ATTEMPTS))


@lru_cache(maxsize=1)
def secrets_client() -> SecretsManagerClient:
    return boto3.client("secretsmanager", config=_config())


@lru_cache(maxsize=1)
def cognito_client() -> CognitoIdentityProviderClient:
    return boto3.client("cognito-idp", config=_config())


def reset_clients() -> None:
    """Forget every cached client (tests: a new moto mock or another endpoint)."""
    for getter in (
        dynamodb_client,
        s3_client,
        scheduler_client,
        sesv2_client,
        secrets_client,
        cognito_client,
    ):
        getter.cache_clear()
