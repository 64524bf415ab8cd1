"""`make bench`: run every benchmark on one core, print the figures, write docs/benchmarks.md."""

from __future__ import annotations

import os
import platform
from datetime import UTC, datetime
from pathlib import Path

from bench import admin_api, domain, local_stack, pipeline

DOC = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"


def pin_to_one_core() -> str:
    if hasattr(os, "sched_setaffinity"):
        core = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {core})
        return f"pinned to CPU {core}"
    return "not pinned (no sched_setaffinity here)"


def print_table(table: pipeline.Table) -> None:
    cells = [table.header, *(tuple(cell.replace("**", "") for cell in row) for row in table.rows)]
    widths = [max(len(row[column]) for row in cells) for column in range(len(table.header))]
    print(f"\n{table.title}")
    for row in cells:
        padded = (
            cell.rjust(width) if side == "r" else cell.ljust(width)
            for cell, width, side in zip(row, widths, table.align, strict=True)
        )
        print("  ".join(padded).rstrip())


def markdown(table: pipeline.Table) -> list[str]:
    rule = ("---:" if side == "r" else "---" for side in table.align)
    return [
        f"### {table.title}",
        "",
        f"| {' | '.join(table.header)} |",
        f"| {' | '.join(rule)} |",
        *(f"| {' | '.join(row)} |" for row in table.rows),
        "",
    ]


def main() -> None:
    pinned = pin_to_one_core()
    rows = domain.run()
    width = max(len(name) for name, _, _ in rows)
    for name, value, target in rows:
        print(f"{name:<{width}}  {value:>10}  (target {target})")
    report = pipeline.run()
    for table in report.tables:
        print_table(table)
    print("", *report.findings, sep="\n")
    local_table, local_notes = local_stack.run()
    print_table(local_table)
    admin_table, admin_notes = admin_api.run()
    print_table(admin_table)
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`python -m bench`); figures are measured, never asserted in tests.",
        f"Last run: {stamp} on {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{pinned}.",
        "",
        "## Domain core (one core)",
        "",
        "| figure | measured | target |",
        "| --- | ---: | ---: |",
        *(f"| {name} | {value} | {target} |" for name, value, target in rows),
        "",
        "Import times are the median wall time of a fresh interpreter running the import, minus a bare",
        "interpreter's start-up (15 runs each). `import okaeri` loads nothing but the package marker; the",
        "second import is what a Lambda handler pays on a cold start; most of it is pydantic and Jinja2",
        "themselves (`python -X importtime` shows them). Models are built lazily (`defer_build`), so the",
        "cold-start row adds the first parse, plan and render to show where that cost lands.",
        "",
        "## Pipeline: AWS calls and cost per order",
        "",
        *(line for table in report.tables for line in markdown(table)),
        *report.findings,
        "",
        *report.method,
        *markdown(report.prices),
        "## Local stack (`make dev`)",
        "",
        *markdown(local_table),
        *local_notes,
        "",
        "## Admin API",
        "",
        *markdown(admin_table),
        *admin_notes,
    ]
    DOC.parent.mkdir(exist_ok=True)
    DOC.write_text("\n".join(lines), encoding="utf-8")
    print(f"written to {DOC.relative_to(Path.cwd()) if DOC.is_relative_to(Path.cwd()) else DOC}")


if __name__ == "__main__":
    main()
