"""The handlers (``functions/*/handler.py``) against the moto stack of ``tests/integration/pipeline``.

The ``stack`` fixture (and the relay it needs) come from the pipeline suite; the bad-mail corpus's
results are printed in the terminal summary (``tests.support.tables.stash_summary``).
"""

from __future__ import annotations

from tests.integration.pipeline.conftest import stack
from tests.support.smtp_relay import smtp_relay

__all__ = ["smtp_relay", "stack"]
