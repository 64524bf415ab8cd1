"""Build the common Lambda layer into ``LAYER_DIR`` (``make build``; no Docker, no CDK).

``python/`` gets the runtime dependencies named in pyproject.toml (the one list), as wheels for
arm64 and CPython ``LAMBDA_PYTHON``, and the ``okaeri`` package. The layer is built in a sibling
folder and moved into place when it is complete, so an interrupted build never leaves half a layer.
``okaeri-layer.json`` beside ``python/`` records what was installed.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from email.parser import HeaderParser
from pathlib import Path
from typing import Final

from infra.paths import FUNCTIONS_DIR, LAMBDA_PYTHON, LAYER_DIR, ROOT

PLATFORM: Final = "manylinux2014_aarch64"
SOURCE: Final = ROOT / "layers" / "common" / "okaeri"
MANIFEST: Final = "okaeri-layer.json"
#: Lambda's limit on a function's code and all its layers, unzipped (262,144,000 bytes).
UNZIPPED_LIMIT: Final = 250 * 1024 * 1024
#: Bytecode from imports here is for this machine's Python, not Lambda's: the layer ships sources.
BYTECODE: Final = ("__pycache__", "*.pyc")


def requirements(pyproject: Path) -> list[str]:
    """The runtime dependencies: ``[project].dependencies`` of pyproject.toml."""
    with pyproject.open("rb") as file:
        deps: list[str] = tomllib.load(file)["project"]["dependencies"]
    return deps


def install(reqs: list[str], target: Path) -> None:
    """pip-install ``reqs`` as Lambda's arm64 CPython would, binary wheels only."""
    subprocess.run(
        [
            sys.executable, "-m", "pip", "install", "--quiet", "--upgrade", "--no-compile",
            "--platform", PLATFORM, "--implementation", "cp", "--python-version", LAMBDA_PYTHON,
            "--only-binary=:all:", "--target", str(target), *reqs,
        ],
        check=True,
    )  # fmt: skip


def remove_bytecode(folder: Path) -> None:
    """Delete ``__pycache__`` folders and stray ``*.pyc`` (``--no-compile`` put none in a RECORD)."""
    for cache in list(folder.rglob("__pycache__")):
        shutil.rmtree(cache)
    for pyc in list(folder.rglob("*.pyc")):
        pyc.unlink()


def distributions(site: Path) -> dict[str, str]:
    """Name (normalized, PEP 503) → version of every distribution installed in ``site``."""
    found: dict[str, str] = {}
    for info in site.glob("*.dist-info"):
        meta = HeaderParser().parsestr((info / "METADATA").read_text(encoding="utf-8"))
        found[re.sub(r"[-_.]+", "-", meta["Name"]).lower()] = meta["Version"]
    return dict(sorted(found.items()))


def size_of(folder: Path) -> int:
    """Bytes in the files under ``folder``, bytecode left out (as the assets leave it out)."""
    return sum(
        path.stat().st_size
        for path in folder.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    )


def budget(functions_dir: Path) -> int:
    """What the layer may take: Lambda's limit less the largest function's code."""
    largest = max((size_of(fn) for fn in functions_dir.iterdir() if fn.is_dir()), default=0)
    return UNZIPPED_LIMIT - largest


def mib(size: int) -> str:
    return f"{size / 2**20:.1f} MiB"


def build(staging: Path) -> int:
    """Fill ``staging`` with the layer; returns its size in bytes."""
    site = staging / "python"
    reqs = requirements(ROOT / "pyproject.toml")
    install(reqs, site)
    shutil.copytree(SOURCE, site / "okaeri", ignore=shutil.ignore_patterns(*BYTECODE))
    remove_bytecode(site)
    manifest = {
        "python": LAMBDA_PYTHON,
        "implementation": "cp",
        "platform": PLATFORM,
        "requirements": reqs,
        "distributions": distributions(site),
    }
    (staging / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return size_of(staging)


def swap_in(staging: Path, layer: Path) -> None:
    """Put the finished ``staging`` in place of ``layer`` by two renames: never half a layer."""
    staging.chmod(0o755)  # mkdtemp made it 0700
    old = layer.with_name(f".{layer.name}-old")
    shutil.rmtree(old, ignore_errors=True)
    if layer.exists():
        layer.rename(old)
    staging.rename(layer)
    shutil.rmtree(old, ignore_errors=True)


def main() -> int:
    LAYER_DIR.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{LAYER_DIR.name}-", dir=LAYER_DIR.parent))
    name = LAYER_DIR.relative_to(ROOT)
    kept = f"{name} is left as it was"
    try:
        size, allowed = build(staging), budget(FUNCTIONS_DIR)
        print(f"{name}: {mib(size)} unzipped (may take {mib(allowed)}: 250 MiB less the largest function)")
        if size > allowed:
            print(f"{name}: {mib(size - allowed)} over what Lambda allows; {kept}", file=sys.stderr)
            return 1
        swap_in(staging, LAYER_DIR)
    except subprocess.CalledProcessError as exc:
        print(f"{name}: pip failed (exit {exc.returncode}); {kept}", file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
