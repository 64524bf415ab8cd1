"""A real SMTP relay on 127.0.0.1 for tests: STARTTLS required, AUTH checked, faults on demand.

It plays Rakuten's relay (``sub.fw.rakuten.ne.jp:587``) closely enough for ``SmtpRelayTransport``:
an aiosmtpd server on a free loopback port with a throwaway self-signed certificate (made with
``cryptography``, which comes with moto) and one user. ``mode`` switches its behaviour between
connections, so a test (or the fault suite) can make it:

- ``accept``: accept and record every message (the default);
- ``refuse``: not listen at all (connections are refused);
- ``no_starttls``: offer no STARTTLS (and would take AUTH in clear: it records any attempt);
- ``mail_421`` / ``mail_451`` / ``mail_550``, ``rcpt_421`` / ``rcpt_451`` / ``rcpt_550``: answer that
  code to MAIL FROM or RCPT TO;
- ``data_451`` / ``data_554``: take the message, then answer that code (nothing recorded);
- ``drop_after_data``: take and record the message, then drop the connection before replying;
- ``stall_after_data``: take and record the message, then never reply (the client times out).

In the last two the relay *has* the message (``messages`` counts it), as a real relay may have
queued it: what an ambiguous send looks like from the other side.
"""

from __future__ import annotations

import asyncio
import datetime
import ipaddress
import itertools
import socket
import ssl
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, get_args

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from okaeri.models import RelayConfig

Mode = Literal[
    "accept",
    "refuse",
    "no_starttls",
    "mail_421",
    "mail_451",
    "mail_550",
    "rcpt_421",
    "rcpt_451",
    "rcpt_550",
    "data_451",
    "data_554",
    "drop_after_data",
    "stall_after_data",
]
MODES: frozenset[str] = frozenset(get_args(Mode))
HOST = "127.0.0.1"
USERNAME = "shop-rms-user"
PASSWORD = "correct horse battery staple"
_REPLIES = {
    "421": "421 4.7.0 Too many connections, try again later",
    "451": "451 4.7.1 Rate limit exceeded, try again later",
    "550": "550 5.7.1 Relaying denied",
    "554": "554 5.6.0 Message rejected as spam",
}
#: How long ``start()`` may wait for the server thread to answer. Only a bound: it returns as soon
#: as the relay greets (milliseconds), so a busy machine gets time instead of a failed fixture.
_READY_TIMEOUT_SECONDS = 30.0


@dataclass(frozen=True)
class RelayedMessage:
    """One message the relay took: the envelope, the DATA bytes, who authenticated, its queue id."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    data: bytes
    login: str | None
    queue_id: str


@dataclass(frozen=True)
class AuthAttempt:
    mechanism: str
    login: str
    over_tls: bool
    success: bool


class SmtpRelayServer:
    """The relay. ``start()``/``stop()`` (or the ``smtp_relay`` fixture) bound its life."""

    def __init__(self, *, username: str = USERNAME, password: str = PASSWORD) -> None:
        self.host = HOST
        self.port = _free_port()
        self.username = username
        self.password = password
        self.messages: list[RelayedMessage] = []
        self.auth_attempts: list[AuthAttempt] = []
        self.announce_queue_id = True  # "250 … queued as Q000001"; False: a bare "250 OK"
        self._mode: Mode = "accept"
        self._queue_ids = itertools.count(1)
        self._controller: Controller | None = None

    @property
    def mode(self) -> Mode:
        return self._mode

    @mode.setter
    def mode(self, mode: Mode) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown relay mode {mode!r}; one of {sorted(MODES)}")
        self._mode = mode
        if mode == "refuse":
            self._stop_listening()
        elif self._controller is None:
            self._listen()

    def start(self) -> None:
        if self._mode != "refuse":
            self._listen()

    def stop(self) -> None:
        self._stop_listening()

    def ssl_context_for_client(self) -> ssl.SSLContext:
        """A client context that trusts this relay's certificate (and checks the host name)."""
        return ssl.create_default_context(cadata=_certificate().cert_pem.decode())

    def relay_config(self, **overrides: Any) -> RelayConfig:
        """A ``RelayConfig`` pointing at this relay (Rakuten's masked domains by default)."""
        fields: dict[str, Any] = {
            "host": self.host,
            "port": self.port,
            "domains": ["fw.rakuten.ne.jp"],
            "secret_arn": "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:relay-test",
        }
        return RelayConfig(**(fields | overrides))

    def credentials(self) -> tuple[str, str]:
        return self.username, self.password

    # --- the server side -------------------------------------------------------------------------

    def _listen(self) -> None:
        controller = _Controller(
            self, _Handler(self), hostname=self.host, port=self.port, ready_timeout=_READY_TIMEOUT_SECONDS
        )
        controller.start()
        self._controller = controller

    def _stop_listening(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def _authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
    ) -> AuthResult:
        assert isinstance(auth_data, LoginPassword)
        login = auth_data.login.decode()
        success = (login, auth_data.password.decode()) == (self.username, self.password)
        self.auth_attempts.append(AuthAttempt(mechanism, login, session.ssl is not None, success))
        if not success:
            return AuthResult(success=False, handled=False)  # 535 5.7.8
        return AuthResult(success=True, auth_data=login)

    def _failure(self, stage: str) -> str | None:
        """The reply the current mode gives at ``stage`` (mail, rcpt, data), or None to go on."""
        prefix, _, code = self._mode.partition("_")
        return _REPLIES[code] if prefix == stage and code in _REPLIES else None

    def _record(self, envelope: Envelope, login: str | None) -> str:
        queue_id = f"Q{next(self._queue_ids):06d}"
        self.messages.append(
            RelayedMessage(
                mail_from=envelope.mail_from or "",
                rcpt_tos=tuple(envelope.rcpt_tos),
                data=envelope.original_content or b"",
                login=login,
                queue_id=queue_id,
            )
        )
        return queue_id


