"""Header fields under ``email.policy.default``: the bound before parsing, structured headers parsed once."""

from __future__ import annotations

import base64
import email
import email.policy
import re
from collections.abc import Iterator
from email.headerregistry import BaseHeader, ContentTypeHeader, HeaderRegistry
from email.message import EmailMessage

import pytest

from okaeri.parsing import MAX_MIME_HEADER_BYTES, MAX_MIME_HEADERS_TOTAL, headers, parse_mail
from okaeri.parsing.decode import MAX_LINE_CHARS, parse_message, read_mail
from okaeri.parsing.headers import drop_unread_long_fields, header_fields
from tests.unit.parsing.support import ORDER_TEXT, mail, refusal

ORDER_ID = "338361-20261120-0912345678"


def multipart(*parts: bytes, boundary: str = "b") -> bytes:
    body = (
        b"".join(b"--%s\n%s\n" % (boundary.encode(), part) for part in parts)
        + b"--%s--\n" % boundary.encode()
    )
    return mail(body, content_type=f'multipart/mixed; boundary="{boundary}"')


def text_part(text: str = ORDER_TEXT, headers: str = "") -> bytes:
    return f"Content-Type: text/plain; charset=utf-8\n{headers}\n{text}".encode()


def eml_part(inner: bytes) -> bytes:
    return (
        b"Content-Type: application/octet-stream\n"
        b'Content-Disposition: attachment; filename="order.eml"\n'
        b"Content-Transfer-Encoding: base64\n\n" + base64.encodebytes(inner)
    )


def field_of(length: int, name: str = "Content-Type", value: str = "text/plain; x=", fill: str = "a") -> str:
    """``name: value…`` padded with ``fill`` to exactly ``length`` characters."""
    head = f"{name}: {value}"
    return head + fill * (length - len(head))


def test_the_header_caps_are_as_documented() -> None:
    assert MAX_MIME_HEADER_BYTES == 8 * 1024
    assert MAX_MIME_HEADERS_TOTAL == 32 * 1024


# --- email.policy.default ------------------------------------------------------------------------


def test_every_part_is_an_email_message_under_the_default_policy() -> None:
    inner = mail(b"carried\n")
    raw = multipart(text_part(), b"Content-Type: message/rfc822\n\n" + inner)
    message = parse_message(raw)
    parts = list(message.walk())
    assert len(parts) == 4  # the multipart, the text, the message/rfc822 and the mail it carries
    for part in parts:
        assert isinstance(part, EmailMessage)
        assert part.policy is email.policy.default
    content_type = message["content-type"]
    assert isinstance(content_type, ContentTypeHeader)  # a structured header from the policy
    assert content_type.content_type == "multipart/mixed"
    assert content_type.params["boundary"] == "b"


def test_a_mail_attached_as_a_file_is_parsed_under_the_default_policy_too() -> None:
    raw = multipart(text_part("see attached\n"), eml_part(mail(ORDER_TEXT.encode())))
    outer = parse_message(raw)
    attachment = next(part for part in outer.walk() if part.get_filename() == "order.eml")
    payload = attachment.get_payload(decode=True)
    assert isinstance(payload, bytes)
    inner = parse_message(payload)
    assert isinstance(inner, EmailMessage)
    assert inner.policy is email.policy.default
    assert parse_mail(raw).order_id == ORDER_ID


def test_a_structured_header_is_parsed_once_and_follows_changes() -> None:
    message = parse_message(mail(b"hello\n", headers="Content-Transfer-Encoding: 7bit\n"))
    first = message["content-type"]
    assert message.get("Content-Type") is first
    assert message["CONTENT-TYPE"] is first
    assert message.get_content_charset() == "utf-8"
    message.replace_header("Content-Type", "text/html; charset=shift_jis")
    assert message.get_content_type() == "text/html"
    assert message.get_content_charset() == "shift_jis"
    assert message.get("X-Missing", "absent") == "absent"


def test_display_headers_stay_raw_strings_for_the_tolerant_decoder() -> None:
    subject = "=?x-unknown-charset?B?" + base64.b64encode("注文確認".encode("cp932")).decode() + "?="
    raw = b"From: =?utf-8?B?5qW95aSp?= <order@rakuten.co.jp>\nSubject: " + subject.encode() + b"\n\nbody\n"
    message = parse_message(raw)
    assert dict(message.raw_items())["Subject"] == subject
    view = read_mail(raw)[0]
    assert view.subject == "注文確認"
    assert view.sender == "楽天 <order@rakuten.co.jp>"


