"""A decoded mail as the parsers see it: who sent it, its subject, recipients and body text."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

from okaeri.parsing.lazy_pattern import Pattern
from okaeri.parsing.text import find_emails, fold, to_int


@dataclass(frozen=True)
class Doc:
    """A text and its width-folded twin (same length): match on ``folded``, read from ``text``."""

    text: str
    folded: str = field(default="", repr=False, compare=False)

    def __post_init__(self) -> None:
        if len(self.folded) != len(self.text):
            object.__setattr__(self, "folded", fold(self.text))

    @cached_property
    def lines(self) -> list[tuple[str, str]]:
        """(original, folded) for every line."""
        return list(zip(self.text.split("\n"), self.folded.split("\n"), strict=True))

    def section(self, start: int, end: int) -> Doc:
        return Doc(self.text[start:end], self.folded[start:end])

    def original(self, match: re.Match[str], group: int | str = 0) -> str:
        """The original text under a match found in ``folded``."""
        return self.text[match.start(group) : match.end(group)]

    def has(self, pattern: Pattern) -> bool:
        return pattern.search(self.folded) is not None

    def value(self, pattern: Pattern, group: str = "v") -> str | None:
        """The first non-empty value of ``group`` (stripped, as written), or None."""
        for match in pattern.finditer(self.folded):
            found = self.original(match, group).strip(" \t\u3000")
            if found:
                return found
        return None

    def amount(self, *patterns: Pattern) -> int | None:
        """The first amount found by the first pattern that finds one."""
        for pattern in patterns:
            found = to_int(self.value(pattern))
            if found is not None:
                return found
        return None


@dataclass(frozen=True)
class MailView:
    """One readable message: a mail, or a mail carried inside one (attached or inline-forwarded)."""

    sender: str
    subject: str
    recipients: tuple[str, ...]
    text: str
    bulk: bool = False

    @cached_property
    def body(self) -> Doc:
        return Doc(self.text.replace("\r\n", "\n").replace("\r", "\n"))

    @cached_property
    def folded_subject(self) -> str:
        return fold(self.subject)

    @cached_property
    def sender_addresses(self) -> tuple[str, ...]:
        return tuple(address.lower() for address in find_emails(self.sender))

    def describe(self) -> str:
        """``from X / subject Y`` for error messages (shortened)."""
        return f"{self.sender[:80] or '-'} / {self.subject[:80] or '-'}"
