"""Scheduling: the schedule group, the role Scheduler assumes (it may invoke only send), the
dead-letter queues, the schedule function on the orders stream, the win-back job (the schedule
function's code) and the recurring schedules of the sweeper and the win-back job."""

from __future__ import annotations

from aws_cdk import Aws, Duration, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_scheduler_targets as targets
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.capabilities.storage import Storage
from infra.lambda_function import LambdaFactory
from infra.nag import (
    KEY_GRANT_FINDINGS,
    KEY_GRANT_REASON,
    AccountArn,
    acknowledge,
    grant_on_pattern,
    wildcard_resource,
)
from infra.resources import (
    SCHEDULE_DLQ_RETENTION_DAYS,
    SCHEDULE_GROUP,
    SEND_FUNCTION,
    SWEEPER_RATE_MINUTES,
    WINBACK_RATE_MINUTES,
)
from infra.tables import CONFIG, CUSTOMERS, DELIVERIES, ORDERS
from okaeri.aws.customers import BY_LAST_ORDER

#: What the schedule adapter calls (okaeri/aws/scheduler.py).
SCHEDULE_ACTIONS = ("scheduler:CreateSchedule", "scheduler:UpdateSchedule", "scheduler:DeleteSchedule")
DLQ_REASON = "This queue is itself a dead-letter queue; its depth raises an alarm"
#: Batches of one stream shard processed at once (Lambda's most is 10). Lambda keeps the records of
#: one partition key in order, so an order's changes are still planned one after another (the orders
#: table's partition key is the order: docs/data-model.md), while a sale's many orders on one shard
#: are planned ten at a time instead of one at a time (issue #14: ≈120–280 ms a record).
STREAM_PARALLELIZATION_FACTOR = 10