@pytest.mark.parametrize(
    "content_type",
    [
        "; .*",  # the stdlib header parser raises IndexError on this one
        "text/plain; charset=utf-8; x=" + "(" * 3000,  # nested comments overflow its stack
    ],
    ids=["index-error", "nested-comments"],
)
def test_a_header_the_stdlib_parser_cannot_read_is_read_as_plain_text(content_type: str) -> None:
    raw = mail(ORDER_TEXT.encode(), content_type=content_type)
    message = parse_message(raw)
    assert message.get_content_type() == "text/plain"
    assert parse_mail(raw).order_id == ORDER_ID


# --- the bound on structural headers ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("Content-Type", "Content-Type"),
        ("content-transfer-encoding", "Content-Transfer-Encoding"),
        ("CONTENT-DISPOSITION", "Content-Disposition"),
        ("MIME-Version", "MIME-Version"),
    ],
)
def test_an_over_long_structural_header_is_too_large(name: str, shown: str) -> None:
    field = field_of(MAX_MIME_HEADER_BYTES + 1, name)
    error = refusal(mail(ORDER_TEXT.encode(), headers=field + "\n"))
    assert error.reason == "too_large"
    for message in (error.message_en, error.message_ja):
        assert shown in message
        assert f"{MAX_MIME_HEADER_BYTES + 1:,}" in message
        assert f"{MAX_MIME_HEADER_BYTES:,}" in message


def test_the_header_bound_is_checked_before_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    def never(*_: object, **__: object) -> None:
        raise AssertionError("the mail was parsed")

    monkeypatch.setattr("okaeri.parsing.decode.email.message_from_bytes", never)
    assert refusal(b"Content-Type: " + b"<a@b> " * 16_000 + b"\r\n\r\nhello\r\n").reason == "too_large"


