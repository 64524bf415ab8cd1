"""Cell values of an order CSV: numbers, dates, addresses, names — strict, with a reason when wrong.

Every reader returns None for an empty cell; a cell that holds something it cannot read raises
``CellError`` with a stable ``reason`` (``bad_number``, ``bad_date``, ``bad_email``) and a message in
Japanese and English naming the column, so an operator can fix the row.
"""

from __future__ import annotations

import re
from datetime import date, datetime, tzinfo

from okaeri.import_formats.models import RefusalReason
from okaeri.mail_address import is_mail_address
from okaeri.parsing.text import (
    PREFECTURES,
    clean_kana,
    clean_name,
    find_phone,
    find_postal_code,
    find_prefecture,
    nfkc,
    squash,
)

MAX_CELL_CHARS = 2_000  # a longer cell is cut: no order field needs more
_MONEY_NOISE = re.compile(r"[\s,¥\\円]|JPY", re.IGNORECASE)
_INTEGER = re.compile(r"[+-]?\d{1,15}(?:\.0+)?")
_DATE_TIME = re.compile(
    r"(?P<y>\d{4})\s*[-/.年]\s*(?P<mo>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?"
    r"(?:\s*\([^)]{0,6}\))?"  # a weekday: 2026/12/05(土)
    r"(?:(?:\s+|T|\s*(?=\d))(?P<h>\d{1,2})\s*[:時]\s*(?P<mi>\d{1,2})\s*分?"
    r"(?:\s*[:]?\s*(?P<s>\d{1,2})(?:\.\d{1,6})?\s*秒?)?)?"
    r"\s*(?P<tz>Z|[+-]\d{2}:?\d{2})?"
)
_COMPACT = re.compile(r"(?P<y>\d{4})(?P<mo>\d{2})(?P<d>\d{2})(?:(?P<h>\d{2})(?P<mi>\d{2})(?P<s>\d{2})?)?")
_TRUE = frozenset({"1", "true", "yes", "y", "on", "あり", "有", "有り", "はい", "○", "〇", "ギフト"})
_FALSE = frozenset({"0", "false", "no", "n", "off", "なし", "無", "無し", "いいえ", "×", ""})


class CellError(ValueError):
    """A cell that holds something other than what its column needs."""

    def __init__(self, reason: RefusalReason, message_ja: str, message_en: str) -> None:
        super().__init__(message_en)
        self.reason = reason
        self.message_ja = message_ja
        self.message_en = message_en

    @classmethod
    def of(cls, reason: RefusalReason, column: str, what_ja: str, what_en: str, shown: object) -> CellError:
        """``「{column}」{what_ja}: {shown}`` / ``'{column}' {what_en}: {shown!r}``."""
        return cls(reason, f"「{column}」{what_ja}: {shown}", f"{column!r} {what_en}: {shown!r}")


def text(value: str | None) -> str | None:
    """A cell as text: spaces squashed, None when empty."""
    if value is None:
        return None
    return squash(value[:MAX_CELL_CHARS]) or None


def integer(value: str | None, column: str, *, invalid: frozenset[int] = frozenset()) -> int | None:
    """``3,240``, ``¥3240``, ``３２４０円``, ``3240.00`` → 3240; a value in ``invalid`` (RMS writes
    -99999 for "none") → None; anything else that is not a whole number → ``bad_number``."""
    cell = text(value)
    if cell is None:
        return None
    folded = _MONEY_NOISE.sub("", nfkc(cell))
    if not _INTEGER.fullmatch(folded):
        raise CellError.of("bad_number", column, "が整数ではありません", "is not a whole number", cell[:40])
    number = int(folded.split(".")[0])
    return None if number in invalid else number


def quantity(value: str | None, column: str) -> int:
    """An item count (1 when the cell is empty); negative counts are refused."""
    count = integer(value, column)
    if count is None:
        return 1
    if count < 0:
        raise CellError.of("bad_number", column, "が負の数です", "is negative", count)
    return count


