"""cfn-lint finds nothing in the synthesized template: no error, no warning, no informational match.

One informational rule is set aside, by name and with its reason: I1022 ("use Fn::Sub instead of
Fn::Join") matches wherever the CDK joins a token into a string (every ARN it builds, every grant's
``<bucket arn>/*``); the CDK renders all of them as ``Fn::Join`` and infra/ cannot choose otherwise.
Anything else cfn-lint reports fails the test, with the rule, the message and where it is.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.infra.conftest import SETTINGS, Synthesized

#: Rules set aside, each with why (see the module's docstring); nothing else may match.
CDK_RENDERING: dict[str, str] = {
    "I1022": "the CDK renders every token concatenation as Fn::Join; infra/ cannot make it Fn::Sub",
}


@pytest.fixture(scope="module")
def matches(synthesized: Synthesized) -> list[Any]:
    from cfnlint.api import ManualArgs, lint

    config = ManualArgs(regions=[SETTINGS["region"]], include_checks=["I"])  # I: informational too
    found: list[Any] = lint(json.dumps(synthesized.template), config=config)
    return found


def describe(match: Any) -> str:
    path = "/".join(str(part) for part in match.path) if getattr(match, "path", None) else ""
    return f"{match.rule.id} {match.message} (line {match.linenumber}) {path}"


def test_no_errors_warnings_or_informational_matches(matches: list[Any]) -> None:
    findings = [describe(m) for m in matches if m.rule.id not in CDK_RENDERING]
    assert not findings, "\n".join(findings)


def test_the_rules_set_aside_still_match_only_joins(matches: list[Any]) -> None:
    """Each set-aside match is a Fn::Join, so the exception cannot hide any other finding; when none
    matches anymore (the CDK changed), the exception goes."""
    set_aside = [m for m in matches if m.rule.id in CDK_RENDERING]
    assert set_aside, f"{sorted(CDK_RENDERING)} no longer match: remove them from CDK_RENDERING"
    for match in set_aside:
        assert "Fn::Join" in [str(part) for part in match.path], describe(match)
