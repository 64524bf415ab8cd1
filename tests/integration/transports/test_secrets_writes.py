"""SecretsManagerSecrets writes against moto: create or replace, idempotent, is_set, delete."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from okaeri.aws.secrets import SecretsManagerSecrets
from okaeri.errors import NotFoundError
from tests.integration.transports.conftest import REGION

NAME = "okaeri/relay/mikan-sanbo/rakuten"


@pytest.fixture
def client(mocked_aws: None) -> Any:
    return boto3.client("secretsmanager", region_name=REGION)


@pytest.fixture
def secrets(client: Any) -> SecretsManagerSecrets:
    return SecretsManagerSecrets(client, ttl_seconds=300, clock=lambda: 1000.0)


def versions(client: Any) -> int:
    return len(client.list_secret_version_ids(SecretId=NAME)["Versions"])


def test_put_json_creates_then_replaces_and_the_cache_follows(
    secrets: SecretsManagerSecrets, client: Any
) -> None:
    assert not secrets.is_set(NAME)
    arn = secrets.put_json(NAME, {"username": "rms", "password": "pw1"})
    assert arn.startswith("arn:aws:secretsmanager:")
    assert NAME in arn
    assert secrets.is_set(NAME)
    assert secrets.get_json(NAME) == {"username": "rms", "password": "pw1"}

    assert secrets.put_json(NAME, {"username": "rms", "password": "pw2"}) == arn
    assert secrets.get_json(NAME)["password"] == "pw2"  # this instance's cache is refreshed
    stored = json.loads(client.get_secret_value(SecretId=NAME)["SecretString"])
    assert stored == {"password": "pw2", "username": "rms"}


def test_writing_the_same_value_again_makes_no_new_version(
    secrets: SecretsManagerSecrets, client: Any
) -> None:
    secrets.put_string(NAME, "same")
    count = versions(client)
    secrets.put_string(NAME, "same")
    secrets.put_string(NAME, "same")
    assert versions(client) == count


def test_delete_removes_at_once_and_a_missing_one_is_fine(secrets: SecretsManagerSecrets) -> None:
    secrets.put_string(NAME, "value")
    secrets.get_bytes(NAME)
    secrets.delete(NAME)
    secrets.delete(NAME)
    assert not secrets.is_set(NAME)
    with pytest.raises(NotFoundError):
        secrets.get_bytes(NAME)  # not served from the cache
    secrets.put_string(NAME, "again")
    assert secrets.get_bytes(NAME) == b"again"
