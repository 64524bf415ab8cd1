"""Every mail the local stack sends, SES and relay alike, for ``GET /dev/outbox``.

SES mail really goes through moto's SES (identity and configuration set checked, message id
from moto) and is noted once moto accepted it. Relayed mail (Rakuten's masked addresses) would
go to the mall's SMTP relay; locally the relay transport delivers into the outbox instead, with
the envelope sender the real relay transport would use.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from email import policy
from email.parser import BytesParser
from typing import Any

from okaeri.models import RelayConfig
from okaeri.ports import Clock, Transport


@dataclass(frozen=True)
class OutboxMessage:
    seq: int
    transport: str  # "ses" or "relay:<host>"
    sender: str  # the envelope sender
    recipient: str
    raw: bytes
    message_id: str  # what the transport answered (SES's message id, the relay's queue id)
    at: datetime  # the local stack's clock when it was sent
    tags: Mapping[str, str] = field(default_factory=dict)

    def header(self, name: str) -> str | None:
        value = BytesParser(policy=policy.default).parsebytes(self.raw, headersonly=True)[name]
        return None if value is None else str(value)

    def as_json(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "transport": self.transport,
            "from": self.sender,
            "to": self.recipient,
            "subject": self.header("Subject"),
            "message_id": self.message_id,
            "at": self.at.isoformat(),
            "tags": dict(self.tags),
            "raw": self.raw.decode("utf-8", errors="replace"),
        }


class Outbox:
    """The sent mail, in order (thread-safe: the gateway reads while the dispatcher sends)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._messages: list[OutboxMessage] = []

    def record(
        self,
        *,
        transport: str,
        sender: str,
        recipient: str,
        raw: bytes,
        message_id: str,
        at: datetime,
        tags: Mapping[str, str],
    ) -> OutboxMessage:
        with self._lock:
            message = OutboxMessage(
                seq=len(self._messages) + 1,
                transport=transport,
                sender=sender,
                recipient=recipient,
                raw=raw,
                message_id=message_id,
                at=at,
                tags=dict(tags),
            )
            self._messages.append(message)
            return message

    def since(self, seq: int = 0) -> list[OutboxMessage]:
        """The messages after ``seq`` (0: all of them)."""
        with self._lock:
            return self._messages[max(seq, 0) :]

    def __len__(self) -> int:
        with self._lock:
            return len(self._messages)


class _OutboxTransport:
    """A transport that notes each mail it accepted in the outbox, dated by the clock."""

    def __init__(self, name: str, outbox: Outbox, clock: Clock) -> None:
        self.name = name
        self._outbox = outbox
        self._clock = clock

    def _note(
        self, *, sender: str, recipient: str, raw: bytes, message_id: str, tags: Mapping[str, str]
    ) -> str:
        self._outbox.record(
            transport=self.name,
            sender=sender,
            recipient=recipient,
            raw=raw,
            message_id=message_id,
            at=self._clock.now(),
            tags=tags,
        )
        return message_id


class RecordingTransport(_OutboxTransport):
    """``ports.Transport``: the inner transport (SES in moto) sends; what it accepted is noted."""

    def __init__(self, inner: Transport, outbox: Outbox, clock: Clock) -> None:
        super().__init__(inner.name, outbox, clock)
        self._inner = inner

    def send(self, *, sender: str, recipient: str, raw: bytes, tags: Mapping[str, str]) -> str:
        message_id = self._inner.send(sender=sender, recipient=recipient, raw=raw, tags=tags)
        return self._note(sender=sender, recipient=recipient, raw=raw, message_id=message_id, tags=tags)


class OutboxRelay(_OutboxTransport):
    """``ports.Transport`` for a shop's SMTP relay: delivers into the outbox, never to the network."""

    def __init__(self, relay: RelayConfig, outbox: Outbox, clock: Clock) -> None:
        super().__init__(f"relay:{relay.host}", outbox, clock)
        self._relay = relay

    def send(self, *, sender: str, recipient: str, raw: bytes, tags: Mapping[str, str]) -> str:
        header = BytesParser(policy=policy.default).parsebytes(raw, headersonly=True)["Message-ID"]
        message_id = str(header).strip() if header else f"<{uuid.uuid4().hex}@relay.okaeri.local>"
        sender = self._relay.mail_from or sender
        return self._note(sender=sender, recipient=recipient, raw=raw, message_id=message_id, tags=tags)


def outbox_relays(outbox: Outbox, clock: Clock) -> Callable[[RelayConfig], Transport]:
    """What replaces ``relay_for`` in the send and admin dependencies."""

    def build(relay: RelayConfig) -> Transport:
        return OutboxRelay(relay, outbox, clock)

    return build
