"""Text normalisation shared by every parser: width folding, numbers, dates, names, addresses.

Parsers match labels on a *folded* copy of the mail text (full-width ASCII → ASCII, the ideographic
space → a space, ``￥`` → ``¥``, minus signs → ``-``). Folding maps one code point to one code
point, so a match's span in the folded text is the same span in the original text: labels are
matched tolerantly while values are taken from the original, as the shop wrote them.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, tzinfo

_FOLD_TABLE: dict[int, int] = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_FOLD_TABLE.update(
    {
        0x3000: 0x20,  # ideographic space
        0x00A0: 0x20,  # no-break space
        0xFFE5: 0xA5,  # ￥ → ¥
        0x2212: 0x2D,  # minus sign
        0x2010: 0x2D,  # hyphen
        0x2011: 0x2D,  # non-breaking hyphen
        0x2013: 0x2D,  # en dash
        0x2014: 0x2D,  # em dash
        0x2015: 0x2D,  # horizontal bar
        0x301C: 0x7E,  # wave dash 〜 → ~ (the full-width tilde already folds to ~)
    }
)


def fold(text: str) -> str:
    """Width-fold ``text`` one code point for one code point (spans stay valid)."""
    return text.translate(_FOLD_TABLE)


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


_SPACES = re.compile(r"[\s\u3000]+")


def squash(text: str) -> str:
    """Collapse runs of spaces (ASCII or ideographic) into one ASCII space and trim."""
    return _SPACES.sub(" ", text).strip()


# --- numbers ---------------------------------------------------------------------------------

_NUMBER = re.compile(r"-?\d[\d,]*")
_DIGITS = re.compile(r"\d[\d,]*")


def to_int(text: str | None) -> int | None:
    """The first integer in ``text``: ``￥6,900``, ``7,360(円)``, ``８，５４０円``, ``-0円``."""
    if not text:
        return None
    match = _NUMBER.search(nfkc(text).replace(" ", ""))
    if match is None:
        return None
    digits = match.group().replace(",", "")
    if digits in {"", "-"}:
        return None
    return int(digits)


def to_quantity(text: str | None) -> int | None:
    """A count: the first unsigned integer in ``text``."""
    if not text:
        return None
    match = _DIGITS.search(nfkc(text))
    if match is None:
        return None
    return int(match.group().replace(",", ""))


# --- identifiers and contact details ---------------------------------------------------------

MAX_ID_LENGTH = 128


def clean_id(text: str | None) -> str | None:
    """An order id or code as a compact ASCII-folded token (None when empty or absurdly long)."""
    if text is None:
        return None
    value = squash(nfkc(text))
    if not value or len(value) > MAX_ID_LENGTH:
        return None
    return value


def first_token(text: str | None) -> str | None:
    """The first run of letters, digits and hyphens (a tracking number, a SKU)."""
    if not text:
        return None
    match = re.search(r"[0-9A-Za-z][0-9A-Za-z_.\-/]*", nfkc(text))
    return match.group().rstrip("-") if match else None


# the lookbehind starts a match only where a local part can start: linear on a 100 KB "aaaa…" line
_EMAIL = re.compile(
    r"(?<![A-Za-z0-9.!#$%&'*+/=?^_`{|}~-])[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"
)


def find_email(text: str | None) -> str | None:
    if not text:
        return None
    match = _EMAIL.search(nfkc(text))
    return match.group() if match else None


def find_emails(text: str) -> list[str]:
    return _EMAIL.findall(nfkc(text))


_PHONE = re.compile(r"\+?\d[\d\-() ]{7,18}\d")


def find_phone(text: str | None) -> str | None:
    if not text:
        return None
    value = nfkc(text).replace("ー", "-").replace("−", "-").replace("‐", "-")
    match = _PHONE.search(value)
    return match.group().replace(" ", "") if match else None


# --- names -----------------------------------------------------------------------------------

_HONORIFICS = ("様", "さま", "殿", "御中")


def _without_honorific(text: str) -> str:
    for honorific in _HONORIFICS:
        if text.endswith(honorific):
            return text[: -len(honorific)].rstrip()
    return text


def clean_name(text: str | None) -> str | None:
    """A person's name without the honorific (``田中 次郎 様`` → ``田中 次郎``)."""
    if text is None:
        return None
    return squash(_without_honorific(squash(text))) or None


def clean_kana(text: str | None) -> str | None:
    """A reading: half-width katakana folded to full width, brackets and honorific dropped."""
    if text is None:
        return None
    return clean_name(nfkc(text).strip("()[] "))


def same_person(first: str, second: str) -> bool:
    """Whether two written names are the same name (spacing and width aside)."""

    def key(name: str) -> str:
        return _SPACES.sub("", nfkc(clean_name(name) or ""))

    return key(first) == key(second)


def split_name_kana(original: str) -> tuple[str | None, str | None]:
    """``山辺 太郎 (ヤマノベ タロウ) 様`` → (name, kana)."""
    text = _without_honorific(squash(original))
    folded = fold(text)
    opening = folded.rfind("(")
    if not folded.endswith(")") or opening < 0:
        return clean_name(text), None
    return clean_name(text[:opening]), clean_kana(text[opening + 1 : -1])


# --- addresses -------------------------------------------------------------------------------

