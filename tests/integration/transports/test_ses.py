"""SesTransport: a send through moto's SES v2, and each SES answer mapped to the send's outcome."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSResponse, HeadersDict
from botocore.config import Config
from botocore.exceptions import (
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
)
from hypothesis import given
from hypothesis import strategies as st
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

from okaeri.aws.ses import PERMANENT_CODES, SesTransport
from okaeri.errors import AmbiguousSendError, ThrottledError, TransportError
from okaeri.ses_tags import MAX_TAG_CHARS, decode_tag, encode_tag
from tests.integration.transports.conftest import REGION

SENDER = "info@sakura-farm.example"
RECIPIENT = "taro@example.jp"
CONFIGURATION_SET = "okaeri-events"
DELIVERY = "sakura-farm.thanks.a3d4fcf2e6a04adb8adc3c434fb5543b"
RAW = (
    b"From: info@sakura-farm.example\r\nTo: taro@example.jp\r\nSubject: =?utf-8?b?44GC44KK44GM44Go44GG?=\r\n"
    b"Message-ID: <m1@sakura-farm.example>\r\nMIME-Version: 1.0\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n\r\nThank you.\r\n"
)
ONE_ATTEMPT = Config(retries={"mode": "standard", "total_max_attempts": 1})


def _send(transport: SesTransport) -> str:
    return transport.send(
        sender=SENDER, recipient=RECIPIENT, raw=RAW, tags={"shop": "sakura-farm", "delivery": DELIVERY}
    )


# --- through moto ----------------------------------------------------------------------------


@pytest.fixture
def ses_client(mocked_aws: None) -> Any:
    client = boto3.client("sesv2", region_name=REGION, config=ONE_ATTEMPT)
    client.create_email_identity(EmailIdentity=SENDER)
    client.create_configuration_set(ConfigurationSetName=CONFIGURATION_SET)
    return client


def test_send_hands_the_raw_mail_to_ses_and_returns_its_message_id(ses_client: Any) -> None:
    requests: list[dict[str, Any]] = []
    ses_client.meta.events.register(
        "before-parameter-build.sesv2.SendEmail", lambda params, **_: requests.append(dict(params))
    )

    message_id = _send(SesTransport(ses_client, configuration_set=CONFIGURATION_SET))

    sent = ses_backends[DEFAULT_ACCOUNT_ID][REGION].sent_messages
    assert [message.id for message in sent] == [message_id]
    assert sent[0].source == SENDER
    assert RECIPIENT in sent[0].destinations
    assert sent[0].raw_data.encode() == RAW
    (request,) = requests
    assert request["ConfigurationSetName"] == CONFIGURATION_SET
    assert request["Destination"] == {"ToAddresses": [RECIPIENT]}
    assert request["FromEmailAddress"] == SENDER
    assert request["EmailTags"] == [
        {"Name": "shop", "Value": "sakura-farm"},
        {"Name": "delivery", "Value": "sakura-farm_2ethanks_2ea3d4fcf2e6a04adb8adc3c434fb5543b"},
    ]


def test_a_sender_ses_does_not_know_is_refused_for_good(ses_client: Any) -> None:
    transport = SesTransport(ses_client, configuration_set=CONFIGURATION_SET)

    with pytest.raises(TransportError) as caught:
        transport.send(sender="nobody@unverified.example", recipient=RECIPIENT, raw=RAW, tags={})

    assert caught.value.retryable is False
    assert caught.value.code == "send_rejected"
    assert "MessageRejected" in caught.value.message_en


@pytest.mark.parametrize(
    "retries",
    [None, {"total_max_attempts": 2}, {"max_attempts": 1}],  # max_attempts counts retries: 2 attempts
)
def test_a_client_with_sdk_retries_is_refused(aws_env: None, retries: dict[str, int] | None) -> None:
    client = boto3.client("sesv2", region_name=REGION, config=Config(retries=retries) if retries else None)

    with pytest.raises(ValueError, match="one attempt"):
        SesTransport(client, configuration_set=CONFIGURATION_SET)


# --- every answer SES can give, played at the HTTP layer (retries stay real: one attempt) -----


class _Body:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Any:
        yield self._body


def _answer(status: int, code: str | None = None) -> Callable[..., AWSResponse]:
    body = {"MessageId": "0100018c-ok"} if code is None else {"message": f"{code} says no"}
    headers = HeadersDict({"Content-Type": "application/json"})
    if code is not None:
        headers["x-amzn-ErrorType"] = code

    def respond(request: Any, **_: Any) -> AWSResponse:
        return AWSResponse(request.url, status, headers, _Body(json.dumps(body).encode()))

    return respond


def _raise(error: Exception) -> Callable[..., AWSResponse]:
    def respond(request: Any, **_: Any) -> AWSResponse:
        raise error

    return respond


@pytest.fixture
def wire(aws_env: None) -> Callable[[Callable[..., AWSResponse]], tuple[SesTransport, list[str]]]:
    """An SES transport whose HTTP answer is played by ``respond``; the list counts the attempts."""

    def build(respond: Callable[..., AWSResponse]) -> tuple[SesTransport, list[str]]:
        client = boto3.client(
            "sesv2", region_name=REGION, config=ONE_ATTEMPT, endpoint_url="http://127.0.0.1:9"
        )
        attempts: list[str] = []

        def send(request: Any, **kwargs: Any) -> AWSResponse:
            attempts.append(request.url)
            return respond(request, **kwargs)

        client.meta.events.register("before-send.sesv2.SendEmail", send)
        return SesTransport(client, configuration_set=CONFIGURATION_SET), attempts

    return build


def test_an_accepted_send_returns_the_message_id(wire: Any) -> None:
    transport, attempts = wire(_answer(200))

    assert _send(transport) == "0100018c-ok"
    assert len(attempts) == 1


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (429, "TooManyRequestsException"),
        (400, "Throttling"),
        (400, "ThrottlingException"),
        (400, "LimitExceededException"),
    ],
)
def test_throttling_is_throttled_and_tried_once(wire: Any, status: int, code: str) -> None:
    transport, attempts = wire(_answer(status, code))

    with pytest.raises(ThrottledError) as caught:
        _send(transport)

    assert caught.value.retryable is True
    assert code in caught.value.message_en
    assert len(attempts) == 1


@pytest.mark.parametrize("code", sorted(PERMANENT_CODES))
def test_a_refusal_is_permanent(wire: Any, code: str) -> None:
    transport, _ = wire(_answer(400, code))

    with pytest.raises(TransportError) as caught:
        _send(transport)

    assert type(caught.value) is TransportError
    assert caught.value.retryable is False
    assert caught.value.code == "send_rejected"


def test_another_error_ses_answers_is_retryable(wire: Any) -> None:
    transport, _ = wire(_answer(403, "AccessDeniedException"))

    with pytest.raises(TransportError) as caught:
        _send(transport)

    assert type(caught.value) is TransportError
    assert caught.value.retryable is True


@pytest.mark.parametrize(("status", "code"), [(500, "InternalFailure"), (503, "ServiceUnavailable")])
def test_a_server_error_after_the_request_went_out_is_ambiguous(wire: Any, status: int, code: str) -> None:
    transport, attempts = wire(_answer(status, code))

    with pytest.raises(AmbiguousSendError):
        _send(transport)

    assert len(attempts) == 1  # never retried: SES may have taken the mail


@pytest.mark.parametrize(
    "error",
    [
        EndpointConnectionError(endpoint_url="https://email.ap-northeast-1.amazonaws.com"),
        ConnectTimeoutError(endpoint_url="https://email.ap-northeast-1.amazonaws.com"),
    ],
)
def test_a_request_that_never_reached_ses_is_retryable(wire: Any, error: Exception) -> None:
    transport, attempts = wire(_raise(error))

    with pytest.raises(TransportError) as caught:
        _send(transport)

    assert type(caught.value) is TransportError
    assert caught.value.retryable is True
    assert len(attempts) == 1


@pytest.mark.parametrize(
    "error",
    [
        ReadTimeoutError(endpoint_url="https://email.ap-northeast-1.amazonaws.com"),
        ConnectionClosedError(endpoint_url="https://email.ap-northeast-1.amazonaws.com"),
    ],
)
def test_a_lost_answer_is_ambiguous(wire: Any, error: Exception) -> None:
    transport, attempts = wire(_raise(error))

    with pytest.raises(AmbiguousSendError):
        _send(transport)

    assert len(attempts) == 1


# --- message tags -------------------------------------------------------------------------------


@given(st.text(min_size=1, max_size=40))
def test_tags_are_in_the_ses_alphabet_and_decode_back(text: str) -> None:
    tag = encode_tag(text)

    assert re.fullmatch(r"[A-Za-z0-9_-]+", tag)
    assert decode_tag(tag) == text


def test_plain_ids_stay_readable_and_overlong_tags_are_refused() -> None:
    assert encode_tag("sakura-farm") == "sakura-farm"
    assert encode_tag("a_b.c") == "a_5fb_2ec"
    with pytest.raises(ValueError, match="256"):
        encode_tag("." * (MAX_TAG_CHARS // 3 + 1))
