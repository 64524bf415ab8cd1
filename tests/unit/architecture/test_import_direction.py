"""Imports run one way: entry points → wiring → API and adapters → services → ports, models, domain.

Read from the source (each module's AST, lazy imports inside functions included), so a back-edge is
caught even where it is imported only when called. ``okaeri.wiring`` and the command line are the
only modules that know both the adapters and what they are wired into.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[3] / "layers" / "common" / "okaeri"

#: module prefix → what no module under it may import
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "okaeri": ("okaeri_dev", "functions", "infra", "tests"),
    "okaeri.aws": ("okaeri.services", "okaeri.api", "okaeri.wiring", "okaeri.cli"),
    "okaeri.api": ("okaeri.aws", "okaeri.wiring", "okaeri.cli"),
    "okaeri.services": ("okaeri.aws", "okaeri.api", "okaeri.wiring", "okaeri.cli"),
    "okaeri.models": ("okaeri.aws", "okaeri.api", "okaeri.services", "okaeri.wiring", "okaeri.cli"),
    "okaeri.ports": ("okaeri.aws", "okaeri.api", "okaeri.services", "okaeri.wiring", "okaeri.cli"),
}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(source: str, package: str) -> Iterator[str]:
    """Every module ``source`` (a module of ``package``) imports, at its top or inside a function."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                yield f"{base}.{node.module}" if node.module else base
            else:
                yield node.module or ""


def package_of(path: Path) -> str:
    name = module_name(path)
    return name if path.name == "__init__.py" else name.rpartition(".")[0]


def within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


MODULES = sorted(PACKAGE.rglob("*.py"))


def test_the_package_is_found() -> None:
    assert {"okaeri.wiring", "okaeri.aws.config", "okaeri.api.app"} <= {module_name(p) for p in MODULES}


@pytest.mark.parametrize("path", MODULES, ids=module_name)
def test_no_import_runs_back_up(path: Path) -> None:
    name = module_name(path)
    wrong = sorted(
        f"{target} (no {layer} module imports {forbidden})"
        for layer, forbidden_prefixes in FORBIDDEN.items()
        if within(name, layer)
        for target in imported(path.read_text(encoding="utf-8"), package_of(path))
        for forbidden in forbidden_prefixes
        if within(target, forbidden)
    )
    assert not wrong, f"{name} imports " + "; ".join(wrong)


def test_a_lazy_or_relative_back_edge_is_seen() -> None:
    source = "def build():\n    from okaeri.services.send import SendDeps\n    from ..api import deps\n"
    assert set(imported(source, "okaeri.aws")) == {"okaeri.services.send", "okaeri.api"}
