"""Planning cases as data: the project's own (tests/fixtures/plan) and the shared ones (../shared)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from okaeri.models import Order, PlanResult, Scenario, Shop
from okaeri.planner import plan_order
from tests.conftest import FIXTURES, SHARED_FIXTURES, shared_fixtures_or_skip

OWN_CASES = sorted((FIXTURES / "plan").glob("*.json"))
# collected when ../shared exists; test_shared_cases_are_there skips (or fails) otherwise
SHARED_CASES = sorted((SHARED_FIXTURES / "plan").glob("*.json"))


def planned(case: dict[str, Any]) -> dict[str, Any]:
    """What ``okaeri plan`` prints for a case: the first plan, or ``scenario: null``."""
    results = plan_order(
        Shop.model_validate(case["shop"]),
        [Scenario.model_validate(scenario) for scenario in case["scenarios"]],
        Order.model_validate(case["order"]),
        now=datetime.fromisoformat(case["now"]),
        order_count=case.get("order_count", 1),
    )
    first = results[0] if results else PlanResult(scenario=None)
    dumped = first.model_dump(mode="json")
    return {key: dumped[key] for key in ("scenario", "ship_date", "deliveries", "skipped")}


def check(path: Path) -> None:
    case = json.loads(path.read_text(encoding="utf-8"))
    assert planned(case) == case["expected"], case.get("about", path.name)


def test_the_project_has_its_own_cases() -> None:
    assert len(OWN_CASES) >= 15


@pytest.mark.parametrize("path", OWN_CASES, ids=[path.stem for path in OWN_CASES])
def test_own_case(path: Path) -> None:
    check(path)


@pytest.mark.shared
def test_shared_cases_are_there() -> None:
    assert len(sorted((shared_fixtures_or_skip() / "plan").glob("*.json"))) >= 5


@pytest.mark.shared
@pytest.mark.parametrize("path", SHARED_CASES, ids=[path.stem for path in SHARED_CASES])
def test_shared_case(path: Path) -> None:
    check(path)
