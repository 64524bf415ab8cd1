"""SMTP relays: the way out for recipients a mall only reaches through its own server.

Rakuten's masked buyer addresses (``*.fw.rakuten.ne.jp``) accept mail only from Rakuten's relay
(``sub.fw.rakuten.ne.jp:587``, STARTTLS, SMTP AUTH with the shop's RMS credentials), so a shop can
have relays keyed by recipient domain (SPEC §1, decision 6). The conversation is done step by step
so that every failure is classed by *where* it happened:

- nothing was accepted: connection refused or lost, a timeout, or a 4xx reply before the end of
  the data → ``TransportError(retryable=True)`` (421 and 451, "slow down / try later", are
  ``ThrottledError``); a 5xx reply (MAIL, RCPT, AUTH, end of data) → ``retryable=False``;
- the whole message went out and the final reply never came (connection dropped, timeout) →
  ``AmbiguousSendError``: the relay may have queued it.

STARTTLS is required and the certificate verified: credentials are never sent in clear, and a
relay that offers no STARTTLS is refused before AUTH.
"""

from __future__ import annotations

import re
import smtplib
import ssl
from collections.abc import Callable, Mapping
from email.parser import BytesHeaderParser
from functools import lru_cache
from typing import TYPE_CHECKING, Final

from okaeri.errors import AmbiguousSendError, ThrottledError, TransportError

if TYPE_CHECKING:
    from okaeri.models import RelayConfig

THROTTLE_REPLIES: Final = frozenset({421, 451})
_MECHANISMS: Final = frozenset({"CRAM-MD5", "PLAIN", "LOGIN"})  # what smtplib.login speaks
_STAGES_JA: Final = {"the greeting": "接続時の応答", "AUTH": "SMTP 認証", "end of DATA": "メール送信後の応答"}
_QUEUE_ID: Final = re.compile(r"(?:queued as|\bid=)\s*([A-Za-z0-9][A-Za-z0-9._@-]*)", re.IGNORECASE)
_LINE_ENDS: Final = re.compile(rb"\r\n|\r|\n")
_LEADING_DOT: Final = re.compile(rb"^\.", re.MULTILINE)

Reply = tuple[int, bytes | str]  # smtplib gives bytes, or str for a few errors it makes up


