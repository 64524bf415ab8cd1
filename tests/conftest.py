"""Shared test helpers: where the project's fixtures and the optional shared samples live."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import settings

# No test judges speed by the clock (tests/README.md): Hypothesis's per-example deadline would, and
# fails a property under a loaded machine. Every property test runs without one; bounds stay in the
# examples' own work.
settings.register_profile("okaeri", deadline=None)
settings.load_profile("okaeri")

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
SHARED_FIXTURES = ROOT.parent / "shared" / "fixtures"


@pytest.fixture
def fixtures_dir() -> Path:
    return FIXTURES


def shared_fixtures_or_skip() -> Path:
    """The ../shared samples exist in CI and on the founders' machines, never in a user's clone."""
    if not SHARED_FIXTURES.is_dir():
        pytest.skip("../shared/fixtures is not present (a user's clone): extra checks skipped")
    return SHARED_FIXTURES
