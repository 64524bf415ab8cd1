"""Shared test helpers: where the project's fixtures and the optional shared samples live."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from tests.support.tables import SUMMARIES, stash_summary

# No test judges speed by the clock (tests/README.md): Hypothesis's per-example deadline would, and
# fails a property under a loaded machine. Every property test runs without one; bounds stay in the
# examples' own work.
settings.register_profile("okaeri", deadline=None)
settings.load_profile("okaeri")

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
SHARED_FIXTURES = ROOT.parent / "shared" / "fixtures"


@pytest.fixture
def fixtures_dir() -> Path:
    return FIXTURES


def shared_fixtures_or_skip() -> Path:
    """The ../shared samples exist in CI and on the founders' machines, never in a user's clone."""
    if not SHARED_FIXTURES.is_dir():
        pytest.skip("../shared/fixtures is not present (a user's clone): extra checks skipped")
    return SHARED_FIXTURES


# --- the reports (fault matrices, the bad-mail corpus): printed once, also under pytest-xdist ---------

#: Where a pytest-xdist worker hands its reports to the controller.
WORKER_SUMMARIES = "okaeri_summaries"


def pytest_sessionfinish(session: pytest.Session) -> None:
    """In a pytest-xdist worker: send the reports its tests stashed back with the worker's output."""
    output: dict[str, object] | None = getattr(session.config, "workeroutput", None)
    if output is not None:
        output[WORKER_SUMMARIES] = dict(session.config.stash.get(SUMMARIES, {}))


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    """In the pytest-xdist controller: a worker is done (``node``, its ``WorkerController``); keep the
    reports it sent."""
    for title, table in getattr(node, "workeroutput", {}).get(WORKER_SUMMARIES, {}).items():
        stash_summary(node.config, title, table)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    """Every stashed report, by title, whatever ``-s`` says (workers print nothing of their own)."""
    for title, table in sorted(config.stash.get(SUMMARIES, {}).items()):
        terminalreporter.write_sep("=", title)
        terminalreporter.write_line(table)
