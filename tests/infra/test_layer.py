"""The common Lambda layer as ``make build`` leaves it in build/layer, and build_layer's own parts.

The layer is checked as Lambda will load it: arm64, CPython ``LAMBDA_PYTHON``, the dependency
closure of pyproject.toml complete under Lambda's markers, ``okaeri`` as in the source tree, and
nothing of the local stack.
"""

from __future__ import annotations

import csv
import importlib.metadata
import importlib.util
import json
import marshal
import sys
from pathlib import Path
from typing import Any

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from infra import build_layer
from infra.paths import LAMBDA_PYTHON, LAYER_DIR, ROOT, RUNTIME_LOCK

SITE = LAYER_DIR / "python"
SOURCE = ROOT / "layers" / "common" / "okaeri"
#: PEP 508 markers as Lambda's arm64 runtime evaluates them.
LAMBDA_MARKERS = {
    "python_version": LAMBDA_PYTHON,
    "python_full_version": f"{LAMBDA_PYTHON}.0",
    "implementation_name": "cpython",
    "platform_python_implementation": "CPython",
    "sys_platform": "linux",
    "platform_system": "Linux",
    "platform_machine": "aarch64",
    "os_name": "posix",
}
ELF_AARCH64 = 183  # e_machine of an ELF file built for arm64


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    path = LAYER_DIR / build_layer.MANIFEST
    if not path.is_file():
        pytest.skip(f"no layer at {LAYER_DIR.relative_to(ROOT)}: run `make build` (`make test` does)")
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


def source_files(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    }


def test_okaeri_in_the_layer_is_the_source_tree(manifest: dict[str, Any]) -> None:
    init = SITE / "okaeri" / "__init__.py"
    assert init.read_bytes() == (SOURCE / "__init__.py").read_bytes()
    assert (SITE / "okaeri" / "py.typed").is_file()
    assert source_files(SITE / "okaeri") == source_files(SOURCE), "stale layer: run `make build`"


def test_no_local_stack(manifest: dict[str, Any]) -> None:
    assert not list(LAYER_DIR.rglob("okaeri_dev*"))


#: The packages a cold start imports most of: each must ship its bytecode.
BIG_PACKAGES = ("okaeri", "boto3", "botocore", "s3transfer", "pydantic", "aws_lambda_powertools",
                "aws_xray_sdk", "jinja2", "yaml", "dateutil", "urllib3")  # fmt: skip
PYC_FLAGS_UNCHECKED_HASH = 0b01  # PEP 552: hash-based (bit 0), source not checked (bit 1 clear)


def pyc_of(source: Path) -> Path:
    return source.parent / "__pycache__" / f"{source.stem}.{build_layer.CACHE_TAG}.pyc"


def test_every_module_ships_unchecked_hash_bytecode_for_the_lambda_python(manifest: dict[str, Any]) -> None:
    """Each .py has its pyc beside it, for CPython LAMBDA_PYTHON (its magic number), unchecked-hash
    (Lambda's /opt is read-only: without them each cold start compiles everything again), and made
    from that very source (the hash in its header); no other bytecode."""
    assert (
        sys.implementation.cache_tag == build_layer.CACHE_TAG == f"cpython-{LAMBDA_PYTHON.replace('.', '')}"
    )
    sources = sorted(SITE.rglob("*.py"))
    for package in BIG_PACKAGES:
        assert [s for s in sources if s.relative_to(SITE).parts[0] == package], (
            f"{package} is not in the layer"
        )
    problems = []
    for source in sources:
        pyc = pyc_of(source)
        if not pyc.is_file():
            problems.append(f"{source.relative_to(SITE)}: no {pyc.name}")
            continue
        header = pyc.read_bytes()[:16]
        if header[:4] != importlib.util.MAGIC_NUMBER:
            problems.append(f"{pyc.relative_to(SITE)}: not CPython {LAMBDA_PYTHON}'s magic number")
        if int.from_bytes(header[4:8], "little") != PYC_FLAGS_UNCHECKED_HASH:
            problems.append(f"{pyc.relative_to(SITE)}: not unchecked-hash")
        if header[8:16] != importlib.util.source_hash(source.read_bytes()):
            problems.append(f"{pyc.relative_to(SITE)}: compiled from another source")
    assert not problems, problems[:20]
    assert {pyc_of(source) for source in sources} == set(SITE.rglob("*.pyc")), "bytecode without its source"
    assert manifest["bytecode"] == {"cache_tag": build_layer.CACHE_TAG, "invalidation": "unchecked-hash",
                                    "pycs": len(sources)}  # fmt: skip


