"""What the synthesized stack means: each test states one intent of infra/ and reads the template for it.

Resources are found by what refers to them (``tests/infra/cfn.py``), never by logical id or by counting.
The settings that shape the stack are checked on two synths, conftest's and a second one whose values
all differ (``OTHER``), so a value that stopped following its setting cannot pass by coincidence.
"""

from __future__ import annotations

import fnmatch
import json
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import pytest

from infra.capabilities.scheduling import STREAM_PARALLELIZATION_FACTOR
from infra.capabilities.sending import SEND_MAX_EVENT_AGE, SEND_RETRY_ATTEMPTS
from infra.identity import MFA_METHODS, PASSWORD_POLICY, ROLE_GROUPS
from infra.paths import LAMBDA_PYTHON
from infra.resources import (
    GATEWAY_ROUTES,
    RECEIPT_RULE_SET,
    SCHEDULE_GROUP,
    SEND_FUNCTION,
    SES_CONFIGURATION_SET,
    SWEEPER_RATE_MINUTES,
    UNSUBSCRIBE_SECRET,
    WINBACK_RATE_MINUTES,
    cognito_issuer,
    inbound_prefix,
    inbound_recipient,
)
from infra.settings import TYPICAL_SEND_MS, DeploymentSettings, load_settings
from infra.tables import ORDERS, TABLES
from okaeri.observability import NAMESPACE
from okaeri.services.ingest import INBOUND_PREFIX
from okaeri.settings import (
    AdminSettings,
    IngestSettings,
    ScheduleSettings,
    SendSettings,
    TablesMixin,
    settings_from,
)
from tests.infra.cfn import (
    Function,
    arn_of,
    as_list,
    asset_folders,
    functions,
    key_id,
    only,
    only_id,
    ref,
    render,
    statements,
    table_ids,
)
from tests.infra.conftest import SETTINGS, Synthesized, cdk_context

#: Every value that shapes the stack differs from conftest's SETTINGS.
OTHER: dict[str, Any] = {
    **SETTINGS,
    "shops": [{"id": "solo"}],
    "send_rate": 3,
    "raw_mail_retention_days": 30,
    "log_retention_days": 30,
    "alarm_email": "",
    "api_throttle": {"rate": 7, "burst": 9},
}
#: The settings model each entry point validates its environment with (okaeri.wiring).
SETTINGS_MODELS: dict[str, type[TablesMixin]] = {
    "ingest:handler.handler": IngestSettings,
    "schedule:handler.handler": ScheduleSettings,
    "schedule:handler.winback_handler": ScheduleSettings,
    "send:handler.handler": SendSettings,
    "send:handler.sweep_handler": SendSettings,
    "send:handler.events_handler": SendSettings,
    "admin:handler.handler": AdminSettings,
}
SES_EVENT_TYPES = {"delivery", "bounce", "complaint", "reject"}
BOUNCE_RATE_WARNING = 0.05
COMPLAINT_RATE_WARNING = 0.001


@dataclass(frozen=True)
class Deployment:
    settings: DeploymentSettings
    synthesized: Synthesized

    @property
    def resources(self) -> dict[str, dict[str, Any]]:
        resources: dict[str, dict[str, Any]] = self.synthesized.template["Resources"]
        return resources

    def of_type(self, kind: str) -> dict[str, dict[str, Any]]:
        return self.synthesized.resources(kind)

    def properties(self, logical_id: str) -> dict[str, Any]:
        properties: dict[str, Any] = self.resources[logical_id]["Properties"]
        return properties

    @cached_property
    def functions(self) -> dict[str, Function]:
        return functions(self.synthesized)

    @cached_property
    def key(self) -> str:
        return key_id(self.synthesized)

    @cached_property
    def raw_mail_bucket(self) -> str:
        """The bucket the receipt rules store mail in."""
        buckets = {
            action["S3Action"]["BucketName"]["Ref"]
            for rule in self.of_type("AWS::SES::ReceiptRule").values()
            for action in rule["Properties"]["Rule"]["Actions"]
            if "S3Action" in action
        }
        return only_id(dict.fromkeys(buckets), "bucket the receipt rules write to")

    def bucket_policy(self, bucket: str) -> list[dict[str, Any]]:
        policy = only(
            [
                p
                for p in self.of_type("AWS::S3::BucketPolicy").values()
                if p["Properties"]["Bucket"] == ref(bucket)
            ],
            f"policy of {bucket}",
        )
        return statements(policy["Properties"]["PolicyDocument"])

    def topic_policy(self, topic: str) -> list[dict[str, Any]]:
        policy = only(
            [
                p
                for p in self.of_type("AWS::SNS::TopicPolicy").values()
                if ref(topic) in p["Properties"]["Topics"]
            ],
            f"policy of {topic}",
        )
        return statements(policy["Properties"]["PolicyDocument"])


def synthesize(settings: dict[str, Any], outdir: Any) -> Synthesized:
    from infra.app import STACK_NAME, build_app

    build_app(context=cdk_context(settings), outdir=outdir).synth()
    template = json.loads((outdir / f"{STACK_NAME}.template.json").read_text(encoding="utf-8"))
    return Synthesized(template=template, outdir=outdir)


