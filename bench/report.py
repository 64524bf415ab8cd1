"""Tables as the bench prints them and writes them into docs/benchmarks.md, and how timings are shown.

Every timing the bench reports is the median of its samples with their minimum and maximum
(``Spread``): never a best-of-N, which hides how noisy the run was.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Table:
    title: str
    header: tuple[str, ...]
    rows: Sequence[tuple[str, ...]]
    align: str  # one letter a column: l (text) or r (figures)


@dataclass(frozen=True)
class Spread:
    """The median of some samples, with the smallest and the largest."""

    median: float
    low: float
    high: float
    count: int

    @classmethod
    def of(cls, samples: Sequence[float]) -> Spread:
        if not samples:
            raise ValueError("no samples")
        return cls(statistics.median(samples), min(samples), max(samples), len(samples))

    def scaled(self, factor: float) -> Spread:
        return Spread(self.median * factor, self.low * factor, self.high * factor, self.count)

    def shifted(self, by: float) -> Spread:
        return Spread(self.median + by, self.low + by, self.high + by, self.count)

    def show(self, spec: str = ",.1f") -> str:
        """``12.3 (11.9–15.0)``: the median, then the range."""
        return f"{self.median:{spec}} ({self.low:{spec}}–{self.high:{spec}})"


def print_table(table: Table) -> None:
    cells = [table.header, *(tuple(cell.replace("**", "") for cell in row) for row in table.rows)]
    widths = [max(len(row[column]) for row in cells) for column in range(len(table.header))]
    print(f"\n{table.title}")
    for row in cells:
        padded = (
            cell.rjust(width) if side == "r" else cell.ljust(width)
            for cell, width, side in zip(row, widths, table.align, strict=True)
        )
        print("  ".join(padded).rstrip())


def markdown(table: Table) -> list[str]:
    rule = ("---:" if side == "r" else "---" for side in table.align)
    return [
        f"### {table.title}",
        "",
        f"| {' | '.join(table.header)} |",
        f"| {' | '.join(rule)} |",
        *(f"| {' | '.join(row)} |" for row in table.rows),
        "",
    ]
