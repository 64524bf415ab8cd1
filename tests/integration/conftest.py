"""Fixtures for the integration tests: AWS in-process (moto) and the project's DynamoDB tables.

- ``aws``: fake credentials in ``ap-northeast-1``, no profile and no endpoint override, every call
  inside moto's ``mock_aws``; the cached clients of ``okaeri.aws.clients`` are reset on entry and
  exit, so a test never reuses a client bound to another mock. Nothing can reach a real account.
- ``tables``: every table of ``infra.tables.TABLES`` created in that mock from
  ``TableDef.create_table_request`` (so tests and infrastructure cannot drift), named
  ``okaeri-<logical>``, TTL switched on where the definition has one; returns ``{logical: name}``.

A test that needs other services (S3, Scheduler, SES) asks for ``aws`` and creates what it needs.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from moto import mock_aws

from infra.tables import create_tables
from okaeri.aws.clients import dynamodb_client, reset_clients

REGION = "ap-northeast-1"
TABLE_PREFIX = "okaeri-"


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_REGION", REGION)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "testing")
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB"):
        monkeypatch.delenv(name, raising=False)
    reset_clients()
    with mock_aws():
        yield
    reset_clients()


@pytest.fixture
def tables(aws: None) -> dict[str, str]:
    return create_tables(dynamodb_client(), TABLE_PREFIX)
