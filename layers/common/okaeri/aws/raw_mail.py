"""Received mail in S3: SES inbound stores each mail under ``inbound/<shop-id>/``.

The size is checked before the body is read. SES accepts mail up to 40 MB, and a Lambda should
never hold such an object in memory only to refuse it, so an object larger than ``max_bytes`` is
refused from its ``ContentLength`` alone (``ParseError("too_large")``). The default is
``MAX_MAIL_BYTES`` × 2: the parser is the one place that decides what is too large to read (it
refuses anything above ``MAX_MAIL_BYTES`` with the exact size in its message), and the margin
keeps this guard from ever overruling it; it only keeps the clearly oversized out of memory.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Final

from botocore.exceptions import ClientError

from okaeri.errors import NotFoundError, ParseError
from okaeri.parsing import MAX_MAIL_BYTES

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

SIZE_MARGIN: Final = 2
DEFAULT_MAX_BYTES: Final = MAX_MAIL_BYTES * SIZE_MARGIN
_MISSING: Final = frozenset({"NoSuchKey", "404", "NotFound"})  # HEAD answers a bare 404


class S3RawMail:
    """``ports.RawMail`` over one bucket."""

    def __init__(self, client: S3Client, bucket: str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self._client = client
        self._bucket = bucket
        self._max_bytes = max_bytes

    def get(self, key: str) -> bytes:
        """The raw mail; ``NotFoundError`` when it is gone, ``ParseError("too_large")`` past the limit."""
        with _not_found_as_domain_error(key):
            response = self._client.get_object(Bucket=self._bucket, Key=key)
        body = response["Body"]
        try:
            self._check_size(key, response["ContentLength"])
            return body.read()
        finally:
            body.close()

    def head_size(self, key: str) -> int:
        """The object's size in bytes, without downloading it (``NotFoundError`` when it is gone)."""
        with _not_found_as_domain_error(key):
            return self._client.head_object(Bucket=self._bucket, Key=key)["ContentLength"]

    def _check_size(self, key: str, size: int) -> None:
        if size > self._max_bytes:
            raise ParseError(
                "too_large",
                f"メールが大きすぎるため読み込みません: {size:,} バイト（上限 {self._max_bytes:,} バイト）: {key}",
                f"the mail is too large to read: {size:,} bytes (the limit is {self._max_bytes:,}): {key}",
            )


@contextmanager
def _not_found_as_domain_error(key: str) -> Iterator[None]:
    """A missing object becomes ``NotFoundError``; any other S3 error stays (the event is retried)."""
    try:
        yield
    except ClientError as exc:
        if str(exc.response.get("Error", {}).get("Code", "")) in _MISSING:
            raise NotFoundError(
                f"受信メールが見つかりません: {key}", f"the received mail is not there: {key}"
            ) from exc
        raise
