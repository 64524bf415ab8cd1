"""A coupon pool upload: CSV text → the codes to load and the rows skipped, each with a reason.

One code per row, in the ``code`` column when the first row is a header naming it (``code``,
``コード``, ``クーポンコード``…), else the only column. A code is at most 64 printable characters without spaces; a code listed twice is loaded
once (the repeat is reported). Spent codes are found by the loader (``DynamoCoupons.load_codes``).
Excel in Japan saves CSV as Shift_JIS: bytes are read as UTF-8 (with or without BOM), then CP932.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, ConfigDict

from okaeri.errors import BadRequestError

MAX_CODE_LENGTH = 64
MAX_UPLOAD_ROWS = 10_000  # one request loads in well under API Gateway's 29 s (200 transactions)
MAX_UPLOAD_BYTES = 1_000_000
HEADER_NAMES = frozenset({"code", "codes", "coupon", "coupon_code", "コード", "クーポンコード"})
SkipReason = Literal["too_long", "has_space", "not_printable", "duplicate", "used"]


class SkippedCode(BaseModel):
    model_config = ConfigDict(defer_build=True)

    code: str
    reason: SkipReason


@dataclass
class CouponUpload:
    codes: list[str] = field(default_factory=list)
    skipped: list[SkippedCode] = field(default_factory=list)


def decode_upload(data: bytes) -> str:
    """The upload's text: UTF-8 (a BOM is dropped) or Shift_JIS (CP932)."""
    _check_size(len(data))
    for encoding in ("utf-8-sig", "cp932"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise BadRequestError(
        "CSV の文字コードが読めません（UTF-8 か Shift_JIS で保存してください）",
        "the CSV is neither UTF-8 nor Shift_JIS",
        code="bad_csv",
    )


def parse_coupon_csv(text: str) -> CouponUpload:
    """The codes of an upload (in file order, each once) and the skipped rows with their reason."""
    _check_size(len(text.encode("utf-8")))
    rows = _rows(text.lstrip("\ufeff"))
    if not rows:
        raise _empty()
    column, rows = _code_column(rows)
    upload = CouponUpload()
    seen: set[str] = set()
    for row in rows:
        code = row[column].strip() if len(row) > column else ""
        if not code:
            continue
        reason = code_problem(code) or ("duplicate" if code in seen else None)
        if reason is not None:
            upload.skipped.append(SkippedCode(code=code[: MAX_CODE_LENGTH * 2], reason=reason))
            continue
        seen.add(code)
        upload.codes.append(code)
    if not upload.codes and not upload.skipped:
        raise _empty()
    return upload


def _empty() -> BadRequestError:
    return BadRequestError("CSV にコードがありません", "the CSV holds no codes", code="empty_upload")


def code_problem(code: str) -> SkipReason | None:
    """Why ``code`` cannot be a coupon code, or None."""
    if len(code) > MAX_CODE_LENGTH:
        return "too_long"
    if any(char.isspace() for char in code):
        return "has_space"
    if not code.isprintable():
        return "not_printable"
    return None


def _rows(text: str) -> list[list[str]]:
    try:
        rows = [row for row in csv.reader(text.splitlines()) if any(cell.strip() for cell in row)]
    except csv.Error as exc:
        raise BadRequestError(
            f"CSV を読み込めません: {exc}", f"the CSV cannot be read: {exc}", code="bad_csv"
        ) from exc
    if len(rows) > MAX_UPLOAD_ROWS + 1:
        raise BadRequestError(
            f"1回にアップロードできるのは {MAX_UPLOAD_ROWS:,} 行までです。ファイルを分けてください",
            f"an upload holds at most {MAX_UPLOAD_ROWS:,} rows; split the file",
            code="upload_too_large",
        )
    return rows


def _code_column(rows: list[list[str]]) -> tuple[int, list[list[str]]]:
    """The column holding the codes and the rows below the header (if there is one)."""
    header = [cell.strip().lower() for cell in rows[0]]
    named = [index for index, cell in enumerate(header) if cell in HEADER_NAMES]
    if named:
        return named[0], rows[1:]
    if len(header) == 1:
        return 0, rows
    raise BadRequestError(
        "CSV に code 列がありません（1行目を見出し「code」にするか、コードだけの1列にしてください）",
        "the CSV has no 'code' column (name it in a header row, or upload a single column of codes)",
        code="bad_csv",
    )


def _check_size(size: int) -> None:
    if size > MAX_UPLOAD_BYTES:
        raise BadRequestError(
            f"CSV が大きすぎます（上限 {MAX_UPLOAD_BYTES:,} バイト）。ファイルを分けてください",
            f"the CSV is too large (limit {MAX_UPLOAD_BYTES:,} bytes); split the file",
            code="upload_too_large",
        )
