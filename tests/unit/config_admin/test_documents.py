"""Saving documents: the lint refusal names step and rule, ids must match, sizes are bounded."""

from __future__ import annotations

import pytest

from okaeri.compliance import lint_scenario
from okaeri.errors import ConfigError, TemplateError
from okaeri.models import Scenario, Shop, Template, load_document
from okaeri.services.config_admin import (
    MAX_DOCUMENT_BYTES,
    ScenarioRefused,
    TemplateRefused,
    check_document_size,
    check_same_id,
    finding_line,
    refuse_errors,
)
from tests.conftest import FIXTURES


@pytest.fixture
def shop() -> Shop:
    return load_document(Shop, FIXTURES / "config" / "shop.yaml")  # rakuten, max_window_days 45


@pytest.fixture
def scenario() -> Scenario:
    return load_document(Scenario, FIXTURES / "config" / "scenario-thanks-like-love.yaml")


def test_errors_refuse_the_save_naming_each_step_and_rule(shop: Shop, scenario: Scenario) -> None:
    late = scenario.model_copy(
        update={"steps": [scenario.steps[0], scenario.steps[1].model_copy(update={"offset_days": 35})]}
    )
    with pytest.raises(ScenarioRefused) as refused:
        refuse_errors(late.id, lint_scenario(shop, late))
    assert refused.value.code == "compliance_violation"
    assert refused.value.problems == [
        line for line in refused.value.problems if line.startswith("step like: rakuten.")
    ]
    assert any(line.startswith("step like: rakuten.max_30_days — ") for line in refused.value.problems)
    assert "rakuten.max_30_days" in refused.value.message_en
    assert "/" in refused.value.problems[0]  # Japanese / English


def test_warnings_pass_and_are_kept(shop: Shop, scenario: Scenario) -> None:
    delivered = scenario.model_copy(update={"trigger": "delivered"})
    noisy = shop.model_copy(update={"transit_days": {"default": 1, "沖縄県": 12}})
    findings = refuse_errors(delivered.id, lint_scenario(noisy, delivered))
    assert findings
    assert {finding.severity for finding in findings} == {"warning"}


def test_a_finding_without_a_step_names_the_scenario(shop: Shop, scenario: Scenario) -> None:
    [finding] = lint_scenario(shop.model_copy(update={"legal": None}), scenario)
    assert finding_line(finding).startswith("step love: legal_footer — ")
    no_step = finding.model_copy(update={"step": None})
    assert finding_line(no_step).startswith("scenario: legal_footer — ")


def test_the_body_id_must_be_the_path_id() -> None:
    check_same_id("thanks", "thanks")
    with pytest.raises(ConfigError) as refused:
        check_same_id("other", "thanks", field="name")
    assert refused.value.problems[0].startswith("name: ")
    assert "thanks" in refused.value.message_en


def test_a_document_too_large_to_store_is_refused() -> None:
    big = Template(id="big", subject="s", text="あ" * 60_000, html="い" * 60_000)
    with pytest.raises(ConfigError) as refused:
        check_document_size(big, what_ja="テンプレート", what_en="template")
    assert f"{MAX_DOCUMENT_BYTES:,}" in refused.value.message_en
    check_document_size(big.model_copy(update={"html": None}), what_ja="テンプレート", what_en="template")


def test_a_template_refusal_keeps_its_code_and_reason() -> None:
    error = TemplateError("件名（subject）: 未知のタグです", "subject: unknown tag", code="unknown_tag")
    refused = TemplateRefused(error)
    assert refused.code == "unknown_tag"
    assert refused.problems == ["unknown_tag: 件名（subject）: 未知のタグです / subject: unknown tag"]