@pytest.fixture(scope="module")
def other(synthesized: Synthesized, tmp_path_factory: pytest.TempPathFactory) -> Deployment:
    """The stack synthesized with ``OTHER`` (after conftest's, which skips when nothing is built)."""
    return Deployment(load_settings(OTHER), synthesize(OTHER, tmp_path_factory.mktemp("cdk.out.other")))


@pytest.fixture(scope="module")
def default(synthesized: Synthesized) -> Deployment:
    return Deployment(load_settings(SETTINGS), synthesized)


@pytest.fixture(scope="module", params=["conftest settings", "other settings"])
def deployment(request: pytest.FixtureRequest) -> Deployment:
    """Both synths: tests of a setting-shaped value run on each."""
    name = "default" if request.param == "conftest settings" else "other"
    deployment: Deployment = request.getfixturevalue(name)
    return deployment


def test_the_two_synths_differ_in_every_setting_they_test() -> None:
    for name in ("shops", "send_rate", "raw_mail_retention_days", "log_retention_days", "alarm_email"):
        assert OTHER[name] != SETTINGS[name], name
    assert load_settings(OTHER).api_throttle != load_settings(SETTINGS).api_throttle


# --- storage -----------------------------------------------------------------------------------------


def test_one_customer_managed_key_with_rotation(default: Deployment, template: Any) -> None:
    from aws_cdk.assertions import Match

    template.has_resource(
        "AWS::KMS::Key",
        {"Properties": Match.object_like({"EnableKeyRotation": True}), "DeletionPolicy": "Retain"},
    )
    assert default.properties(default.key)["EnableKeyRotation"] is True


def test_every_table_is_one_of_infra_tables(default: Deployment) -> None:
    assert set(table_ids(default.synthesized).values()) == set(default.of_type("AWS::DynamoDB::Table"))


