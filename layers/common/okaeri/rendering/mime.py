"""A rendered mail as an RFC 5322 message: headers, charsets, transfer encodings, opt-out headers.

- UTF-8 by default: ``text/plain``, or ``multipart/alternative`` (text, then HTML) when there is
  HTML; base64 for Japanese text, 7bit for short-lined ASCII, quoted-printable for long ASCII lines.
- The mobile variant (legacy Japanese carrier addresses) is one ``text/plain`` part in ISO-2022-JP
  (7bit) with the subject and display names B-encoded in ISO-2022-JP too. Windows variants that
  JIS has under another code point (～ － ∥ ￠ ￡ ￢) and half-width kana are mapped first; when a
  character still has no JIS code (①, emoji) the whole message falls back to UTF-8 rather than
  lose it.
- Every header value is made one line by :func:`~okaeri.rendering.render.single_line` before it is
  set, whatever Python's own checks do, and written exactly as encoded here: no merge value can
  start a header of its own. It is folded within RFC 5322's 998 characters a line: plain ASCII at
  its spaces, anything else (or an ASCII word too long for a line) as encoded words.
- ``List-Unsubscribe`` (https and mailto) whenever the mail has an opt-out, and
  ``List-Unsubscribe-Post: List-Unsubscribe=One-Click`` when the link is https (RFC 8058).
"""

from __future__ import annotations

import base64
import quopri
import re
import secrets
import unicodedata
from datetime import datetime
from email.header import Header
from email.message import EmailMessage
from email.policy import SMTP, Policy
from email.utils import format_datetime, formataddr, make_msgid
from typing import Final
from urllib.parse import quote

from okaeri.errors import InvalidAddressError
from okaeri.mail_address import is_mail_address
from okaeri.models import Template
from okaeri.rendering.context import MailContext
from okaeri.rendering.footer import OptOut
from okaeri.rendering.render import RenderedMail, render_template, single_line

MOBILE_DOMAINS: Final = frozenset(
    {
        "docomo.ne.jp",
        "ezweb.ne.jp",
        "au.com",
        "softbank.ne.jp",
        "i.softbank.jp",
        "disney.ne.jp",
        "vodafone.ne.jp",
        "ymobile.ne.jp",
        "ymobile1.ne.jp",
        "y-mobile.ne.jp",
        "emobile.ne.jp",
        "emobile-s.ne.jp",
        "willcom.com",
        "pdx.ne.jp",
        "wcm.ne.jp",
        "uqmobile.jp",
    }
)
"""Carrier mail domains (and their subdomains) whose phones expect ISO-2022-JP plain text."""

UTF8: Final = "utf-8"
JIS: Final = "iso-2022-jp"
_MAX_ENCODED_LINE = 998  # RFC 5322 §2.1.1
_MAX_PLAIN_LINE = 78
_JIS_EQUIVALENTS: Final = str.maketrans(
    {
        "\uff5e": "\u301c",
        "\uff0d": "\u2212",
        "\u2225": "\u2016",
        "\uffe0": "\xa2",
        "\uffe1": "\xa3",
        "\uffe2": "\xac",
    }
)
_HALF_WIDTH_KANA = re.compile(r"[\uff61-\uff9f]+")
_LINE_END = re.compile(r"\r\n|\r|\n")
_URL_KEPT = ";/?:@&=+$-_.!~*'()#%"  # <, >, commas and spaces in a URL are %-escaped in the header


def is_mobile_address(address: str) -> bool:
    """Whether ``address`` is at a legacy Japanese carrier domain (docomo, au, SoftBank, …)."""
    domain = address.rpartition("@")[2].strip().rstrip(".>").lower()
    labels = domain.split(".")
    return any(".".join(labels[start:]) in MOBILE_DOMAINS for start in range(len(labels)))


def render_mail(
    template: Template, ctx: MailContext, *, to: str, now: datetime
) -> tuple[RenderedMail, EmailMessage]:
    """Render ``template`` for ``ctx`` and build the message to ``to`` (the mobile variant for carriers)."""
    rendered = render_template(template, ctx, mobile=is_mobile_address(to))
    return rendered, build_message(rendered, ctx, to=to, now=now)


def build_message(
    rendered: RenderedMail, ctx: MailContext, *, to: str, now: datetime, to_name: str | None = None
) -> EmailMessage:
    """The RFC 5322 message for ``rendered``, from the shop's sender to ``to``, dated ``now`` (aware)."""
    if now.tzinfo is None:
        raise ValueError("build_message needs an aware datetime for the Date header")
    sender = ctx.shop.sender
    sender_name = sender.name or ctx.shop.name
    from_address, to_address = _addr_spec(sender.address), _addr_spec(to)
    charset, subject, text = UTF8, rendered.subject, rendered.text
    if rendered.mobile:
        jis_subject, jis_text, jis_sender = (jis_friendly(value) for value in (subject, text, sender_name))
        jis_to = None if to_name is None else jis_friendly(to_name)
        if _encodes(JIS, jis_subject, jis_text, jis_sender, jis_to):
            charset, subject, text, sender_name, to_name = JIS, jis_subject, jis_text, jis_sender, jis_to

    message = EmailMessage(policy=SMTP)
    _set_headers(
        message,
        _address_header("From", sender_name, from_address, charset),
        _address_header("To", to_name, to_address, charset),
        _text_header("Subject", subject, charset),
        _EncodedHeader("Date", format_datetime(now.astimezone(ctx.shop.tz))),
        _EncodedHeader("Message-ID", make_msgid(domain=from_address.rpartition("@")[2])),
        _EncodedHeader("MIME-Version", "1.0"),
        *_opt_out_headers(OptOut.of(ctx)),
    )
    if rendered.html is None or rendered.mobile:
        _set_body(message, text, charset, "plain")
        return message
    boundary = f"=_okaeri_{secrets.token_hex(16)}"  # "=_" never occurs in base64 or quoted-printable
    _set_headers(message, _EncodedHeader("Content-Type", f'multipart/alternative; boundary="{boundary}"'))
    message.set_payload([_text_part(text, "plain"), _text_part(rendered.html, "html")])
    return message