# fmt: off
_PREFECTURES = (
    "北海道", "青森県", "岩手県", "宮城県", "秋田県", "山形県", "福島県",
    "茨城県", "栃木県", "群馬県", "埼玉県", "千葉県", "東京都", "神奈川県",
    "新潟県", "富山県", "石川県", "福井県", "山梨県", "長野県",
    "岐阜県", "静岡県", "愛知県", "三重県",
    "滋賀県", "京都府", "大阪府", "兵庫県", "奈良県", "和歌山県",
    "鳥取県", "島根県", "岡山県", "広島県", "山口県",
    "徳島県", "香川県", "愛媛県", "高知県",
    "福岡県", "佐賀県", "長崎県", "熊本県", "大分県", "宮崎県", "鹿児島県", "沖縄県",
)
# fmt: on
PREFECTURES: frozenset[str] = frozenset(_PREFECTURES)
PREFECTURE_ORDER: tuple[str, ...] = _PREFECTURES  # JIS X 0401 order: index + 1 is the code (13 = 東京都)
_PREFECTURE = re.compile("|".join(_PREFECTURES))
_POSTAL = re.compile(r"(?:〒[ \t]*+)?(?<!\d)(\d{3})[ \t]*+(?:[-ー－‐−][ \t]*+)?(\d{4})(?!\d)")
_POSTAL_MARKED = re.compile(r"〒[ \t]*+(\d{3})[ \t]*+(?:[-ー－‐−][ \t]*+)?(\d{4})(?!\d)")


def find_postal_code(text: str | None, *, marked_only: bool = False) -> str | None:
    """``〒812-0011``, ``８１２－００１１`` or ``8120011`` → ``812-0011``."""
    if not text:
        return None
    match = (_POSTAL_MARKED if marked_only else _POSTAL).search(nfkc(text))
    return f"{match.group(1)}-{match.group(2)}" if match else None


def find_prefecture(text: str | None) -> str | None:
    if not text:
        return None
    match = _PREFECTURE.search(text)
    return match.group() if match else None


def split_address(text: str) -> tuple[str | None, str | None, str | None]:
    """An address line → (postal code, prefecture, the rest of the address)."""
    postal = None
    rest = text
    match = _POSTAL.search(fold(text))
    if match is not None and (match.start() == 0 or match.group().startswith("〒")):
        postal = f"{match.group(1)}-{match.group(2)}"
        rest = text[match.end() :]
    rest = squash(rest)
    prefecture = None
    pref = _PREFECTURE.search(rest)
    if pref is not None and pref.start() <= 2:
        prefecture = pref.group()
        rest = squash(rest[pref.end() :])
    return postal, prefecture, rest or None


# --- dates and times -------------------------------------------------------------------------

_DATETIME = re.compile(
    r"(?P<y>\d{4})[ \t]*+[-/.年][ \t]*+(?P<mo>\d{1,2})[ \t]*+[-/.月][ \t]*+(?P<d>\d{1,2})[ \t]*+(?:日[ \t]*+)?"
    r"(?:\([^)\n]{0,6}\)[ \t]*+)?"
    r"(?:T?(?P<h>\d{1,2})[ \t]*+[:時][ \t]*+(?P<mi>\d{1,2})(?:[ \t]*+[:分][ \t]*+(?P<s>\d{1,2}))?)?"
)


def _parts(text: str) -> re.Match[str] | None:
    return _DATETIME.search(nfkc(text)) if text else None


def _date(match: re.Match[str]) -> date | None:
    try:
        return date(int(match["y"]), int(match["mo"]), int(match["d"]))
    except ValueError:
        return None


def _datetime(match: re.Match[str], zone: tzinfo) -> datetime | None:
    day = _date(match)
    if day is None or match["h"] is None:
        return None
    hour, minute, second = int(match["h"]), int(match["mi"]), int(match["s"] or 0)
    if hour > 23 or minute > 59 or second > 59:
        return None
    return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=zone)


def parse_datetime(text: str | None, zone: tzinfo) -> datetime | None:
    """``2026-11-20 11:05:12``, ``2026/11/22 23:58:01``, ``2026年11月21日 09時15分30秒`` (in ``zone``)."""
    match = _parts(text or "")
    return _datetime(match, zone) if match else None


def parse_date_or_datetime(text: str | None, zone: tzinfo) -> date | datetime | None:
    """A date, or an aware datetime when the text carries a time of day."""
    match = _parts(text or "")
    if match is None:
        return None
    if match["h"] is not None:
        return _datetime(match, zone)
    return _date(match)


# --- wrapped lines ---------------------------------------------------------------------------


def _is_wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in {"W", "F"}


def join_wrapped(lines: list[str]) -> str:
    """Join a value wrapped over several lines: no space between Japanese, one between words."""
    joined = ""
    for raw in lines:
        line = squash(raw)
        if not line:
            continue
        if joined and not (_is_wide(joined[-1]) or _is_wide(line[0])):
            joined += " "
        joined += line
    return joined


_SKU = re.compile(r"[0-9A-Za-z][0-9A-Za-z_\-./#:+]{0,63}")


def _sku_start(original: str) -> int | None:
    """Where a trailing ``(sku)`` begins in ``original`` (an ASCII-like code), or None."""
    folded = fold(original).rstrip()
    opening = folded.rfind("(")
    if not folded.endswith(")") or opening < 0 or not _SKU.fullmatch(folded[opening + 1 : -1]):
        return None
    return opening


def split_sku_suffix(original: str) -> tuple[str, str | None]:
    """``佐藤錦 500g 化粧箱入り(cherry-500)`` → (name, ``cherry-500``); the code is ASCII-like."""
    opening = _sku_start(original)
    if opening is None:
        return squash(original), None
    return squash(original[:opening]), fold(original).rstrip()[opening + 1 : -1]


def ends_with_sku(original: str) -> bool:
    return _sku_start(original) is not None