class _Controller(Controller):
    """Builds each connection's SMTP session from the relay's current mode."""

    def __init__(self, relay: SmtpRelayServer, handler: _Handler, **kwargs: Any) -> None:
        super().__init__(handler, **kwargs)
        self._relay = relay

    def factory(self) -> SMTP:
        secure = self._relay.mode != "no_starttls"
        return SMTP(
            self.handler,
            hostname="relay.test",
            tls_context=_certificate().server_context() if secure else None,
            require_starttls=secure,
            auth_required=secure,
            auth_require_tls=secure,
            authenticator=self._relay._authenticate,
        )


class _Handler:
    def __init__(self, relay: SmtpRelayServer) -> None:
        self._relay = relay

    async def handle_MAIL(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if refusal := self._relay._failure("mail"):
            return refusal
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 2.1.0 OK"

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if refusal := self._relay._failure("rcpt"):
            return refusal
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(options)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if refusal := self._relay._failure("data"):
            return refusal
        queue_id = self._relay._record(envelope, session.auth_data)
        if self._relay.mode == "drop_after_data":
            transport = server.transport
            assert isinstance(transport, asyncio.Transport)
            transport.abort()  # the message is in, the answer never leaves
        elif self._relay.mode == "stall_after_data":
            await asyncio.Event().wait()  # until the client gives up or the relay stops
        return f"250 2.0.0 Ok: queued as {queue_id}" if self._relay.announce_queue_id else "250 2.0.0 OK"


@dataclass(frozen=True)
class _Certificate:
    cert_pem: bytes
    key_pem: bytes

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        with tempfile.TemporaryDirectory() as folder:  # load_cert_chain reads files only
            cert, key = Path(folder, "cert.pem"), Path(folder, "key.pem")
            cert.write_bytes(self.cert_pem)
            key.write_bytes(self.key_pem)
            context.load_cert_chain(cert, key)
        return context


@lru_cache(maxsize=1)
def _certificate() -> _Certificate:
    """A self-signed EC certificate for 127.0.0.1 and localhost, made once per test session."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "okaeri test relay")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=7))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address(HOST))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    return _Certificate(
        cert_pem=cert.public_bytes(serialization.Encoding.PEM),
        key_pem=key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp_relay() -> Iterator[SmtpRelayServer]:
    """A running relay (mode ``accept``), stopped after the test."""
    relay = SmtpRelayServer()
    relay.start()
    try:
        yield relay
    finally:
        relay.stop()


__all__ = ["MODES", "AuthAttempt", "Mode", "RelayedMessage", "SmtpRelayServer", "smtp_relay"]
