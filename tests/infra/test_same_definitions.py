"""The local stack and the CDK stack are built from the same definitions, and make the same things.

Two comparisons against the synthesized template: the plain-data definitions themselves
(``infra/tables.py``, ``infra/identity.py``: what the local stack sends to moto), and what the local
stack really creates: ``okaeri_dev.resources.create_resources`` run against moto in-process, then
described back (tables, TTL, the user pool, its client, groups and MFA, the functions' environment).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pytest

from infra.identity import (
    MFA_CONFIGURATION,
    MFA_METHODS,
    create_client_request,
    create_groups_requests,
    create_user_pool_request,
    set_mfa_config_request,
)
from infra.resources import SCHEDULE_GROUP, SES_CONFIGURATION_SET, UNSUBSCRIBE_SECRET
from infra.tables import TABLES, TableDef
from tests.infra.cfn import functions, only, only_id, ref, render, table_ids
from tests.infra.conftest import Synthesized

REGION = "ap-northeast-1"
#: Variables only one side sets: Lambda sets AWS_REGION itself; the local stack points Cognito at moto.
LAMBDA_SETS = {"AWS_REGION"}
LOCAL_ONLY = {"COGNITO_ENDPOINT"}


@dataclass(frozen=True)
class Local:
    """What the local stack made, as AWS describes it back."""

    tables: dict[str, Mapping[str, Any]]  # logical name → describe_table
    ttl: dict[str, Mapping[str, Any]]  # logical name → describe_time_to_live
    user_pool: Mapping[str, Any]
    mfa: Mapping[str, Any]
    client: Mapping[str, Any]
    groups: Sequence[Mapping[str, Any]]
    environment: dict[str, str]
    secret_names: list[str]
    schedule_groups: list[str]
    configuration_sets: list[str]


@pytest.fixture(scope="module")
def local() -> Local:
    """Described inside the mock, returned after it ends: no test runs with AWS mocked."""
    import boto3
    from moto import mock_aws

    from okaeri_dev.resources import create_resources

    with pytest.MonkeyPatch.context() as patch:
        for name, value in {
            "AWS_DEFAULT_REGION": REGION,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SESSION_TOKEN": "testing",
        }.items():
            patch.setenv(name, value)
        for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB"):
            patch.delenv(name, raising=False)
        with mock_aws():
            session = boto3.Session(region_name=REGION)
            made = create_resources(session, sending_domains=["mail.example.jp"])
            dynamodb = session.client("dynamodb")
            cognito = session.client("cognito-idp")
            return Local(
                tables={
                    logical: dynamodb.describe_table(TableName=name)["Table"]
                    for logical, name in made.tables.items()
                },
                ttl={
                    logical: dynamodb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
                    for logical, name in made.tables.items()
                },
                user_pool=cognito.describe_user_pool(UserPoolId=made.user_pool_id)["UserPool"],
                mfa=cognito.get_user_pool_mfa_config(UserPoolId=made.user_pool_id),
                client=cognito.describe_user_pool_client(
                    UserPoolId=made.user_pool_id, ClientId=made.user_pool_client_id
                )["UserPoolClient"],
                groups=cognito.list_groups(UserPoolId=made.user_pool_id)["Groups"],
                environment=made.environment(),
                secret_names=[
                    s["Name"] for s in session.client("secretsmanager").list_secrets()["SecretList"]
                ],
                schedule_groups=[
                    g["Name"] for g in session.client("scheduler").list_schedule_groups()["ScheduleGroups"]
                ],
                configuration_sets=session.client("sesv2").list_configuration_sets()["ConfigurationSets"],
            )


def cdk_table(synthesized: Synthesized, definition: TableDef) -> dict[str, Any]:
    properties: dict[str, Any] = synthesized.template["Resources"][
        table_ids(synthesized)[definition.logical_name]
    ]["Properties"]
    return properties


def attributes(definitions: list[dict[str, str]]) -> dict[str, str]:
    return {d["AttributeName"]: d["AttributeType"] for d in definitions}


def indexes(gsis: list[dict[str, Any]]) -> dict[str, tuple[Any, Any]]:
    return {g["IndexName"]: (g["KeySchema"], g["Projection"]) for g in gsis}


def cdk_pool(synthesized: Synthesized) -> dict[str, Any]:
    return only(synthesized.resources("AWS::Cognito::UserPool"), "user pool")["Properties"]  # type: ignore[no-any-return]


def cdk_client(synthesized: Synthesized) -> dict[str, Any]:
    return only(synthesized.resources("AWS::Cognito::UserPoolClient"), "client")["Properties"]  # type: ignore[no-any-return]


# --- tables --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("definition", TABLES, ids=lambda t: t.logical_name)
def test_the_table_request_is_the_synthesized_table(synthesized: Synthesized, definition: TableDef) -> None:
    request = definition.create_table_request(f"okaeri-{definition.logical_name}")
    table = cdk_table(synthesized, definition)
    assert table["KeySchema"] == request["KeySchema"]
    assert attributes(table["AttributeDefinitions"]) == attributes(request["AttributeDefinitions"])
    assert indexes(table.get("GlobalSecondaryIndexes", [])) == indexes(
        request.get("GlobalSecondaryIndexes", [])
    )
    assert table["BillingMode"] == request["BillingMode"]
    stream = request.get("StreamSpecification", {}).get("StreamViewType")
    assert table.get("StreamSpecification", {}).get("StreamViewType") == stream
    ttl = table.get("TimeToLiveSpecification", {})
    assert (ttl.get("AttributeName") if ttl.get("Enabled") else None) == definition.ttl_attribute


@pytest.mark.parametrize("definition", TABLES, ids=lambda t: t.logical_name)
def test_the_local_stack_makes_the_synthesized_table(
    synthesized: Synthesized, local: Local, definition: TableDef
) -> None:
    table = cdk_table(synthesized, definition)
    made = local.tables[definition.logical_name]
    assert made["KeySchema"] == table["KeySchema"]
    assert attributes(made["AttributeDefinitions"]) == attributes(table["AttributeDefinitions"])
    assert indexes(made.get("GlobalSecondaryIndexes", [])) == indexes(table.get("GlobalSecondaryIndexes", []))
    assert made["BillingModeSummary"]["BillingMode"] == table["BillingMode"]
    made_stream = made.get("StreamSpecification", {})
    expected_stream = table.get("StreamSpecification", {}).get("StreamViewType")
    assert (
        made_stream.get("StreamViewType") if made_stream.get("StreamEnabled") else None
    ) == expected_stream
    ttl = local.ttl[definition.logical_name]
    made_ttl = ttl.get("AttributeName") if ttl["TimeToLiveStatus"] == "ENABLED" else None
    cdk_ttl = table.get("TimeToLiveSpecification", {})
    assert made_ttl == (cdk_ttl.get("AttributeName") if cdk_ttl.get("Enabled") else None)


def test_the_local_stack_makes_every_table_and_no_other(synthesized: Synthesized, local: Local) -> None:
    assert set(local.tables) == set(table_ids(synthesized)) == {t.logical_name for t in TABLES}


# --- the operators' user pool ------------------------------------------------------------------------


def test_the_pool_request_is_the_synthesized_pool(synthesized: Synthesized) -> None:
    request = create_user_pool_request()
    pool = cdk_pool(synthesized)
    assert pool["UserPoolName"] == request["PoolName"]
    for name in (
        "UsernameAttributes",
        "AutoVerifiedAttributes",
        "Policies",
        "Schema",
        "AdminCreateUserConfig",
    ):
        assert pool[name] == request[name], name


def test_the_local_pool_is_the_synthesized_pool(synthesized: Synthesized, local: Local) -> None:
    pool = cdk_pool(synthesized)
    made = local.user_pool
    assert made["Name"] == pool["UserPoolName"]
    assert made["UsernameAttributes"] == pool["UsernameAttributes"]
    assert made["AutoVerifiedAttributes"] == pool["AutoVerifiedAttributes"]
    assert made["Policies"]["PasswordPolicy"] == pool["Policies"]["PasswordPolicy"]
    assert made["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    assert pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    custom = {a["Name"]: a for a in made["SchemaAttributes"] if a["Name"].startswith("custom:")}
    assert set(custom) == {f"custom:{a['Name']}" for a in pool["Schema"]}
    for attribute in pool["Schema"]:
        mine = custom[f"custom:{attribute['Name']}"]
        assert mine["AttributeDataType"] == attribute["AttributeDataType"]
        assert mine["Mutable"] == attribute["Mutable"]
        assert mine["StringAttributeConstraints"] == attribute["StringAttributeConstraints"]


def test_mfa_is_totp_only_and_required_in_both(synthesized: Synthesized, local: Local) -> None:
    pool = cdk_pool(synthesized)
    assert pool["MfaConfiguration"] == MFA_CONFIGURATION == "ON"
    assert pool["EnabledMfas"] == list(MFA_METHODS) == ["SOFTWARE_TOKEN_MFA"]
    request = set_mfa_config_request("pool")
    assert request["MfaConfiguration"] == pool["MfaConfiguration"]
    assert request["SoftwareTokenMfaConfiguration"] == {"Enabled": True}
    assert local.mfa["MfaConfiguration"] == pool["MfaConfiguration"]
    assert local.user_pool["MfaConfiguration"] == pool["MfaConfiguration"]
    assert local.mfa["SoftwareTokenMfaConfiguration"] == {"Enabled": True}
    assert "SmsMfaConfiguration" not in local.mfa or not local.mfa["SmsMfaConfiguration"]


CLIENT_FIELDS = (
    "ExplicitAuthFlows",
    "IdTokenValidity",
    "AccessTokenValidity",
    "RefreshTokenValidity",
    "TokenValidityUnits",
    "ReadAttributes",
    "WriteAttributes",
    "PreventUserExistenceErrors",
)


def test_the_client_request_is_the_synthesized_client(synthesized: Synthesized) -> None:
    request = create_client_request("pool")
    client = cdk_client(synthesized)
    pool = only_id(synthesized.resources("AWS::Cognito::UserPool"), "user pool")
    assert client["UserPoolId"] == ref(pool)
    assert client["ClientName"] == request["ClientName"]
    assert client["GenerateSecret"] is request["GenerateSecret"] is False  # the page cannot keep a secret
    for name in CLIENT_FIELDS:
        assert client[name] == request[name], name


def test_the_local_client_is_the_synthesized_client(synthesized: Synthesized, local: Local) -> None:
    client = cdk_client(synthesized)
    made = local.client
    assert made["ClientName"] == client["ClientName"]
    assert "ClientSecret" not in made
    for name in CLIENT_FIELDS:
        assert made[name] == client[name], name


def test_the_groups_are_the_same_everywhere(synthesized: Synthesized, local: Local) -> None:
    def key(group: Mapping[str, Any]) -> tuple[str, str, int]:
        return group["GroupName"], group["Description"], group["Precedence"]

    cdk = sorted(key(g["Properties"]) for g in synthesized.resources("AWS::Cognito::UserPoolGroup").values())
    assert cdk == sorted(key(g) for g in create_groups_requests("pool"))
    assert cdk == sorted(key(g) for g in local.groups)


# --- what the functions are told -----------------------------------------------------------------------


def test_the_local_functions_are_told_what_the_deployed_ones_are(
    synthesized: Synthesized, local: Local
) -> None:
    """The admin function reads every setting there is: the local stack's one environment must set
    the same variables, and the same values where the CDK's is a plain name."""
    admin = functions(synthesized)["admin:handler.handler"].environment
    wanted = set(local.environment) - LAMBDA_SETS - LOCAL_ONLY
    assert wanted <= set(admin), sorted(wanted - set(admin))
    for name in wanted:
        if isinstance(admin[name], str) and name != "RETENTION_DAYS":
            assert local.environment[name] == admin[name], name
    assert render(admin["SCHEDULE_GROUP"]) == SCHEDULE_GROUP
    assert render(admin["SES_CONFIGURATION_SET"]) == SES_CONFIGURATION_SET


def test_the_local_stack_names_things_as_the_cloud_does(synthesized: Synthesized, local: Local) -> None:
    secret = only(synthesized.resources("AWS::SecretsManager::Secret"), "secret")["Properties"]
    assert secret["Name"] == UNSUBSCRIBE_SECRET
    assert UNSUBSCRIBE_SECRET in local.secret_names
    group = only(synthesized.resources("AWS::Scheduler::ScheduleGroup"), "schedule group")["Properties"]
    assert group["Name"] in local.schedule_groups
    configuration_set = only(synthesized.resources("AWS::SES::ConfigurationSet"), "configuration set")
    assert configuration_set["Properties"]["Name"] in local.configuration_sets
