"""The local stack for end-to-end tests: started in this process on free loopback ports.

Each test module gets its own stack (module scope; one stack per process at a time): ports 0
(free ones), a frozen clock starting at ``START`` unless the module asks otherwise, the demo shop
and its two operators. Tests drive it only through its sockets (``local.LocalClient``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from okaeri_dev.stack import LocalStack, StackOptions
from tests.e2e.local import LocalClient

TOKYO = ZoneInfo("Asia/Tokyo")
START = datetime(2026, 11, 30, 7, 0, tzinfo=TOKYO)  # before the fixture mails' orders
OWNER_PASSWORD = "Okaeri-e2e-Owner-1!"


@contextmanager
def running_stack(**options: object) -> Iterator[LocalStack]:
    settings: dict[str, object] = {
        "port": 0,
        "smtp_port": 0,
        "aws_port": 0,
        "owner_password": OWNER_PASSWORD,
        "clock_start": START,
        "ticking": False,
        "tick_seconds": 0.5,
    }
    settings.update(options)
    stack = LocalStack(StackOptions(**settings))  # type: ignore[arg-type]
    stack.start()
    try:
        yield stack
    finally:
        stack.stop()


def client_of(stack: LocalStack) -> LocalClient:
    return LocalClient(gateway_url=stack.gateway_url, smtp_port=stack.smtp_port, aws_url=stack.aws_url)


@pytest.fixture(scope="module")
def stack() -> Iterator[LocalStack]:
    with running_stack() as running:
        yield running


@pytest.fixture(scope="module")
def local(stack: LocalStack) -> LocalClient:
    return client_of(stack)


@pytest.fixture(scope="module")
def staff_password(stack: LocalStack) -> str:
    return next(login.password for login in stack.logins if login.role == "staff")


@pytest.fixture(scope="module")
def owner_token(local: LocalClient) -> str:
    return local.sign_in("owner@okaeri.local", OWNER_PASSWORD)
