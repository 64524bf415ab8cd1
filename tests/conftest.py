"""Shared test helpers: where the project's fixtures and the optional shared samples live."""

from __future__ import annotations

from pathlib import Path

import pytest

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
