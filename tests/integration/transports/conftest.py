"""Fixtures of the transport adapters' tests: moto clients for AWS, a real SMTP relay for SMTP."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
from moto import mock_aws

from tests.support.smtp_relay import smtp_relay

REGION = "ap-northeast-1"
ACCOUNT = "123456789012"


class FixedClock:
    """``ports.Clock`` that says what the test tells it."""

    def __init__(self, now: datetime) -> None:
        self.current = now

    def now(self) -> datetime:
        return self.current


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fake credentials in the test region; nothing can reach a real account or endpoint."""
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "testing")
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def mocked_aws(aws_env: None) -> Iterator[None]:
    with mock_aws():
        yield


__all__ = ["ACCOUNT", "REGION", "FixedClock", "aws_env", "mocked_aws", "smtp_relay"]
