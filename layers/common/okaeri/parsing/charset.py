"""Bytes → text for Japanese mail, never raising.

Real order mail lies about its charset: ISO-2022-JP bodies carry NEC/IBM extension characters
(①, ㈱, Ⅱ, 髙) that only Microsoft's CP50220 defines, "Shift_JIS" means CP932, UTF-8 bodies are
labelled Shift_JIS and the other way round, and some labels are unknown or missing. The label is
a hint: UTF-8 that validates wins (multi-byte UTF-8 is never valid Japanese legacy text by chance),
then the strict decodings of the label's family and of the usual suspects are compared by how
Japanese they read, and the last resort is a decoding with replacement characters.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable
from functools import lru_cache, partial

_ISO2022 = ("iso2022_jp_ext", "iso2022_jp_2004", "iso2022_jp_3")
_SHIFT_JIS = ("cp932", "shift_jis_2004")
_EUC = ("euc_jis_2004", "euc_jp")
_SNIFF = ("cp932", "euc_jis_2004")

_FAMILIES: dict[str, tuple[str, ...]] = {
    "iso2022_jp": _ISO2022,
    "iso2022_jp_1": _ISO2022,
    "iso2022_jp_2": ("iso2022_jp_2", *_ISO2022),
    "iso2022_jp_2004": ("iso2022_jp_2004", "iso2022_jp_ext"),
    "iso2022_jp_3": ("iso2022_jp_3", "iso2022_jp_ext"),
    "iso2022_jp_ext": _ISO2022,
    "shift_jis": _SHIFT_JIS,
    "cp932": _SHIFT_JIS,
    "shift_jis_2004": ("shift_jis_2004", "cp932"),
    "shift_jisx0213": ("shift_jis_2004", "cp932"),
    "euc_jp": _EUC,
    "euc_jis_2004": _EUC,
    "euc_jisx0213": _EUC,
    "utf_8": ("utf-8",),
    "utf_8_sig": ("utf-8",),
}
# labels whose name says nothing: treat as unknown and sniff
_MEANINGLESS = frozenset({"ascii", "us-ascii", "unknown-8bit", "x-unknown", "default", "binary"})
# labels Python knows under another name, as mailers spell them
_ALIASES = {
    "windows-31j": "cp932",
    "x-sjis": "shift_jis",
    "sjis": "shift_jis",
    "shift-jis": "shift_jis",
    "x-euc-jp": "euc_jp",
    "cp50220": "iso2022_jp",
    "cp50221": "iso2022_jp",
    "cp50222": "iso2022_jp",
    "cseucpkdfmtjapanese": "euc_jp",
    "csshiftjis": "shift_jis",
    "csiso2022jp": "iso2022_jp",
}


_LABEL = re.compile(r"[a-z0-9][a-z0-9._:+-]{0,39}")


@lru_cache(maxsize=256)
def codec_name(label: str | None) -> str | None:
    """The Python codec for a MIME charset label, or None when unknown or meaningless."""
    if not label:
        return None
    key = label.strip().strip("\"'").lower()
    key = key.split("*", 1)[0]  # RFC 2231 language suffix: utf-8*ja
    if not _LABEL.fullmatch(key) or key in _MEANINGLESS:
        return None
    key = _ALIASES.get(key, key)
    try:
        return codecs.lookup(key).name
    except LookupError:
        return None


def _strict(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except UnicodeDecodeError:
        return None


# The six JIS X 0208 characters that Windows (CP932, CP50220) maps differently from the JIS
# standard: every Japanese reading is given the Windows ones, so that a mail reads the same
# whichever decoder had to be used (〜 and ～ are the same key a shop's staff typed).
_AS_WINDOWS = str.maketrans(
    {0x301C: 0xFF5E, 0x2016: 0x2225, 0x2212: 0xFF0D, 0x00A2: 0xFFE0, 0x00A3: 0xFFE1, 0x00AC: 0xFFE2}
)

_KANA = re.compile(r"[\u3041-\u30ff]")
_KANJI = re.compile(r"[\u4e00-\u9fff]")
_SUSPECT = re.compile(r"[\uff61-\uff9f\ue000-\uf8ff\ufffd\x80-\x9f]")


def japanese_score(text: str) -> int:
    """How much ``text`` reads like Japanese: kana and kanji up, half-width kana and junk down.

    A legacy-encoded text decoded with the wrong legacy codec turns into half-width katakana
    and private-use characters, so this separates CP932 from EUC-JP readings reliably.
    """
    return 2 * len(_KANA.findall(text)) + len(_KANJI.findall(text)) - 3 * len(_SUSPECT.findall(text))


_ESCAPE = re.compile(rb"\x1b[$(&]")


def looks_iso2022(data: bytes) -> bool:
    """Seven-bit data with ISO-2022 escape sequences."""
    return _ESCAPE.search(data) is not None and max(data) < 0x80


def decode_bytes(data: bytes, label: str | None = None) -> str:
    """Decode ``data`` labelled ``label`` (a MIME charset, maybe wrong, maybe absent)."""
    if not data:
        return ""
    if max(data) < 0x80 and b"\x1b" not in data:
        return data.decode("ascii")
    if looks_iso2022(data):
        return decode_iso2022jp(data)
    text = _strict(data, "utf-8")
    if text is not None:
        return text
    return _decode_legacy(data, codec_name(label))


def _decode_legacy(data: bytes, codec: str | None) -> str:
    """Eight-bit data that is not UTF-8: the label's family against the usual Japanese codecs."""
    family = _FAMILIES.get(codec, (codec,)) if codec else ()
    readings = [
        reading.translate(_AS_WINDOWS) if name in _EUC else reading
        for name in dict.fromkeys((*family, *_SNIFF))
        if (reading := _strict(data, name)) is not None
    ]
    # max() keeps the first of equal scores: the label's own family wins a tie
    best = max(readings, key=japanese_score) if readings else None
    if codec is not None and codec not in _FAMILIES:
        # a non-Japanese label (latin-1, gb2312…) is trusted unless the bytes are plainly Japanese
        own = _strict(data, codec) if best is None or not _reads_japanese(best) else None
        return own or best or data.decode(codec, "replace")
    return best or data.decode("cp932", "replace")


