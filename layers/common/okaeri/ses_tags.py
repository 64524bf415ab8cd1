"""SES message tags: delivery and shop ids written in SES's tag alphabet, and read back from events.

SES allows only ``[A-Za-z0-9_-]`` in tag values, and delivery ids contain dots, so values are
escaped reversibly: the send adapter encodes, the SES-event use case decodes.
"""

from __future__ import annotations

import re
from typing import Final

MAX_TAG_CHARS: Final = 256
_TAG_SAFE: Final = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-")
_TAG_ESCAPE: Final = re.compile(r"_([0-9a-f]{2})")


def encode_tag(text: str) -> str:
    """``text`` in SES's tag alphabet: ``[A-Za-z0-9-]`` kept, any other UTF-8 byte as ``_hh``."""
    encoded = "".join(chr(byte) if byte in _TAG_SAFE else f"_{byte:02x}" for byte in text.encode())
    if not encoded or len(encoded) > MAX_TAG_CHARS:
        raise ValueError(f"a message tag must be 1…{MAX_TAG_CHARS} characters once escaped: {text!r}")
    return encoded


def decode_tag(tag: str) -> str:
    """The text ``encode_tag`` escaped (what an SES event's tag gives back)."""
    parts = _TAG_ESCAPE.split(tag)  # [plain, hex, plain, hex, …, plain]
    data = b"".join(bytes.fromhex(part) if index % 2 else part.encode() for index, part in enumerate(parts))
    return data.decode(errors="replace")
