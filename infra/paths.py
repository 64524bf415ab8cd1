"""Where the CDK app finds what it deploys (all built by ``make build``)."""

from __future__ import annotations

from pathlib import Path
from typing import Final

ROOT: Final = Path(__file__).resolve().parent.parent
#: The Lambda runtime the functions and the layer are built for (the newest the CDK knows).
LAMBDA_PYTHON: Final = "3.14"
#: The common layer's asset: ``python/`` holds the runtime dependencies (for arm64, Python
#: ``LAMBDA_PYTHON``) and the ``okaeri`` package. Built by ``make build`` (``infra/build_layer.py``).
LAYER_DIR: Final = ROOT / "build" / "layer"
#: Each function's asset is its folder: ``functions/<name>/handler.py``.
FUNCTIONS_DIR: Final = ROOT / "functions"
#: The admin page, built from ``web/`` by ``make web`` into the admin function's folder.
PAGE_DIR: Final = FUNCTIONS_DIR / "admin" / "static"