def test_the_layer_with_its_bytecode_fits_what_lambda_allows(manifest: dict[str, Any]) -> None:
    size = manifest["size"]
    assert size["sources"] == build_layer.size_of(SITE)
    assert size["unzipped"] == build_layer.size_of(SITE, bytecode=True) == size["sources"] + size["bytecode"]
    assert 0 < size["bytecode"] < size["sources"]
    # Lambda's limit less the largest function, as it was at the build and as it is now
    assert build_layer.size_of(LAYER_DIR, bytecode=True) <= size["allowed"] <= build_layer.UNZIPPED_LIMIT
    assert size["unzipped"] <= build_layer.budget(ROOT / "functions")


def test_compiled_extensions_are_for_lambda_arm64(manifest: dict[str, Any]) -> None:
    tag = f"cpython-{LAMBDA_PYTHON.replace('.', '')}-aarch64-linux-gnu"
    assert [so.name for so in (SITE / "pydantic_core").glob(f"*{tag}.so")], f"pydantic_core has no {tag}"
    extensions = list(SITE.rglob("*.so"))
    for so in extensions:
        header = so.read_bytes()[:20]
        assert header[:4] == b"\x7fELF", so
        assert int.from_bytes(header[18:20], "little") == ELF_AARCH64, f"{so.name} is not arm64"
        assert "cpython-" not in so.name or tag in so.name, f"{so.name} is for another Python"


def test_manifest_matches_the_build(manifest: dict[str, Any]) -> None:
    assert manifest["python"] == LAMBDA_PYTHON
    assert manifest["implementation"] == "cp"
    assert manifest["platform"].endswith("_aarch64")
    assert manifest["requirements"] == build_layer.requirements(ROOT / "pyproject.toml")
    assert manifest["lock"] == "requirements/runtime.txt"
    assert manifest["distributions"] == build_layer.distributions(SITE)


def test_the_layer_holds_exactly_the_runtime_lock(manifest: dict[str, Any]) -> None:
    from tests.infra.test_locks import read_lock

    pins = read_lock(RUNTIME_LOCK)
    assert manifest["distributions"] == {name: pins[name].version for name in sorted(pins)}


def test_every_dependency_is_installed_in_a_version_pyproject_allows(manifest: dict[str, Any]) -> None:
    """pyproject's requirements, their extras and everything they need in turn, under Lambda's markers."""
    installed = {canonicalize_name(name): version for name, version in manifest["distributions"].items()}
    requires = {
        canonicalize_name(dist.metadata["Name"]): dist.requires or []
        for dist in importlib.metadata.distributions(path=[str(SITE)])
    }
    todo = [(Requirement(req), "") for req in build_layer.requirements(ROOT / "pyproject.toml")]
    seen: set[tuple[str, str]] = set()
    problems = []
    while todo:
        req, extra = todo.pop()
        if req.marker and not req.marker.evaluate({**LAMBDA_MARKERS, "extra": extra}):
            continue
        name = canonicalize_name(req.name)
        if name not in installed:
            problems.append(f"{req} is not installed")
        elif not req.specifier.contains(installed[name], prereleases=True):
            problems.append(f"{req} but {installed[name]} is installed")
        for wanted in {"", *req.extras} - {e for n, e in seen if n == name}:
            seen.add((name, wanted))
            todo += [(Requirement(dep), wanted) for dep in requires.get(name, [])]
    assert not problems
    assert {"pydantic", "pydantic-core", "aws-xray-sdk"} <= installed.keys()


