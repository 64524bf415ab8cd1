"""Whatever arrives, ``parse_mail`` returns an Order or raises ParseError with a known reason.

Mutilated versions of the sample mails (truncated, bytes flipped, charset labels swapped, MIME
boundaries corrupted, a 100 KB header line, MIME headers the stdlib header parser chokes on) must
never let another exception escape, and the
one place that turns an unforeseen exception into ``unrecognised`` must only ever see exceptions
raised inside the standard library, never a bug of the parser itself.
"""

from __future__ import annotations

import re
import traceback
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from okaeri.errors import ParseError
from okaeri.models.order import Order
from okaeri.parsing import parse_mail
from okaeri.parsing.decode import MAX_LINE_CHARS, read_mail
from tests.conftest import FIXTURES, SHARED_FIXTURES
from tests.unit.parsing.support import masks_for

REASONS = {
    "empty",
    "too_large",
    "too_many_parts",
    "too_deep",
    "not_an_order",
    "unrecognised",
    "missing_field",
    "undecodable",
}
SAMPLES = sorted((FIXTURES / "mail").glob("*.eml")) + sorted((SHARED_FIXTURES / "mail").glob("*.eml"))
RAW = {path: path.read_bytes() for path in SAMPLES}
MASKS = [mask for path in SAMPLES for mask in masks_for(path)]
LABELS = [b"utf-8", b"Shift_JIS", b"ISO-2022-JP", b"EUC-JP", b"x-unknown", b"us-ascii", b"", b'"', b"utf-7"]
_CHARSET = re.compile(rb"charset=\"?[^\";\s]*\"?", re.IGNORECASE)
_BOUNDARY = re.compile(rb"boundary=\"?([^\";\s]+)\"?", re.IGNORECASE)


def outcome(raw: bytes) -> Order | ParseError:
    """Parse, and check that a refusal is well formed and no parser bug hid behind it."""
    try:
        return parse_mail(raw, masks=MASKS)
    except ParseError as error:
        refusal = error
    assert refusal.reason in REASONS
    assert refusal.message_ja
    assert refusal.message_en
    cause = refusal.__cause__
    if cause is not None and not isinstance(cause, ParseError):
        where = traceback.extract_tb(cause.__traceback__)[-1].filename
        assert "okaeri" not in where, f"the parser raised {cause!r} itself at {where}"
        assert "pydantic" not in where, f"the parser built an invalid Order: {cause!r}"
    return refusal


# --- mutations ---------------------------------------------------------------------------------


def truncate(raw: bytes, data: st.DataObject) -> bytes:
    return raw[: data.draw(st.integers(0, len(raw)), label="cut at")]


def flip_bytes(raw: bytes, data: st.DataObject) -> bytes:
    if not raw:
        return raw
    mutable = bytearray(raw)
    for _ in range(data.draw(st.integers(1, 20), label="flips")):
        mutable[data.draw(st.integers(0, len(raw) - 1))] = data.draw(st.integers(0, 255))
    return bytes(mutable)


def swap_charset(raw: bytes, data: st.DataObject) -> bytes:
    label = data.draw(st.sampled_from(LABELS), label="charset")
    return _CHARSET.sub(b"charset=" + label, raw)


def corrupt_boundaries(raw: bytes, data: st.DataObject) -> bytes:
    found = _BOUNDARY.search(raw)
    if found is None:
        return raw
    boundary = found.group(1)
    choice = data.draw(
        st.sampled_from(["rename", "drop-close", "declare-other", "duplicate"]), label="corruption"
    )
    if choice == "rename":
        return raw.replace(b"--" + boundary, b"--" + boundary[:-1] + b"X", 1)
    if choice == "drop-close":
        return raw.replace(b"--" + boundary + b"--", b"")
    if choice == "declare-other":
        return raw.replace(found.group(0), b"boundary=nothing-here", 1)
    middle = raw.index(b"--" + boundary) if b"--" + boundary in raw else len(raw) // 2
    return raw[:middle] + raw[middle:] * 3


def long_header(raw: bytes, data: st.DataObject) -> bytes:
    name = data.draw(
        st.sampled_from([b"X-Long", b"Subject", b"From", b"To", b"Content-Type"]), label="header"
    )
    value = data.draw(
        st.sampled_from([b"a" * 100_000, b"=?utf-8?B?44GC?= " * 6_000, b"\xe3\x81\x82" * 33_000])
    )
    return name + b": " + value + b"\r\n" + raw


