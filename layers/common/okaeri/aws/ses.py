"""SES v2 ``SendEmail`` with raw MIME: the ordinary way out (SPEC §1, decisions 4 and 6).

``SendEmail`` has no idempotency token, so the client must be built with SDK retries off
(``total_max_attempts=1``, see ``okaeri.aws.clients.sesv2_client(retries_off=True)``): a retry after
a lost answer could send the mail twice. The constructor refuses any other client. What SES
answers is turned into the send state machine's three outcomes:

- ``ThrottledError``: SES asked us to slow down; nothing was sent.
- ``TransportError(retryable=False)``: SES refused this mail for good (rejected, unverified
  sender, account paused…); ``retryable=True``: the request never reached SES, or SES answered
  with some other 4xx, so nothing was sent and a later try is safe.
- ``AmbiguousSendError``: the request went out and no clear answer came back (read timeout,
  connection closed, 5xx): SES may have accepted the mail.

Message tags (shop, delivery) go to SES event publishing through the configuration set. SES allows
only ``[A-Za-z0-9_-]`` in a tag, and delivery ids carry dots, so values are escaped reversibly:
``encode_tag`` here, ``decode_tag`` where the events are read.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Final

from botocore.exceptions import ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as BotoConnectionError

from okaeri.errors import AmbiguousSendError, ThrottledError, TransportError
from okaeri.ses_tags import encode_tag

if TYPE_CHECKING:
    from mypy_boto3_sesv2 import SESV2Client
    from mypy_boto3_sesv2.type_defs import MessageTagTypeDef

THROTTLING_CODES: Final = frozenset(
    {"TooManyRequestsException", "Throttling", "ThrottlingException", "LimitExceededException"}
)
PERMANENT_CODES: Final = frozenset(
    {
        "MessageRejected",
        "MailFromDomainNotVerifiedException",
        "AccountSuspendedException",
        "SendingPausedException",
        "NotFoundException",
        "BadRequestException",
    }
)


class SesTransport:
    """``ports.Transport`` over SES v2 (one attempt per call)."""

    name = "ses"

    def __init__(self, client: SESV2Client, *, configuration_set: str) -> None:
        retries: dict[str, object] = getattr(client.meta.config, "retries", None) or {}
        attempts = retries.get("total_max_attempts")
        if attempts != 1:
            raise ValueError(
                "the SES send client must make one attempt (retries={'total_max_attempts': 1}), "
                f"not {attempts}: a retried SendEmail can send the mail twice"
            )
        self._client = client
        self._configuration_set = configuration_set

    def send(self, *, sender: str, recipient: str, raw: bytes, tags: Mapping[str, str]) -> str:
        """Send once; the SES message id, or one of the three errors described in the module."""
        email_tags: list[MessageTagTypeDef] = [
            {"Name": encode_tag(name), "Value": encode_tag(value)} for name, value in tags.items()
        ]
        try:
            response = self._client.send_email(
                FromEmailAddress=sender,
                Destination={"ToAddresses": [recipient]},
                Content={"Raw": {"Data": raw}},
                ConfigurationSetName=self._configuration_set,
                EmailTags=email_tags,
            )
        except ClientError as exc:
            raise _answered(exc) from exc
        except BotoConnectionError as exc:  # EndpointConnectionError, ConnectTimeoutError, SSLError…
            raise TransportError(
                f"SES に接続できませんでした（送信されていません）: {exc}",
                f"could not reach SES (nothing was sent): {exc}",
                retryable=True,
            ) from exc
        except HTTPClientError as exc:  # ReadTimeoutError, ConnectionClosedError: the request went out
            raise _ambiguous(str(exc)) from exc
        return response["MessageId"]


def _answered(exc: ClientError) -> ThrottledError | TransportError | AmbiguousSendError:
    error = exc.response.get("Error", {})
    code = str(error.get("Code", ""))
    detail = f"{code} {error.get('Message', '')}".strip()
    status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0))
    if code in THROTTLING_CODES:
        return ThrottledError(
            f"SES が送信を制限しています（送信されていません）: {detail}",
            f"SES is throttling (nothing was sent): {detail}",
        )
    if code in PERMANENT_CODES:
        return TransportError(
            f"SES がこのメールを拒否しました: {detail}",
            f"SES refused this mail: {detail}",
            retryable=False,
            code="send_rejected",
        )
    if status >= 500:
        return _ambiguous(detail)
    return TransportError(
        f"SES がエラーを返しました（送信されていません）: {detail}",
        f"SES answered with an error (nothing was sent): {detail}",
        retryable=True,
    )


def _ambiguous(detail: str) -> AmbiguousSendError:
    return AmbiguousSendError(
        f"SES からの応答がありません。送信されたかどうか不明です: {detail}",
        f"no clear answer from SES; the mail may have been accepted: {detail}",
    )
