"""Plain-text tables for the reports the tests print (the fault matrices, the ingest corpus).

A test stashes its report with ``stash_summary``; ``tests/conftest.py`` prints every stashed report
in the terminal summary, whatever ``-s`` says, and under pytest-xdist (``make test`` runs the suites
with ``-n``) brings each worker's reports back to the controller, which prints them.
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest

#: The reports of this process: title → table.
SUMMARIES = pytest.StashKey[dict[str, str]]()


def stash_summary(config: pytest.Config, title: str, table: str) -> None:
    """Print ``table`` under ``title`` in the terminal summary (a later table of that title replaces it)."""
    config.stash.setdefault(SUMMARIES, {})[title] = table


def format_table(head: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A plain-text table: a header, a rule, one line per row, columns padded."""
    lines = [tuple(head), *(tuple(row) for row in rows)]
    widths = [max(len(str(cell)) for cell in column) for column in zip(*lines, strict=True)]
    text = [
        " | ".join(str(cell).ljust(width) for cell, width in zip(line, widths, strict=True)) for line in lines
    ]
    text.insert(1, "-+-".join("-" * width for width in widths))
    return "\n".join(line.rstrip() for line in text)
