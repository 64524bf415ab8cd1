"""S3RawMail against moto's S3: the mail's bytes, a missing key, a size refused before download."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from okaeri.aws.raw_mail import DEFAULT_MAX_BYTES, S3RawMail
from okaeri.errors import NotFoundError, ParseError
from okaeri.parsing import MAX_MAIL_BYTES
from tests.integration.transports.conftest import REGION

BUCKET = "okaeri-inbound"
KEY = "inbound/sakura-farm/0f1e2d3c"
MAIL = (
    b"From: order@rakuten.co.jp\r\nSubject: =?ISO-2022-JP?B?GyRCQ21KOCUbKEI=?=\r\n\r\n\x1b$B%F%9%H\x1b(B\r\n"
)


@pytest.fixture
def s3(mocked_aws: None) -> Any:
    client = boto3.client("s3", region_name=REGION)
    client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    client.put_object(Bucket=BUCKET, Key=KEY, Body=MAIL)
    return client


def test_get_returns_the_raw_bytes(s3: Any) -> None:
    assert S3RawMail(s3, BUCKET).get(KEY) == MAIL


def test_head_size_gives_the_size_without_the_body(s3: Any) -> None:
    assert S3RawMail(s3, BUCKET).head_size(KEY) == len(MAIL)


@pytest.mark.parametrize("read", [S3RawMail.get, S3RawMail.head_size])
def test_a_missing_mail_is_not_found(s3: Any, read: Any) -> None:
    with pytest.raises(NotFoundError) as caught:
        read(S3RawMail(s3, BUCKET), "inbound/sakura-farm/gone")

    assert "inbound/sakura-farm/gone" in caught.value.message_en


def test_a_mail_above_the_limit_is_refused_as_too_large(s3: Any) -> None:
    raw_mail = S3RawMail(s3, BUCKET, max_bytes=len(MAIL) - 1)

    with pytest.raises(ParseError) as caught:
        raw_mail.get(KEY)

    assert caught.value.reason == "too_large"
    assert f"{len(MAIL):,} bytes" in caught.value.message_en


def test_a_mail_at_the_limit_is_read(s3: Any) -> None:
    assert S3RawMail(s3, BUCKET, max_bytes=len(MAIL)).get(KEY) == MAIL


def test_the_default_limit_leaves_the_parser_room_to_refuse_with_its_own_reason() -> None:
    assert DEFAULT_MAX_BYTES == 2 * MAX_MAIL_BYTES


def test_other_s3_errors_are_left_for_the_event_to_be_retried(s3: Any) -> None:
    with pytest.raises(s3.exceptions.NoSuchBucket):
        S3RawMail(s3, "no-such-bucket").get(KEY)
