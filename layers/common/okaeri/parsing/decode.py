"""Raw mail bytes → the readable messages in it (``MailView``), within fixed caps.

Mails are parsed with ``email.policy.default`` into ``EmailMessage`` objects. The caps are checked
before the heavy work: the size first, then a cheap scan that counts MIME containers and part
delimiters in the raw bytes, then the header bound (``headers.py``: a field the parser reads
structurally, such as ``Content-Type``, may not be over 8 KiB, nor all of them in a mail over
32 KiB, and over-long fields nothing reads are dropped), then the exact depth and part count of
the parsed tree, and only then are bodies decoded. The readers see each line of decoded text up
to ``MAX_LINE_CHARS``: a pattern that stays on its line then costs at most a constant per line,
so reading a mail stays linear in its size whatever one line holds. The policy's structured headers are used for
what it parses well and cheaply (content type, parameters, transfer encoding); the headers shown
to people (``From``, ``To``, ``Subject``) are read as raw strings and decoded here, tolerating
bad charset labels. A forwarded mail attached as ``message/rfc822`` (or as an ``.eml`` file), and
one forwarded inline, become views of their own, ahead of the mail that carries them.
"""

from __future__ import annotations

import base64
import email
import email.policy
import html
import quopri
import re
from email.message import EmailMessage, Message

from okaeri.errors import ParseError
from okaeri.parsing.charset import decode_bytes
from okaeri.parsing.headers import HeaderBudget, ParsedOnceMessage, bound_headers
from okaeri.parsing.text import find_emails
from okaeri.parsing.view import MailView

MAX_MAIL_BYTES = 4 * 1024 * 1024
MAX_MIME_PARTS = 200
MAX_MIME_DEPTH = 8
MAX_LINE_CHARS = 1_000
"""How much of one line of decoded text the readers see (RFC 5322 lines are at most 998 characters)."""

# --- caps ------------------------------------------------------------------------------------

_CONTAINER = re.compile(rb"content-type:\s*(?:multipart|message)/", re.IGNORECASE)
_BOUNDARY = re.compile(rb'boundary\s*=\s*(?:"([^"\r\n]{1,200})"|([^\s;"]{1,200}))', re.IGNORECASE)
_DELIMITER = re.compile(rb"(?:^|\n)--([^\r\n]{1,202})")


def check_size(raw: bytes) -> None:
    if not raw.strip():
        raise ParseError("empty", "メールが空です", "the mail is empty")
    if len(raw) > MAX_MAIL_BYTES:
        raise ParseError(
            "too_large",
            f"メールが大きすぎます: {len(raw):,} バイト（上限 {MAX_MAIL_BYTES:,} バイト = 4 MiB）",
            f"the mail is too large: {len(raw):,} bytes (the limit is {MAX_MAIL_BYTES:,} bytes, 4 MiB)",
        )


def _too_many_parts(found: int, what_ja: str, what_en: str) -> ParseError:
    return ParseError(
        "too_many_parts",
        f"MIME パートが多すぎます: {what_ja} {found:,} 個（上限 {MAX_MIME_PARTS} 個）",
        f"too many MIME parts: {found:,} {what_en} (the limit is {MAX_MIME_PARTS})",
    )


def prescan(raw: bytes) -> None:
    """Refuse a mail whose raw bytes already show more parts than the cap, before parsing it."""
    containers = len(_CONTAINER.findall(raw))
    if containers > MAX_MIME_PARTS:
        raise _too_many_parts(containers, "入れ子の宣言", "container declarations")
    boundaries = {quoted or bare for quoted, bare in _BOUNDARY.findall(raw)}
    if not boundaries:
        return
    opened = 0
    for match in _DELIMITER.finditer(raw):
        token = match.group(1).rstrip()
        if token in boundaries:
            opened += 1
    if opened > MAX_MIME_PARTS:
        raise _too_many_parts(opened, "区切り行", "part delimiters")


def _children(part: Message) -> list[Message]:
    if not part.is_multipart():
        return []
    payload = part.get_payload()
    return [child for child in payload if isinstance(child, Message)] if isinstance(payload, list) else []