def email(value: str | None, column: str) -> str | None:
    cell = text(value)
    if cell is None:
        return None
    address = nfkc(cell).strip().strip("<>")
    if not is_mail_address(address):
        raise CellError.of(
            "bad_email", column, "がメールアドレスではありません", "is not an email address", cell[:60]
        )
    return address


def flag(value: str | None, column: str) -> bool | None:
    """``1``/``0``, ``true``/``false``, ``あり``/``なし`` …; None when empty."""
    cell = text(value)
    if cell is None:
        return None
    folded = nfkc(cell).strip().lower()
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return False
    raise CellError.of(
        "bad_value", column, "は 1/0（あり/なし）で指定してください", "must be 1/0 (yes/no)", cell[:40]
    )


def moment(value: str | None, column: str, zone: tzinfo, *, fmt: str | None = None) -> date | datetime | None:
    """A date, or an aware datetime when the cell has a time of day (local times are in ``zone``).

    Without ``fmt``: ``2026-12-05 10:15:00``, ``2026/12/5 9:05``, ``2026年12月5日 10時15分``,
    ``2026-12-05T10:15:00+09:00``, ``20261205101500``, ``2026-12-05`` (fractions of a second are
    dropped). With ``fmt`` (``strptime``), only that format.
    """
    cell = text(value)
    if cell is None:
        return None
    folded = nfkc(cell).strip()
    try:
        found = _with_format(folded, fmt, zone) if fmt else _any_format(folded, zone)
    except ValueError:
        found = None
    if found is None:
        expected_ja, expected_en = (f"（形式 {fmt}）", f" in the format {fmt}") if fmt else ("", "")
        raise CellError.of(
            "bad_date",
            column,
            f"が日付として読めません{expected_ja}",
            f"is not a date{expected_en}",
            cell[:40],
        )
    return found


def timestamp(value: str | None, column: str, zone: tzinfo, *, fmt: str | None = None) -> datetime | None:
    """A point in time: a date alone is the start of that day in ``zone``."""
    found = moment(value, column, zone, fmt=fmt)
    if found is None or isinstance(found, datetime):
        return found
    return datetime(found.year, found.month, found.day, tzinfo=zone)


def _with_format(cell: str, fmt: str, zone: tzinfo) -> date | datetime:
    parsed = datetime.strptime(cell, fmt)
    if not any(directive in fmt for directive in ("%H", "%I", "%M", "%S", "%X", "%c")):
        return parsed.date()
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=zone)


def _any_format(cell: str, zone: tzinfo) -> date | datetime | None:
    match = _DATE_TIME.fullmatch(cell) or _COMPACT.fullmatch(cell)
    if match is None:
        return None
    day = date(int(match["y"]), int(match["mo"]), int(match["d"]))
    if match["h"] is None:
        return day
    local = datetime(
        day.year, day.month, day.day, int(match["h"]), int(match["mi"]), int(match["s"] or 0), tzinfo=zone
    )
    offset = match.groupdict().get("tz")
    if not offset:
        return local
    return datetime.fromisoformat(f"{local.replace(tzinfo=None).isoformat()}{_iso_offset(offset)}")


def _iso_offset(offset: str) -> str:
    if offset == "Z":
        return "+00:00"
    return offset if ":" in offset else f"{offset[:3]}:{offset[3:]}"


def name(value: str | None) -> str | None:
    return clean_name(text(value))


def kana(value: str | None) -> str | None:
    return clean_kana(text(value))


def phone(value: str | None) -> str | None:
    cell = text(value)
    return find_phone(cell) or cell


def postal_code(value: str | None) -> str | None:
    cell = text(value)
    return find_postal_code(cell) or cell


def prefecture(value: str | None) -> str | None:
    cell = text(value)
    if cell is None:
        return None
    folded = nfkc(cell)
    return folded if folded in PREFECTURES else (find_prefecture(folded) or cell)
