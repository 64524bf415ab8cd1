"""The readers' label patterns compile on first use: every one of them compiles, and importing the
parsers compiles none (a cold start of a function that parses pays for the patterns its mails use)."""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil
import re
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import okaeri.parsing
from okaeri.parsing.lazy_pattern import LazyPattern


def lazy_patterns(value: Any, depth: int = 0) -> Iterator[LazyPattern]:
    if isinstance(value, LazyPattern):
        yield value
    elif depth < 3 and isinstance(value, dict):
        for item in value.values():
            yield from lazy_patterns(item, depth + 1)
    elif depth < 3 and isinstance(value, tuple | list):
        for item in value:
            yield from lazy_patterns(item, depth + 1)
    elif depth < 3 and dataclasses.is_dataclass(value) and not isinstance(value, type):
        for item in dataclasses.fields(value):
            yield from lazy_patterns(getattr(value, item.name), depth + 1)


def every_lazy_pattern() -> list[LazyPattern]:
    found: dict[int, LazyPattern] = {}
    for info in pkgutil.iter_modules(okaeri.parsing.__path__, "okaeri.parsing."):
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            found.update((id(pattern), pattern) for pattern in lazy_patterns(value))
    return list(found.values())


def test_every_label_pattern_compiles() -> None:
    patterns = every_lazy_pattern()
    assert len(patterns) > 40
    assert all(isinstance(pattern.compiled, re.Pattern) for pattern in patterns)


def test_a_lazy_pattern_finds_what_the_compiled_one_finds() -> None:
    pattern = LazyPattern(r"^合計[ \t]*+(?P<v>\d+)$", re.MULTILINE)
    text = "小計 1\n合計 20\n合計 300"
    compiled = re.compile(pattern.pattern, pattern.flags)
    assert [m.group("v") for m in pattern.finditer(text)] == [m.group("v") for m in compiled.finditer(text)]
    later = pattern.search(text, 8)
    assert later is not None
    assert later.group("v") == "300"
    assert pattern.match(text) is None
    assert pattern.fullmatch("合計 5") is not None


def test_importing_the_parsers_compiles_no_label_pattern() -> None:
    script = (
        "import okaeri.parsing, sys\n"
        "sys.path.insert(0, '.')\n"
        "from tests.unit.parsing.test_lazy_pattern import every_lazy_pattern\n"
        "patterns = every_lazy_pattern()\n"
        "print(len(patterns), sum('compiled' in vars(p) for p in patterns))\n"
    )
    answer = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    total, compiled = map(int, answer.stdout.split())
    assert total > 40
    assert compiled == 0
