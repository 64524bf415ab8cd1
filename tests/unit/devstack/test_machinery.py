"""The dispatcher's and outbox's pure parts: schedule times, stream records, recorded mail."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, timezone

import pytest

from okaeri.models import RelayConfig
from okaeri_dev.clock import DevClock
from okaeri_dev.dispatcher import lambda_record, schedule_time
from okaeri_dev.outbox import Outbox, OutboxRelay, RecordingTransport

AT = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)
RAW = b"Message-ID: <m1@shop.example>\r\nSubject: =?utf-8?b?44GC44KK44GM44Go44GG?=\r\n\r\nbody\r\n"


def test_a_one_off_schedule_fires_at_its_wall_time_in_its_zone() -> None:
    assert schedule_time("at(2026-12-07T10:00:00)", "Asia/Tokyo") == AT
    assert schedule_time("at(2026-12-07T01:00:00)", None) == AT  # UTC by default
    assert schedule_time("rate(5 minutes)", "UTC") is None
    assert schedule_time("cron(0 10 * * ? *)", "Asia/Tokyo") is None


def test_stream_records_take_lambdas_shape() -> None:
    record = {
        "eventID": "1",
        "eventName": "INSERT",
        "awsRegion": "us-east-1",
        "dynamodb": {
            "ApproximateCreationDateTime": datetime(
                2026, 12, 7, 1, 0, 5, tzinfo=timezone(timedelta(hours=9))
            ),
            "Keys": {"pk": {"S": "demo"}, "blob": {"B": b"\x00\x01"}},
            "NewImage": {"tags": {"BS": [b"a"]}, "n": {"N": "3"}},
            "SequenceNumber": "100",
        },
    }
    converted = lambda_record(record, stream_arn="arn:stream", region="ap-northeast-1")
    assert converted["awsRegion"] == "ap-northeast-1"
    assert converted["eventSourceARN"] == "arn:stream"
    assert converted["dynamodb"]["ApproximateCreationDateTime"] == int(
        datetime(2026, 12, 6, 16, 0, 5, tzinfo=UTC).timestamp()
    )
    assert converted["dynamodb"]["Keys"]["blob"] == {"B": "AAE="}
    assert converted["dynamodb"]["NewImage"] == {"tags": {"BS": ["YQ=="]}, "n": {"N": "3"}}


class Accepting:
    name = "ses"

    def __init__(self) -> None:
        self.sent: list[bytes] = []

    def send(self, *, sender: str, recipient: str, raw: bytes, tags: Mapping[str, str]) -> str:
        self.sent.append(raw)
        return f"ses-{len(self.sent)}"


class Refusing:
    name = "ses"

    def send(self, *, sender: str, recipient: str, raw: bytes, tags: Mapping[str, str]) -> str:
        raise RuntimeError("refused")


def test_the_outbox_notes_only_what_ses_accepted_at_the_clocks_time() -> None:
    outbox, clock = Outbox(), DevClock(AT, ticking=False)
    inner = Accepting()
    transport = RecordingTransport(inner, outbox, clock)
    assert (
        transport.send(sender="shop@okaeri.local", recipient="a@example.jp", raw=RAW, tags={"delivery": "d1"})
        == "ses-1"
    )
    with pytest.raises(RuntimeError):
        RecordingTransport(Refusing(), outbox, clock).send(
            sender="s@x.jp", recipient="b@x.jp", raw=RAW, tags={}
        )
    [message] = outbox.since()
    assert (message.seq, message.transport, message.message_id, message.at) == (1, "ses", "ses-1", AT)
    assert message.as_json()["subject"] == "ありがとう"
    assert message.as_json()["tags"] == {"delivery": "d1"}
    assert outbox.since(1) == []


def test_a_relay_delivers_into_the_outbox_with_its_registered_sender() -> None:
    outbox, clock = Outbox(), DevClock(AT, ticking=False)
    relay = RelayConfig(
        host="sub.fw.rakuten.ne.jp",
        domains=["*.fw.rakuten.ne.jp"],
        secret_arn="arn:s",
        mail_from="rms@shop.example",
    )
    transport = OutboxRelay(relay, outbox, clock)
    assert transport.name == "relay:sub.fw.rakuten.ne.jp"
    message_id = transport.send(
        sender="shop@okaeri.local", recipient="x@pc.fw.rakuten.ne.jp", raw=RAW, tags={}
    )
    assert message_id == "<m1@shop.example>"
    [message] = outbox.since()
    assert (message.sender, message.recipient, len(outbox)) == (
        "rms@shop.example",
        "x@pc.fw.rakuten.ne.jp",
        1,
    )
    anonymous = transport.send(
        sender="s@x.jp", recipient="y@pc.fw.rakuten.ne.jp", raw=b"Subject: x\r\n\r\nbody", tags={}
    )
    assert anonymous.endswith("@relay.okaeri.local>")
