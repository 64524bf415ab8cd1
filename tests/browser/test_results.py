"""The 成果 / results screen in a real browser, over the demo shop's 120 days of history.

The history (``okaeri_dev.history``) is made through the stack's own paths: orders imported and
mailed, repeat orders credited, a holdout group on one scenario and an A/B test on one step. The
screen must say what ``GET /results`` says: the funnel's numbers, each step's sends, conversions and
revenue, the lift in words with its interval drawn, the A/B table with its verdict; the CSV export
downloads the same figures. Desktop and 360 px screenshots for the docs.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from okaeri_dev.stack import LocalStack
from tests.browser.conftest import PHONE, STAFF_EMAIL, open_screen, page_dir, screenshot, sign_in
from tests.e2e.conftest import OWNER_PASSWORD, client_of, running_stack
from tests.e2e.local import LocalClient

DAYS = 120


@pytest.fixture(scope="module")
def stack() -> Iterator[LocalStack]:
    with running_stack(page_dir=page_dir(), history=True) as running:
        yield running


@pytest.fixture(scope="module")
def answer(stack: LocalStack) -> dict[str, Any]:
    local: LocalClient = client_of(stack)
    token = local.sign_in("owner@okaeri.local", OWNER_PASSWORD)
    reply = local.get(f"/api/shops/demo/results?days={DAYS}", token=token)
    assert reply.status == 200, reply
    body: dict[str, Any] = reply.json()
    return body


def number(value: int) -> str:
    return f"{value:,}"


def held_out_scenario(answer: dict[str, Any]) -> dict[str, Any]:
    return next(s for s in answer["scenarios"] if s["holdout_percent"] > 0)


def ab_step(answer: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    return next((s, step) for s in answer["scenarios"] for step in s["steps"] if step["variants"])


def test_the_history_gives_the_screen_something_to_say(answer: dict[str, Any]) -> None:
    """The demo history is what the screen is shown over: runs in both groups, repeats, credits."""
    held = held_out_scenario(answer)
    assert held["runs"]["mailed"] > 0
    assert held["runs"]["held_out"] > 0
    assert held["repeated"]["mailed"] > 0
    assert held["lift"] is not None
    assert held["lift_interval"] is not None
    assert sum(s["converted"] for s in answer["scenarios"]) > 0
    assert sum(s["revenue"] for s in answer["scenarios"]) > 0
    _, step = ab_step(answer)
    assert all(variant["sent"] > 0 for variant in step["variants"])


def test_the_results_screen_says_what_the_api_says(
    owner_page: Page, stack: LocalStack, answer: dict[str, Any]
) -> None:
    page = owner_page
    open_screen(page, stack, "results")
    page.get_by_label("集計期間").select_option(str(DAYS))
    held = held_out_scenario(answer)
    card = page.get_by_test_id(f"result-{held['scenario_id']}")
    expect(card).to_contain_text(held["name"])
    funnel = card.get_by_test_id("funnel")
    expect(funnel).to_contain_text(number(held["runs"]["mailed"]))
    expect(funnel).to_contain_text(number(held["runs"]["held_out"]))
    expect(funnel).to_contain_text(number(held["repeated"]["mailed"]))
    lift = card.get_by_test_id("lift")
    if held["conclusive"]:
        expect(lift).to_contain_text("効果あり" if held["lift"] > 0 else "逆効果")
    else:
        expect(lift).to_contain_text("まだ判断できません")
        if held["more_runs_needed"]:
            expect(lift).to_contain_text(f"あと約 {number(held['more_runs_needed'])} 件")
    expect(card.get_by_test_id("lift-range")).to_be_visible()
    for step in held["steps"]:
        row = card.get_by_test_id(f"step-{step['step_id']}")
        expect(row).to_contain_text(number(step["sent"]))
        expect(row).to_contain_text(number(step["converted"]))
    scenario, step = ab_step(answer)
    table = page.get_by_test_id(f"result-{scenario['scenario_id']}").get_by_test_id(f"ab-{step['step_id']}")
    for variant in step["variants"]:
        expect(table.get_by_test_id(f"variant-{variant['variant']}")).to_contain_text(number(variant["sent"]))
    verdict = {"winner": "勝者", "undecided": "まだ差がありません", "too_few": "件数が足りません"}
    expect(table.get_by_test_id("ab-verdict")).to_contain_text(verdict[step["ab"]["verdict"]])
    screenshot(page, "results")

    with page.expect_download() as download_info:
        page.get_by_role("button", name="CSV で書き出す").click()
    raw = download_info.value.path().read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    by_scenario = {row["scenario_id"]: row for row in rows if not row["step_id"]}
    assert int(by_scenario[held["scenario_id"]]["runs_mailed"]) == held["runs"]["mailed"]
    assert int(by_scenario[held["scenario_id"]]["repeated_mailed"]) == held["repeated"]["mailed"]


def test_the_results_screen_on_a_phone_for_staff(
    page: Page, stack: LocalStack, staff_password: str, answer: dict[str, Any]
) -> None:
    sign_in(page, stack, STAFF_EMAIL, staff_password)
    open_screen(page, stack, "results")
    page.set_viewport_size(PHONE)
    held = held_out_scenario(answer)
    expect(page.get_by_test_id(f"result-{held['scenario_id']}").get_by_test_id("funnel")).to_be_visible()
    expect(page.get_by_role("button", name="勝者に切り替える")).to_have_count(0)  # staff cannot promote
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways: {width} px"
    screenshot(page, "results-phone")
