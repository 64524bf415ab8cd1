"""Least privilege, read from the synthesized template: who may do what, on which resources.

Each function's role holds exactly the statements its construct granted; these tests name what
each function needs (from what its code calls) and refuse anything more."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from typing import Any

import pytest

from infra.capabilities.admin import COGNITO_ACTIONS
from infra.capabilities.scheduling import SCHEDULE_ACTIONS
from infra.lambda_function import WILDCARD_REASONS
from infra.paths import ROOT
from infra.resources import SES_CONFIGURATION_SET
from tests.infra import cfn
from tests.infra.cfn import as_list
from tests.infra.conftest import SETTINGS, Synthesized

Statement = dict[str, Any]
#: function (by handler) → table → "r" or "rw": what each function's code reads and writes.
TABLE_ACCESS = {
    "ingest": {"orders": "rw", "customers": "rw", "logs": "rw", "config": "rw"},
    "schedule": {"config": "rw", "deliveries": "rw", "orders": "rw"},
    "winback": {"config": "rw", "deliveries": "rw", "orders": "r", "customers": "r"},
    # customers: rw for the frequency cap's reservations (okaeri/aws/frequency.py, issue #16)
    "send": {"config": "rw", "deliveries": "rw", "logs": "rw", "customers": "rw", "orders": "r"},
    "sweep": {"config": "rw", "deliveries": "rw", "logs": "rw", "customers": "rw", "orders": "r"},
    "events": {"config": "rw", "customers": "rw", "deliveries": "rw"},
    "admin": {"orders": "rw", "customers": "rw", "deliveries": "rw", "logs": "rw", "config": "rw"},
}
#: each function by its code folder and handler (``tests/infra/cfn.functions``) → its name here
HANDLERS = {
    "ingest:handler.handler": "ingest",
    "schedule:handler.handler": "schedule",
    "schedule:handler.winback_handler": "winback",
    "send:handler.handler": "send",
    "send:handler.sweep_handler": "sweep",
    "send:handler.events_handler": "events",
    "admin:handler.handler": "admin",
}
STREAM_ACTIONS = {"dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"}
WRITE_ACTIONS = {"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"}


def mentions(resource: Any, logical_id: str) -> bool:
    return f"'{logical_id}'" in repr(resource)


class Roles:
    """Statements by function name, and by role logical id, from the template."""

    def __init__(self, synthesized: Synthesized) -> None:
        self.resources: dict[str, dict[str, Any]] = synthesized.template["Resources"]
        self.by_role: dict[str, list[Statement]] = {}
        for resource in synthesized.resources("AWS::IAM::Policy").values():
            for role in resource["Properties"]["Roles"]:
                self.by_role.setdefault(role["Ref"], []).extend(
                    cfn.statements(resource["Properties"]["PolicyDocument"])
                )
        for logical_id, resource in synthesized.resources("AWS::IAM::Role").items():
            for policy in resource["Properties"].get("Policies", []):
                self.by_role.setdefault(logical_id, []).extend(cfn.statements(policy["PolicyDocument"]))
        self.function_role: dict[str, str] = {}
        self.function_id: dict[str, str] = {}
        for entry, function in cfn.functions(synthesized).items():
            name = HANDLERS[entry]
            self.function_role[name] = function.properties["Role"]["Fn::GetAtt"][0]
            self.function_id[name] = function.logical_id
        self.table_ids = cfn.table_ids(synthesized)

    def statements(self, function: str) -> list[Statement]:
        return self.by_role[self.function_role[function]]

    def role_of(self, name_part: str) -> str:
        (logical_id,) = [
            logical_id
            for logical_id, resource in self.resources.items()
            if resource["Type"] == "AWS::IAM::Role" and name_part in logical_id
        ]
        return logical_id

    def table_id(self, table: str) -> str:
        return self.table_ids[table]


@pytest.fixture(scope="module")
def roles(synthesized: Synthesized) -> Roles:
    return Roles(synthesized)


def actions_on(statements: list[Statement], prefix: str) -> Iterator[tuple[str, Statement]]:
    for statement in statements:
        for action in as_list(statement["Action"]):
            if action.startswith(prefix):
                yield action, statement


def test_every_function_is_known_and_has_its_own_role(roles: Roles) -> None:
    assert set(roles.function_role) == set(TABLE_ACCESS)
    assert len(set(roles.function_role.values())) == len(TABLE_ACCESS)


def test_no_statement_grants_a_wildcard_resource_without_a_written_reason(roles: Roles) -> None:
    for role, statements in roles.by_role.items():
        for statement in statements:
            if "*" in as_list(statement["Resource"]):
                unexplained = [a for a in as_list(statement["Action"]) if a not in WILDCARD_REASONS]
                assert not unexplained, f"{role}: {unexplained} on '*' without a reason in WILDCARD_REASONS"


def test_no_service_wide_action(roles: Roles) -> None:
    """No ``s3:*``, ``dynamodb:*``…: only the key-grant variants CDK writes end in a wildcard."""
    for role, statements in roles.by_role.items():
        for statement in statements:
            for action in as_list(statement["Action"]):
                if "*" in action:
                    assert action in {"kms:GenerateDataKey*", "kms:ReEncrypt*"}, (role, action)


def test_no_function_role_has_a_managed_policy(roles: Roles) -> None:
    for function, role in roles.function_role.items():
        assert "ManagedPolicyArns" not in roles.resources[role]["Properties"], function


@pytest.mark.parametrize("function", sorted(TABLE_ACCESS))
def test_each_function_reaches_only_its_tables(roles: Roles, function: str) -> None:
    statements = roles.statements(function)
    for table in ("orders", "customers", "deliveries", "logs", "config"):
        table_id = roles.table_id(table)
        actions = {
            action
            for action, statement in actions_on(statements, "dynamodb:")
            if any(mentions(resource, table_id) for resource in as_list(statement["Resource"]))
        }
        expected = TABLE_ACCESS[function].get(table)
        if expected is None:
            assert not actions, f"{function} may not touch {table}: {sorted(actions)}"
        elif expected == "stream":
            assert actions == STREAM_ACTIONS, f"{function} reads {table}'s stream only: {sorted(actions)}"
        elif expected == "r":
            assert actions, f"{function} reads {table}"
            assert not actions & WRITE_ACTIONS, f"{function} reads {table} only: {sorted(actions)}"
        else:
            assert WRITE_ACTIONS - {"dynamodb:BatchWriteItem"} <= actions, f"{function} writes {table}"


def test_only_send_sweep_and_admin_send_mail_and_only_from_the_identity_and_configuration_set(
    roles: Roles,
) -> None:
    domain, config_set = SETTINGS["sending_domain"], SES_CONFIGURATION_SET
    for function in TABLE_ACCESS:
        grants = list(actions_on(roles.statements(function), "ses:"))
        if function not in {"send", "sweep", "admin"}:
            assert not grants, f"{function} may not send mail"
            continue
        assert {action for action, _ in grants} == {"ses:SendEmail", "ses:SendRawEmail"}
        for _, statement in grants:
            resources = [repr(resource) for resource in as_list(statement["Resource"])]
            assert len(resources) == 2
            assert any(f":identity/{domain}'" in r for r in resources), resources
            assert any(f":configuration-set/{config_set}'" in r for r in resources), resources


def test_the_scheduler_role_invokes_only_send(roles: Roles) -> None:
    role = roles.role_of("SchedulingSchedulerRole")
    trust = roles.resources[role]["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert [s["Principal"]["Service"] for s in trust] == ["scheduler.amazonaws.com"]
    assert all("aws:SourceAccount" in s["Condition"]["StringEquals"] for s in trust)
    statements = roles.by_role[role]
    invokes = list(actions_on(statements, "lambda:"))
    assert {action for action, _ in invokes} == {"lambda:InvokeFunction"}
    for _, statement in invokes:
        for resource in as_list(statement["Resource"]):
            assert "function:okaeri-send" in repr(resource), resource
    others = {a for s in statements for a in as_list(s["Action"])} - {"lambda:InvokeFunction"}
    assert others <= {"sqs:SendMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl",
                      "kms:Decrypt", "kms:Encrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*"}  # fmt: skip


def test_the_sweeper_schedule_invokes_only_the_sweeper(roles: Roles) -> None:
    role = roles.role_of("SchedulingSweeperRole")
    for action, statement in actions_on(roles.by_role[role], "lambda:"):
        assert action == "lambda:InvokeFunction"
        assert all(mentions(r, roles.function_id["sweep"]) for r in as_list(statement["Resource"]))


def test_the_winback_schedule_invokes_only_the_winback_job(roles: Roles) -> None:
    role = roles.role_of("SchedulingWinbackScheduleRole")
    grants = list(actions_on(roles.by_role[role], "lambda:"))
    assert grants
    for action, statement in grants:
        assert action == "lambda:InvokeFunction"
        assert all(mentions(r, roles.function_id["winback"]) for r in as_list(statement["Resource"]))


def test_the_winback_job_only_queries_the_customers_last_order_index(roles: Roles) -> None:
    """Its buyers come from the ``by_last_order`` index (a Query), never the table (no Scan, no Get)."""
    customers = roles.table_id("customers")
    grants = [
        (action, statement)
        for action, statement in actions_on(roles.statements("winback"), "dynamodb:")
        if any(mentions(r, customers) for r in as_list(statement["Resource"]))
    ]
    assert {action for action, _ in grants} == {"dynamodb:Query"}
    for _, statement in grants:
        for resource in as_list(statement["Resource"]):
            assert "/index/by_last_order" in repr(resource), resource


def test_only_the_scheduler_role_may_be_passed_and_only_by_those_that_schedule(roles: Roles) -> None:
    scheduler_role = roles.role_of("SchedulingSchedulerRole")
    for function in TABLE_ACCESS:
        passes = list(actions_on(roles.statements(function), "iam:PassRole"))
        if function in {"schedule", "winback", "send", "sweep", "admin"}:
            assert passes, f"{function} makes wake-ups and must pass the scheduler role"
        else:
            assert not passes, function
        for _, statement in passes:
            assert [r for r in as_list(statement["Resource"]) if not mentions(r, scheduler_role)] == []


def test_schedules_are_managed_only_in_okaeris_group(roles: Roles) -> None:
    for function in TABLE_ACCESS:
        for action, statement in actions_on(roles.statements(function), "scheduler:"):
            assert action in SCHEDULE_ACTIONS
            assert all(":schedule/okaeri/*" in repr(r) for r in as_list(statement["Resource"]))


def test_cognito_calls_are_granted_to_admin_only_on_the_pool_and_match_the_adapter(roles: Roles) -> None:
    """COGNITO_ACTIONS is what okaeri/aws/users.py calls: no more, no less."""
    source = (ROOT / "layers/common/okaeri/aws/users.py").read_text()
    called = set()
    for node in ast.walk(ast.parse(source)):
        is_attribute = isinstance(node, ast.Attribute) and isinstance(node.value, ast.Attribute)
        if is_attribute and node.value.attr == "_client":  # type: ignore[attr-defined]
            called.add(node.attr)  # type: ignore[attr-defined]
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "get_paginator":
            called.add(node.args[0].value)  # type: ignore[attr-defined]
    called.discard("get_paginator")
    as_actions = {"cognito-idp:" + "".join(part.capitalize() for part in name.split("_")) for name in called}
    assert as_actions == set(COGNITO_ACTIONS)
    pool = next(i for i, r in roles.resources.items() if r["Type"] == "AWS::Cognito::UserPool")
    for function in TABLE_ACCESS:
        grants = list(actions_on(roles.statements(function), "cognito-idp:"))
        assert bool(grants) == (function == "admin"), function
        for _, statement in grants:
            assert [repr(r) for r in as_list(statement["Resource"])] == [repr({"Fn::GetAtt": [pool, "Arn"]})]


def test_secrets_are_read_only_where_needed_and_written_only_by_admin(roles: Roles) -> None:
    writes = {"secretsmanager:CreateSecret", "secretsmanager:PutSecretValue", "secretsmanager:DeleteSecret"}
    for function in TABLE_ACCESS:
        for action, statement in actions_on(roles.statements(function), "secretsmanager:"):
            resources = " ".join(repr(r) for r in as_list(statement["Resource"]))
            if action in writes:
                assert function == "admin", (function, action)
                assert re.search(r"secret:okaeri/(relay|shopify)/\*", resources), resources
            else:
                assert function in {"send", "sweep", "admin"}, (function, action)
                assert "secret:okaeri/" in resources or "SendingUnsubscribeSigningKey" in resources, resources


def test_raw_mail_is_read_only_by_ingest_and_admin_under_inbound(roles: Roles) -> None:
    for function in TABLE_ACCESS:
        grants = list(actions_on(roles.statements(function), "s3:"))
        if function not in {"ingest", "admin"}:
            assert not grants, function
            continue
        assert {action for action, _ in grants} == {"s3:GetObject"}
        for _, statement in grants:
            assert all("/inbound/*" in repr(r) for r in as_list(statement["Resource"]))
