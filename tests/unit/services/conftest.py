"""Service tests: the fault matrix is printed in the terminal summary, whatever ``-s`` says."""

from __future__ import annotations

import pytest

from tests.unit.services.support import MATRIX_KEY


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    matrix = config.stash.get(MATRIX_KEY, None)
    if matrix is not None:
        terminalreporter.write_sep("=", "okaeri fault matrix")
        terminalreporter.write_line(matrix)
