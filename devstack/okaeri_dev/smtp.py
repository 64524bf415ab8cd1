"""SES inbound played by an SMTP listener on loopback.

A mail to ``orders+<shop-id>@okaeri.local`` (a shop the config table knows) is stored as SES's
receipt rule would store it: ``inbound/<shop-id>/<id>`` in the raw mail bucket, with SES's
``Return-Path`` and ``Received`` headers in front. Its S3 event then goes to the very ingest
handler, and the dispatcher runs before the SMTP answer: when ``250`` comes back the order is in,
its deliveries planned and their wake-ups created. Other recipients are refused with ``550``.
The ``250`` line names each stored object and what ingest made of it.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import traceback
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import TYPE_CHECKING, Any, Final

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from infra.resources import INBOUND_MAX_BYTES, inbound_prefix, shop_from_recipient
from okaeri.ports import Clock
from okaeri_dev.net import check_port, free_port

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

log = logging.getLogger("okaeri_dev.smtp")

READY_TIMEOUT_SECONDS: Final = 15.0  # aiosmtpd's own start-up check; generous on a busy machine
MAX_REPLY_CHARS: Final = 400


def s3_event(*, bucket: str, key: str, size: int, at: datetime, region: str) -> dict[str, Any]:
    """The ObjectCreated notification S3 sends the ingest function."""
    stamp = at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"
    return {"Records": [{
        "eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": region, "eventTime": stamp,
        "eventName": "ObjectCreated:Put",
        "s3": {"s3SchemaVersion": "1.0", "bucket": {"name": bucket, "arn": f"arn:aws:s3:::{bucket}"},
               "object": {"key": key, "size": size}},
    }]}  # fmt: skip


@dataclass(frozen=True)
class Received:
    shop_id: str
    key: str
    result: dict[str, Any]  # the ingest handler's result for the object


class SesInbound:
    """Receipt rules, the S3 action and the ingest function's trigger."""

    def __init__(
        self,
        *,
        domain: str,
        bucket: str,
        region: str,
        s3: S3Client,
        clock: Clock,
        shop_exists: Callable[[str], bool],
        ingest: Callable[[dict[str, Any]], dict[str, Any]],
        after: Callable[[], object],
    ) -> None:
        self.domain = domain
        self._bucket = bucket
        self._region = region
        self._s3 = s3
        self._clock = clock
        self._shop_exists = shop_exists
        self._ingest = ingest
        self._after = after

    def shop_for(self, address: str) -> str | None:
        """The shop a recipient belongs to, or None (no such address, or no such shop)."""
        shop_id = shop_from_recipient(address, self.domain)
        return shop_id if shop_id is not None and self._shop_exists(shop_id) else None

    def receive(
        self, *, mail_from: str, recipients: Sequence[str], raw: bytes, peer: str, helo: str
    ) -> list[Received]:
        """One object per shop (one receipt rule each), its event to ingest, then the dispatcher."""
        shops = (shop_from_recipient(address, self.domain) for address in recipients)
        received = []
        for shop_id in dict.fromkeys(shop for shop in shops if shop is not None):
            key = f"{inbound_prefix(shop_id)}{uuid.uuid4().hex}"
            stored = self._ses_headers(mail_from, peer, helo, key) + raw
            self._s3.put_object(Bucket=self._bucket, Key=key, Body=stored)
            event = s3_event(
                bucket=self._bucket, key=key, size=len(stored), at=self._clock.now(), region=self._region
            )
            results = self._ingest(event)["results"]
            received.append(Received(shop_id, key, results[0] if results else {}))
        self._after()
        return received

    def _ses_headers(self, mail_from: str, peer: str, helo: str, key: str) -> bytes:
        stamp = format_datetime(self._clock.now())
        message_id = key.rsplit("/", 1)[-1]
        return (
            f"Return-Path: <{mail_from}>\r\n"
            f"Received: from {helo or 'unknown'} ([{peer}]) by {self.domain} (okaeri dev)\r\n"
            f" with SMTP id {message_id}; {stamp}\r\n"
        ).encode("ascii", errors="replace")


class _Handler:
    def __init__(self, inbound: SesInbound) -> None:
        self._inbound = inbound

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        loop = asyncio.get_running_loop()
        shop_id = await loop.run_in_executor(None, self._inbound.shop_for, address)
        if shop_id is None:
            expected = f"orders+<shop-id>@{self._inbound.domain}"
            return f"550 5.1.1 <{address[:100]}>: no such shop here (mail goes to {expected})"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        work = functools.partial(
            self._inbound.receive,
            mail_from=envelope.mail_from or "",
            recipients=list(envelope.rcpt_tos),
            raw=envelope.original_content or b"",
            peer=str(session.peer[0]) if session.peer else "",
            helo=session.host_name or "",
        )
        try:
            received = await asyncio.get_running_loop().run_in_executor(None, work)
        except Exception:
            log.error("the mail could not be received:\n%s", traceback.format_exc())
            return "451 4.3.0 the local stack failed to take the mail; see its log and try again"
        summary = "; ".join(
            f"{item.key} {item.result.get('result')}"
            + (f" ({item.result['reason']})" if item.result.get("reason") else "")
            for item in received
        )
        return f"250 2.0.0 OK {summary}"[:MAX_REPLY_CHARS]


class SmtpInbound:
    """The listener on ``host:port`` (0 picks a free port)."""

    def __init__(self, inbound: SesInbound, *, host: str, port: int) -> None:
        self.host = host
        self.port = check_port(host, port) if port else free_port(host)
        self._controller = Controller(
            _Handler(inbound),
            hostname=host,
            port=self.port,
            server_hostname=inbound.domain,
            ready_timeout=READY_TIMEOUT_SECONDS,
            data_size_limit=INBOUND_MAX_BYTES,
        )
        self._running = False

    def start(self) -> None:
        self._controller.start()
        self._running = True

    def stop(self) -> None:
        if self._running:
            self._controller.stop()
            self._running = False
