"""cdk-nag (AwsSolutions and Serverless, as CDK policy-validation plugins): zero findings without an
acknowledgement, and every acknowledgement with its reason."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.infra.conftest import Synthesized, cdk_context

ACKNOWLEDGED = "aws:cdk:acknowledged-rules"
RULE_ID = re.compile(r"^(AwsSolutions|Serverless)-[A-Za-z0-9]+(\[[^\]]+\])?$")


def acknowledgements(outdir: Path) -> list[tuple[str, str, str]]:
    """(construct path, rule id, reason) of every acknowledgement CDK recorded."""
    metadata: dict[str, list[dict[str, Any]]] = json.loads((outdir / "Okaeri.metadata.json").read_text())
    found = []
    for path, entries in metadata.items():
        for entry in entries:
            if entry["type"] == ACKNOWLEDGED:
                for rule, reason in entry["data"].items():
                    found.append((path, rule.removeprefix("Annotation::"), reason))
    return found


def test_the_synthesized_stack_has_no_finding_left(synthesized: Synthesized) -> None:
    """The synth fixture raises on any unacknowledged error; the report must hold no warning either."""
    report = json.loads((synthesized.outdir / "validation-report.json").read_text())
    assert report["pluginReports"] == []


def test_every_acknowledgement_names_a_rule_and_says_why(synthesized: Synthesized) -> None:
    found = acknowledgements(synthesized.outdir)
    assert len(found) > 20  # the stack acknowledges findings, and CDK recorded them
    for path, rule, reason in found:
        assert RULE_ID.match(rule), (path, rule)
        assert len(reason.split()) >= 6, f"{path} {rule}: the reason must say why, not just that"


def test_acknowledgements_stay_narrow(synthesized: Synthesized) -> None:
    """Nothing is acknowledged for the whole stack or a whole capability: only the construct that
    holds the finding (a role, a queue, a route…)."""
    for path, rule, _ in acknowledgements(synthesized.outdir):
        assert path.count("/") >= 3, f"{rule} acknowledged too broadly, at {path}"


def test_wildcard_acknowledgements_are_only_for_run_time_names(synthesized: Synthesized) -> None:
    """IAM5 (wildcards) is acknowledged only for: the key-grant action variants, X-Ray, a table's
    indexes, and things made at run time under a fixed prefix (schedules, secrets, mail objects,
    versions of one function: the sweeper's and the win-back job's)."""
    allowed = re.compile(
        r"^AwsSolutions-IAM5\[(Action::kms:(GenerateDataKey|ReEncrypt)\*"
        r"|Resource::\*"
        r"|Resource::<Storage\w+\.Arn>/index/\*"
        r"|Resource::arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/okaeri/\*"
        r"|Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:okaeri/(relay|shopify)/\*"
        r"|Resource::arn:<AWS::Partition>:s3:::okaeri-raw-mail-<AWS::AccountId>-<AWS::Region>/inbound/\*"
        r"|Resource::arn:<AWS::Partition>:lambda:<AWS::Region>:<AWS::AccountId>:function:okaeri-send:\*"
        r"|Resource::<(Sending|Scheduling)\w+\.Arn>:\*)\]$"
    )
    for path, rule, _ in acknowledgements(synthesized.outdir):
        if rule.startswith("AwsSolutions-IAM5"):
            assert allowed.match(rule), f"{path}: unexpected wildcard acknowledged: {rule}"


def test_nag_really_runs_on_the_app(tmp_path: Path) -> None:
    """A bucket without access logs added to the same app makes the synth fail: the packs are wired."""
    from aws_cdk import aws_s3 as s3

    from infra.app import STACK_NAME, build_app

    app = build_app(context=cdk_context(), outdir=tmp_path)
    stack = app.node.find_child(STACK_NAME)
    s3.Bucket(stack, "Unlogged", enforce_ssl=True)
    with pytest.raises(RuntimeError, match="AwsSolutions-S1"):
        app.synth()
