"""Coupon CSV uploads: which codes load and why the others are skipped."""

from __future__ import annotations

import pytest

from okaeri.errors import BadRequestError
from okaeri.services.coupon_upload import (
    MAX_CODE_LENGTH,
    MAX_UPLOAD_BYTES,
    MAX_UPLOAD_ROWS,
    decode_upload,
    parse_coupon_csv,
)


def test_a_header_names_the_column_and_bad_rows_are_reported() -> None:
    text = (
        "\ufeffname,code\nA,GOOD-1\nB, GOOD-2 \nC,GOOD-1\nD,HAS SPACE\nE," + "X" * 65 + "\nF,BAD\x07\nG,\n\n"
    )
    upload = parse_coupon_csv(text)
    assert upload.codes == ["GOOD-1", "GOOD-2"]
    assert [(skip.code, skip.reason) for skip in upload.skipped] == [
        ("GOOD-1", "duplicate"),
        ("HAS SPACE", "has_space"),
        ("X" * 65, "too_long"),
        ("BAD\x07", "not_printable"),
    ]


@pytest.mark.parametrize("header", ["code", "CODE", "コード", "クーポンコード"])
def test_a_single_column_header_is_not_a_code(header: str) -> None:
    assert parse_coupon_csv(f"{header}\nA-1\nA-2\n").codes == ["A-1", "A-2"]


def test_a_control_character_is_not_printable() -> None:
    upload = parse_coupon_csv("code\nA\x00B\nC\n")
    assert upload.codes == ["C"]
    assert [(skip.code, skip.reason) for skip in upload.skipped] == [("A\x00B", "not_printable")]


def test_bare_codes_need_no_header() -> None:
    assert parse_coupon_csv("A-1\r\nA-2\r\n").codes == ["A-1", "A-2"]
    assert parse_coupon_csv("Z" * MAX_CODE_LENGTH).codes == ["Z" * MAX_CODE_LENGTH]


def test_full_width_codes_are_printable_and_kept() -> None:
    assert parse_coupon_csv("ＡＢＣ１２３\n").codes == ["ＡＢＣ１２３"]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "empty_upload"),
        ("\n \n", "empty_upload"),
        ("a,b\n1,2\n", "bad_csv"),  # two columns, none named code
        ("code\n" + "C\n" * (MAX_UPLOAD_ROWS + 1), "upload_too_large"),
        ("C" * (MAX_UPLOAD_BYTES + 1), "upload_too_large"),
        ("code\n", "empty_upload"),
        ("code\n,\n", "empty_upload"),
    ],
)
def test_unusable_uploads_are_refused(text: str, code: str) -> None:
    with pytest.raises(BadRequestError) as refused:
        parse_coupon_csv(text)
    assert refused.value.code == code
    assert refused.value.message_ja
    assert refused.value.message_en


def test_excel_shift_jis_and_utf8_are_both_read() -> None:
    assert decode_upload("コード\nＡ-1\n".encode("cp932")) == "コード\nＡ-1\n"
    assert decode_upload("\ufeffcode\nA\n".encode()) == "code\nA\n"
    with pytest.raises(BadRequestError):
        decode_upload(b"\xff\xfe\x00\x81")
