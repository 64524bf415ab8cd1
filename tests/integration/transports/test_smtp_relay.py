"""SmtpRelayTransport against a real SMTP relay on 127.0.0.1 (STARTTLS + AUTH, faults on demand)."""

from __future__ import annotations

import pytest

from okaeri.aws.smtp_relay import SmtpRelayTransport
from okaeri.errors import AmbiguousSendError, ThrottledError, TransportError
from okaeri.models import RelayConfig
from tests.support.smtp_relay import PASSWORD, USERNAME, SmtpRelayServer

SENDER = "info@sakura-farm.example"
RECIPIENT = "abc123@pc.fw.rakuten.ne.jp"
RAW = (
    b"From: info@sakura-farm.example\r\nTo: abc123@pc.fw.rakuten.ne.jp\r\nSubject: thanks\r\n"
    b"Message-ID: <m1@sakura-farm.example>\r\n\r\nThank you.\r\n.\r\n..two dots\r\n"
)


class Credentials:
    """The relay's user and password, counting how often they were asked for."""

    def __init__(self, password: str = PASSWORD) -> None:
        self.password = password
        self.calls = 0

    def __call__(self) -> tuple[str, str]:
        self.calls += 1
        return USERNAME, self.password


def _transport(
    relay: SmtpRelayServer,
    *,
    credentials: Credentials | None = None,
    timeout: float = 5,
    trusted: bool = True,
    **config: str,
) -> SmtpRelayTransport:
    return SmtpRelayTransport(
        relay.relay_config(**config),
        credentials=credentials or Credentials(),
        timeout=timeout,
        tls_context=relay.ssl_context_for_client() if trusted else None,
    )


def _send(transport: SmtpRelayTransport, raw: bytes = RAW) -> str:
    return transport.send(sender=SENDER, recipient=RECIPIENT, raw=raw, tags={"shop": "sakura-farm"})


def test_a_relayed_mail_arrives_once_with_its_envelope_after_tls_and_auth(
    smtp_relay: SmtpRelayServer,
) -> None:
    transport = _transport(smtp_relay)

    queue_id = _send(transport)

    (message,) = smtp_relay.messages
    assert queue_id == message.queue_id
    assert (message.mail_from, message.rcpt_tos) == (SENDER, (RECIPIENT,))
    assert message.data == RAW  # dot-stuffing undone by the relay: the bytes are the mail's
    assert message.login == USERNAME
    assert [(a.login, a.over_tls, a.success) for a in smtp_relay.auth_attempts] == [(USERNAME, True, True)]
    assert transport.name == "relay:127.0.0.1"


def test_the_envelope_sender_is_the_one_registered_with_the_relay(smtp_relay: SmtpRelayServer) -> None:
    _send(_transport(smtp_relay, mail_from="rms-registered@sakura-farm.example"))

    assert smtp_relay.messages[0].mail_from == "rms-registered@sakura-farm.example"


def test_bare_line_feeds_go_out_as_crlf(smtp_relay: SmtpRelayServer) -> None:
    _send(_transport(smtp_relay), raw=RAW.replace(b"\r\n", b"\n").rstrip(b"\n"))

    assert smtp_relay.messages[0].data == RAW


def test_without_a_queue_id_in_the_reply_the_message_id_is_returned(smtp_relay: SmtpRelayServer) -> None:
    smtp_relay.announce_queue_id = False

    assert _send(_transport(smtp_relay)) == "<m1@sakura-farm.example>"


def test_a_wrong_password_is_a_permanent_failure(smtp_relay: SmtpRelayServer) -> None:
    with pytest.raises(TransportError) as caught:
        _send(_transport(smtp_relay, credentials=Credentials("wrong")))

    assert caught.value.retryable is False
    assert "535" in caught.value.message_en
    assert smtp_relay.messages == []


def test_a_relay_without_starttls_never_gets_the_credentials(smtp_relay: SmtpRelayServer) -> None:
    smtp_relay.mode = "no_starttls"
    credentials = Credentials()

    with pytest.raises(TransportError) as caught:
        _send(_transport(smtp_relay, credentials=credentials))

    assert (caught.value.retryable, caught.value.code) == (False, "relay_no_starttls")
    assert "STARTTLS" in caught.value.message_en
    assert credentials.calls == 0
    assert smtp_relay.auth_attempts == []
    assert smtp_relay.messages == []


