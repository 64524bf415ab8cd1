"""The one Lambda factory: every function is Python on arm64 with the common layer, JSON logs into its
own log group (retention set, KMS-encrypted), X-Ray tracing and the Powertools settings.

Each function gets its own role with no AWS managed policy: it may write only to its own log group,
and the constructs grant it exactly the data it uses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from aws_cdk import CfnResource, Duration, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.nag import KEY_GRANT_FINDINGS, KEY_GRANT_REASON, acknowledge, wildcard_resource
from infra.paths import FUNCTIONS_DIR, LAMBDA_PYTHON, LAYER_DIR
from infra.runtime import RUNTIME_ENVIRONMENT

RUNTIME: Final = lambda_.Runtime(f"python{LAMBDA_PYTHON}", lambda_.RuntimeFamily.PYTHON)
#: Why not the newest Python runtime the checks know (3.14).
RUNTIME_REASON: Final = (
    f"python{LAMBDA_PYTHON} on purpose: AWS supports it as long as python3.14 (deprecation 2029-06-30), "
    "and the whole test suite, the layer-load test included, runs on this same Python"
)
#: Functions invoked synchronously or by a stream have no use for an async dead-letter queue.
NO_DLQ_REASONS: Final = {
    "stream": "Invoked by the orders stream: a record that keeps failing goes to the event source's own on-failure queue",
    "api": "Invoked synchronously by API Gateway: a failure is the caller's error answer, there is no event to keep",
}
#: The only actions a statement may grant on ``*``, each with why (tests/infra checks every policy).
WILDCARD_REASONS: Final = {
    "xray:PutTraceSegments": "X-Ray accepts no resource-level permission (tracing, every function)",
    "xray:PutTelemetryRecords": "X-Ray accepts no resource-level permission (tracing, every function)",
    "dynamodb:ListStreams": "ListStreams accepts no resource-level permission (the orders stream's poller)",
}
WILDCARD_REASON: Final = "Only actions that accept no resource-level permission: " + "; ".join(
    f"{action}: {reason}" for action, reason in WILDCARD_REASONS.items()
)


#: CloudWatch Logs' retention periods (infra.settings.LOG_RETENTION_DAYS lists the same days).
_RETENTION = {1: "ONE_DAY", 3: "THREE_DAYS", 5: "FIVE_DAYS", 7: "ONE_WEEK", 14: "TWO_WEEKS",
              30: "ONE_MONTH", 60: "TWO_MONTHS", 90: "THREE_MONTHS", 120: "FOUR_MONTHS",
              150: "FIVE_MONTHS", 180: "SIX_MONTHS", 365: "ONE_YEAR", 400: "THIRTEEN_MONTHS",
              545: "EIGHTEEN_MONTHS", 731: "TWO_YEARS", 1096: "THREE_YEARS", 1827: "FIVE_YEARS",
              2192: "SIX_YEARS", 2557: "SEVEN_YEARS", 2922: "EIGHT_YEARS", 3288: "NINE_YEARS",
              3653: "TEN_YEARS"}  # fmt: skip


def _wait_for_policy_only(function: lambda_.Function, role: iam.Role) -> None:
    """CDK makes a function wait for its role, which the function's GetAtt of the role's ARN already
    does (cfn-lint W3005); keep only the wait that matters, for the role's policy."""
    cfn_function = function.node.default_child
    default_policy = role.node.try_find_child("DefaultPolicy")
    assert isinstance(cfn_function, CfnResource)
    assert default_policy is not None
    cfn_policy = default_policy.node.default_child
    assert isinstance(cfn_policy, CfnResource)
    cfn_function.add_override("DependsOn", [Stack.of(role).get_logical_id(cfn_policy)])


def log_retention(days: int) -> logs.RetentionDays:
    return logs.RetentionDays[_RETENTION[days]]


