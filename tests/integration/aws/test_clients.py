"""Cached boto3 clients: built on first use, once, with timeouts and the right retry policy."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import pytest

from okaeri.aws import clients


def test_importing_the_adapters_builds_no_client() -> None:
    program = (
        "import okaeri.aws.config, okaeri.aws.customers, okaeri.aws.deliveries, okaeri.aws.logs, okaeri.aws.orders\n"
        "from okaeri.aws import clients\n"
        "getters = (clients.dynamodb_client, clients.s3_client, clients.scheduler_client,\n"
        "           clients.sesv2_client, clients.secrets_client)\n"
        "print(sum(getter.cache_info().currsize for getter in getters))\n"
    )
    env = {"PATH": os.environ.get("PATH", ""), "AWS_DEFAULT_REGION": "ap-northeast-1"}
    result = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, env=env, check=True
    )
    assert result.stdout.strip() == "0"


def test_each_getter_builds_one_client_until_reset(aws: None) -> None:
    first = clients.dynamodb_client()
    assert clients.dynamodb_client() is first
    assert clients.s3_client() is clients.s3_client()
    clients.reset_clients()
    assert clients.dynamodb_client() is not first


def test_clients_have_timeouts_and_standard_retries(aws: None) -> None:
    for client in (
        clients.dynamodb_client(),
        clients.s3_client(),
        clients.scheduler_client(),
        clients.secrets_client(),
        clients.sesv2_client(retries_off=False),
    ):
        config: Any = client.meta.config
        assert (config.connect_timeout, config.read_timeout) == (2, 10)
        assert config.retries == {"mode": "standard", "total_max_attempts": 3}
        assert client.meta.region_name == "ap-northeast-1"


def test_the_ses_send_client_tries_once(aws: None) -> None:
    sender = clients.sesv2_client(retries_off=True)
    config: Any = sender.meta.config
    assert config.retries == {"mode": "standard", "total_max_attempts": 1}
    assert sender is not clients.sesv2_client(retries_off=False)


def test_the_endpoint_comes_from_the_environment_when_the_client_is_built(
    aws: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert clients.dynamodb_client().meta.endpoint_url == "https://dynamodb.ap-northeast-1.amazonaws.com"
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:5000")
    clients.reset_clients()
    assert clients.dynamodb_client().meta.endpoint_url == "http://127.0.0.1:5000"
