"""The handlers (``functions/*/handler.py``) against the moto stack of ``tests/integration/pipeline``.

The ``stack`` fixture (and the relay it needs) come from the pipeline suite; the tables the tests
stash under ``SUMMARY_KEY`` (the bad-mail corpus's results) are printed in the terminal summary,
whatever ``-s`` says.
"""

from __future__ import annotations

import pytest

from tests.integration.pipeline.conftest import stack, write_summary
from tests.support.smtp_relay import smtp_relay

__all__ = ["smtp_relay", "stack"]

SUMMARY_KEY = pytest.StashKey[dict[str, str]]()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    write_summary(terminalreporter, config, SUMMARY_KEY)
