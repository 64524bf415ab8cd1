"""A regular expression compiled on its first use.

The mall readers declare their label patterns at import, dozens of them, and compiling them all took
most of the parsers' import time, paid by every cold start of a function that parses. A
``LazyPattern`` compiles when a mail first needs it: a shop that receives only Rakuten mails never
compiles Yahoo's labels. ``tests/unit/parsing/test_lazy_pattern.py`` compiles every one of them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cached_property

type Pattern = re.Pattern[str] | LazyPattern


class LazyPattern:
    """``re.compile(pattern, flags)``, done on first use; the methods the parsers use."""

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.pattern = pattern
        self.flags = flags

    @cached_property
    def compiled(self) -> re.Pattern[str]:
        return re.compile(self.pattern, self.flags)

    def search(self, string: str, pos: int = 0) -> re.Match[str] | None:
        return self.compiled.search(string, pos)

    def match(self, string: str, pos: int = 0) -> re.Match[str] | None:
        return self.compiled.match(string, pos)

    def fullmatch(self, string: str) -> re.Match[str] | None:
        return self.compiled.fullmatch(string)

    def finditer(self, string: str) -> Iterator[re.Match[str]]:
        return self.compiled.finditer(string)

    def __repr__(self) -> str:
        return f"LazyPattern({self.pattern!r}, {self.flags})"