def check_tree(message: Message, *, base_depth: int = 0) -> None:
    """The exact nesting depth and part count of a parsed message."""
    count = 0
    stack = [(message, base_depth)]
    while stack:
        part, depth = stack.pop()
        count += 1
        if depth > MAX_MIME_DEPTH:
            raise ParseError(
                "too_deep",
                f"MIME の入れ子が深すぎます: {depth} 段以上（上限 {MAX_MIME_DEPTH} 段）",
                f"MIME nesting is too deep: {depth} levels or more (the limit is {MAX_MIME_DEPTH})",
            )
        if count > MAX_MIME_PARTS:
            raise _too_many_parts(count, "パート", "parts")
        stack.extend((child, depth + 1) for child in _children(part))


def parse_message(raw: bytes, budget: HeaderBudget | None = None) -> EmailMessage:
    """Parse the MIME structure with ``email.policy.default``, its headers bounded first.

    ``budget`` is shared by a mail and the mails attached to it. A header over the bound is
    ``too_large``; a structure too deep for the parser is ``too_deep``.
    """
    bounded = bound_headers(raw, HeaderBudget() if budget is None else budget)
    try:
        return email.message_from_bytes(bounded, _class=ParsedOnceMessage, policy=email.policy.default)
    except RecursionError as exc:
        raise ParseError(
            "too_deep",
            f"MIME の入れ子が深すぎて読めません（上限 {MAX_MIME_DEPTH} 段）",
            f"MIME nesting is too deep to read (the limit is {MAX_MIME_DEPTH} levels)",
        ) from exc


# --- headers ---------------------------------------------------------------------------------

_ENCODED_WORD = re.compile(r"=\?([^?\s]{1,64})\?([bBqQ])\?([^?\s]*)\?=")
_FOLDING = re.compile(r"\r?\n(?=[ \t])")
_NOT_BASE64 = re.compile(rb"[^A-Za-z0-9+/]")


def _decode_b(payload: str) -> bytes:
    data = _NOT_BASE64.sub(b"", payload.encode("ascii", "ignore"))
    if len(data) % 4 == 1:
        data = data[:-1]  # a lone trailing character carries no whole byte
    return base64.b64decode(data + b"=" * (-len(data) % 4))


def _decode_q(payload: str) -> bytes:
    return quopri.decodestring(payload.encode("ascii", "ignore"), header=True)


def decode_header_value(value: str) -> str:
    """RFC 2047 (``=?ISO-2022-JP?B?…?=``) and raw 8-bit headers → text, tolerant of bad labels.

    Adjacent encoded words in one charset are joined as bytes before decoding, because mailers
    split multi-byte characters and ISO-2022-JP runs across them.
    """
    value = _FOLDING.sub("", value)
    pieces: list[tuple[bytes, str | None]] = []
    position = 0
    for match in _ENCODED_WORD.finditer(value):
        gap = value[position : match.start()]
        if gap and not (gap.isspace() and pieces and pieces[-1][1] is not None):
            pieces.append((gap.encode("utf-8", "surrogateescape"), None))
        charset, encoding, payload = match.groups()
        data = _decode_b(payload) if encoding in "bB" else _decode_q(payload)
        if pieces and pieces[-1][1] == charset.lower():
            pieces[-1] = (pieces[-1][0] + data, pieces[-1][1])
        else:
            pieces.append((data, charset.lower()))
        position = match.end()
    rest = value[position:]
    if rest:
        pieces.append((rest.encode("utf-8", "surrogateescape"), None))
    return "".join(decode_bytes(data, charset) for data, charset in pieces).strip()


def _header(message: Message, name: str) -> str:
    values = [value for key, value in message.raw_items() if key.lower() == name]
    return ", ".join(decode_header_value(str(value)) for value in values)


def _is_bulk(message: Message) -> bool:
    names = {key.lower() for key, _ in message.raw_items()}
    if names & {"list-id", "list-unsubscribe"}:
        return True
    return _header(message, "precedence").lower() in {"bulk", "list", "junk"}


# --- bodies ----------------------------------------------------------------------------------

