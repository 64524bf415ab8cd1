"""okaeri.jsonbody: size and nesting are checked before json.loads, with a scan that does not recurse."""

from __future__ import annotations

import json

import pytest

from okaeri.errors import BadRequestError, PayloadTooLargeError
from okaeri.jsonbody import MAX_JSON_DEPTH, check_json_bounds, nesting_depth, read_json


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        ("1", 0),
        ("[]", 1),
        ('{"a": [1, {"b": []}]}', 4),
        ('["[[[[", "}}}}"]', 1),
        ('["\\"[[[", "\\\\", [[]]]', 3),
        ('{"a": "]]]]]"}', 1),
        ("[]" * 1000, 1),
    ],
)
def test_depth_counts_brackets_outside_strings(text: str, depth: int) -> None:
    assert nesting_depth(text, stop_after=100) == depth


def test_a_deep_body_is_refused_without_parsing() -> None:
    for body in ("[" * 1_000_000, '{"a":' * 200_000, b"[" * 100_000 + b"]" * 100_000):
        with pytest.raises(BadRequestError) as refused:
            read_json(body)
        assert refused.value.code == "too_deep"
        assert refused.value.message_ja
        assert refused.value.message_en


def test_the_bound_itself_is_read() -> None:
    body = "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH
    assert read_json(body) == json.loads(body)
    with pytest.raises(BadRequestError):
        read_json("[" + body + "]")


def test_a_large_body_is_refused_by_its_encoded_size() -> None:
    with pytest.raises(PayloadTooLargeError):
        check_json_bounds('"' + "あ" * 400 + '"', max_bytes=1000)  # 400 characters, 1,202 bytes
    check_json_bounds('"' + "a" * 998 + '"', max_bytes=1000)


def test_what_is_not_json_stays_a_value_error() -> None:
    for body, why in ((b'{"a": "\xff"}', "can.t decode"), (b"{", "Expecting"), ("1" * 5000, "digits")):
        with pytest.raises(ValueError, match=why):
            read_json(body)