@pytest.mark.parametrize("line_break", ["\n", "\r\n", "\r"])
def test_a_folded_header_counts_unfolded(line_break: str) -> None:
    def folded(length: int) -> str:
        words = [field_of(40), *("a" * 39 for _ in range(length // 40))]
        text = f"{line_break} ".join(words)
        return text[: len(text) - (len(text) - text.count(line_break) * len(line_break) - length)]

    at_cap = folded(MAX_MIME_HEADER_BYTES)
    assert len(at_cap.replace(line_break, "")) == MAX_MIME_HEADER_BYTES
    assert parse_mail(mail(ORDER_TEXT.encode(), headers=at_cap + "\n")).order_id == ORDER_ID
    error = refusal(mail(ORDER_TEXT.encode(), headers=folded(MAX_MIME_HEADER_BYTES + 1) + "\n"))
    assert error.reason == "too_large"
    assert f"{MAX_MIME_HEADER_BYTES + 1:,} bytes unfolded" in error.message_en


def test_a_long_header_within_the_cap_is_read() -> None:
    name = "注文書_山辺太郎様.pdf" * 60
    encoded = "".join(f"%{byte:02X}" for byte in name.encode())
    disposition = f"Content-Disposition: attachment; filename*=utf-8''{encoded}"
    assert 4_000 < len(disposition) <= MAX_MIME_HEADER_BYTES
    raw = multipart(
        text_part(), b"Content-Type: application/pdf\n" + disposition.encode() + b"\n\nJVBERi0=\n"
    )
    attachment = list(parse_message(raw).walk())[2]
    assert attachment.get_filename() == name
    assert parse_mail(raw).order_id == ORDER_ID


@pytest.mark.parametrize("where", ["part", "attached-mail"])
def test_an_over_long_structural_header_deeper_in_the_mail_is_too_large(where: str) -> None:
    part = text_part(
        headers=field_of(MAX_MIME_HEADER_BYTES + 100, "Content-Disposition", "inline; x=") + "\n"
    )
    raw = multipart(text_part("FYI\n"), part if where == "part" else eml_part(multipart(part)))
    error = refusal(raw)
    assert error.reason == "too_large"
    assert "Content-Disposition" in error.message_en


def test_structural_headers_together_over_the_total_are_too_large() -> None:
    long_type = field_of(7_000, value='application/pdf; name="') + '"'
    within = multipart(text_part(), *(f"{long_type}\n\nx".encode() for _ in range(4)))
    assert parse_mail(within).order_id == ORDER_ID
    over = multipart(text_part(), *(f"{long_type}\n\nx".encode() for _ in range(5)))
    error = refusal(over)
    assert error.reason == "too_large"
    assert f"{MAX_MIME_HEADERS_TOTAL:,}" in error.message_en
    assert f"{MAX_MIME_HEADERS_TOTAL:,}" in error.message_ja
    assert "Content-Type" in error.message_ja


def test_a_mail_and_the_mails_attached_to_it_share_the_total() -> None:
    long_type = field_of(7_000, value='application/pdf; name="') + '"'
    attachments = [f"{long_type}\n\nx".encode() for _ in range(3)]
    inner = multipart(text_part(), *attachments[:2])
    assert parse_mail(multipart(text_part(), *attachments)).order_id == ORDER_ID
    assert parse_mail(inner).order_id == ORDER_ID
    assert refusal(multipart(text_part("FYI\n"), *attachments, eml_part(inner))).reason == "too_large"


# Speed is bounded by construction and checked as work done, never with a clock (figures: make bench).
# The stdlib parser's cost grows faster than a crafted field (about 0.15 s for 8 KiB), so what counts
# is which fields reach it, how long they are and how often each is parsed.


def structured_parses(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """From now on, every header the policy parses into a structured one: (name, length of the value)."""
    parses: list[tuple[str, int]] = []
    parse = HeaderRegistry.__call__

    def counted(registry: HeaderRegistry, name: str, value: str) -> BaseHeader:
        parses.append((name, len(value)))
        return parse(registry, name, value)

    monkeypatch.setattr(HeaderRegistry, "__call__", counted)
    return parses


def test_a_crafted_multipart_content_type_is_parsed_once_not_once_per_part(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # the email parser reads a multipart's Content-Type again for every part it holds
    crafted = field_of(MAX_MIME_HEADER_BYTES, value='multipart/mixed; boundary="b"; x=', fill='"')
    children = b"".join(b"--b\n\npart %d\n" % index for index in range(150)) + b"--b--\n"
    raw = b"From: a@example.com\nSubject: x\n" + crafted.encode() + b"\n\n" + children
    parses = structured_parses(monkeypatch)
    assert len(read_mail(raw)) == 1
    assert parses == [("Content-Type", len(crafted) - len("Content-Type: "))]


def test_the_header_bound_caps_what_the_stdlib_parser_is_given(monkeypatch: pytest.MonkeyPatch) -> None:
    # the worst the bound allows: three crafted fields at the cap beside the mail's own short ones
    crafted = field_of(MAX_MIME_HEADER_BYTES, value="text/plain; ", fill='"')
    worst = MAX_MIME_HEADERS_TOTAL // MAX_MIME_HEADER_BYTES - 1
    parses = structured_parses(monkeypatch)
    assert parse_mail(multipart(text_part(), *[f"{crafted}\n\nx".encode()] * worst)).order_id == ORDER_ID
    assert [length for _, length in parses if length > 100] == [len(crafted) - len("Content-Type: ")] * worst
    assert sum(length for _, length in parses) <= MAX_MIME_HEADERS_TOTAL
    assert max(length for _, length in parses) <= MAX_MIME_HEADER_BYTES
    parses.clear()
    over = multipart(text_part(), *[f"{crafted}\n\nx".encode()] * (worst + 1))
    assert refusal(over).reason == "too_large"
    assert parses == []  # refused before a single field was parsed


# --- over-long headers nothing reads -----------------------------------------------------------------


def header_block(raw: bytes) -> bytes:
    return raw[: raw.index(b"\n\n") + 1]


def test_an_over_long_references_header_still_parses_the_order(monkeypatch: pytest.MonkeyPatch) -> None:
    references = "\r\n ".join(f"<{number}.order@mail.rakuten.co.jp>" for number in range(4_000))
    raw = mail(
        ORDER_TEXT.encode(),
        headers=f"References: {references}\nReceived: from a by b; {'z' * 9_000}\nX-Trace: {'t' * 100_000}\n",
    )
    read: list[bytes] = []
    cut = headers.header_fields

    def counted(block: bytes) -> Iterator[re.Match[bytes]]:
        for field in cut(block):
            read.append(field.group())
            yield field

    monkeypatch.setattr(headers, "header_fields", counted)
    assert parse_mail(raw).order_id == ORDER_ID
    assert b"".join(read) == header_block(raw)  # the header block was read once, field by field
    names = [name for name, _ in parse_message(raw).raw_items()]
    assert names == ["From", "Subject", "Content-Type"]


@pytest.mark.parametrize("line_break", [b"\n", b"\r\n", b"\r"])
def test_header_fields_read_each_byte_of_the_block_once(line_break: bytes) -> None:
    # 200 fields, each folded over 4,000 lines: a scan that looks 8 KiB ahead from every line break
    # reads thousands of times more than the block (over two minutes for these 1.6 MB of headers)
    folded = b"X-Folded: a" + (line_break + b" ") * 4_000 + line_break
    block = (
        b" a stray continuation" + line_break + b"From a@example.jp  Mon Nov 23 10:00:00 2026" + line_break
    )
    block += b"Subject: x" + line_break + folded * 200
    fields = list(header_fields(block))
    assert b"".join(field.group() for field in fields) == block
    assert [field.start() for field in fields] == [0, *(field.end() for field in fields[:-1])]
    assert [field.group(1) for field in fields] == [None, None, b"Subject", *[b"X-Folded"] * 200]
    raw = block + line_break + ORDER_TEXT.encode()
    assert drop_unread_long_fields(raw) is raw  # each field under the cap once unfolded


def test_long_headers_that_are_read_are_kept_and_short_ones_untouched() -> None:
    subject = "【楽天市場】注文内容ご確認 " * 700
    encoded = " ".join(
        "=?utf-8?B?" + base64.b64encode(subject[start : start + 20].encode()).decode() + "?="
        for start in range(0, len(subject), 20)
    )
    assert len(encoded) > MAX_MIME_HEADER_BYTES
    raw = mail(
        ORDER_TEXT.encode(),
        headers=f"References: <1@example.jp>\nX-Long: {'x' * 9_000}\nSubject: {encoded}\n",
    )
    message = parse_message(raw)
    assert [name for name, _ in message.raw_items()] == [
        "From",
        "Subject",
        "References",
        "Subject",
        "Content-Type",
    ]
    view = read_mail(raw)[0]
    assert view.subject == "order, " + subject.strip()


def test_only_the_header_block_is_trimmed() -> None:
    note = "X-Note: " + "ご注文ありがとうございます。" * 700
    raw = mail(f"{ORDER_TEXT}{note}\n".encode(), headers=f"X-Long: {'x' * 9_000}\n")
    assert drop_unread_long_fields(raw).endswith(f"\n\n{ORDER_TEXT}{note}\n".encode())
    assert note[:MAX_LINE_CHARS] in read_mail(raw)[0].text  # a line is read up to the line cap
    assert parse_mail(raw).order_id == ORDER_ID


@pytest.mark.parametrize("line_break", [b"\n", b"\r\n", b"\r"])
def test_unread_fields_are_dropped_over_the_cap_and_kept_at_it(line_break: bytes) -> None:
    def field(name: bytes, length: int) -> bytes:
        return name + b": " + b"v" * (length - len(name) - 2) + line_break

    at_cap, over = field(b"X-A", MAX_MIME_HEADER_BYTES), field(b"X-B", MAX_MIME_HEADER_BYTES + 1)
    second_over = field(b"Received", MAX_MIME_HEADER_BYTES + 50)
    raw = (
        b"From: a@example.jp"
        + line_break
        + at_cap
        + over
        + second_over
        + b"To: b@example.jp"
        + line_break * 2
    )
    raw += over  # in the body: not a header
    expected = b"From: a@example.jp" + line_break + at_cap + b"To: b@example.jp" + line_break * 2 + over
    assert drop_unread_long_fields(raw) == expected


def test_a_mail_without_long_headers_is_left_as_it_is() -> None:
    raw = mail(ORDER_TEXT.encode() * 50)
    assert drop_unread_long_fields(raw) is raw