class SmtpRelayTransport:
    """``ports.Transport`` over one SMTP relay (STARTTLS + AUTH), one connection per mail."""

    def __init__(
        self,
        relay: RelayConfig,
        *,
        credentials: Callable[[], tuple[str, str]],
        timeout: float = 30,
        tls_context: ssl.SSLContext | None = None,
    ) -> None:
        self.name = f"relay:{relay.host}"
        self._relay = relay
        self._credentials = credentials
        self._timeout = timeout
        self._tls_context = tls_context or _default_tls_context()

    def send(self, *, sender: str, recipient: str, raw: bytes, tags: Mapping[str, str]) -> str:
        """Relay the raw message once; the relay's queue id (else the mail's Message-ID)."""
        smtp = self._connect()
        try:
            reply = self._deliver(smtp, self._relay.mail_from or sender, recipient, raw)
        finally:
            _quit(smtp)
        return _queue_id(reply) or _message_id(raw) or reply

    def _connect(self) -> smtplib.SMTP:
        try:
            return smtplib.SMTP(self._relay.host, self._relay.port, timeout=self._timeout)
        except smtplib.SMTPConnectError as exc:  # a greeting other than 220
            raise self._refused("the greeting", (exc.smtp_code, exc.smtp_error)) from exc
        except OSError as exc:  # refused, unreachable, timed out, closed before the greeting
            raise self._unreachable(exc) from exc

    def _deliver(self, smtp: smtplib.SMTP, mail_from: str, recipient: str, raw: bytes) -> str:
        try:
            self._secure(smtp)
            self._login(smtp)
            self._expect(smtp.mail(mail_from), "MAIL FROM", ok=(250,))
            self._expect(smtp.rcpt(recipient), "RCPT TO", ok=(250, 251))
            self._expect(smtp.docmd("DATA"), "DATA", ok=(354,))
            smtp.send(_dot_stuffed(raw))  # all of it or an error: a partial message is never accepted
        except OSError as exc:  # dropped or timed out before the message was complete
            raise self._unreachable(exc) from exc
        try:
            reply = smtp.getreply()
        except OSError as exc:  # smtplib turns a lost connection or a timeout into SMTPServerDisconnected
            raise AmbiguousSendError(
                f"中継サーバー {self._relay.host} からメール送信後の応答がありません。受け付けられたかどうか不明です: {exc}",
                f"the relay {self._relay.host} gave no answer after the message was sent; "
                f"it may have been accepted: {exc}",
            ) from exc
        return self._expect(reply, "end of DATA", ok=(250,))

    def _secure(self, smtp: smtplib.SMTP) -> None:
        """EHLO, STARTTLS (required, certificate verified), EHLO again over TLS."""
        host = self._relay.host
        self._expect(smtp.ehlo(), "EHLO", ok=(250,))
        if not smtp.has_extn("starttls"):
            raise TransportError(
                f"中継サーバー {host} は STARTTLS に対応していません。認証情報を平文で送らないため送信しません",
                f"the relay {host} offers no STARTTLS; refusing to send credentials in clear",
                retryable=False,
                code="relay_no_starttls",
            )
        try:
            smtp.starttls(context=self._tls_context)
        except smtplib.SMTPResponseException as exc:
            raise self._refused("STARTTLS", (exc.smtp_code, exc.smtp_error)) from exc
        except ssl.SSLCertVerificationError as exc:
            raise TransportError(
                f"中継サーバー {host} の TLS 証明書を検証できません（認証情報は送っていません）: {exc}",
                f"the TLS certificate of the relay {host} could not be verified (no credentials were sent): {exc}",
                retryable=False,
                code="relay_tls_untrusted",
            ) from exc
        self._expect(smtp.ehlo(), "EHLO", ok=(250,))

    def _login(self, smtp: smtplib.SMTP) -> None:
        """SMTP AUTH with the relay's credentials (smtplib picks CRAM-MD5, PLAIN or LOGIN)."""
        offered = set(smtp.esmtp_features.get("auth", "").upper().split())
        if not offered & _MECHANISMS:
            raise TransportError(
                f"中継サーバー {self._relay.host} は使える SMTP 認証方式を提示していません: {sorted(offered)}",
                f"the relay {self._relay.host} offers no SMTP AUTH mechanism we speak: {sorted(offered)}",
                retryable=False,
                code="relay_auth_unsupported",
            )
        username, password = self._credentials()
        try:
            smtp.login(username, password)
        except smtplib.SMTPResponseException as exc:  # 535 wrong credentials, 454 try later
            raise self._refused("AUTH", (exc.smtp_code, exc.smtp_error)) from exc

    def _expect(self, reply: Reply, stage: str, *, ok: tuple[int, ...]) -> str:
        if reply[0] not in ok:
            raise self._refused(stage, reply)
        return _text(reply[1])

    def _refused(self, stage: str, reply: Reply) -> TransportError:
        """A reply that is not what the step needs: 421/451 throttled, 4xx retryable, else permanent."""
        code, text = reply
        answer = f"{code} {_text(text)}".strip()
        host, stage_ja = self._relay.host, _STAGES_JA.get(stage, stage)
        if code in THROTTLE_REPLIES:
            return ThrottledError(
                f"中継サーバー {host} が {stage_ja} で後で送るよう求めました（送信されていません）: {answer}",
                f"the relay {host} asked to try later at {stage} (nothing was sent): {answer}",
            )
        if 400 <= code < 500:
            return TransportError(
                f"中継サーバー {host} が {stage_ja} で一時エラーを返しました（送信されていません）: {answer}",
                f"the relay {host} answered a temporary error at {stage} (nothing was sent): {answer}",
                retryable=True,
            )
        return TransportError(
            f"中継サーバー {host} が {stage_ja} で拒否しました: {answer}",
            f"the relay {host} refused at {stage}: {answer}",
            retryable=False,
            code="send_rejected",
        )

    def _unreachable(self, exc: OSError) -> TransportError:
        where = f"{self._relay.host}:{self._relay.port}"
        return TransportError(
            f"中継サーバー {where} と通信できませんでした（送信されていません）: {exc}",
            f"could not talk to the relay {where} (nothing was sent): {exc}",
            retryable=True,
        )


@lru_cache(maxsize=1)
def _default_tls_context() -> ssl.SSLContext:
    """The system's trusted CAs, host name checked; loaded once per process, not per transport."""
    return ssl.create_default_context()


def _dot_stuffed(raw: bytes) -> bytes:
    """The DATA payload: CRLF line ends, leading dots doubled, the closing ``.`` line (RFC 5321)."""
    data = _LEADING_DOT.sub(b"..", _LINE_ENDS.sub(b"\r\n", raw))
    if not data.endswith(b"\r\n"):
        data += b"\r\n"
    return data + b".\r\n"


def _text(text: bytes | str) -> str:
    return text.decode(errors="replace") if isinstance(text, bytes) else text


def _queue_id(reply: str) -> str | None:
    """``250 2.0.0 Ok: queued as 4Bc1`` (Postfix), ``250 OK id=1abc-00`` (Exim) → the id."""
    match = _QUEUE_ID.search(reply)
    return match.group(1) if match else None


def _message_id(raw: bytes) -> str | None:
    value = str(BytesHeaderParser().parsebytes(raw).get("Message-ID", "")).strip()
    return value or None


def _quit(smtp: smtplib.SMTP) -> None:
    """Say goodbye; the mail's fate is already decided, so a failed QUIT changes nothing."""
    try:
        smtp.quit()
    except OSError:  # smtplib's errors are OSErrors too: a closed or confused connection
        smtp.close()
