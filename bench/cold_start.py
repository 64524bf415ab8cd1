"""Cold start of each Lambda handler against a bare ``import boto3``, measured in the same run.

``python -m bench.cold_start [--runs N] [--layer DIR]``: each run starts, for every target in turn
(a bare ``import boto3`` first, then each handler), a fresh ``python -I -S -B`` whose path is the
function's folder, the layer's ``python/`` (``build/layer-host``, ``make build``) and the standard
library, as Lambda puts ``/var/task`` and ``/opt/python`` in front of its runtime. The child times
its one import with ``perf_counter`` and prints it. ``-B`` because Lambda's ``/opt`` and
``/var/task`` are read-only: an interpreter there reads the bytecode the layer ships and writes none,
so a layer without bytecode compiles its sources on every cold start, and so does each run here.

The targets take turns within each run (the order rotates from run to run), so a slow moment of the
machine lands on all of them alike; each handler's ratio is its median over the median of
``import boto3`` in the same run. Each import is timed twice: the CPU time the child spent on it
(``process_time``: user and system, what the import costs; a busy machine hardly changes it) and the
wall time (what a caller waits, here inflated by whatever else the machine runs). The environment is a
Lambda's with tracing active, as every function is deployed (``infra/lambda_function.py``, ``infra/runtime.py``):
``LAMBDA_TASK_ROOT``, the X-Ray daemon's address, ``RUNTIME_ENVIRONMENT``.
Figures are printed, never asserted (tests/README.md: no test judges speed with a clock).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from bench.report import Spread, Table, print_table
from infra.paths import FUNCTIONS_DIR, HOST_LAYER_DIR, ROOT
from infra.runtime import RUNTIME_ENVIRONMENT

#: What a child runs: put the function's folder and the layer in front, time one import, print it.
CHILD: Final = """\
import sys, time, importlib
function_dir, layer_site, module = sys.argv[1:4]
sys.path[:0] = [path for path in (function_dir, layer_site) if path]
start, cpu = time.perf_counter(), time.process_time()
importlib.import_module(module)
print(time.perf_counter() - start, time.process_time() - cpu)
"""
BASELINE: Final = "import boto3"


HANDLERS: Final = ("ingest", "schedule", "send", "admin")


@dataclass(frozen=True)
class Target:
    name: str
    module: str
    function_dir: Path | None = None


def targets(functions_dir: Path) -> tuple[Target, ...]:
    """A bare ``import boto3``, then each function's ``handler`` module."""
    return (Target(BASELINE, "boto3"), *(Target(name, "handler", functions_dir / name) for name in HANDLERS))


def lambda_environment(target: Target) -> dict[str, str]:
    """What Lambda's runtime sets for a function with active tracing (no AWS call is made on import)."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "TZ": ":UTC",
        "AWS_REGION": "ap-northeast-1",
        "AWS_DEFAULT_REGION": "ap-northeast-1",
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.13",
        "AWS_LAMBDA_FUNCTION_NAME": f"okaeri-{target.name.replace(' ', '-')}",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512",
        "LAMBDA_TASK_ROOT": str(target.function_dir or ROOT),
        "AWS_XRAY_DAEMON_ADDRESS": "169.254.79.129:2000",
        "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR",
        **RUNTIME_ENVIRONMENT,
    }


def import_seconds(target: Target, layer_site: Path) -> tuple[float, float]:
    """One fresh interpreter's CPU and wall time to import ``target.module`` (its start-up excluded)."""
    result = subprocess.run(
        [sys.executable, "-I", "-S", "-B", "-c", CHILD, str(target.function_dir or ""), str(layer_site),
         target.module],
        env=lambda_environment(target), capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    if result.returncode != 0:
        raise RuntimeError(f"{target.name}: exit {result.returncode}\n{result.stderr[-2000:]}")
    wall, cpu = result.stdout.strip().splitlines()[-1].split()
    return float(cpu), float(wall)


@dataclass(frozen=True)
class Figures:
    name: str
    cpu: tuple[float, ...]
    wall: tuple[float, ...]


def measure(runs: int, layer_site: Path, functions_dir: Path = FUNCTIONS_DIR) -> list[Figures]:
    """``runs`` rounds, each target once per round, the order rotated each round."""
    return measure_layers(runs, [layer_site], functions_dir)[0]


def measure_layers(
    runs: int, layer_sites: list[Path], functions_dir: Path = FUNCTIONS_DIR
) -> list[list[Figures]]:
    """As ``measure``, for several layers at once: their targets take turns in the same rounds, so
    the layers are compared on the same machine at the same moments."""
    every = [(site, target) for site in layer_sites for target in targets(functions_dir)]
    times: dict[tuple[Path, str], list[tuple[float, float]]] = {(s, t.name): [] for s, t in every}
    for run in range(runs):
        shift = run % len(every)
        for site, target in every[shift:] + every[:shift]:
            times[site, target.name].append(import_seconds(target, site))
    return [
        [
            Figures(
                t.name, tuple(c for c, _ in times[site, t.name]), tuple(w for _, w in times[site, t.name])
            )
            for t in targets(functions_dir)
        ]
        for site in layer_sites
    ]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f}"