class _EncodedHeader(str):
    """A header value already encoded and folded (``\\n`` + space) here; the policy writes it as is.

    ``email.policy`` treats a value with a ``name`` as a header object and calls its ``fold``; this
    keeps ISO-2022-JP encoded words (the policy would re-encode them in UTF-8) and long URLs (the
    policy would turn them into encoded words) exactly as built.
    """

    name: str

    def __new__(cls, name: str, value: str) -> _EncodedHeader:
        header = super().__new__(cls, value)
        header.name = name
        return header

    def fold(self, *, policy: Policy) -> str:
        return f"{self.name}: {self.replace(chr(10), policy.linesep)}{policy.linesep}"


def _plain(value: str, name: str) -> bool:
    """ASCII that no decoder would mistake for an encoded word, and that folds at its spaces into
    lines RFC 5322 allows (998 characters, the first after ``name``); else it is encoded, in words
    that fold anywhere."""
    room = _MAX_ENCODED_LINE - len(name) - len(": ")
    return value.isascii() and "=?" not in value and all(len(word) <= room for word in value.split(" "))


def _text_header(name: str, value: str, charset: str) -> _EncodedHeader:
    value = single_line(value)
    encoded = Header(value, "us-ascii" if _plain(value, name) else charset, header_name=name)
    return _EncodedHeader(name, encoded.encode(linesep="\n"))


def _address_header(name: str, display_name: str | None, address: str, charset: str) -> _EncodedHeader:
    display = single_line(display_name or "")
    if not display:
        return _EncodedHeader(name, address)
    mailbox = formataddr((display, address))
    if _plain(mailbox, name):
        return _EncodedHeader(name, Header(mailbox, "us-ascii", header_name=name).encode(linesep="\n"))
    encoded = Header(display, charset, header_name=name).encode(linesep="\n")
    return _EncodedHeader(name, f"{encoded} <{address}>")


def _addr_spec(address: str) -> str:
    cleaned = single_line(address)
    if not is_mail_address(cleaned):
        raise InvalidAddressError(
            f"メールアドレスとして使えません: {cleaned[:100]!r}",
            f"not a usable mail address: {cleaned[:100]!r}",
        )
    return cleaned


def _opt_out_headers(opt_out: OptOut) -> list[_EncodedHeader]:
    link = None if opt_out.url is None else quote(single_line(opt_out.url), safe=_URL_KEPT)
    mailto = None if opt_out.mailto_uri is None else quote(single_line(opt_out.mailto_uri), safe=_URL_KEPT)
    uris = [f"<{uri}>" for uri in (link, mailto) if uri]
    if not uris:
        return []
    headers = [_EncodedHeader("List-Unsubscribe", ",\n ".join(uris))]
    if link is not None and link.startswith("https://"):
        headers.append(_EncodedHeader("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"))
    return headers


def jis_friendly(value: str) -> str:
    """Map what has a JIS code under another code point (～ → 〜, ｶﾞ → ガ) before encoding."""
    value = value.translate(_JIS_EQUIVALENTS)
    return _HALF_WIDTH_KANA.sub(lambda match: unicodedata.normalize("NFKC", match.group(0)), value)


def _encodes(charset: str, *values: str | None) -> bool:
    try:
        for value in values:
            if value:
                value.encode(charset)
    except UnicodeEncodeError:
        return False
    return True


def _set_headers(message: EmailMessage, *headers: _EncodedHeader) -> None:
    # set_raw stores the header objects as they are (no parsing); each name is set once here.
    for header in headers:
        message.set_raw(header.name, header)


def _text_part(body: str, subtype: str) -> EmailMessage:
    part = EmailMessage(policy=SMTP)
    _set_body(part, body, UTF8, subtype)
    return part


def _set_body(message: EmailMessage, body: str, charset: str, subtype: str) -> None:
    """One text part: canonical CRLF text in ``charset``, in the lightest transfer encoding that fits."""
    text = _LINE_END.sub("\r\n", body)
    data = (text if text.endswith("\n") else f"{text}\r\n").encode(charset)
    longest = max((len(line) for line in data.splitlines()), default=0)
    if data.isascii() and longest <= (_MAX_ENCODED_LINE if charset == JIS else _MAX_PLAIN_LINE):
        cte, payload = "7bit", data.decode("ascii")
    elif data.isascii():
        cte, payload = "quoted-printable", quopri.encodestring(data).decode("ascii")
    else:
        cte, payload = "base64", base64.encodebytes(data).decode("ascii")
    _set_headers(
        message,
        _EncodedHeader("Content-Type", f'text/{subtype}; charset="{charset}"'),
        _EncodedHeader("Content-Transfer-Encoding", cte),
    )
    message.set_payload(payload)
