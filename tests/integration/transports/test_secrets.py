"""SecretsManagerSecrets against moto: JSON and bytes, the TTL cache on an injected clock, errors."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from okaeri.aws.secrets import SecretsManagerSecrets
from okaeri.errors import ConfigError, NotFoundError
from tests.integration.transports.conftest import REGION

RELAY = "okaeri/relay/sakura-farm/fw.rakuten.ne.jp"
SIGNING = "okaeri/unsubscribe-signing"


class Ticks:
    """A monotonic clock that moves only when the test says so."""

    def __init__(self) -> None:
        self.value = 1000.0

    def __call__(self) -> float:
        return self.value


@pytest.fixture
def client(mocked_aws: None) -> Any:
    secrets = boto3.client("secretsmanager", region_name=REGION)
    secrets.create_secret(Name=RELAY, SecretString=json.dumps({"username": "rms", "password": "pw1"}))
    return secrets


@pytest.fixture
def ticks() -> Ticks:
    return Ticks()


@pytest.fixture
def secrets(client: Any, ticks: Ticks) -> SecretsManagerSecrets:
    return SecretsManagerSecrets(client, ttl_seconds=300, clock=ticks)


def test_get_json_reads_an_object_of_strings(secrets: SecretsManagerSecrets) -> None:
    assert secrets.get_json(RELAY) == {"username": "rms", "password": "pw1"}


def test_a_value_is_cached_for_the_ttl_then_read_again(
    secrets: SecretsManagerSecrets, client: Any, ticks: Ticks
) -> None:
    secrets.get_json(RELAY)
    client.put_secret_value(SecretId=RELAY, SecretString=json.dumps({"username": "rms", "password": "pw2"}))

    ticks.value += 299
    assert secrets.get_json(RELAY)["password"] == "pw1"
    ticks.value += 1
    assert secrets.get_json(RELAY)["password"] == "pw2"


def test_get_bytes_gives_a_binary_secret_as_stored(secrets: SecretsManagerSecrets, client: Any) -> None:
    key = bytes(range(32))
    client.create_secret(Name=SIGNING, SecretBinary=key)

    assert secrets.get_bytes(SIGNING) == key


def test_get_bytes_encodes_a_string_secret_as_utf8(secrets: SecretsManagerSecrets, client: Any) -> None:
    client.create_secret(Name=SIGNING, SecretString="おかえり-signing-secret")

    assert secrets.get_bytes(SIGNING) == "おかえり-signing-secret".encode()


def test_a_missing_secret_is_not_found(secrets: SecretsManagerSecrets) -> None:
    with pytest.raises(NotFoundError) as caught:
        secrets.get_json("okaeri/relay/nobody")

    assert "okaeri/relay/nobody" in caught.value.message_en


@pytest.mark.parametrize(
    ("stored", "problem"),
    [
        ("username=rms", "is not JSON"),
        ('["rms", "pw"]', "is not a JSON object of strings"),
        ('{"username": "rms", "port": 587}', "is not a JSON object of strings"),
    ],
)
def test_a_secret_that_is_not_an_object_of_strings_is_a_config_error(
    secrets: SecretsManagerSecrets, client: Any, stored: str, problem: str
) -> None:
    client.create_secret(Name="okaeri/relay/bad", SecretString=stored)

    with pytest.raises(ConfigError) as caught:
        secrets.get_json("okaeri/relay/bad")

    assert caught.value.problems == [f"okaeri/relay/bad: {problem}"]


def test_a_binary_secret_is_not_json(secrets: SecretsManagerSecrets, client: Any) -> None:
    client.create_secret(Name=SIGNING, SecretBinary=b"\x00\x01")

    with pytest.raises(ConfigError):
        secrets.get_json(SIGNING)
