"""Helpers shared by the rendering tests: the fixture files and reading a produced message back."""

from __future__ import annotations

import email
import email.policy
import re
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


def raw_headers(raw: bytes) -> list[str]:
    head = raw.split(b"\r\n\r\n", 1)[0].decode("ascii")
    return head.split("\r\n")


def assert_well_formed_head(raw: bytes) -> None:
    """Every header line is `Name: value` or a folded continuation; no bare CR or LF anywhere in it."""
    head = raw.split(b"\r\n\r\n", 1)[0]
    assert b"\n" not in head.replace(b"\r\n", b"")
    assert b"\r" not in head.replace(b"\r\n", b"")
    assert b"\x00" not in head
    for line in raw_headers(raw):
        assert re.fullmatch(r"[A-Za-z][A-Za-z0-9-]*: \S.*|[ \t]+\S.*", line), line
        assert len(line) <= 998  # RFC 5322 §2.1.1


def body_text(message: EmailMessage, subtype: str = "plain") -> str:
    part = message.get_body((subtype,))
    assert part is not None
    content: str = part.get_content()
    return content


def with_order(order: Order, **changes: Any) -> Order:
    return order.model_copy(update=changes)
