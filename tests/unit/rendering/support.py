"""Helpers shared by the rendering tests: the fixture files and reading a produced message back."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Callable
from datetime import datetime
from email.message import EmailMessage
from typing import Any

from okaeri.models import Order, Template, load_document
from okaeri.rendering import MailContext
from tests.conftest import FIXTURES

CONFIG = FIXTURES / "config"
NOW = datetime.fromisoformat("2026-12-05T10:00:00+09:00")
UNSUBSCRIBE = "https://okaeri.mikan-sanbo.example/u/tok-123"

MakeContext = Callable[..., MailContext]


def template(name: str) -> Template:
    return load_document(Template, CONFIG / f"template-{name}.yaml")


def parse(raw: bytes) -> EmailMessage:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def body_text(message: EmailMessage, subtype: str = "plain") -> str:
    part = message.get_body((subtype,))
    assert part is not None
    content: str = part.get_content()
    return content


def with_order(order: Order, **changes: Any) -> Order:
    return order.model_copy(update=changes)