_BLOCK_TAG = re.compile(r"<\s*+/?(?:br|p|div|tr|li|h[1-6]|table|hr)\b[^<>]*+>", re.I)
_CELL_TAG = re.compile(r"<\s*+/t[dh]\s*+>", re.I)
_INVISIBLE_START = re.compile(r"<(script|style|head|title)\b|<!--", re.I)
_TAG = re.compile(r"<[^<>]*+>")
_HSPACE = re.compile(r"[ \t\r\f\v]+")


def _visible(markup: str) -> str:
    """``markup`` without scripts, styles, the head and comments (an unclosed one runs to the end)."""
    lowered = markup.lower()
    kept: list[str] = []
    position = 0
    while (start := _INVISIBLE_START.search(markup, position)) is not None:
        kept.append(markup[position : start.start()])
        closing = "-->" if start.group(1) is None else f"</{start.group(1).lower()}"
        end = lowered.find(closing, start.end())
        if end < 0:
            return "".join(kept)
        position = lowered.find(">", end) + 1 or len(markup)
    kept.append(markup[position:])
    return "".join(kept)


def html_to_text(markup: str) -> str:
    """Readable text from an HTML-only mail: one line per block, cells separated by a space."""
    text = _HSPACE.sub(" ", _visible(markup).replace("\n", " "))
    text = _BLOCK_TAG.sub("\n", text)
    text = _CELL_TAG.sub(" ", text)
    text = html.unescape(_TAG.sub("", text))
    return "\n".join(line.strip() for line in text.split("\n"))


def _payload_bytes(part: Message) -> bytes:
    data = part.get_payload(decode=True)
    return data if isinstance(data, bytes) else b""


def _clip_lines(text: str) -> str:
    """``text`` with every line cut to ``MAX_LINE_CHARS``."""
    if len(text) <= MAX_LINE_CHARS:
        return text
    return "\n".join(line[:MAX_LINE_CHARS] for line in text.split("\n"))


def _part_text(part: Message, *, html_part: bool) -> str:
    text = decode_bytes(_payload_bytes(part), part.get_content_charset())
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    return _clip_lines(html_to_text(text) if html_part else text)


def _is_attached_mail(part: Message) -> bool:
    """An ``application/octet-stream`` attachment named ``*.eml``."""
    return (part.get_filename() or "").lower().endswith(".eml")


class _Walk:
    """One message's texts, how many other parts it has, and the mails it carries."""

    def __init__(self, budget: HeaderBudget) -> None:
        self.budget = budget
        self.plain: list[str] = []
        self.html: list[str] = []
        self.attached_text: list[str] = []
        self.other_parts = 0
        self.carried: list[Message] = []

    def visit(self, message: Message, depth: int) -> None:
        stack = [(message, depth)]
        while stack:
            part, level = stack.pop()
            content_type = part.get_content_type()  # parsed once: header parsing is the cost here
            maintype = content_type.partition("/")[0]
            if part is not message and maintype == "message":
                self.carried.extend(_children(part))
            elif part.is_multipart():
                stack.extend((child, level + 1) for child in reversed(_children(part)))
            elif content_type == "application/octet-stream" and _is_attached_mail(part):
                self.carried.append(_attached_mail(part, level, self.budget))
            elif maintype == "text":
                self._text(part, html_part=content_type == "text/html")
            else:
                self.other_parts += 1

    def _text(self, part: Message, *, html_part: bool) -> None:
        text = _part_text(part, html_part=html_part)
        if part.get_content_disposition() == "attachment":
            self.attached_text.append(text)
        elif html_part:
            self.html.append(text)
        else:
            self.plain.append(text)

    def body(self) -> str:
        for texts in (self.plain, self.html, self.attached_text):
            if any(text.strip() for text in texts):
                return "\n".join(texts)
        return ""


def _attached_mail(part: Message, depth: int, budget: HeaderBudget) -> Message:
    """A mail attached as an ``.eml`` file: parsed, and held to the caps where it sits."""
    inner = parse_message(_payload_bytes(part), budget)
    check_tree(inner, base_depth=depth + 1)
    return inner


# --- inline forwards -------------------------------------------------------------------------