def _reads_japanese(text: str) -> bool:
    """Every non-ASCII character is kana or kanji (on average), and nothing looks like junk."""
    non_ascii = sum(1 for char in text if char > "\x7f")
    return _SUSPECT.search(text) is None and japanese_score(text) >= non_ascii


# --- ISO-2022-JP with Microsoft's extensions ------------------------------------------------

_DESIGNATION = re.compile(rb"\x1b(\(B|\(J|\(I|\(H|\$@|\$B|&@|\$\(D|\$\(O|\$\(Q|\$\(P|\$A|\$\(C|\.A|\.F|N)")
_PAIR_OR_SINGLE = re.compile(rb"[\x21-\x7e]{2}|[\x00-\xff]")


def decode_iso2022jp(data: bytes) -> str:
    """Decode ISO-2022-JP as a superset: the standard codecs first, then run by run.

    A JIS X 0208 run that the standard codecs refuse (NEC row 13 ①㈱Ⅱ, the IBM extensions) is
    converted pair by pair to Shift_JIS bytes and decoded with CP932, which defines them. Either
    way the result uses Windows' mapping (``～`` U+FF5E, ``－`` U+FF0D), as CP50220 does.
    """
    for codec in _ISO2022:
        text = _strict(data, codec)
        if text is not None:
            return text.translate(_AS_WINDOWS)
    return "".join(_decode_runs(data))


def _decode_runs(data: bytes) -> list[str]:
    out: list[str] = []
    mode = b"(B"
    position = 0
    for match in _DESIGNATION.finditer(data):
        out.append(_decode_run(mode, data[position : match.start()]))
        mode = match.group(1)
        position = match.end()
    out.append(_decode_run(mode, data[position:]))
    return out


def _decode_kana(run: bytes) -> str:
    """JIS X 0201 katakana (``ESC ( I``): 0x21–0x5F are the half-width kana of CP932's 0xA1–0xDF."""
    return bytes(byte | 0x80 if 0x21 <= byte <= 0x5F else byte for byte in run).decode("cp932", "replace")


def _decode_as_is(run: bytes) -> str:
    """ASCII, JIS X 0201 Roman, or a designation we do not know: the bytes as they are."""
    return run.decode("cp932", "replace")


def _decode_run(mode: bytes, run: bytes) -> str:
    return _RUN_DECODERS.get(mode, _decode_as_is)(run) if run else ""


def _jis_to_sjis(first: int, second: int) -> bytes:
    lead = ((first + 1) >> 1) + (0x70 if first <= 0x5E else 0xB0)
    trail = second + (0x20 if second >= 0x60 else 0x1F) if first & 1 else second + 0x7E
    return bytes((lead, trail))


def _decode_jis0208(run: bytes) -> str:
    converted = bytearray()
    for token in _PAIR_OR_SINGLE.findall(run):
        if len(token) == 2:
            converted += _jis_to_sjis(token[0], token[1])
        elif token[0] < 0x21:
            converted += token  # a line break inside a two-byte run: keep it
        else:
            converted += b"?"
    return bytes(converted).decode("cp932", "replace")


def _decode_euc(run: bytes, prefix: bytes, codec: str) -> str:
    converted = bytearray()
    for token in _PAIR_OR_SINGLE.findall(run):
        if len(token) == 2:
            converted += prefix + bytes((token[0] | 0x80, token[1] | 0x80))
        else:
            converted += token if token[0] < 0x80 else b"?"
    return bytes(converted).decode(codec, "replace")


_RUN_DECODERS: dict[bytes, Callable[[bytes], str]] = {
    b"$B": _decode_jis0208,
    b"$@": _decode_jis0208,
    b"&@": _decode_jis0208,
    b"(I": _decode_kana,
    b"$(D": partial(_decode_euc, prefix=b"\x8f", codec="euc_jp"),
    b"$(O": partial(_decode_euc, prefix=b"", codec="euc_jis_2004"),
    b"$(Q": partial(_decode_euc, prefix=b"", codec="euc_jis_2004"),
    b"$(P": partial(_decode_euc, prefix=b"\x8f", codec="euc_jis_2004"),
}