CRAFTED_MIME_VALUES = [
    b"; .*",  # IndexError in the stdlib header parser
    b"text/plain; charset=utf-8 " + b"(" * 3_000,  # nested comments: a stack overflow
    b"multipart/mixed; boundary=" + b"<a@b> " * 300,
    b'text/plain; name="' + b'"x" ' * 400,
    b"=?utf-8?B?44GC?= " * 400,
    b"text/plain; x=" + b"a" * 9_000,  # over the cap
]


def crafted_mime_header(raw: bytes, data: st.DataObject) -> bytes:
    """A MIME header that is hard for the structured header parser, at the start of any line."""
    name = data.draw(
        st.sampled_from([b"Content-Type", b"Content-Disposition", b"Content-Transfer-Encoding"]),
        label="header",
    )
    value = data.draw(st.sampled_from(CRAFTED_MIME_VALUES), label="value")
    at = data.draw(
        st.sampled_from([0, *(match.end() for match in re.finditer(rb"\n", raw))]), label="at line"
    )
    return raw[:at] + name + b": " + value + b"\r\n" + raw[at:]


def insert_noise(raw: bytes, data: st.DataObject) -> bytes:
    at = data.draw(st.integers(0, len(raw)), label="insert at")
    return raw[:at] + data.draw(st.binary(min_size=1, max_size=64), label="noise") + raw[at:]


MUTATIONS = [
    truncate,
    flip_bytes,
    swap_charset,
    corrupt_boundaries,
    long_header,
    crafted_mime_header,
    insert_noise,
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_mutilated_samples_give_an_order_or_a_parse_error(data: st.DataObject) -> None:
    raw = RAW[data.draw(st.sampled_from(SAMPLES), label="sample")]
    for mutate in data.draw(st.lists(st.sampled_from(MUTATIONS), min_size=1, max_size=3), label="mutations"):
        raw = mutate(raw, data)
    outcome(raw)  # an Order, or a refusal with a known reason


@settings(max_examples=60, deadline=None)
@given(raw=st.binary(max_size=2000))
def test_arbitrary_bytes_give_an_order_or_a_parse_error(raw: bytes) -> None:
    outcome(raw)  # an Order, or a refusal with a known reason


@settings(max_examples=60, deadline=None)
@given(text=st.text(max_size=500), charset=st.sampled_from(LABELS))
def test_arbitrary_text_parts_give_an_order_or_a_parse_error(text: str, charset: bytes) -> None:
    raw = (
        b"Content-Type: text/plain; charset=" + charset + b"\r\n\r\n" + text.encode("utf-8", "surrogatepass")
    )
    outcome(raw)  # an Order, or a refusal with a known reason


@pytest.mark.parametrize("path", SAMPLES[:3] + SAMPLES[-3:], ids=lambda path: path.stem)
def test_a_100_kb_header_line_does_not_hurt_a_good_mail(path: Path) -> None:
    before = outcome(RAW[path])
    after = outcome(b"X-Long: " + b"a" * 100_000 + b"\r\n" + RAW[path])
    if isinstance(before, Order):
        assert after == before
    else:
        assert isinstance(after, ParseError)
        assert after.reason == before.reason


PATHOLOGICAL_PREFIXES = [
    "",
    "[注文者]   ",
    "[商品]\n",
    "お名前：",
    "注文番号：",
    "（1）",
    "〒",
    "ご注文者情報\nお名前：",
]
PATHOLOGICAL_FILLS = [" ", "\t", "(", "1,", "a@", "¥1 "]


@pytest.mark.parametrize("prefix", PATHOLOGICAL_PREFIXES)
@pytest.mark.parametrize("fill", PATHOLOGICAL_FILLS)
def test_a_100_kb_body_line_is_read_only_up_to_the_line_cap(prefix: str, fill: str) -> None:
    # Bounded by construction, not timed: the readers' patterns stay on one line, and no line they
    # see is over MAX_LINE_CHARS, so even a pattern quadratic in its line costs a constant per line
    # (the time these take is a figure of make bench).
    line = prefix + fill * (100_000 // len(fill))
    body = f"【楽天市場】\n{line}\n[受注番号] 338361-20261120-0912345678\n{line}\n"
    raw = b"From: <order@mycart.example>\nSubject: x\nContent-Type: text/plain; charset=utf-8\n\n"
    raw += body.encode()
    outcome(raw)  # an Order, or a refusal with a known reason
    views = read_mail(raw)
    assert max(len(read) for view in views for read in view.text.split("\n")) == MAX_LINE_CHARS
    assert "[受注番号] 338361-20261120-0912345678" in views[0].text.split("\n")


def test_the_robustness_samples_include_every_fixture() -> None:
    assert len(SAMPLES) >= len(list((FIXTURES / "mail").glob("*.eml"))) >= 15
