"""`make bench`: run every benchmark on one core, print the figures, write docs/benchmarks.md.

Each module also runs alone and prints its tables: ``python -m bench.domain``, ``bench.pipeline``,
``bench.local_stack``, ``bench.admin_api``, ``bench.cold_start``.
"""

from __future__ import annotations

import os
import platform
from datetime import UTC, datetime
from pathlib import Path

from bench import admin_api, cold_start, domain, local_stack, pipeline
from bench.report import markdown, print_table

DOC = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"


def pin_to_one_core() -> str:
    if hasattr(os, "sched_setaffinity"):
        core = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {core})
        return f"pinned to CPU {core}"
    return "not pinned (no sched_setaffinity here)"


def main() -> None:
    pinned = pin_to_one_core()
    rows = domain.run()
    print_table(domain.table(rows))
    report = pipeline.run()
    pipeline.show(report)
    local_table, local_notes = local_stack.run()
    print_table(local_table)
    admin_table, admin_notes = admin_api.run()
    print_table(admin_table)
    cold_table, cold_notes = cold_start.section()
    print_table(cold_table)
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`python -m bench`); figures are measured, never asserted in tests.",
        f"Last run: {stamp} on {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{pinned}. A timing is the median of its samples with the smallest and largest in brackets.",
        "",
        "## Domain core (one core)",
        "",
        "| figure | measured: median (min–max) | target |",
        "| --- | ---: | ---: |",
        *(f"| {name} | {value} | {target} |" for name, value, target in rows),
        "",
        *domain.NOTES,
        "",
        *pipeline.document(report),
        "",
        "## Local stack (`make dev`)",
        "",
        *markdown(local_table),
        *local_notes,
        "",
        "## Admin API",
        "",
        *markdown(admin_table),
        *admin_notes,
        "",
        "## Cold start: each handler's import against a bare `import boto3`",
        "",
        *markdown(cold_table),
        *cold_notes,
    ]
    DOC.parent.mkdir(exist_ok=True)
    DOC.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"written to {DOC.relative_to(Path.cwd()) if DOC.is_relative_to(Path.cwd()) else DOC}")


if __name__ == "__main__":
    main()
