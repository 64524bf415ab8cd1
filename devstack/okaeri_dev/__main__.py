"""``python -m okaeri_dev [--port …]``: the same as ``okaeri dev``."""

from __future__ import annotations

import sys

from okaeri.cli import main

if __name__ == "__main__":
    sys.exit(main(["dev", *sys.argv[1:]]))