def common_layer(scope: Construct) -> lambda_.LayerVersion:
    """``okaeri`` and its runtime dependencies, built for arm64 by ``make build``."""
    return lambda_.LayerVersion(
        scope,
        "CommonLayer",
        code=lambda_.Code.from_asset(str(LAYER_DIR)),
        compatible_runtimes=[RUNTIME],
        compatible_architectures=[lambda_.Architecture.ARM_64],
        description="okaeri and its runtime dependencies (make build)",
    )


@dataclass(frozen=True)
class LambdaFactory:
    """What every function shares; ``function`` adds what one function states for itself."""

    layer: lambda_.ILayerVersion
    log_key: kms.IKey
    log_retention_days: int
    environment: dict[str, str] = field(default_factory=dict)
    made: list[tuple[lambda_.Function, iam.Role]] = field(default_factory=list)

    def finish(self) -> None:
        """Once every grant is made: each function waits for its role's policy, and only for that."""
        for function, role in self.made:
            _wait_for_policy_only(function, role)

    def function(
        self,
        scope: Construct,
        construct_id: str,
        *,
        source: str,
        handler: str = "handler.handler",
        description: str,
        function_name: str | None = None,
        environment: dict[str, str] | None = None,
        memory_mb: int = 512,
        timeout_seconds: int = 30,
        reserved_concurrency: int | None = None,
        dead_letter_queue: sqs.IQueue | None = None,
        no_dead_letter_queue: str | None = None,
    ) -> lambda_.Function:
        """A function whose code is ``functions/<source>/`` (``handler`` names the entry point).

        An asynchronously invoked function keeps the events it failed on in ``dead_letter_queue``;
        any other says why it has none (``no_dead_letter_queue``: a key of ``NO_DLQ_REASONS``)."""
        if (dead_letter_queue is None) == (no_dead_letter_queue is None):
            raise ValueError(f"{construct_id}: give a dead-letter queue or the reason it has none")
        log_group = logs.LogGroup(
            scope,
            f"{construct_id}Logs",
            retention=log_retention(self.log_retention_days),
            encryption_key=self.log_key,
            removal_policy=RemovalPolicy.RETAIN,
        )
        role = iam.Role(
            scope,
            f"{construct_id}Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"okaeri {construct_id}: its log group, tracing and what its construct grants",
        )
        log_group.grant_write(role)
        function = lambda_.Function(
            scope,
            construct_id,
            runtime=RUNTIME,
            architecture=lambda_.Architecture.ARM_64,
            code=lambda_.Code.from_asset(str(FUNCTIONS_DIR / source), exclude=["__pycache__", "*.pyc"]),
            handler=handler,
            function_name=function_name,
            description=description,
            layers=[self.layer],
            role=role,
            memory_size=memory_mb,
            timeout=Duration.seconds(timeout_seconds),
            reserved_concurrent_executions=reserved_concurrency,
            dead_letter_queue=dead_letter_queue,
            tracing=lambda_.Tracing.ACTIVE,
            logging_format=lambda_.LoggingFormat.JSON,
            application_log_level_v2=lambda_.ApplicationLogLevel.INFO,
            system_log_level_v2=lambda_.SystemLogLevel.WARN,
            log_group=log_group,
            environment={
                **RUNTIME_ENVIRONMENT,
                **self.environment,
                **(environment or {}),
            },
        )
        self.made.append((function, role))
        # Tracing adds the X-Ray statement (Resource "*") to the role's policy.
        acknowledge(role, WILDCARD_REASON, wildcard_resource("*"))
        acknowledge(role, KEY_GRANT_REASON, *KEY_GRANT_FINDINGS)
        acknowledge(function, RUNTIME_REASON, "Serverless-LambdaLatestVersion", "AwsSolutions-L1")
        if no_dead_letter_queue is not None:
            acknowledge(function, NO_DLQ_REASONS[no_dead_letter_queue], "Serverless-LambdaDLQ")
        return function
