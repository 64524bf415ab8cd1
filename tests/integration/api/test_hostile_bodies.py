"""Hostile JSON bodies on every route that reads one: a 4xx in the API's error shape, never a 500.

The routes come from the served OpenAPI document (every operation with a JSON ``requestBody``),
so a route added later is covered without touching this file; the Shopify webhook reads its raw
body itself (it is in no ``requestBody``) and is added by hand, with a valid signature.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from okaeri.import_formats.shopify import sign
from okaeri.jsonbody import MAX_JSON_BYTES, MAX_JSON_DEPTH
from tests.integration.api.conftest import OTHER_SHOP, Api
from tests.integration.api.test_webhooks import HOOK, SECRET, deliver, with_secret
from tests.integration.pipeline.conftest import SHOP_ID
from tests.support.api_client import ApiResponse

__all__ = ["with_secret"]

JSON = {"content-type": "application/json"}
ERROR_FIELDS = {"code", "message_ja", "message_en", "details"}


def json_routes(document: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(METHOD, path with its parameters filled) of every operation that takes a JSON body."""
    for template, operations in document["paths"].items():
        for method, operation in operations.items():
            if "application/json" in (operation.get("requestBody") or {}).get("content", {}):
                path = re.sub(r"\{[^}]+\}", "x1", template.replace("{shop_id}", SHOP_ID))
                yield method.upper(), path


def nested(depth: int, *, closed: bool = True) -> bytes:
    """``depth`` levels of arrays and objects, alternating (``[{"a":[{"a":…}]}]``)."""
    opening = b"".join(b"[" if level % 2 == 0 else b'{"a":' for level in range(depth))
    closing = b"".join(b"]" if level % 2 == 0 else b"}" for level in reversed(range(depth)))
    return opening + b"1" + (closing if closed else b"")


def assert_refused(answer: ApiResponse, status: int, code: str, where: str) -> None:
    assert (answer.status, answer.error_code) == (status, code), (
        f"{where}: {answer.status} {answer.text[:200]}"
    )
    error = answer.json()["error"]
    assert set(error) == ERROR_FIELDS
    assert error["message_ja"]
    assert error["message_en"]


@pytest.fixture
def routes(api: Api) -> list[tuple[str, str]]:
    found = list(json_routes(api.anonymous.get("/api/openapi.json").json()))
    assert ("POST", f"/api/shops/{SHOP_ID}/templates/preview") in found
    assert ("PUT", f"/api/shops/{SHOP_ID}/settings") in found
    assert len(found) >= 20  # a lost registration would shrink the list
    return found


@pytest.mark.parametrize(
    ("body", "why"),
    [
        (b"[" * 5_000, "5,000 ["),
        (b"[" * 5_000 + b"]" * 5_000, "5,000 [ closed"),
        (b"{" + b'"a":{' * 100_000, "100,000 objects, open"),
        (nested(MAX_JSON_DEPTH + 1), "one level past the bound"),
        (nested(200_000, closed=False), "200,000 levels, open"),
    ],
)
def test_too_deep_is_400_on_every_json_route(
    api: Api, routes: list[tuple[str, str]], body: bytes, why: str
) -> None:
    for method, path in routes:
        answer = api.owner.request(method, path, body=body, headers=JSON)
        assert_refused(answer, 400, "too_deep", f"{method} {path} ({why})")


def test_depth_within_the_bound_is_read_as_json(api: Api, routes: list[tuple[str, str]]) -> None:
    """At the bound the body is parsed and validated as before (422: not what the route expects)."""
    for method, path in routes:
        answer = api.owner.request(method, path, body=nested(MAX_JSON_DEPTH), headers=JSON)
        assert_refused(answer, 422, "invalid_request", f"{method} {path}")


def test_brackets_inside_strings_do_not_count(api: Api) -> None:
    text = '{"subject": "' + "[{" * 10_000 + '\\"[[[", "body_text": "}}]]"}'
    answer = api.owner.request("POST", f"/api/shops/{SHOP_ID}/templates/preview", body=text, headers=JSON)
    assert answer.status not in (400, 413), answer.text[:200]
    assert answer.status < 500, answer.text[:200]


def test_too_large_is_413_on_every_json_route(api: Api, routes: list[tuple[str, str]]) -> None:
    body = b'{"a": "' + b"x" * MAX_JSON_BYTES + b'"}'
    for method, path in routes:
        assert_refused(api.owner.request(method, path, body=body, headers=JSON), 413, "too_large", path)


@pytest.mark.parametrize(
    "body",
    [b'{"name": "\xff\xfe"}', b"1" * 5_000, b"\x00" * 8],
    ids=["not UTF-8", "a number past Python's digit limit", "NUL bytes"],
)
def test_unreadable_bodies_are_4xx_on_every_json_route(
    api: Api, routes: list[tuple[str, str]], body: bytes
) -> None:
    for method, path in routes:
        answer = api.owner.request(method, path, body=body, headers=JSON)
        assert answer.status in (400, 422), f"{method} {path}: {answer.status} {answer.text[:200]}"
        assert set(answer.json()["error"]) == ERROR_FIELDS


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 5_000, 200_000])
def test_a_signed_webhook_too_deep_is_400(with_secret: Api, depth: int) -> None:
    data = nested(depth)
    answer = deliver(with_secret, "orders/create", data, signature=sign(SECRET.encode(), data))
    assert_refused(answer, 400, "too_deep", f"{HOOK} at depth {depth}")
    unsigned = deliver(with_secret, "orders/create", data, signature="")
    assert_refused(unsigned, 400, "too_deep", f"{HOOK} unsigned at depth {depth}")


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("text/plain", b"[[["),
        ("multipart/form-data", b"--x\r\n"),
        (
            "multipart/form-data; boundary=x",
            b'--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n\xff\r\n--x--',
        ),
        ("application/x-www-form-urlencoded", b"subject=%ff&body_text=1"),
        ("application/xml", b"<a/>"),
    ],
)
def test_a_body_that_is_not_json_is_415_on_every_json_route(
    api: Api, routes: list[tuple[str, str]], content_type: str, body: bytes
) -> None:
    for method, path in routes:
        answer = api.owner.request(method, path, body=body, headers={"content-type": content_type})
        assert_refused(answer, 415, "unsupported_media_type", f"{method} {path} ({content_type})")


def test_the_caller_is_checked_before_the_type(api: Api) -> None:
    path = f"/api/shops/{OTHER_SHOP}/templates/preview"
    answer = api.staff.request("POST", path, body=b"x", headers={"content-type": "text/plain"})
    assert (answer.status, answer.error_code) == (403, "forbidden_shop")
    charset = api.owner.request(
        "POST",
        f"/api/shops/{SHOP_ID}/templates/preview",
        body=b"{}",
        headers={"content-type": "application/json; charset=utf-8"},
    )
    assert charset.status == 422  # read as JSON (the body misses its fields)
