"""Header fields under ``email.policy.default``: bounded before parsing, parsed at most once after.

``email.policy.default`` turns a header into a structured object with a recursive-descent parser
each time it is read. An ordinary ``Content-Type`` costs some 30 µs, but the cost grows faster than
the field: a crafted one of 8 KiB (quotes, comments, angle brackets) takes about 0.15 s, 100 KB
tens of seconds, and comments nested a thousand deep overflow the stack. The email parser itself
reads ``Content-Type`` while it parses, and reads a multipart's again for every part it holds. Three
things keep parsing bounded and linear on ordinary mail:

* Before parsing, every line that starts a field the parser reads structurally (``Content-Type``,
  ``Content-Transfer-Encoding``, ``Content-Disposition``, ``MIME-Version``) is measured, unfolded,
  wherever it sits in the raw bytes (a body line counts too: the scan does not try to guess where
  the email parser will find headers). One field over ``MAX_MIME_HEADER_BYTES`` (8 KiB), or all of
  them in a mail together, with the mails attached to it as files, over ``MAX_MIME_HEADERS_TOTAL``
  (32 KiB), make the mail ``too_large``. Ordinary fields are under 200 bytes; a long Japanese
  file name in RFC 2231 form is a few hundred.
* Over-long fields of the mail's own header block that nothing reads (``References``, ``Received``,
  ``X-*`` …) are dropped before parsing. ``header_fields`` cuts the block into its fields in one
  pass, each field matched once from where the last one ended, so the cut reads every byte of the
  block once however it is folded. The fields that are read as text (``DISPLAY_HEADERS``:
  ``From``, ``To``, ``Subject``, ``Date`` and the bulk-mail markers) are kept whole: they are
  read through ``raw_items()``, which gives their raw strings under ``email.policy.default`` too,
  and decoded by ``decode.decode_header_value`` in linear time.
* Messages are ``ParsedOnceMessage``: an ``EmailMessage`` under ``email.policy.default`` that
  keeps each structured header it parsed, so a field is parsed once however often the email parser
  and this package read it. A field the stdlib parser cannot handle (it raises on some inputs)
  reads as its plain text, which the ``Message`` methods split with their own simple parser.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from email.errors import MessageError
from email.message import EmailMessage
from email.policy import Policy
from typing import Any, Final, TypeVar, overload

from okaeri.errors import ParseError

MAX_MIME_HEADER_BYTES: Final = 8 * 1024
MAX_MIME_HEADERS_TOTAL: Final = 32 * 1024

STRUCTURAL_HEADERS: Final = {
    "content-type": "Content-Type",
    "content-transfer-encoding": "Content-Transfer-Encoding",
    "content-disposition": "Content-Disposition",
    "mime-version": "MIME-Version",
}
DISPLAY_HEADERS: Final = frozenset(
    {"from", "to", "subject", "date", "precedence", "list-id", "list-unsubscribe"}
)

_T = TypeVar("_T")

# --- before parsing ----------------------------------------------------------------------------

# on the lower-cased mail after a "\n": a structural field at a line start and its continuations
# (the email parser ends a line at CR, LF or CRLF)
_STRUCTURAL_FIELD = re.compile(
    rb"[\r\n](content-(?:type|transfer-encoding|disposition)|mime-version)[ \t]*+:[^\r\n]*+"
    rb"(?:(?>\r\n|\r|\n)[ \t][^\r\n]*+)*+"
)
_BLANK_LINE = re.compile(rb"(?>\r\n|\r|\n)(?>\r\n|\r|\n)")
# the header block as the email parser reads it: lines that start a field (a name and a colon, or
# a Unix "From " line) or continue one
_HEADER_BLOCK = re.compile(rb"(?:(?:From |[\x21-\x39\x3b-\x7e]*+:|[ \t])[^\r\n]*+(?>\r\n|\r|\n|\Z))*+")
# one field of the header block, from where the last one ended: its name (none for a "From " line
# or a stray continuation), its first line, its continuation lines and the line break that ends it.
# Every quantifier is possessive, so a match reads each of its bytes once.
_FIELD = re.compile(
    rb"(?:From |([\x21-\x39\x3b-\x7e]*+):)?[^\r\n]*+(?:(?>\r\n|\r|\n)[ \t][^\r\n]*+)*+(?>\r\n|\r|\n)?"
)


def _unfolded_length(field: bytes) -> int:
    return len(field) - field.count(b"\r") - field.count(b"\n")


class HeaderBudget:
    """What the structural header fields of one mail, and of the mails attached to it, may still take."""

    def __init__(self) -> None:
        self.spent = 0

    def spend(self, length: int) -> None:
        self.spent += length
        if self.spent > MAX_MIME_HEADERS_TOTAL:
            names = ", ".join(STRUCTURAL_HEADERS.values())
            raise ParseError(
                "too_large",
                f"MIME ヘッダー（{names}）が合計で大きすぎます: {self.spent:,} バイト以上"
                f"（上限 {MAX_MIME_HEADERS_TOTAL:,} バイト = {MAX_MIME_HEADERS_TOTAL // 1024} KiB）",
                f"the MIME header fields ({names}) are too large together: {self.spent:,} bytes or more"
                f" (the limit is {MAX_MIME_HEADERS_TOTAL:,} bytes, {MAX_MIME_HEADERS_TOTAL // 1024} KiB)",
            )


def check_structural_headers(raw: bytes, budget: HeaderBudget) -> None:
    """Refuse a field the parser reads structurally that is too long, or too many bytes of them."""
    for field in _STRUCTURAL_FIELD.finditer(b"\n" + raw.lower()):
        length = _unfolded_length(field.group())  # without the line break before it, too
        if length > MAX_MIME_HEADER_BYTES:
            name = STRUCTURAL_HEADERS[field.group(1).decode("ascii")]
            raise ParseError(
                "too_large",
                f"ヘッダー {name} が長すぎます: {length:,} バイト"
                f"（上限 {MAX_MIME_HEADER_BYTES:,} バイト = {MAX_MIME_HEADER_BYTES // 1024} KiB）",
                f"the {name} header is too long: {length:,} bytes unfolded"
                f" (the limit is {MAX_MIME_HEADER_BYTES:,} bytes, {MAX_MIME_HEADER_BYTES // 1024} KiB)",
            )
        budget.spend(length)


def header_fields(block: bytes) -> Iterator[re.Match[bytes]]:
    """The fields of a header block in order, each with the line break that ends it.

    Each field is matched once, where the last one ended: together they are the block, byte for byte.
    """
    position = 0
    while position < len(block):
        field = _FIELD.match(block, position)
        assert field is not None, "every part of a field is optional, and a line takes a byte at least"
        yield field
        position = field.end()


def _unread_and_long(field: re.Match[bytes]) -> bool:
    name = field.group(1)
    if name is None or name.decode("ascii").lower() in DISPLAY_HEADERS:
        return False
    return _unfolded_length(field.group()) > MAX_MIME_HEADER_BYTES


def drop_unread_long_fields(raw: bytes) -> bytes:
    """``raw`` without the over-long fields of its header block that nothing reads."""
    blank = _BLANK_LINE.search(raw)
    if (blank.start() if blank else len(raw)) <= MAX_MIME_HEADER_BYTES:
        return raw  # no field of the header block can be longer than the block
    header_block = _HEADER_BLOCK.match(raw)
    block = raw[: header_block.end()] if header_block else b""
    fields = list(header_fields(block))
    kept = [field.group() for field in fields if not _unread_and_long(field)]
    if len(kept) == len(fields):
        return raw
    return b"".join(kept) + raw[len(block) :]


def bound_headers(raw: bytes, budget: HeaderBudget) -> bytes:
    """``raw`` ready for ``email.policy.default``: ``too_large`` structural fields refused, others trimmed."""
    check_structural_headers(raw, budget)
    return drop_unread_long_fields(raw)


# --- after parsing -----------------------------------------------------------------------------

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


class ParsedOnceMessage(EmailMessage):
    """An ``EmailMessage`` under ``email.policy.default`` that parses each header it is asked for once.

    ``get`` (and so ``msg[name]``, ``get_content_type``, ``get_param``, ``get_filename``,
    ``get_payload(decode=True)`` and the email parser's own reads) returns the structured header the
    policy makes, kept for as long as the raw field stays the same object.
    """

    def __init__(self, policy: Policy[Any] | None = None) -> None:
        super().__init__(policy)
        self._fetched: dict[str, tuple[object, Any]] = {}

    @overload
    def get(self, name: str, failobj: None = None) -> Any | None: ...
    @overload
    def get(self, name: str, failobj: _T) -> Any | _T: ...
    def get(self, name: str, failobj: object = None) -> Any:
        key = name.lower()
        first = next((item for item in self.raw_items() if item[0].lower() == key), None)
        if first is None:
            return failobj
        stored_name, value = first
        fetched = self._fetched.get(key)
        if fetched is None or fetched[0] is not value:
            fetched = (value, self._fetch(stored_name, value))
            self._fetched[key] = fetched
        return fetched[1]

    def _fetch(self, name: str, value: Any) -> Any:
        try:
            return self.policy.header_fetch_parse(name, value)
        except (MessageError, IndexError, RecursionError):
            # the stdlib header parser raises IndexError on some malformed parameter lists, and
            # overflows the stack on deeply nested comments: the field is read as plain text
            # (unfolded, undecodable bytes as U+FFFD, as the policy shows them)
            text = _LINE_BREAK.sub("", str(value))
            return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