def test_records_list_only_files_that_exist(manifest: dict[str, Any]) -> None:
    """Whatever the build prunes, pip's RECORD files stay true (scripts outside the target excepted)."""
    missing = [
        f"{record.parent.name}: {row[0]}"
        for record in SITE.glob("*.dist-info/RECORD")
        for row in csv.reader(record.read_text(encoding="utf-8").splitlines())
        if row and not row[0].startswith("..") and not (SITE / row[0]).is_file()
    ]
    assert not missing


# build_layer's own parts, on made-up folders


def test_requirements_are_the_project_dependencies(tmp_path: Path) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(
        '[project]\nname = "x"\ndependencies = ["pydantic>=2,<3", "aws-lambda-powertools[tracer]>=3"]\n'
        '[project.optional-dependencies]\ndev = ["pytest"]\n',
        encoding="utf-8",
    )
    assert build_layer.requirements(pyproject) == ["pydantic>=2,<3", "aws-lambda-powertools[tracer]>=3"]


def test_distributions_come_from_dist_info_with_normalized_names(tmp_path: Path) -> None:
    for name, version in [("PyYAML", "6.0.3"), ("typing_extensions", "4.16.0"), ("zope.interface", "7.1")]:
        info = tmp_path / f"{name}-{version}.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n\nText")
    (tmp_path / "yaml").mkdir()
    assert build_layer.distributions(tmp_path) == {
        "pyyaml": "6.0.3",
        "typing-extensions": "4.16.0",
        "zope-interface": "7.1",
    }


def test_the_budget_is_the_limit_less_the_largest_function(tmp_path: Path) -> None:
    for name, size in [("admin", 3000), ("send", 100)]:
        (tmp_path / name / "__pycache__").mkdir(parents=True)
        (tmp_path / name / "handler.py").write_bytes(b"x" * size)
        (tmp_path / name / "__pycache__" / "handler.cpython-313.pyc").write_bytes(b"x" * 10_000)
    (tmp_path / "__init__.py").write_bytes(b"x" * 50_000)
    assert build_layer.budget(tmp_path) == build_layer.UNZIPPED_LIMIT - 3000


def test_compiled_bytecode_is_the_same_whatever_folder_the_layer_is_built_in(tmp_path: Path) -> None:
    """Same input, same bytes: no time stamp, no build folder, no hash seed in the pycs."""
    source = 'WORDS = {"a", "b", "c", "d"}\n\ndef f(x):\n    return x in frozenset({"x", "y", "z"})\n'
    built = []
    for name in ("one", "two-elsewhere"):
        site = tmp_path / name / "python"
        (site / "pkg").mkdir(parents=True)
        (site / "pkg" / "__init__.py").write_text("")
        (site / "pkg" / "m.py").write_text(source)
        assert build_layer.compile_bytecode(site) == 2
        built.append({p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*.pyc"))})
    assert built[0] == built[1]
    assert sorted(built[0]) == [f"pkg/__pycache__/{m}.{build_layer.CACHE_TAG}.pyc" for m in ("__init__", "m")]
    code = marshal.loads(built[0][f"pkg/__pycache__/m.{build_layer.CACHE_TAG}.pyc"][16:])
    assert code.co_filename == f"{build_layer.MOUNT}/pkg/m.py"


def test_remove_bytecode_leaves_the_sources(tmp_path: Path) -> None:
    (tmp_path / "pkg" / "__pycache__").mkdir(parents=True)
    (tmp_path / "pkg" / "__pycache__" / "m.cpython-313.pyc").write_bytes(b"\0")
    (tmp_path / "pkg" / "m.py").write_text("x = 1\n")
    (tmp_path / "stray.pyc").write_bytes(b"\0")
    build_layer.remove_bytecode(tmp_path)
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == ["pkg", "pkg/m.py"]


def test_swap_in_replaces_the_old_layer_whole(tmp_path: Path) -> None:
    layer, staging = tmp_path / "layer", tmp_path / ".layer-new"
    (layer / "python" / "gone").mkdir(parents=True)
    (staging / "python").mkdir(parents=True)
    (staging / "python" / "new.py").write_text("")
    build_layer.swap_in(staging, layer)
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == [
        "layer",
        "layer/python",
        "layer/python/new.py",
    ]
