"""Bytes → readable messages: the caps, charsets, transfer encodings, structure, forwards."""

from __future__ import annotations

import base64

import pytest

from okaeri.parsing import MAX_MAIL_BYTES, MAX_MIME_DEPTH, MAX_MIME_PARTS, parse_mail
from okaeri.parsing.charset import decode_bytes, decode_iso2022jp
from okaeri.parsing.decode import decode_header_value, html_to_text, read_mail
from tests.unit.parsing.support import ORDER_TEXT, mail, refusal


def test_the_caps_are_as_documented() -> None:
    assert MAX_MAIL_BYTES == 4 * 1024 * 1024
    assert MAX_MIME_PARTS == 200
    assert MAX_MIME_DEPTH == 8


# --- caps ------------------------------------------------------------------------------------


@pytest.mark.parametrize("raw", [b"", b"   \r\n\r\n  "])
def test_nothing_is_empty(raw: bytes) -> None:
    assert refusal(raw).reason == "empty"


def test_headers_without_a_body_are_empty() -> None:
    assert refusal(mail(b"\n\n")).reason == "empty"


def test_a_mail_over_the_size_cap_is_too_large_and_says_its_size() -> None:
    raw = mail(b"a" * MAX_MAIL_BYTES)
    error = refusal(raw)
    assert error.reason == "too_large"
    assert f"{len(raw):,}" in error.message_en
    assert f"{len(raw):,}" in error.message_ja


def test_a_mail_just_under_the_cap_is_read() -> None:
    body = ORDER_TEXT.encode() + b"x" * (MAX_MAIL_BYTES - 2000)
    assert parse_mail(mail(body)).order_id == "338361-20261120-0912345678"


def flat_multipart(parts: int) -> bytes:
    chunks = [b"--b\nContent-Type: text/plain\n\npart %d\n" % index for index in range(parts)]
    return mail(b"".join(chunks) + b"--b--\n", content_type='multipart/mixed; boundary="b"')


def test_too_many_containers_are_refused_before_parsing() -> None:
    declarations = b"".join(b"X: 1\nContent-Type: multipart/mixed\n" for _ in range(MAX_MIME_PARTS + 1))
    error = refusal(mail(declarations))
    assert error.reason == "too_many_parts"
    assert "container" in error.message_en


def test_a_structure_too_deep_for_the_email_parser_is_too_deep(monkeypatch: pytest.MonkeyPatch) -> None:
    def overflow(raw: bytes, **_: object) -> None:
        raise RecursionError

    monkeypatch.setattr("okaeri.parsing.decode.email.message_from_bytes", overflow)
    assert refusal(mail(ORDER_TEXT.encode())).reason == "too_deep"


def test_five_thousand_parts_are_too_many() -> None:
    error = refusal(flat_multipart(5000))
    assert error.reason == "too_many_parts"
    assert "5,000" in error.message_en
    assert str(MAX_MIME_PARTS) in error.message_ja


def test_parts_over_the_cap_are_too_many_even_when_the_prescan_cannot_see_them() -> None:
    # 100 delimiters and 101 containers pass the prescan; the tree has 1 + 100 x 2 = 201 parts
    chunks = b"".join(b"--b\nContent-Type: message/rfc822\n\nSubject: x\n\nhi\n" for _ in range(100))
    raw = mail(chunks + b"--b--\n", content_type='multipart/mixed; boundary="b"')
    error = refusal(raw)
    assert error.reason == "too_many_parts"
    assert "201" in error.message_en


def test_parts_under_the_cap_are_read() -> None:
    raw = mail(
        b"--b\nContent-Type: text/plain; charset=utf-8\n\n"
        + ORDER_TEXT.encode()
        + b"".join(b"--b\nContent-Type: image/png\n\nxx\n" for _ in range(50))
        + b"--b--\n",
        content_type='multipart/mixed; boundary="b"',
    )
    assert parse_mail(raw).source == "rakuten"


def nested(depth: int, inner: bytes = b"hello") -> bytes:
    head, tail = b"", b""
    for level in range(depth):
        head += b'Content-Type: multipart/mixed; boundary="n%d"\n\n--n%d\n' % (level, level)
        tail = b"\n--n%d--\n" % level + tail
    return b"From: a@example.com\nSubject: x\n" + head + b"Content-Type: text/plain\n\n" + inner + tail


def test_nesting_fifty_deep_is_too_deep() -> None:
    error = refusal(nested(50))
    assert error.reason == "too_deep"
    assert str(MAX_MIME_DEPTH) in error.message_en


def test_nesting_within_the_cap_is_read() -> None:
    assert parse_mail(nested(MAX_MIME_DEPTH - 1, ORDER_TEXT.encode())).source == "rakuten"


