"""The history's direct calls (``okaeri_dev/fast_lane.py``) over a stand-in for the moto server's app."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable, Iterable
from typing import Any

import botocore.handlers
import pytest
from botocore.awsrequest import AWSPreparedRequest
from botocore.compat import HTTPHeaders

from okaeri_dev import fast_lane
from okaeri_dev.fast_lane import DirectCalls

URL = "http://127.0.0.1:5999"


class Server:
    """What the moto server's dispatcher does for these tests: one application per service, found
    from the request (counted), each answering what it was asked."""

    def __init__(self) -> None:
        self.lookups = 0

    def get_application(self, environ: dict[str, Any]) -> Callable[..., Iterable[bytes]]:
        self.lookups += 1
        return self

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        answer = {
            "method": environ["REQUEST_METHOD"],
            "path": environ["PATH_INFO"],
            "query": environ["QUERY_STRING"],
            "target": environ.get("HTTP_X_AMZ_TARGET"),
            "body": body.decode(),
        }
        start_response("201 Created", [("Content-Type", "application/json"), ("x-amzn-RequestId", "r1")])
        return [json.dumps(answer).encode()]


def request(url: str = f"{URL}/path", body: Any = b'{"TableName": "t"}') -> AWSPreparedRequest:
    headers = HTTPHeaders()
    headers["X-Amz-Target"] = "DynamoDB_20120810.GetItem"
    return AWSPreparedRequest(
        method="POST", url=url + "?a=1", headers=headers, body=body, stream_output=False
    )


def test_while_on_a_request_to_the_server_is_answered_in_process() -> None:
    server = Server()
    direct = DirectCalls(server, URL)
    assert direct(request()) is None  # off: over the socket
    with direct.on():
        answer = direct(request(), event_name="before-send.dynamodb.GetItem")
        again = direct(request(body='{"TableName": "u"}'), event_name="before-send.dynamodb.GetItem")
    assert answer is not None
    assert again is not None
    assert answer.status_code == 201
    assert answer.headers["x-amzn-RequestId"] == "r1"
    assert json.loads(answer.content) == {
        "method": "POST",
        "path": "/path",
        "query": "a=1",
        "target": "DynamoDB_20120810.GetItem",
        "body": '{"TableName": "t"}',
    }
    assert json.loads(again.content)["body"] == '{"TableName": "u"}'
    assert server.lookups == 1  # the service's application found once
    assert direct.calls == 2
    assert direct(request()) is None  # off again after the block


def test_another_url_and_a_streamed_body_go_over_the_socket() -> None:
    direct = DirectCalls(Server(), URL)
    with direct.on():
        assert direct(request(url="http://127.0.0.1:59990/path")) is None
        assert direct(request(body=io.BytesIO(b"a stream"))) is None
    assert direct.calls == 0


def test_it_is_in_every_botocore_session_made_while_installed() -> None:
    direct = DirectCalls(Server(), URL)
    direct.install()
    try:
        assert ("before-send", direct) in botocore.handlers.BUILTIN_HANDLERS
    finally:
        direct.uninstall()
    assert ("before-send", direct) not in botocore.handlers.BUILTIN_HANDLERS
    direct.uninstall()  # twice is fine


def test_without_moto_s_shortcuts_the_history_runs_on_moto_as_shipped(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from bench import fast_moto

    def changed() -> None:
        raise RuntimeError("moto changed")

    monkeypatch.setattr(fast_moto, "check_sources", changed)
    direct = DirectCalls(Server(), URL)
    with caplog.at_level(logging.WARNING, logger="okaeri_dev.fast_lane"), fast_lane.fast_lane(direct):
        assert direct(request()) is not None  # the direct calls still on
    assert "moto as shipped" in caplog.text
