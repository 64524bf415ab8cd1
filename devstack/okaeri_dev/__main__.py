"""``python -m okaeri_dev [--port …]``: the local stack (``okaeri_dev.cli``)."""

from __future__ import annotations

import sys

from okaeri_dev.cli import main

if __name__ == "__main__":
    sys.exit(main(prog="python -m okaeri_dev"))