@pytest.mark.parametrize("definition", TABLES, ids=lambda t: t.logical_name)
def test_tables_are_encrypted_recoverable_protected_and_kept(
    default: Deployment, template: Any, definition: Any
) -> None:
    from aws_cdk.assertions import Match

    table = table_ids(default.synthesized)[definition.logical_name]
    resource = default.resources[table]
    properties = resource["Properties"]
    assert properties["SSESpecification"] == {
        "SSEEnabled": True,
        "SSEType": "KMS",
        "KMSMasterKeyId": arn_of(default.key),
    }
    assert properties["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert properties["DeletionProtectionEnabled"] is True
    assert resource["DeletionPolicy"] == "Retain"
    assert resource["UpdateReplacePolicy"] == "Retain"
    template.has_resource_properties(
        "AWS::DynamoDB::Table",
        Match.object_like(
            {
                "KeySchema": Match.array_with(
                    [{"AttributeName": definition.partition_key, "KeyType": "HASH"}]
                ),
                "SSESpecification": Match.object_like({"KMSMasterKeyId": arn_of(default.key)}),
            }
        ),
    )


@pytest.mark.parametrize("definition", TABLES, ids=lambda t: t.logical_name)
def test_tables_expire_items_on_their_ttl_attribute(default: Deployment, definition: Any) -> None:
    properties = default.properties(table_ids(default.synthesized)[definition.logical_name])
    if definition.ttl_attribute:
        assert properties["TimeToLiveSpecification"] == {
            "AttributeName": definition.ttl_attribute,
            "Enabled": True,
        }
    else:
        assert "TimeToLiveSpecification" not in properties


def test_every_table_has_a_ttl() -> None:
    """Every table expires items by ``expires_at``; in ``config`` only ``count_once``'s markers carry
    it (shop settings, scenarios and templates never expire:
    tests/integration/aws/test_config.py::test_only_the_count_once_markers_can_expire)."""
    assert [t.logical_name for t in TABLES if t.ttl_attribute is None] == []


def test_the_orders_table_streams_old_and_new_images(default: Deployment) -> None:
    for definition in TABLES:
        properties = default.properties(table_ids(default.synthesized)[definition.logical_name])
        if definition is ORDERS:
            assert properties["StreamSpecification"] == {"StreamViewType": "NEW_AND_OLD_IMAGES"}
        else:
            assert "StreamSpecification" not in properties


# --- the raw mail bucket --------------------------------------------------------------------------------


def test_raw_mail_is_encrypted_with_the_key_and_never_public(deployment: Deployment) -> None:
    bucket = deployment.properties(deployment.raw_mail_bucket)
    (encryption,) = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert encryption["ServerSideEncryptionByDefault"] == {
        "SSEAlgorithm": "aws:kms",
        "KMSMasterKeyID": arn_of(deployment.key),
    }
    assert bucket["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert deployment.resources[deployment.raw_mail_bucket]["DeletionPolicy"] == "Retain"


def test_raw_mail_refuses_requests_without_tls(deployment: Deployment) -> None:
    bucket = deployment.raw_mail_bucket
    deny = [
        s
        for s in deployment.bucket_policy(bucket)
        if s["Effect"] == "Deny" and s.get("Condition") == {"Bool": {"aws:SecureTransport": "false"}}
    ]
    statement = only(deny, "TLS-only statement")
    assert statement["Principal"] in ({"AWS": "*"}, "*")
    assert statement["Action"] in ("s3:*", ["s3:*"])
    assert {render(r) for r in as_list(statement["Resource"])} == {
        f"${{{bucket}.Arn}}",
        f"${{{bucket}.Arn}}/*",
    }


def test_raw_mail_access_is_logged_to_the_log_bucket(deployment: Deployment) -> None:
    logging = deployment.properties(deployment.raw_mail_bucket)["LoggingConfiguration"]
    log_bucket = logging["DestinationBucketName"]["Ref"]
    assert log_bucket != deployment.raw_mail_bucket
    assert deployment.resources[log_bucket]["Type"] == "AWS::S3::Bucket"
    # S3 writes the logs: the log bucket lets the logging service put them, for this bucket only.
    grants = [
        s
        for s in deployment.bucket_policy(log_bucket)
        if s["Effect"] == "Allow" and s.get("Principal") == {"Service": "logging.s3.amazonaws.com"}
    ]
    grant = only(grants, "log delivery grant")
    assert grant["Condition"]["ArnLike"]["aws:SourceArn"] == arn_of(deployment.raw_mail_bucket)
    assert render(grant["Resource"]) == f"${{{log_bucket}.Arn}}/{logging['LogFilePrefix']}*"


def test_raw_mail_expires_after_the_retention_setting(deployment: Deployment) -> None:
    rules = deployment.properties(deployment.raw_mail_bucket)["LifecycleConfiguration"]["Rules"]
    expiring = only([r for r in rules if r.get("Prefix") == f"{INBOUND_PREFIX}/"], "rule on inbound/")
    assert expiring["Status"] == "Enabled"
    assert expiring["ExpirationInDays"] == deployment.settings.raw_mail_retention_days


def test_only_our_receipt_rules_may_store_mail_and_only_under_inbound(deployment: Deployment) -> None:
    bucket = deployment.raw_mail_bucket
    ses = [
        s for s in deployment.bucket_policy(bucket) if s.get("Principal") == {"Service": "ses.amazonaws.com"}
    ]
    statement = only(ses, "SES statement")
    assert statement["Effect"] == "Allow"
    assert as_list(statement["Action"]) == ["s3:PutObject"]
    assert render(statement["Resource"]) == f"${{{bucket}.Arn}}/{INBOUND_PREFIX}/*"
    condition = render(statement["Condition"])
    assert condition["StringEquals"] == {"aws:SourceAccount": "${AWS::AccountId}"}
    assert condition["ArnLike"] == {
        "aws:SourceArn": "arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:"
        f"receipt-rule-set/{RECEIPT_RULE_SET}:receipt-rule/*"
    }


# --- inbound mail ----------------------------------------------------------------------------------------


def test_one_receipt_rule_per_shop_into_its_own_prefix(deployment: Deployment) -> None:
    settings = deployment.settings
    rules = {
        only(rule["Properties"]["Rule"]["Actions"], "rule action")["S3Action"]["ObjectKeyPrefix"]: rule[
            "Properties"
        ]
        for rule in deployment.of_type("AWS::SES::ReceiptRule").values()
    }
    assert set(rules) == {inbound_prefix(shop.id) for shop in settings.shops}
    for shop in settings.shops:
        rule = rules[inbound_prefix(shop.id)]
        assert rule["RuleSetName"] == RECEIPT_RULE_SET
        assert rule["Rule"]["Recipients"] == shop.recipients(settings.receiving_domain)
        assert rule["Rule"]["Enabled"] is True
        assert rule["Rule"]["ScanEnabled"] is True
        assert rule["Rule"]["TlsPolicy"] == "Require"
    rule_set = only(deployment.of_type("AWS::SES::ReceiptRuleSet"), "receipt rule set")
    assert rule_set["Properties"]["RuleSetName"] == RECEIPT_RULE_SET


def test_a_shop_receives_at_its_default_address_unless_it_lists_its_own(default: Deployment) -> None:
    recipients = {
        rule["Properties"]["Rule"]["Name"]: rule["Properties"]["Rule"]["Recipients"]
        for rule in default.of_type("AWS::SES::ReceiptRule").values()
    }
    tea_shop = next(shop for shop in SETTINGS["shops"] if shop["id"] == "tea-shop")
    assert recipients == {
        "shop-demo": [inbound_recipient("demo", SETTINGS["receiving_domain"])],
        "shop-tea-shop": tea_shop["addresses"],
    }


def test_stored_mail_wakes_the_ingest_function(deployment: Deployment) -> None:
    ingest = deployment.functions["ingest:handler.handler"].logical_id
    notification = deployment.properties(deployment.raw_mail_bucket)["NotificationConfiguration"]
    configuration = only(notification["LambdaConfigurations"], "Lambda notification")
    assert configuration == {
        "Event": "s3:ObjectCreated:*",
        "Filter": {"S3Key": {"Rules": [{"Name": "prefix", "Value": f"{INBOUND_PREFIX}/"}]}},
        "Function": arn_of(ingest),
    }
    permissions = [
        p["Properties"]
        for p in deployment.of_type("AWS::Lambda::Permission").values()
        if p["Properties"]["Principal"] == "s3.amazonaws.com"
    ]
    permission = only(permissions, "S3 invoke permission")
    assert permission["FunctionName"] == arn_of(ingest)
    bucket_name = render(deployment.properties(deployment.raw_mail_bucket)["BucketName"])
    assert render(permission["SourceArn"]) == f"arn:${{AWS::Partition}}:s3:::{bucket_name}"


# --- the functions --------------------------------------------------------------------------------------


def test_the_stack_runs_exactly_the_known_entry_points(deployment: Deployment) -> None:
    assert set(deployment.functions) == set(SETTINGS_MODELS)


def test_every_function_is_made_by_the_one_factory(deployment: Deployment) -> None:
    layer = only_id(deployment.of_type("AWS::Lambda::LayerVersion"), "layer")
    for entry, function in deployment.functions.items():
        properties = function.properties
        assert properties["Runtime"] == f"python{LAMBDA_PYTHON}", entry
        assert properties["Architectures"] == ["arm64"], entry
        assert properties["TracingConfig"] == {"Mode": "Active"}, entry
        assert properties["Layers"] == [ref(layer)], entry
        logging = properties["LoggingConfig"]
        assert logging["LogFormat"] == "JSON", entry
        log_group = deployment.properties(logging["LogGroup"]["Ref"])
        assert log_group["RetentionInDays"] == deployment.settings.log_retention_days, entry
        assert log_group["KmsKeyId"] == arn_of(deployment.key), entry
        # no pydantic plugin is looked for at a cold start (bench/cold_start.py measures with it)
        assert function.environment["PYDANTIC_DISABLE_PLUGINS"] == "__all__", entry


def test_send_runs_as_many_at_once_as_keep_within_the_ses_rate(deployment: Deployment) -> None:
    send = deployment.functions["send:handler.handler"].properties
    rate = deployment.settings.send_rate
    assert send["ReservedConcurrentExecutions"] == max(1, rate * TYPICAL_SEND_MS // 1000)
    assert send["FunctionName"] == SEND_FUNCTION


def test_the_send_concurrency_follows_send_rate(default: Deployment, other: Deployment) -> None:
    concurrency = {
        deployment.settings.send_rate: deployment.functions["send:handler.handler"].properties[
            "ReservedConcurrentExecutions"
        ]
        for deployment in (default, other)
    }
    assert concurrency == {14: 2, 3: 1}  # 14 mails/s × 0.18 s → 2 at once; never fewer than 1
    for deployment in (default, other):  # the dashboard's pace is judged at the same rate
        admin = deployment.functions["admin:handler.handler"].environment
        assert admin["SEND_RATE"] == str(deployment.settings.send_rate)


def test_wake_ups_beyond_the_send_concurrency_wait_in_lambdas_queue_up_to_six_hours(
    deployment: Deployment,
) -> None:
    send = deployment.functions["send:handler.handler"]
    [config] = [
        properties
        for properties in (
            r["Properties"] for r in deployment.of_type("AWS::Lambda::EventInvokeConfig").values()
        )
        if properties["FunctionName"] == ref(send.logical_id)
    ]
    assert config["MaximumEventAgeInSeconds"] == 6 * 3600 == SEND_MAX_EVENT_AGE.to_seconds()
    assert config["MaximumRetryAttempts"] == SEND_RETRY_ATTEMPTS == 2
    assert config["Qualifier"] == "$LATEST"  # what the schedules invoke
    # what outlives the queue goes to the send function's dead-letter queue (and the sweeper sends it)
    assert "TargetArn" in send.properties["DeadLetterConfig"]


@pytest.mark.parametrize("entry", SETTINGS_MODELS)
def test_each_function_environment_is_valid_for_its_settings_model(default: Deployment, entry: str) -> None:
    environment = {name: str(value) for name, value in render(default.functions[entry].environment).items()}
    settings_from(SETTINGS_MODELS[entry], environment)  # a ConfigError names each missing variable


def test_the_send_function_arn_the_functions_are_told_is_the_send_function(default: Deployment) -> None:
    for entry, function in default.functions.items():
        told = render(function.environment["SEND_FUNCTION_ARN"])
        assert (
            told
            == f"arn:${{AWS::Partition}}:lambda:${{AWS::Region}}:${{AWS::AccountId}}:function:{SEND_FUNCTION}"
        ), entry


def test_the_admin_function_ships_the_page(default: Deployment) -> None:
    asset = default.functions["admin:handler.handler"].asset
    assert (asset / "handler.py").is_file()
    assert (asset / "static" / "index.html").is_file()


def test_no_asset_carries_the_local_stack_and_only_the_layer_carries_bytecode(default: Deployment) -> None:
    """A function's asset leaves bytecode out; the layer ships its own, for the Lambda Python only
    (tests/infra/test_layer.py checks that each module has its pyc and how it is compiled)."""
    tag = f"cpython-{LAMBDA_PYTHON.replace('.', '')}"
    for folder in set(asset_folders(default.synthesized).values()):
        assert not list(folder.rglob("okaeri_dev*")), folder.name
        pycs = list(folder.rglob("*.pyc"))
        if (folder / "python").is_dir():  # the layer
            assert pycs, folder.name
            assert all(p.parent.name == "__pycache__" and p.name.endswith(f".{tag}.pyc") for p in pycs), (
                folder.name
            )
        else:
            assert not list(folder.rglob("__pycache__")), folder.name
            assert not pycs, folder.name


# --- scheduling -----------------------------------------------------------------------------------------


def test_wake_ups_live_in_okaeris_schedule_group(default: Deployment) -> None:
    group = only(default.of_type("AWS::Scheduler::ScheduleGroup"), "schedule group")
    assert group["Properties"]["Name"] == SCHEDULE_GROUP
    for function in default.functions.values():
        assert function.environment["SCHEDULE_GROUP"] == SCHEDULE_GROUP


def _recurring(default: Deployment, handler: str) -> dict[str, Any]:
    """The recurring schedule that invokes the function of ``handler`` (exactly one)."""
    target = arn_of(default.functions[handler].logical_id)
    schedules = [
        schedule["Properties"]
        for schedule in default.of_type("AWS::Scheduler::Schedule").values()
        if schedule["Properties"]["Target"]["Arn"] == target
    ]
    schedule: dict[str, Any] = only(schedules, f"recurring schedule of {handler}")
    group = only_id(default.of_type("AWS::Scheduler::ScheduleGroup"), "schedule group")
    assert schedule["GroupName"] in (SCHEDULE_GROUP, ref(group))
    assert schedule["State"] == "ENABLED"
    return schedule


def test_the_sweeper_runs_every_few_minutes(default: Deployment) -> None:
    schedule = _recurring(default, "send:handler.sweep_handler")
    assert schedule["ScheduleExpression"] == f"rate({SWEEPER_RATE_MINUTES} minutes)"


def test_the_winback_job_runs_hourly_one_at_a_time_with_a_dead_letter_queue(default: Deployment) -> None:
    """Issue #16: every shop's day is taken within the hour after its midnight."""
    schedule = _recurring(default, "schedule:handler.winback_handler")
    assert WINBACK_RATE_MINUTES == 60
    assert schedule["ScheduleExpression"] == "rate(1 hour)"
    assert "DeadLetterConfig" in schedule["Target"]
    function = default.functions["schedule:handler.winback_handler"]
    properties = default.resources[function.logical_id]["Properties"]
    assert properties["ReservedConcurrentExecutions"] == 1
    queue = properties["DeadLetterConfig"]["TargetArn"]["Fn::GetAtt"][0]
    assert default.resources[queue]["Type"] == "AWS::SQS::Queue"


def test_order_changes_reach_the_schedule_function_and_failures_a_queue(default: Deployment) -> None:
    schedule = default.functions["schedule:handler.handler"].logical_id
    orders = table_ids(default.synthesized)["orders"]
    mappings = [
        m["Properties"]
        for m in default.of_type("AWS::Lambda::EventSourceMapping").values()
        if m["Properties"]["FunctionName"] == ref(schedule)
    ]
    mapping = only(mappings, "event source of the schedule function")
    assert mapping["EventSourceArn"] == {"Fn::GetAtt": [orders, "StreamArn"]}
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["BisectBatchOnFunctionError"] is True
    destination = mapping["DestinationConfig"]["OnFailure"]["Destination"]["Fn::GetAtt"][0]
    assert default.resources[destination]["Type"] == "AWS::SQS::Queue"


def test_a_shard_of_order_changes_is_planned_ten_batches_at_once(default: Deployment) -> None:
    """Issue #14 item 1: the parallelization factor, with the failure handling kept."""
    schedule = default.functions["schedule:handler.handler"].logical_id
    [mapping] = [
        m["Properties"]
        for m in default.of_type("AWS::Lambda::EventSourceMapping").values()
        if m["Properties"]["FunctionName"] == ref(schedule)
    ]
    assert mapping["ParallelizationFactor"] == STREAM_PARALLELIZATION_FACTOR == 10
    assert mapping["BatchSize"] == 25
    assert mapping["StartingPosition"] == "TRIM_HORIZON"
    assert mapping["BisectBatchOnFunctionError"] is True
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["MaximumRetryAttempts"] == 10
    assert mapping["MaximumRecordAgeInSeconds"] == 24 * 3600


# --- sending ---------------------------------------------------------------------------------------------


def test_the_sending_domain_signs_with_easy_dkim_through_okaeris_configuration_set(
    default: Deployment, template: Any
) -> None:
    from aws_cdk.assertions import Match

    template.has_resource_properties(
        "AWS::SES::EmailIdentity",
        {
            "EmailIdentity": SETTINGS["sending_domain"],
            "DkimAttributes": {"SigningEnabled": True},
            "DkimSigningAttributes": Match.absent(),  # Easy DKIM: no BYODKIM private key
            "ConfigurationSetAttributes": {"ConfigurationSetName": Match.any_value()},
        },
    )
    identity = only(
        [
            i["Properties"]
            for i in default.of_type("AWS::SES::EmailIdentity").values()
            if i["Properties"]["EmailIdentity"] == SETTINGS["sending_domain"]
        ],
        "sending identity",
    )
    configuration_set = identity["ConfigurationSetAttributes"]["ConfigurationSetName"]["Ref"]
    assert default.properties(configuration_set)["Name"] == SES_CONFIGURATION_SET


def test_ses_events_reach_the_events_function_through_an_encrypted_topic(default: Deployment) -> None:
    destination = only(default.of_type("AWS::SES::ConfigurationSetEventDestination"), "event destination")[
        "Properties"
    ]
    configuration_set = default.properties(destination["ConfigurationSetName"]["Ref"])
    assert configuration_set["Name"] == SES_CONFIGURATION_SET
    event_destination = destination["EventDestination"]
    assert event_destination["Enabled"] is True
    assert set(event_destination["MatchingEventTypes"]) == SES_EVENT_TYPES
    topic = event_destination["SnsDestination"]["TopicARN"]["Ref"]
    assert default.properties(topic)["KmsMasterKeyId"] == arn_of(default.key)
    events = default.functions["send:handler.events_handler"].logical_id
    subscriptions = [
        s["Properties"]
        for s in default.of_type("AWS::SNS::Subscription").values()
        if s["Properties"]["TopicArn"] == ref(topic)
    ]
    subscription = only(subscriptions, "subscription to the SES events topic")
    assert subscription["Protocol"] == "lambda"
    assert subscription["Endpoint"] == arn_of(events)


def test_the_unsubscribe_signing_key_is_named_and_encrypted(default: Deployment) -> None:
    secret = only_id(default.of_type("AWS::SecretsManager::Secret"), "secret")
    assert default.properties(secret)["Name"] == UNSUBSCRIBE_SECRET
    assert default.properties(secret)["KmsKeyId"] == arn_of(default.key)
    for entry in ("send:handler.handler", "send:handler.sweep_handler", "admin:handler.handler"):
        assert default.functions[entry].environment["UNSUBSCRIBE_SECRET_ID"] == ref(secret), entry


# --- admin -----------------------------------------------------------------------------------------------


def test_routes_are_the_gateway_routes_with_the_jwt_authorizer_on_the_private_ones(
    default: Deployment,
) -> None:
    routes = {
        r["Properties"]["RouteKey"]: r["Properties"]
        for r in default.of_type("AWS::ApiGatewayV2::Route").values()
    }
    assert set(routes) == {route.key for route in GATEWAY_ROUTES}
    authorizer = only_id(default.of_type("AWS::ApiGatewayV2::Authorizer"), "authorizer")
    for route in GATEWAY_ROUTES:
        properties = routes[route.key]
        if route.authorized:
            assert properties["AuthorizationType"] == "JWT", route.key
            assert properties["AuthorizerId"] == ref(authorizer), route.key
        else:
            assert properties["AuthorizationType"] == "NONE", route.key
            assert "AuthorizerId" not in properties, route.key
    assert any(route.authorized for route in GATEWAY_ROUTES)
    assert any(not route.authorized for route in GATEWAY_ROUTES)


def test_the_authorizer_trusts_only_the_pools_id_tokens_for_the_page(default: Deployment) -> None:
    authorizer = only(default.of_type("AWS::ApiGatewayV2::Authorizer"), "authorizer")["Properties"]
    pool = only_id(default.of_type("AWS::Cognito::UserPool"), "user pool")
    client = only_id(default.of_type("AWS::Cognito::UserPoolClient"), "client")
    assert authorizer["AuthorizerType"] == "JWT"
    jwt = authorizer["JwtConfiguration"]
    assert render(jwt["Issuer"]) == cognito_issuer("${AWS::Region}", f"${{{pool}}}")
    assert jwt["Audience"] == [ref(client)]


def test_the_pages_client_may_write_only_email(default: Deployment) -> None:
    """An operator's shops (``custom:shops``) are written by the admin function alone: a user
    holding the page's tokens cannot call ``UpdateUserAttributes`` to give themselves a shop (the
    local stack's Cognito proxy holds the same line, tests/unit/devstack/test_cognito_proxy.py)."""
    client = only(default.of_type("AWS::Cognito::UserPoolClient"), "client")["Properties"]
    assert client["WriteAttributes"] == ["email"]
    assert not any(name.startswith("custom:") for name in client["WriteAttributes"])


def test_the_stage_logs_json_and_throttles_as_set(deployment: Deployment) -> None:
    stage = only(deployment.of_type("AWS::ApiGatewayV2::Stage"), "stage")["Properties"]
    assert stage["StageName"] == "$default"
    log_format = json.loads(stage["AccessLogSettings"]["Format"])
    assert isinstance(log_format, dict)
    assert log_format["requestId"] == "$context.requestId"
    assert "$context.status" in log_format.values()
    log_group = stage["AccessLogSettings"]["DestinationArn"]["Fn::GetAtt"][0]
    assert deployment.properties(log_group)["RetentionInDays"] == deployment.settings.log_retention_days
    assert deployment.properties(log_group)["KmsKeyId"] == arn_of(deployment.key)
    throttle = deployment.settings.api_throttle
    assert stage["DefaultRouteSettings"]["ThrottlingRateLimit"] == throttle.rate
    assert stage["DefaultRouteSettings"]["ThrottlingBurstLimit"] == throttle.burst


def test_the_user_pool_requires_totp_and_admin_created_users(default: Deployment, template: Any) -> None:
    from aws_cdk.assertions import Match

    template.has_resource_properties(
        "AWS::Cognito::UserPool",
        Match.object_like(
            {
                "MfaConfiguration": "ON",
                "EnabledMfas": ["SOFTWARE_TOKEN_MFA"],
                "AdminCreateUserConfig": {"AllowAdminCreateUserOnly": True},
                "Policies": {"PasswordPolicy": PASSWORD_POLICY.written()},
                "DeletionProtection": "ACTIVE",
                "UserPoolAddOns": {"AdvancedSecurityMode": "ENFORCED"},
            }
        ),
    )
    assert list(MFA_METHODS) == ["SOFTWARE_TOKEN_MFA"]
    pool = only_id(default.of_type("AWS::Cognito::UserPool"), "user pool")
    assert default.resources[pool]["DeletionPolicy"] == "Retain"


def test_roles_are_the_three_groups_of_the_pool(default: Deployment) -> None:
    pool = only_id(default.of_type("AWS::Cognito::UserPool"), "user pool")
    groups = {
        g["Properties"]["GroupName"]: g["Properties"]["UserPoolId"]
        for g in default.of_type("AWS::Cognito::UserPoolGroup").values()
    }
    assert groups == {name: ref(pool) for name in ("owner", "manager", "staff")}
    assert [name for name, _ in ROLE_GROUPS] == ["owner", "manager", "staff"]


# --- observability -------------------------------------------------------------------------------------


def _alarms(deployment: Deployment) -> list[dict[str, Any]]:
    return [a["Properties"] for a in deployment.of_type("AWS::CloudWatch::Alarm").values()]


def _alarm_on(deployment: Deployment, namespace: str, metric: str, dimensions: Any = None) -> dict[str, Any]:
    found = [
        a
        for a in _alarms(deployment)
        if a.get("Namespace") == namespace
        and a.get("MetricName") == metric
        and (dimensions is None or a.get("Dimensions") == dimensions)
    ]
    alarm: dict[str, Any] = only(found, f"alarm on {namespace} {metric} {dimensions or ''}")
    assert alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
    return alarm


def _dead_letter_queues(deployment: Deployment) -> set[str]:
    """Every queue something sends its failures to (functions, the stream, schedules, SNS)."""
    queues = set()
    for function in deployment.functions.values():
        if "DeadLetterConfig" in function.properties:
            queues.add(function.properties["DeadLetterConfig"]["TargetArn"]["Fn::GetAtt"][0])
    for mapping in deployment.of_type("AWS::Lambda::EventSourceMapping").values():
        queues.add(mapping["Properties"]["DestinationConfig"]["OnFailure"]["Destination"]["Fn::GetAtt"][0])
    for schedule in deployment.of_type("AWS::Scheduler::Schedule").values():
        queues.add(schedule["Properties"]["Target"]["DeadLetterConfig"]["Arn"]["Fn::GetAtt"][0])
    for subscription in deployment.of_type("AWS::SNS::Subscription").values():
        if "RedrivePolicy" in subscription["Properties"]:
            queues.add(subscription["Properties"]["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0])
    for function in deployment.functions.values():  # the wake-ups' queue, told to the functions
        queues.add(function.environment["SCHEDULE_DLQ_ARN"]["Fn::GetAtt"][0])
    return queues


def test_every_dead_letter_queue_raises_an_alarm_when_anything_waits(default: Deployment) -> None:
    queues = _dead_letter_queues(default)
    assert queues == set(default.of_type("AWS::SQS::Queue")), "a queue that is no one's dead-letter queue"
    for queue in queues:
        alarm = _alarm_on(
            default,
            "AWS/SQS",
            "ApproximateNumberOfMessagesVisible",
            [{"Name": "QueueName", "Value": {"Fn::GetAtt": [queue, "QueueName"]}}],
        )
        assert alarm["Threshold"] == 1


def test_business_alarms_on_unknown_sends_and_unreadable_mail(default: Deployment) -> None:
    for metric in ("SendUnknown", "ParseFailed"):
        assert _alarm_on(default, NAMESPACE, metric)["Threshold"] == 1


def test_ses_reputation_alarms_at_the_warning_levels(default: Deployment) -> None:
    assert _alarm_on(default, "AWS/SES", "Reputation.BounceRate")["Threshold"] == BOUNCE_RATE_WARNING
    assert _alarm_on(default, "AWS/SES", "Reputation.ComplaintRate")["Threshold"] == COMPLAINT_RATE_WARNING


def test_every_function_alarms_on_errors_and_throttles(default: Deployment) -> None:
    for entry, function in default.functions.items():
        dimensions = [{"Name": "FunctionName", "Value": ref(function.logical_id)}]
        for metric in ("Errors", "Throttles"):
            assert _alarm_on(default, "AWS/Lambda", metric, dimensions)["Threshold"] >= 1, entry


def test_every_alarm_publishes_to_the_encrypted_alarm_topic(deployment: Deployment) -> None:
    topics = {
        topic["Ref"]
        for alarm in _alarms(deployment)
        for topic in alarm.get("AlarmActions", []) + alarm.get("OKActions", [])
    }
    topic = only_id(dict.fromkeys(topics), "alarm topic")
    for alarm in _alarms(deployment):
        assert alarm["AlarmActions"] == [ref(topic)], alarm["AlarmName"]
    assert deployment.properties(topic)["KmsMasterKeyId"] == arn_of(deployment.key)
    # A topic policy replaces SNS's default one: it must let CloudWatch publish, for Okaeri's alarms.
    (allow,) = [
        s
        for s in deployment.topic_policy(topic)
        if s["Effect"] == "Allow" and s.get("Principal") == {"Service": "cloudwatch.amazonaws.com"}
    ]
    assert as_list(allow["Action"]) == ["sns:Publish"]
    condition = render(allow["Condition"])
    assert condition["StringEquals"] == {"aws:SourceAccount": "${AWS::AccountId}"}
    source = condition["ArnLike"]["aws:SourceArn"]
    assert source.startswith("arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:")
    pattern = source.rpartition(":alarm:")[2]
    assert all(fnmatch.fnmatchcase(alarm["AlarmName"], pattern) for alarm in _alarms(deployment))
    # The topic is encrypted: CloudWatch must also be let use the key, for the same alarms.
    key_policy = deployment.properties(deployment.key)["KeyPolicy"]
    (key_grant,) = [
        s
        for s in statements(key_policy)
        if s["Effect"] == "Allow" and s.get("Principal") == {"Service": "cloudwatch.amazonaws.com"}
    ]
    assert {"kms:Decrypt", "kms:GenerateDataKey*"} <= set(as_list(key_grant["Action"]))
    assert render(key_grant["Condition"])["ArnLike"] == {"aws:SourceArn": source}


def test_alarms_are_mailed_only_when_an_address_is_set(deployment: Deployment) -> None:
    topics = {topic["Ref"] for alarm in _alarms(deployment) for topic in alarm["AlarmActions"]}
    mailed = [
        s["Properties"]
        for s in deployment.of_type("AWS::SNS::Subscription").values()
        if s["Properties"]["TopicArn"]["Ref"] in topics
    ]
    if deployment.settings.alarm_email:
        assert mailed == [
            {
                "Protocol": "email",
                "Endpoint": deployment.settings.alarm_email,
                "TopicArn": ref(only(list(topics), "alarm topic")),
            }
        ]
    else:
        assert mailed == []


def test_a_dashboard_shows_the_business_metrics(default: Deployment) -> None:
    dashboard = only(default.of_type("AWS::CloudWatch::Dashboard"), "dashboard")["Properties"]
    body = json.loads(render(dashboard["DashboardBody"]))
    metrics = {tuple(m[:2]) for widget in body["widgets"] for m in widget["properties"].get("metrics", [])}
    assert {(NAMESPACE, "OrderIngested"), (NAMESPACE, "MailSent"), (NAMESPACE, "SendUnknown")} <= metrics


# --- outputs ----------------------------------------------------------------------------------------------


def test_outputs_tell_the_operator_what_to_do_next(deployment: Deployment) -> None:
    outputs = {name: output["Value"] for name, output in deployment.synthesized.template["Outputs"].items()}
    api = only_id(deployment.of_type("AWS::ApiGatewayV2::Api"), "HTTP API")
    assert outputs["AdminUrl"] == {"Fn::GetAtt": [api, "ApiEndpoint"]}
    assert outputs["UserPoolId"] == ref(only_id(deployment.of_type("AWS::Cognito::UserPool"), "pool"))
    assert outputs["UserPoolClientId"] == ref(
        only_id(deployment.of_type("AWS::Cognito::UserPoolClient"), "client")
    )
    assert outputs["ReceiptRuleSet"] == RECEIPT_RULE_SET
    assert outputs["OrdersTable"] == ref(table_ids(deployment.synthesized)["orders"])  # migrate-order-keys
    settings = deployment.settings
    assert outputs["InboundAddresses"].split() == [
        address for shop in settings.shops for address in shop.recipients(settings.receiving_domain)
    ]