def test_forwarded_mails_fifty_deep_are_too_deep() -> None:
    raw = mail(ORDER_TEXT.encode())
    for _ in range(50):
        raw = b"From: a@example.com\nContent-Type: message/rfc822\n\n" + raw
    assert refusal(raw).reason == "too_deep"


def test_binary_garbage_is_undecodable() -> None:
    garbage = bytes((index * 7919 + 13) % 256 for index in range(20000))
    assert refusal(garbage).reason == "undecodable"


def test_a_mail_with_only_an_attachment_is_unrecognised() -> None:
    raw = mail(
        b"--b\nContent-Type: application/pdf\nContent-Transfer-Encoding: base64\n\nJVBERi0=\n--b--\n",
        content_type='multipart/mixed; boundary="b"',
    )
    error = refusal(raw)
    assert error.reason == "unrecognised"
    assert "attachment" in error.message_en


# --- transfer encodings and charsets -----------------------------------------------------------


def test_no_content_type_is_read_as_text() -> None:
    assert parse_mail(mail(ORDER_TEXT.encode("utf-8"), content_type=None)).source == "rakuten"


@pytest.mark.parametrize(
    ("body", "label"),
    [
        (ORDER_TEXT.encode("utf-8"), "Shift_JIS"),  # UTF-8 labelled Shift_JIS
        (ORDER_TEXT.encode("cp932"), "utf-8"),  # Shift_JIS labelled UTF-8
        (ORDER_TEXT.encode("cp932"), "x-no-such-charset"),
        (ORDER_TEXT.encode("euc_jis_2004"), "Shift_JIS"),  # EUC-JP labelled Shift_JIS
        (ORDER_TEXT.encode("cp932"), "us-ascii"),
        (ORDER_TEXT.encode("cp932"), "iso-8859-1"),
        (ORDER_TEXT.encode("utf-8"), '"UTF-8"'),
    ],
)
def test_wrong_and_unknown_charset_labels_are_sniffed(body: bytes, label: str) -> None:
    order = parse_mail(mail(body, content_type=f"text/plain; charset={label}"))
    assert order.customer.name == "山辺 太郎"
    assert order.items[0].name == "佐藤錦 500g ①箱"


def test_broken_base64_padding_is_read() -> None:
    encoded = base64.encodebytes(ORDER_TEXT.encode("utf-8")).replace(b"=", b"")
    raw = mail(encoded + b"!!@@", headers="Content-Transfer-Encoding: base64\n")
    assert parse_mail(raw).order_id == "338361-20261120-0912345678"


def test_a_truncated_mail_keeps_what_arrived() -> None:
    raw = mail(ORDER_TEXT.encode("utf-8"))
    cut = raw[: raw.index("[商品]".encode())]
    order = parse_mail(cut)
    assert order.order_id == "338361-20261120-0912345678"
    assert order.items == []
    assert order.total is None


def test_a_mail_cut_inside_its_headers_is_refused_with_a_reason() -> None:
    assert refusal(b"From: someone@example.com\nSubj").reason in {"empty", "unrecognised"}


def test_iso2022jp_superset_with_nec_and_ibm_characters() -> None:
    # ESC $ B, then ① ㈱ Ⅱ (NEC row 13) and 髙 (an IBM extension: 0x7C62, CP932 0xEEE0), then back to ASCII
    raw = b"\x1b$B\x2d\x21\x2d\x6a\x2d\x36\x7c\x62\x24\x22\x1b(B ok"
    assert decode_iso2022jp(raw) == "①㈱Ⅱ髙あ ok"
    assert decode_bytes(raw, "iso-2022-jp") == "①㈱Ⅱ髙あ ok"


def test_iso2022jp_reads_the_same_whichever_decoder_is_needed() -> None:
    plain = "〜−".encode("iso2022_jp")
    with_nec = b"\x1b$B\x2d\x21\x1b(B" + plain
    assert decode_bytes(plain, "iso-2022-jp") == "～－"
    assert decode_bytes(with_nec, "iso-2022-jp") == "①～－"


NEC_CIRCLED_ONE = b"\x1b$B\x2d\x21\x1b(B"  # ① forces the run-by-run decoder