def _scheduler_in_this_account() -> iam.ServicePrincipal:
    """EventBridge Scheduler, acting for schedules of this account only."""
    return iam.ServicePrincipal(
        "scheduler.amazonaws.com", conditions={"StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID}}
    )


def dead_letter_queue(scope: Construct, construct_id: str, *, storage: Storage) -> sqs.Queue:
    """A KMS-encrypted, TLS-only queue that keeps what failed for 14 days (alarmed on its depth)."""
    queue = sqs.Queue(
        scope,
        construct_id,
        encryption=sqs.QueueEncryption.KMS,
        encryption_master_key=storage.key,
        enforce_ssl=True,
        retention_period=Duration.days(SCHEDULE_DLQ_RETENTION_DAYS),
    )
    acknowledge(queue, DLQ_REASON, "AwsSolutions-SQS3", "Serverless-SQSRedrivePolicy")
    return queue


class Scheduling(Construct):
    """Made before the send function: its names are known up front (``SEND_FUNCTION``), so the
    send function's own settings can name the role, the queue and itself without a cycle."""

    def __init__(self, scope: Construct, construct_id: str, *, storage: Storage) -> None:
        super().__init__(scope, construct_id)
        self.group = scheduler.ScheduleGroup(self, "Group", schedule_group_name=SCHEDULE_GROUP)
        self.dead_letters = dead_letter_queue(self, "WakeUpDeadLetters", storage=storage)
        send_function = AccountArn("lambda", f"function:{SEND_FUNCTION}")
        self.send_function_arn = send_function.token
        self.role = iam.Role(
            self,
            "SchedulerRole",
            assumed_by=_scheduler_in_this_account(),
            description="EventBridge Scheduler's one-off wake-ups: may invoke the send function only",
            inline_policies={
                "InvokeSendOnly": iam.PolicyDocument(
                    statements=[
                        iam.PolicyStatement(
                            actions=["lambda:InvokeFunction"],
                            resources=[self.send_function_arn, f"{self.send_function_arn}:*"],
                        )
                    ]
                )
            },
        )
        self.dead_letters.grant_send_messages(self.role)
        acknowledge(self.role, KEY_GRANT_REASON, *KEY_GRANT_FINDINGS)
        acknowledge(
            self.role,
            "Invoking a version or alias of the send function is invoking the send function",
            wildcard_resource(f"{send_function.printed}:*"),
        )
        self.environment = {
            "SCHEDULE_GROUP": SCHEDULE_GROUP,
            "SEND_FUNCTION_ARN": self.send_function_arn,
            "SCHEDULER_ROLE_ARN": self.role.role_arn,
            "SCHEDULE_DLQ_ARN": self.dead_letters.queue_arn,
        }
        self.stream_failures = dead_letter_queue(self, "OrderStreamFailures", storage=storage)

    def add_schedule_function(self, *, storage: Storage, functions: LambdaFactory) -> lambda_.Function:
        """Orders stream → deliveries and their wake-ups; a record that keeps failing goes to a queue."""
        function = functions.function(
            self,
            "Schedule",
            source="schedule",
            description="Okaeri schedule: an order's change → its deliveries and one-off wake-ups",
            timeout_seconds=60,
            no_dead_letter_queue="stream",
        )
        function.add_event_source(
            sources.DynamoEventSource(
                storage.table(ORDERS),
                starting_position=lambda_.StartingPosition.TRIM_HORIZON,
                batch_size=25,
                parallelization_factor=STREAM_PARALLELIZATION_FACTOR,
                bisect_batch_on_error=True,
                report_batch_item_failures=True,
                retry_attempts=10,
                max_record_age=Duration.days(1),
                on_failure=sources.SqsDlq(self.stream_failures),
            )
        )
        # the results' counters (config) and an order's credit (orders, issue #15) are written here too
        storage.grant_tables(function, CONFIG, ORDERS, DELIVERIES, write=True)
        self.grant_manage_schedules(function)
        return function

    def grant_manage_schedules(self, grantee: iam.IGrantable) -> None:
        """Create, move and delete wake-ups in the group, passing only the scheduler role."""
        grant_on_pattern(
            grantee,
            actions=SCHEDULE_ACTIONS,
            arn=AccountArn("scheduler", f"schedule/{SCHEDULE_GROUP}/*"),
            why="One-off wake-ups are made at run time, one per delivery; only those in Okaeri's group",
        )
        self.role.grant_pass_role(grantee.grant_principal)

    def add_sweeper(self, sweeper: lambda_.IFunction) -> scheduler.Schedule:
        """Every few minutes: expired leases become ``unknown``, missed wake-ups are sent."""
        return self._recurring(
            "Sweeper",
            sweeper,
            every_minutes=SWEEPER_RATE_MINUTES,
            description="Okaeri sweeper: expired send leases and missed wake-ups",
        )

    def add_winback(self, *, storage: Storage, functions: LambdaFactory) -> lambda_.Function:
        """Every hour: the buyers whose last order just became ``lapsed_days`` old get their win-back
        runs (services/winback.py). One copy at a time; a run that fails goes to its own queue, and
        the next hour takes the day again."""
        self.winback_failures = dead_letter_queue(self, "WinbackFailures", storage=storage)
        function = functions.function(
            self,
            "Winback",
            source="schedule",
            handler="handler.winback_handler",
            description="Okaeri win-back: every hour, buyers whose last order just lapsed → their runs",
            timeout_seconds=900,
            reserved_concurrency=1,
            dead_letter_queue=self.winback_failures,
        )
        # CONFIG: the registry and its days done, the results' counters; ORDERS: the last order
        storage.grant_tables(function, CONFIG, DELIVERIES, write=True)
        storage.grant_tables(function, ORDERS, write=False)
        storage.grant_index_query(function, CUSTOMERS, BY_LAST_ORDER)
        self.grant_manage_schedules(function)
        self._recurring(
            "WinbackSchedule",  # "Winback" is the function, "WinbackRole" its role
            function,
            every_minutes=WINBACK_RATE_MINUTES,
            description="Okaeri win-back: buyers whose last order just became lapsed_days old",
        )
        return function

    def _recurring(
        self, name: str, function: lambda_.IFunction, *, every_minutes: int, description: str
    ) -> scheduler.Schedule:
        """A recurring schedule that invokes ``function`` only (its own role; what it could not
        deliver goes to the wake-up dead-letter queue)."""
        role = iam.Role(
            self,
            f"{name}Role",
            assumed_by=_scheduler_in_this_account(),
            description=f"EventBridge Scheduler's recurring schedule {name}: may invoke its function only",
        )
        self.dead_letters.grant_send_messages(role)  # incl. the key: Scheduler writes as this role
        logical_id = Stack.of(self).get_logical_id(function.node.default_child)  # type: ignore[arg-type]
        acknowledge(
            role,
            f"Invoking a version or alias of the {name} function is invoking that function",
            wildcard_resource(f"<{logical_id}.Arn>:*"),
        )
        acknowledge(role, KEY_GRANT_REASON, *KEY_GRANT_FINDINGS)
        return scheduler.Schedule(
            self,
            name,
            schedule=scheduler.ScheduleExpression.rate(Duration.minutes(every_minutes)),
            schedule_group=self.group,
            description=description,
            target=targets.LambdaInvoke(
                function, role=role, dead_letter_queue=self.dead_letters, retry_attempts=0
            ),
        )
