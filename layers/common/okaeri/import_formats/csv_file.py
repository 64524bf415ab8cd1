"""An uploaded CSV file → its header and rows, each with the line it starts on.

Bounded before anything is parsed: at most ``MAX_CSV_BYTES`` (5 MiB) and ``MAX_CSV_ROWS`` data rows
(20,000); a bigger file is refused as a whole (``too_large`` / ``too_many_rows``), so is a file that
is not text at all (``not_csv``) or cannot be decoded (``undecodable``).

The encoding is detected unless given: a UTF-8 or UTF-16 byte order mark wins; otherwise strict
UTF-8, then CP932 (Windows' Shift_JIS, what RMS and Excel write: it has ①, ㈱, ～ that plain
Shift_JIS lacks), then EUC-JP. The delimiter is a comma unless the header line has tabs (or
semicolons) and no comma.
"""

from __future__ import annotations

import codecs
import csv
import io
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from okaeri.errors import BadRequestError

MAX_CSV_BYTES = 5 * 1024 * 1024
MAX_CSV_ROWS = 20_000
MAX_COLUMNS = 1_000
_SNIFF_BYTES = 8 * 1024
_GUESSES = ("utf-8", "cp932", "euc-jp")
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_DELIMITERS = (",", "\t", ";")


class CsvFileError(BadRequestError):
    """A file refused as a whole; ``reason`` is stable (``too_large``, ``too_many_rows``, ``not_csv``,
    ``undecodable``, ``empty``, ``missing_columns``)."""

    def __init__(self, reason: str, message_ja: str, message_en: str) -> None:
        super().__init__(message_ja, message_en, code=reason)
        self.reason = reason

    @property
    def too_big(self) -> bool:
        return self.reason in {"too_large", "too_many_rows"}


@dataclass(frozen=True)
class Row:
    line: int  # the file line the row starts on (the header is line 1)
    cells: list[str]


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: list[Row]
    encoding: str


def read_table(data: bytes, *, encoding: str | None = None, delimiter: str | None = None) -> Table:
    """The header row and every non-blank data row of ``data``."""
    if len(data) > MAX_CSV_BYTES:
        raise CsvFileError(
            "too_large",
            f"ファイルが大きすぎます（{len(data):,} バイト、上限 {MAX_CSV_BYTES:,} バイト）。分けて取り込んでください。",
            f"the file is too large ({len(data):,} bytes; at most {MAX_CSV_BYTES:,}). Split it and import the parts.",
        )
    text, used = decode(data, encoding)
    if not text.strip():
        raise CsvFileError("empty", "ファイルが空です。", "the file is empty.")
    if "\x00" in text[:_SNIFF_BYTES]:
        raise CsvFileError(
            "not_csv",
            "CSVファイルではありません（Excel形式などはCSVで保存し直してください）。",
            "this is not a CSV file (save spreadsheets as CSV first).",
        )
    rows = _rows(text, delimiter or _delimiter(text))
    header = next(rows, None)
    if header is None or not any(cell.strip() for cell in header.cells):
        raise CsvFileError("empty", "見出し行がありません。", "the file has no header row.")
    return Table(header=header.cells, rows=list(_bounded(rows)), encoding=used)


def decode(data: bytes, encoding: str | None) -> tuple[str, str]:
    """The file's text and the encoding it was read with."""
    if encoding:
        try:
            return data.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError) as exc:
            raise _undecodable(f"（指定の文字コード {encoding}）", f" as {encoding}") from exc
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec), codec
            except UnicodeDecodeError as exc:
                raise _undecodable("", "") from exc
    for codec in _GUESSES:
        try:
            return data.decode(codec), codec
        except UnicodeDecodeError:
            continue
    raise _undecodable("", "")


def _undecodable(detail_ja: str, detail_en: str) -> CsvFileError:
    return CsvFileError(
        "undecodable",
        f"文字コードを判別できません{detail_ja}。UTF-8 または Shift_JIS（CP932）で保存してください。",
        f"the file cannot be decoded{detail_en}; save it as UTF-8 or Shift_JIS (CP932).",
    )


def _delimiter(text: str) -> str:
    first = text.split("\n", 1)[0]
    if "," in first:
        return ","
    return next((mark for mark in _DELIMITERS if mark in first), ",")


def _rows(text: str, delimiter: str) -> Iterator[Row]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    line = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise CsvFileError(
                "not_csv",
                f"{reader.line_num}行目をCSVとして読めません: {exc}",
                f"line {reader.line_num} cannot be read as CSV: {exc}",
            ) from exc
        if len(cells) > MAX_COLUMNS:
            raise CsvFileError(
                "not_csv",
                f"{line}行目の列が多すぎます（上限 {MAX_COLUMNS}）。",
                f"line {line} has too many columns (at most {MAX_COLUMNS}).",
            )
        if any(cell.strip() for cell in cells):
            yield Row(line=line, cells=cells)
        line = reader.line_num + 1


def _bounded(rows: Iterator[Row]) -> Iterator[Row]:
    for count, row in enumerate(rows, start=1):
        if count > MAX_CSV_ROWS:
            raise CsvFileError(
                "too_many_rows",
                f"行数が多すぎます（上限 {MAX_CSV_ROWS:,} 行）。分けて取り込んでください。",
                f"the file has too many rows (at most {MAX_CSV_ROWS:,}). Split it and import the parts.",
            )
        yield row


def header_key(name: str) -> str:
    """A header as it is matched: width-folded, lower case, without spaces, ``_`` or ``-``."""
    folded = unicodedata.normalize("NFKC", name).lower()
    return "".join(char for char in folded if not char.isspace() and char not in "_-\ufeff")
