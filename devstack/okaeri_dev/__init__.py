"""The local stack (``python -m okaeri_dev`` / ``make dev``): all of Okaeri on one machine, offline.

Development infrastructure only: it is installed with the project but never ships in the Lambda
layer. It runs the very handlers of ``functions/`` against a moto server on loopback.

The handlers (``functions/``) and the shared resource definitions (``infra/``) are not installed
packages (they ship as Lambda code and as the CDK app), so the local stack runs them from the
checkout it lives in: the checkout's root is appended to ``sys.path`` here when it is missing.
"""

from __future__ import annotations

import sys
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parents[2]


def _checkout_on_path() -> None:
    if (CHECKOUT / "functions").is_dir() and (CHECKOUT / "infra").is_dir() and str(CHECKOUT) not in sys.path:
        sys.path.append(str(CHECKOUT))  # appended: it never shadows an installed package


_checkout_on_path()
