"""JSON from outside (an API request, a webhook), read only within bounds.

``json.loads`` recurses once per ``[`` or ``{``: a body of a few thousand brackets ends in a
``RecursionError`` (or worse, on a thread with a small stack), which no handler expects. So the
size and the nesting depth are checked first, with a scan that does not recurse (strings, where a
bracket is text, are skipped), and only a body within both bounds is parsed.

A body past a bound raises a domain error (``PayloadTooLargeError`` → 413, ``BadRequestError``
``too_deep`` → 400); a body that is not JSON raises ``ValueError`` as ``json.loads`` does.
"""

from __future__ import annotations

import json
import re
from typing import Any, Final

from okaeri.errors import BadRequestError, PayloadTooLargeError

#: No document Okaeri reads nests deeper than a dozen levels; 64 leaves room and keeps the parser
#: far from the interpreter's recursion limit.
MAX_JSON_DEPTH: Final = 64
#: API Gateway's payload limit (the local gateway holds the same line).
MAX_JSON_BYTES: Final = 10 * 1024 * 1024

_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")


def nesting_depth(text: str, *, stop_after: int = MAX_JSON_DEPTH) -> int:
    """How deep the brackets of ``text`` nest outside strings; counting stops past ``stop_after``."""
    depth = deepest = 0
    for match in _BRACKET.finditer(_STRING.sub("", text)):
        if match.group() in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > stop_after:
                    break
        else:
            depth -= 1
    return deepest


def check_json_bounds(
    data: str | bytes, *, max_bytes: int = MAX_JSON_BYTES, max_depth: int = MAX_JSON_DEPTH
) -> None:
    """Raises the domain error of the first bound ``data`` passes, if any (nothing is parsed)."""
    size = len(data) if isinstance(data, bytes) else len(data.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        raise PayloadTooLargeError(
            f"本文が大きすぎます（上限 {max_bytes:,} バイト）。",
            f"The body is too large (at most {max_bytes:,} bytes).",
        )
    # Brackets and quotes are ASCII: bytes that are not UTF-8 cannot hide or fake one.
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
    if nesting_depth(text, stop_after=max_depth) > max_depth:
        raise BadRequestError(
            f"JSONの入れ子が深すぎます（上限 {max_depth} 段）。",
            f"The JSON nests too deep (at most {max_depth} levels).",
            code="too_deep",
        )


def read_json(data: str | bytes, *, max_bytes: int = MAX_JSON_BYTES, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """``json.loads`` of a body checked against ``max_bytes`` and ``max_depth`` first."""
    check_json_bounds(data, max_bytes=max_bytes, max_depth=max_depth)
    return json.loads(data)
