"""Build the common Lambda layer into ``LAYER_DIR`` (``make build``; no Docker, no CDK).

``python/`` gets the runtime dependencies exactly as the runtime lock (requirements/runtime.txt,
made from pyproject.toml by ``make lock``) pins them, hash-checked, as wheels for arm64 and CPython
``LAMBDA_PYTHON``, and the ``okaeri`` package. ``--host`` builds the same layer for this machine's
platform into ``HOST_LAYER_DIR``, for the test that loads it as Lambda does. Every ``.py`` is then
compiled by this Python (which must be ``LAMBDA_PYTHON``) into ``__pycache__/*.cpython-313.pyc`` with
unchecked-hash invalidation: Lambda's ``/opt`` is read-only, so without them each cold start compiles
boto3, botocore, pydantic, Powertools and okaeri again; unchecked because nothing in a layer changes
after it is built (no ``stat`` of the source, no hashing it at import). Pure-Python bytecode is the
same on every platform, so the arm64 layer is compiled here too. The compiler runs with a fixed hash
seed and the ``/opt/python`` path Lambda mounts the layer at, so the same input gives the same bytes.
The layer is built in a sibling folder and moved into place when it is complete, so an interrupted
build never leaves half a layer. ``okaeri-layer.json`` beside ``python/`` records what was installed,
the bytecode and the layer's size against what Lambda allows.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import tomllib
from email.parser import HeaderParser
from pathlib import Path
from typing import Final

from infra.paths import FUNCTIONS_DIR, HOST_LAYER_DIR, LAMBDA_PYTHON, LAYER_DIR, ROOT, RUNTIME_LOCK

#: Lambda's arm64 platform; ``None`` is this machine's own (the ``--host`` build).
PLATFORM: Final = "manylinux2014_aarch64"
SOURCE: Final = ROOT / "layers" / "common" / "okaeri"
MANIFEST: Final = "okaeri-layer.json"
#: Lambda's limit on a function's code and all its layers, unzipped (262,144,000 bytes).
UNZIPPED_LIMIT: Final = 250 * 1024 * 1024
#: Bytecode from imports here is left out; the layer's own is compiled by ``compile_bytecode``.
BYTECODE: Final = ("__pycache__", "*.pyc")
#: Where Lambda mounts the layer's ``python/``: the file name compiled into each code object (an
#: import sets it to the file's real place), the same whatever folder the layer is built in.
MOUNT: Final = "/opt/python"
#: The bytecode's flavour: what CPython ``LAMBDA_PYTHON`` looks for, and how it trusts it.
CACHE_TAG: Final = f"cpython-{LAMBDA_PYTHON.replace('.', '')}"
INVALIDATION: Final = "unchecked-hash"


def requirements(pyproject: Path) -> list[str]:
    """The runtime dependencies: ``[project].dependencies`` of pyproject.toml."""
    with pyproject.open("rb") as file:
        deps: list[str] = tomllib.load(file)["project"]["dependencies"]
    return deps


def install(lock: Path, target: Path, platform: str | None) -> None:
    """pip-install exactly what ``lock`` pins (hash-checked, no resolution), binary wheels only:
    as Lambda's arm64 CPython ``LAMBDA_PYTHON`` would for ``platform``, as this machine's when None."""
    for_platform = [] if platform is None else [
        "--platform", platform, "--implementation", "cp", "--python-version", LAMBDA_PYTHON,
    ]  # fmt: skip
    subprocess.run(
        [
            sys.executable, "-m", "pip", "install", "--quiet", "--no-compile", "--no-deps",
            "--require-hashes", *for_platform, "--only-binary=:all:", "--target", str(target),
            "--requirement", str(lock),
        ],
        check=True,
    )  # fmt: skip


def remove_bytecode(folder: Path) -> None:
    """Delete ``__pycache__`` folders and stray ``*.pyc`` (``--no-compile`` put none in a RECORD)."""
    for cache in list(folder.rglob("__pycache__")):
        shutil.rmtree(cache)
    for pyc in list(folder.rglob("*.pyc")):
        pyc.unlink()


def compile_bytecode(site: Path) -> int:
    """Compile every ``.py`` under ``site`` into unchecked-hash ``__pycache__/*.cpython-313.pyc``;
    returns how many pycs there are. The compiler is this Python in a child process with
    ``PYTHONHASHSEED=0`` (a set or frozenset constant is marshalled in hash order), one worker per
    core (each file is compiled on its own, so the order of the work changes no byte)."""
    if sys.implementation.cache_tag != CACHE_TAG:
        raise RuntimeError(f"the layer's bytecode is for {CACHE_TAG}, and this Python is {sys.version}")
    subprocess.run(
        [sys.executable, "-I", "-m", "compileall", "-q", "-j", "0", "--invalidation-mode", INVALIDATION,
         "-d", MOUNT, str(site)],
        env={"PYTHONHASHSEED": "0", "PATH": "/usr/bin:/bin"}, check=True,
    )  # fmt: skip
    return sum(1 for _ in site.rglob(f"__pycache__/*.{CACHE_TAG}.pyc"))


def distributions(site: Path) -> dict[str, str]:
    """Name (normalized, PEP 503) → version of every distribution installed in ``site``."""
    found: dict[str, str] = {}
    for info in site.glob("*.dist-info"):
        meta = HeaderParser().parsestr((info / "METADATA").read_text(encoding="utf-8"))
        found[re.sub(r"[-_.]+", "-", meta["Name"]).lower()] = meta["Version"]
    return dict(sorted(found.items()))


def size_of(folder: Path, *, bytecode: bool = False) -> int:
    """Bytes in the files under ``folder``; bytecode left out unless ``bytecode`` (a function's asset
    leaves it out, the layer ships its own)."""
    return sum(
        path.stat().st_size
        for path in folder.rglob("*")
        if path.is_file() and (bytecode or ("__pycache__" not in path.parts and path.suffix != ".pyc"))
    )


def budget(functions_dir: Path) -> int:
    """What the layer may take: Lambda's limit less the largest function's code."""
    largest = max((size_of(fn) for fn in functions_dir.iterdir() if fn.is_dir()), default=0)
    return UNZIPPED_LIMIT - largest


def mib(size: int) -> str:
    return f"{size / 2**20:.1f} MiB"


def build(staging: Path, platform: str | None, allowed: int) -> int:
    """Fill ``staging`` with the layer for ``platform`` (None: this machine's); returns its size."""
    site = staging / "python"
    install(RUNTIME_LOCK, site, platform)
    shutil.copytree(SOURCE, site / "okaeri", ignore=shutil.ignore_patterns(*BYTECODE))
    remove_bytecode(site)
    pycs = compile_bytecode(site)
    sources, total = size_of(site), size_of(site, bytecode=True)
    manifest = {
        "python": LAMBDA_PYTHON,
        "implementation": "cp",
        "platform": platform or f"host:{sysconfig.get_platform()}",
        "lock": RUNTIME_LOCK.relative_to(ROOT).as_posix(),
        "requirements": requirements(ROOT / "pyproject.toml"),
        "distributions": distributions(site),
        "bytecode": {"cache_tag": CACHE_TAG, "invalidation": INVALIDATION, "pycs": pycs},
        "size": {"sources": sources, "bytecode": total - sources, "unzipped": total, "allowed": allowed},
    }
    (staging / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return size_of(staging, bytecode=True)


def swap_in(staging: Path, layer: Path) -> None:
    """Put the finished ``staging`` in place of ``layer`` by two renames: never half a layer."""
    staging.chmod(0o755)  # mkdtemp made it 0700
    old = layer.with_name(f".{layer.name}-old")
    shutil.rmtree(old, ignore_errors=True)
    if layer.exists():
        layer.rename(old)
    staging.rename(layer)
    shutil.rmtree(old, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.build_layer", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--host", action="store_true", help=f"for this machine, into {HOST_LAYER_DIR.relative_to(ROOT)}"
    )
    host = parser.parse_args(argv).host
    layer, platform = (HOST_LAYER_DIR, None) if host else (LAYER_DIR, PLATFORM)
    layer.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{layer.name}-", dir=layer.parent))
    name = layer.relative_to(ROOT)
    kept = f"{name} is left as it was"
    try:
        allowed = budget(FUNCTIONS_DIR)
        size = build(staging, platform, allowed)
        print(f"{name}: {mib(size)} unzipped (may take {mib(allowed)}: 250 MiB less the largest function)")
        if size > allowed:
            print(f"{name}: {mib(size - allowed)} over what Lambda allows; {kept}", file=sys.stderr)
            return 1
        swap_in(staging, layer)
    except subprocess.CalledProcessError as exc:
        what = "compileall" if "compileall" in exc.cmd else "pip"
        print(f"{name}: {what} failed (exit {exc.returncode}); {kept}", file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