def table(figures: list[Figures]) -> list[tuple[str, ...]]:
    """Rows: target; CPU median (min–max) ms and median ÷ that of ``import boto3``; the same of wall time."""
    base = next(f for f in figures if f.name == BASELINE)
    rows = []
    for f in figures:
        row: tuple[str, ...] = (f.name,)
        for times, baseline in ((f.cpu, base.cpu), (f.wall, base.wall)):
            spread = Spread.of(times).scaled(1000)
            row += (spread.show(",.0f"), f"{spread.median / (statistics.median(baseline) * 1000):.2f}×")
        rows.append(row)
    return rows


HEADER: Final = ("import", "CPU ms: median (min–max)", "÷ boto3", "wall ms: median (min–max)", "÷ boto3")
NOTES: Final = (
    "Each row is a fresh `python -I -S -B` per run whose path is the function's folder, the host layer",
    "(`build/layer-host`, with the bytecode `make build` compiles) and the standard library, as Lambda",
    "loads `/var/task` and `/opt/python`; tracing active as deployed. The targets take turns in each",
    "run, and each ratio is against `import boto3` measured in the same runs. CPU time is what the",
    "import costs; wall time also holds what else the machine ran. `python -m bench.cold_start` runs",
    "this section alone (`--layer` twice compares two builds).",
)


def section(runs: int = 15, layer: Path = HOST_LAYER_DIR) -> tuple[Table, list[str]]:
    """The cold-start table for ``make bench`` (a layer built by ``make build`` is needed)."""
    title = f"Cold start: {runs} fresh interpreters per import, interleaved"
    if not (layer / "python").is_dir():
        return Table(title, HEADER, [], "lrrrr"), [f"No layer at {layer / 'python'}: run `make build`."]
    return Table(title, HEADER, table(measure(runs, layer / "python")), "lrrrr"), list(NOTES)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.cold_start", description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=15, help="fresh interpreters per target (default 15)")
    parser.add_argument(
        "--layer",
        type=Path,
        action="append",
        help="a layer (default build/layer-host); given more than once, the layers are measured interleaved",
    )
    parser.add_argument(
        "--functions", type=Path, default=FUNCTIONS_DIR, help="the functions' folders (default functions/)"
    )
    args = parser.parse_args(argv)
    layers = args.layer or [HOST_LAYER_DIR]
    for layer in layers:
        if not (layer / "python").is_dir():
            print(f"no layer at {layer / 'python'}: run `make build`", file=sys.stderr)
            return 1
    measured = measure_layers(args.runs, [layer / "python" for layer in layers], args.functions)
    for layer, figures in zip(layers, measured, strict=True):
        print_table(
            Table(
                f"Cold start: {args.runs} runs per import, interleaved; layer {layer}",
                HEADER,
                table(figures),
                "lrrrr",
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