def test_iso2022jp_half_width_kana_supplementary_kanji_and_stray_line_breaks() -> None:
    assert decode_iso2022jp(NEC_CIRCLED_ONE + b"\x1b(I\x31\x32\x1b(B!") == "①ｱｲ!"
    assert decode_iso2022jp(NEC_CIRCLED_ONE + b"\x1b$B\x24\x22\n\x24\x24\x1b(B") == "①あ\nい"
    assert decode_iso2022jp(NEC_CIRCLED_ONE + b"\x1b$(D\x30\x21\x1b(B") == "①丂"  # JIS X 0212
    jis_x_0213 = b"\x1b$(Q\x2e\x21\x1b(B"
    assert decode_iso2022jp(NEC_CIRCLED_ONE + jis_x_0213) == "①" + jis_x_0213.decode("iso2022_jp_2004")
    assert decode_iso2022jp(NEC_CIRCLED_ONE + b"\x1b$B\x24") == "①?"  # cut in the middle of a pair


def test_decoding_never_raises_on_any_byte() -> None:
    everything = bytes(range(256)) * 3
    for label in (None, "utf-8", "shift_jis", "euc-jp", "iso-2022-jp", "x-bogus", "latin-1", "cp932*ja"):
        assert isinstance(decode_bytes(everything, label), str)


def test_header_words_with_split_characters_and_bad_charsets() -> None:
    word = "注文確認".encode()
    split = (
        f"=?UTF-8?B?{base64.b64encode(word[:4]).decode()}?=\r\n"
        f" =?UTF-8?B?{base64.b64encode(word[4:]).decode()}?= done"
    )
    assert decode_header_value(split) == "注文確認 done"
    assert (
        decode_header_value("=?x-unknown?B?" + base64.b64encode("注文".encode("cp932")).decode() + "?=")
        == "注文"
    )
    assert decode_header_value("=?utf-8?B?5rOo5paH?") == "=?utf-8?B?5rOo5paH?"
    assert decode_header_value("=?utf-8?B?5rOo5paH=?=") == "注文"  # bad padding
    assert decode_header_value("=?iso-2022-jp?Q?=1B$B=2D!=1B(B?=") == "①"
    # an 8-bit header arrives as surrogate escapes from the parser: its bytes are sniffed
    assert decode_header_value("raw " + "注文".encode().decode("ascii", "surrogateescape")) == "raw 注文"


def test_raw_eight_bit_subjects_are_read() -> None:
    raw = b"From: a@example.com\nSubject: " + "【楽天市場】在庫ゼロのお知らせ".encode("cp932") + b"\n\nbody\n"
    assert refusal(raw).reason == "not_an_order"


def test_an_unclosed_script_hides_the_rest() -> None:
    assert html_to_text("<p>見える</p><script>x(); <p>見えない").split() == ["見える"]


def test_a_text_attachment_is_read_when_there_is_no_inline_text() -> None:
    raw = mail(
        b"--b\nContent-Type: text/plain; charset=utf-8\nContent-Disposition: attachment; filename=o.txt\n\n"
        + ORDER_TEXT.encode()
        + b"--b--\n",
        content_type='multipart/mixed; boundary="b"',
    )
    assert parse_mail(raw).source == "rakuten"


def test_a_forward_marker_without_headers_is_no_forward() -> None:
    raw = mail(("-----Original Message-----\n\n" + ORDER_TEXT).encode())
    assert len(read_mail(raw)) == 1


def test_html_only_mail_becomes_text() -> None:
    text = html_to_text(
        "<html><head><title>t</title><style>p{}</style></head><body><p>ご注文番号：12</p>"
        "<table><tr><td>単価</td><td>&yen;3,240</td></tr></table><script>x()</script>a<br>b</body></html>"
    )
    assert "ご注文番号：12" in text.split("\n")
    assert "単価 ¥3,240" in text
    assert "x()" not in text
    assert "t" not in text.split("\n")


# --- forwarded mails ---------------------------------------------------------------------------


def test_an_attached_eml_file_is_read_as_the_order() -> None:
    inner = mail(ORDER_TEXT.encode("utf-8"))
    raw = mail(
        b"--b\nContent-Type: text/plain\n\nsee attached\n--b\nContent-Type: application/octet-stream\n"
        b'Content-Disposition: attachment; filename="order.eml"\nContent-Transfer-Encoding: base64\n\n'
        + base64.encodebytes(inner)
        + b"--b--\n",
        content_type='multipart/mixed; boundary="b"',
    )
    assert parse_mail(raw).order_id == "338361-20261120-0912345678"


def test_the_carried_mail_is_read_before_the_one_carrying_it() -> None:
    inner = mail(ORDER_TEXT.encode("utf-8"))
    raw = mail(
        b"--b\nContent-Type: text/plain\n\nFYI\n--b\nContent-Type: message/rfc822\n\n" + inner + b"\n--b--\n",
        content_type='multipart/mixed; boundary="b"',
    )
    views = read_mail(raw)
    assert [view.subject for view in views] == ["order", "order"]
    assert "受注番号" in views[0].text
    assert views[1].text.strip() == "FYI"