def test_a_relay_whose_certificate_cannot_be_verified_never_gets_the_credentials(
    smtp_relay: SmtpRelayServer,
) -> None:
    credentials = Credentials()

    with pytest.raises(TransportError) as caught:
        _send(_transport(smtp_relay, credentials=credentials, trusted=False))

    assert (caught.value.retryable, caught.value.code) == (False, "relay_tls_untrusted")
    assert credentials.calls == 0
    assert smtp_relay.auth_attempts == []


@pytest.mark.parametrize(
    ("mode", "error", "retryable"),
    [
        ("mail_421", ThrottledError, True),
        ("mail_451", ThrottledError, True),
        ("rcpt_421", ThrottledError, True),
        ("rcpt_451", ThrottledError, True),
        ("data_451", ThrottledError, True),
        ("mail_550", TransportError, False),
        ("rcpt_550", TransportError, False),
        ("data_554", TransportError, False),
    ],
)
def test_a_refusing_reply_says_whether_to_try_again(
    smtp_relay: SmtpRelayServer, mode: str, error: type[TransportError], retryable: bool
) -> None:
    smtp_relay.mode = mode  # type: ignore[assignment]

    with pytest.raises(TransportError) as caught:
        _send(_transport(smtp_relay))

    assert type(caught.value) is error
    assert caught.value.retryable is retryable
    assert mode.rpartition("_")[2] in caught.value.message_en
    assert smtp_relay.messages == []


def test_a_connection_dropped_after_the_data_is_ambiguous(smtp_relay: SmtpRelayServer) -> None:
    smtp_relay.mode = "drop_after_data"

    with pytest.raises(AmbiguousSendError):
        _send(_transport(smtp_relay))

    assert len(smtp_relay.messages) == 1  # the relay did take it: resending would send it twice


def test_no_answer_after_the_data_is_ambiguous(smtp_relay: SmtpRelayServer) -> None:
    smtp_relay.mode = "stall_after_data"

    with pytest.raises(AmbiguousSendError):
        _send(_transport(smtp_relay, timeout=0.5))

    assert len(smtp_relay.messages) == 1


def test_a_refused_connection_is_retryable(smtp_relay: SmtpRelayServer) -> None:
    smtp_relay.mode = "refuse"

    with pytest.raises(TransportError) as caught:
        _send(_transport(smtp_relay))

    assert type(caught.value) is TransportError
    assert caught.value.retryable is True


def test_the_relay_listens_again_after_refusing(smtp_relay: SmtpRelayServer) -> None:
    smtp_relay.mode = "refuse"
    smtp_relay.mode = "accept"

    _send(_transport(smtp_relay))

    assert len(smtp_relay.messages) == 1


@pytest.mark.parametrize(
    ("domains", "recipient", "matches"),
    [
        (["fw.rakuten.ne.jp"], "abc@pc.fw.rakuten.ne.jp", True),
        (["fw.rakuten.ne.jp"], "abc@fw.rakuten.ne.jp", True),
        (["fw.rakuten.ne.jp"], "abc@PC.FW.Rakuten.NE.JP", True),
        (["fw.rakuten.ne.jp"], "abc@notfw.rakuten.ne.jp", False),
        (["fw.rakuten.ne.jp"], "abc@fw.rakuten.ne.jp.evil.example", False),
        (["*.fw.rakuten.ne.jp"], "abc@pc.fw.rakuten.ne.jp", True),
        (["*.fw.rakuten.ne.jp"], "abc@a.b.fw.rakuten.ne.jp", True),
        (["*.fw.rakuten.ne.jp"], "abc@fw.rakuten.ne.jp", False),
        (["Example.JP."], "taro@example.jp", True),
        (["example.jp", "fw.rakuten.ne.jp"], "x@pc.fw.rakuten.ne.jp", True),
        (["fw.rakuten.ne.jp"], "not-an-address", False),
        (["fw.rakuten.ne.jp"], "abc@", False),
    ],
)
def test_relay_matches_a_domain_and_its_subdomains(domains: list[str], recipient: str, matches: bool) -> None:
    relay = RelayConfig(host="sub.fw.rakuten.ne.jp", domains=domains, secret_arn="arn:secret")

    assert (relay.match_length(recipient) is not None) is matches
