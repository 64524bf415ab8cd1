"""Where the CDK app finds what it deploys (all built by ``make build``)."""

from __future__ import annotations

from pathlib import Path
from typing import Final

ROOT: Final = Path(__file__).resolve().parent.parent
#: The Lambda runtime the functions and the layer are built for, and the Python everything runs on
#: here (the Makefile reads it from this line). 3.13 has the same support dates on Lambda as 3.14
#: (deprecation 2029-06-30), and a CPython 3.13 can be had on the machines we build on.
LAMBDA_PYTHON: Final = "3.13"
#: The common layer's asset: ``python/`` holds the runtime dependencies (for arm64, Python
#: ``LAMBDA_PYTHON``) and the ``okaeri`` package. Built by ``make build`` (``infra/build_layer.py``).
LAYER_DIR: Final = ROOT / "build" / "layer"
#: The same layer for this machine's platform (``make build``), which a test loads as Lambda does.
HOST_LAYER_DIR: Final = ROOT / "build" / "layer-host"
#: The runtime lock: the layer's dependencies, exact versions with hashes (``make lock``).
RUNTIME_LOCK: Final = ROOT / "requirements" / "runtime.txt"
#: Each function's asset is its folder: ``functions/<name>/handler.py``.
FUNCTIONS_DIR: Final = ROOT / "functions"
#: The admin page, built from ``web/`` by ``make web`` into the admin function's folder.
PAGE_DIR: Final = FUNCTIONS_DIR / "admin" / "static"
