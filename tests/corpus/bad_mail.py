"""A corpus of bad mail: everything a shop's inbound address may receive that is not a clean order.

Generated in code (nothing large is committed). Each case is (name, raw bytes, the reception
results it may end in). Used by the ingest tests: nothing crashes, every mail gets a reception
entry with its reason, and the raw mail stays where it was.
"""

from __future__ import annotations

import base64
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

MAILS = Path(__file__).resolve().parents[1] / "fixtures" / "mail"
NOT_PARSED = frozenset({"not_an_order", "failed", "refused"})


@dataclass(frozen=True)
class BadMail:
    name: str
    raw: bytes
    results: frozenset[str] = NOT_PARSED  # what the reception log may say


def _headers(subject: str = "ご注文ありがとうございます", extra: str = "") -> bytes:
    return (
        "From: shop@cart.example\r\nTo: orders+demo@okaeri.local\r\n"
        f"Subject: {subject}\r\nDate: Sat, 21 Nov 2026 10:00:00 +0900\r\nMessage-ID: <x@cart.example>\r\n{extra}"
    ).encode()


def _order_mail() -> bytes:
    return (MAILS / "rakuten-utf8-qp.eml").read_bytes()


def _nested(depth: int, inner: bytes) -> bytes:
    mail = inner
    for level in range(depth):
        mail = (
            _headers(extra=f'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b{level}"\r\n')
            + f"\r\n--b{level}\r\nContent-Type: message/rfc822\r\n\r\n".encode()
            + mail
            + f"\r\n--b{level}--\r\n".encode()
        )
    return mail


def _many_parts(count: int) -> bytes:
    part = b"--p\r\nContent-Type: text/plain\r\n\r\nx\r\n"
    return (
        _headers(extra='MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="p"\r\n')
        + b"\r\n"
        + part * count
        + b"--p--\r\n"
    )


def _multipart(body: bytes, boundary_header: str = 'boundary="zz"') -> bytes:
    return (
        _headers(extra=f"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; {boundary_header}\r\n")
        + b"\r\n"
        + body
    )


def cases() -> Iterator[BadMail]:
    rng = random.Random(20261123)
    order = _order_mail()
    head, _, body = order.partition(b"\r\n\r\n") if b"\r\n\r\n" in order else order.partition(b"\n\n")
    yield BadMail("empty", b"")
    yield BadMail("whitespace-only", b" \r\n\t\r\n")
    yield BadMail("blank-lines-only", b"\r\n\r\n")
    yield BadMail("binary-noise", bytes(rng.randrange(256) for _ in range(4096)))
    yield BadMail("ten-megabytes", _headers() + b"\r\n" + b"A" * (10 * 1024 * 1024))
    yield BadMail("five-thousand-parts", _many_parts(5000))
    yield BadMail("nested-50-deep", _nested(50, order))
    yield BadMail("headers-only", _headers())
    yield BadMail("truncated-in-headers", order[: len(head) // 2])
    yield BadMail("truncated-in-body", order[: len(head) + 60])
    yield BadMail(
        "broken-base64-body",
        _headers(extra="Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n")
        + b"\r\n!!!not base64 at all ***\r\n",
    )
    yield BadMail(
        "utf8-labelled-shift-jis",
        _headers(extra="Content-Type: text/plain; charset=shift_jis\r\n")
        + b"\r\n"
        + "注文番号：A-1".encode(),
    )
    yield BadMail(
        "unknown-charset-label",
        _headers(extra="Content-Type: text/plain; charset=x-no-such-charset\r\n")
        + b"\r\n"
        + "お知らせ".encode(),
    )
    yield BadMail("no-content-type", _headers() + b"\r\nhello, this is not an order\r\n")
    yield BadMail("newsletter", (MAILS / "newsletter.eml").read_bytes())
    yield BadMail("review-notice", (MAILS / "rakuten-review-notice.eml").read_bytes())
    yield BadMail("unknown-cart", (MAILS / "unknown-cart.eml").read_bytes())
    yield BadMail("rakuten-without-order-id", (MAILS / "rakuten-missing-id.eml").read_bytes())
    yield BadMail(
        "virus-verdict-fail",
        b"X-SES-Spam-Verdict: PASS\r\nX-SES-Virus-Verdict: FAIL\r\n" + order,
        frozenset({"refused"}),
    )
    yield BadMail(
        "forged-pass-below-ses-fail",
        b"X-SES-Virus-Verdict: FAIL\r\n" + head + b"\r\nX-SES-Virus-Verdict: PASS\r\n\r\n" + body,
        frozenset({"refused"}),
    )
    yield BadMail(
        "huge-header-line", _headers(extra="X-Long: " + "x" * 100_000 + "\r\n") + b"\r\nnot an order\r\n"
    )
    yield BadMail(
        "thousand-headers", _headers(extra="".join(f"X-H{i}: v\r\n" for i in range(1000))) + b"\r\nhi\r\n"
    )
    yield BadMail("nul-bytes", _headers() + b"\r\n\x00\x00order\x00\r\n")
    yield BadMail(
        "html-with-script",
        _headers(extra="Content-Type: text/html; charset=utf-8\r\n")
        + b"\r\n<html><script>alert(1)</script><body>Hello</body></html>",
    )
    yield BadMail(
        "attachments-only",
        _multipart(
            b"--zz\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            + base64.b64encode(b"%PDF-1.4 fake")
            + b"\r\n--zz--\r\n"
        ),
    )
    yield BadMail("forwarded-garbage", _nested(1, bytes(rng.randrange(256) for _ in range(512))))
    yield BadMail(
        "multipart-without-boundary", _multipart(b"--zz\r\n\r\nbody\r\n", boundary_header="charset=utf-8")
    )
    yield BadMail("boundary-never-closed", _multipart(b"--zz\r\nContent-Type: text/plain\r\n\r\nunfinished"))
    yield BadMail(
        "bad-encoded-word-subject", _headers(subject="=?x-bogus?Q?=FF=FE?= =?utf-8?B?!!!?=") + b"\r\nhi\r\n"
    )
    yield BadMail(
        "broken-iso-2022-jp",
        _headers(extra="Content-Type: text/plain; charset=iso-2022-jp\r\n")
        + b"\r\n\x1b$B$3$s\x1b(J\x1b$\xff\xfe broken\r\n",
    )
    yield BadMail(
        "bad-quoted-printable",
        _headers(
            extra="Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n"
        )
        + b"\r\n=ZZ=E3=81 =\r\n=",
    )
    yield BadMail("one-megabyte-line", _headers() + b"\r\n" + b"x" * (1024 * 1024))
    yield BadMail(
        "utf16-labelled-utf8",
        _headers(extra="Content-Type: text/plain; charset=utf-8\r\n")
        + b"\r\n"
        + "注文番号：1".encode("utf-16"),
    )
    yield BadMail("rfc822-nested-20", _nested(20, b"Subject: inner\r\n\r\ninner body"))