_FORWARD_MARK = re.compile(
    r"^[ \t>]*+(?:-{2,}+[ \t]*+(?:Forwarded message|Original Message|転送メッセージ|元のメッセージ"
    r"|転送されたメッセージ)[ \t]*+-{2,}+|Begin forwarded message:)[ \t]*+$",
    re.MULTILINE | re.IGNORECASE,
)
_FORWARD_HEADER = re.compile(
    r"^[ \t>]*+(From|差出人|送信者|Subject|件名|To|宛先|Date|日付|送信日時|Sent|Cc)[ \t]*+[:：][ \t]*+(.*)$",
    re.IGNORECASE,
)
_SENDER_KEYS = {"from", "差出人", "送信者"}
_SUBJECT_KEYS = {"subject", "件名"}
_TO_KEYS = {"to", "宛先"}


def inline_forward(view: MailView) -> MailView | None:
    """The mail quoted after a ``---------- Forwarded message ---------`` line, if any."""
    mark = _FORWARD_MARK.search(view.text)
    if mark is None:
        return None
    lines = view.text[mark.end() :].lstrip("\n").split("\n")
    found: dict[str, str] = {}
    index = 0
    while index < len(lines):
        header = _FORWARD_HEADER.match(lines[index])
        if header is None:
            break
        found.setdefault(header.group(1).lower(), header.group(2).strip())
        index += 1
    if not found:
        return None
    body = lines[index:]
    if all(line.startswith(">") for line in body if line.strip()):
        body = [re.sub(r"^> ?", "", line) for line in body]

    def pick(keys: set[str]) -> str:
        return next((found[key] for key in keys if key in found), "")

    return MailView(
        sender=pick(_SENDER_KEYS),
        subject=pick(_SUBJECT_KEYS),
        recipients=tuple(address.lower() for address in find_emails(pick(_TO_KEYS))),
        text="\n".join(body),
    )


# --- the views -------------------------------------------------------------------------------


class _Collector:
    """The views found so far, innermost first, and what could not be read as text."""

    def __init__(self, budget: HeaderBudget) -> None:
        self.budget = budget
        self.views: list[MailView] = []
        self.other_parts = 0
        self.messages = 0

    def add(self, message: Message, depth: int) -> None:
        self.messages += 1
        walk = _Walk(self.budget)
        walk.visit(message, depth)
        self.other_parts += walk.other_parts
        for carried in walk.carried:
            if self.messages < MAX_MIME_PARTS:
                self.add(carried, depth + 1)
        own = MailView(
            sender=_header(message, "from"),
            subject=_header(message, "subject"),
            recipients=tuple(address.lower() for address in find_emails(_header(message, "to"))),
            text=walk.body(),
            bulk=_is_bulk(message),
        )
        forwarded = inline_forward(own)
        if forwarded is not None:
            self.views.append(forwarded)
        self.views.append(own)


_JUNK = re.compile(r"[\ufffd\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ue000-\uf8ff]")


def _is_garbage(text: str) -> bool:
    sample = text[:20000]
    return len(_JUNK.findall(sample)) > len(sample) // 10


def read_mail(raw: bytes) -> list[MailView]:
    """Every readable message in ``raw``, innermost first; raises ParseError on the caps."""
    check_size(raw)
    prescan(raw)
    budget = HeaderBudget()
    message = parse_message(raw, budget)
    check_tree(message)
    collector = _Collector(budget)
    collector.add(message, 0)
    readable = [view for view in collector.views if view.text.strip()]
    if not readable and collector.other_parts:
        raise ParseError(
            "unrecognised",
            f"メールに本文のテキストがありません（添付ファイル {collector.other_parts} 個のみ）",
            f"the mail has no text part (only {collector.other_parts} attachment(s))",
        )
    if not readable:
        raise ParseError("empty", "メールに本文がありません", "the mail has no body text")
    if all(_is_garbage(view.text) for view in readable):
        raise ParseError(
            "undecodable",
            "メール本文を文字として読めません（バイナリか、壊れた文字コード）",
            "the mail body cannot be read as text (binary data or a broken charset)",
        )
    return readable
