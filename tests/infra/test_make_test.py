"""``make test`` runs every test: its two pytest stages (the in-process suites on every core, then
the suites that start local stacks) name folders of ``tests/``, and a test file outside all of them
would silently never run in CI."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from infra.paths import ROOT

MAKEFILE = ROOT / "Makefile"
TESTS = ROOT / "tests"
#: two workers, each taking whole files, as make test runs them
XDIST = ("-n", "2", "--dist", "loadfile", "-q")


def suites(variable: str) -> list[Path]:
    found = re.search(rf"^{variable}\s*:=(.*)$", MAKEFILE.read_text(encoding="utf-8"), re.MULTILINE)
    assert found, f"the Makefile has no {variable}"
    return [ROOT / name for name in found[1].split()]


def test_every_test_file_is_in_exactly_one_stage_of_make_test() -> None:
    stages = suites("IN_PROCESS_SUITES") + suites("STACK_SUITES")
    assert all(stage.is_dir() for stage in stages), stages
    files = sorted({*TESTS.rglob("test_*.py"), *TESTS.rglob("*_test.py")})  # pytest's python_files
    assert len(files) > 100  # the walk found the suites
    outside = [f.relative_to(ROOT) for f in files if not any(f.is_relative_to(s) for s in stages)]
    twice = [f.relative_to(ROOT) for f in files if sum(f.is_relative_to(s) for s in stages) > 1]
    assert outside == []
    assert twice == []


def test_the_test_target_runs_both_stages() -> None:
    recipe = MAKEFILE.read_text(encoding="utf-8").split("\ntest:", 1)[1].split("\n\n", 1)[0]
    assert "$(PYTEST_PARALLEL) $(IN_PROCESS_SUITES)" in recipe
    assert "$(PYTEST_PARALLEL) $(STACK_SUITES)" in recipe


def test_the_reports_of_every_worker_are_printed_once(tmp_path: Path) -> None:
    """Two files on two pytest-xdist workers each stash a report; the controller prints both."""
    for name in ("alpha", "beta"):
        (tmp_path / f"test_{name}.py").write_text(
            "import os\n"
            "from tests.support.tables import stash_summary\n\n"
            f"def test_{name}(request):\n"
            f'    stash_summary(request.config, "report {name}", "{name} from " + os.environ["PYTEST_XDIST_WORKER"])\n',
            encoding="utf-8",
        )
    ran = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "xdist", "-p", "tests.conftest", *XDIST],
        cwd=tmp_path,
        # only xdist and our conftest: the installed plugins (schemathesis, …) take seconds to load
        env={
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
            "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
        },
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert ran.returncode == 0, ran.stdout + ran.stderr
    printed = ran.stdout.splitlines()
    reports = [
        (line.strip("= "), printed[number + 1]) for number, line in enumerate(printed) if " report " in line
    ]
    assert [title for title, _ in reports] == ["report alpha", "report beta"], ran.stdout
    assert {table.split(" from ")[0] for _, table in reports} == {"alpha", "beta"}
    assert {table.split(" from ")[1] for _, table in reports} <= {"gw0", "gw1"}
