"""Sending: the SES domain identity (Easy DKIM) and configuration set, SES events back to Okaeri, the
unsubscribe signing key, and the three functions that share functions/send: send, sweep and events."""

from __future__ import annotations

from aws_cdk import Aws, Duration, RemovalPolicy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_ses as ses
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

from infra.capabilities.scheduling import Scheduling, dead_letter_queue
from infra.capabilities.storage import Storage
from infra.lambda_function import LambdaFactory
from infra.nag import AccountArn, acknowledge, grant_on_pattern
from infra.resources import (
    NAME_PREFIX,
    RELAY_SECRET_PREFIX,
    SEND_FUNCTION,
    SES_CONFIGURATION_SET,
    UNSUBSCRIBE_SECRET,
)
from infra.settings import DeploymentSettings
from infra.tables import CONFIG, CUSTOMERS, DELIVERIES, LOGS, ORDERS

SES_EVENTS_TOPIC = f"{NAME_PREFIX}-ses-events"
#: How long a wake-up may wait in Lambda's event queue for the send function (the most Lambda
#: allows). The send function runs only ``send_concurrency`` instances, so a sale's wave of
#: wake-ups queues here and goes out at the SES rate: six hours hold 300,000 mails at 14 a second.
#: A wake-up older than this goes to the send dead-letter queue; its delivery is still
#: ``scheduled`` and the sweeper sends it (services/sweep.py).
SEND_MAX_EVENT_AGE = Duration.hours(6)
#: Retries of an invocation that failed (an error, not a refusal: those are outcomes); then the
#: dead-letter queue. Waiting for a free instance is not a retry: Lambda keeps a throttled event
#: until ``SEND_MAX_EVENT_AGE``.
SEND_RETRY_ATTEMPTS = 2
SEND_ACTIONS = ("ses:SendEmail", "ses:SendRawEmail")
#: What the secrets adapter calls (okaeri/aws/secrets.py) to read, and to keep, run-time secrets.
SECRET_READ_ACTIONS = ("secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret")
SECRET_MANAGE_ACTIONS = (
    *SECRET_READ_ACTIONS,
    "secretsmanager:CreateSecret",
    "secretsmanager:PutSecretValue",
    "secretsmanager:DeleteSecret",
)
#: SES events Okaeri records (services/events.py): counters, delivery status, suppression.
SES_EVENTS = (
    ses.EmailSendingEvent.DELIVERY,
    ses.EmailSendingEvent.BOUNCE,
    ses.EmailSendingEvent.COMPLAINT,
    ses.EmailSendingEvent.REJECT,
)


def secrets_named(prefix: str) -> AccountArn:
    """Secrets whose name starts with ``prefix`` (Secrets Manager appends ``-`` and 6 characters)."""
    return AccountArn("secretsmanager", f"secret:{prefix}*")


class Sending(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: DeploymentSettings,
        storage: Storage,
        scheduling: Scheduling,
        functions: LambdaFactory,
    ) -> None:
        super().__init__(scope, construct_id)
        self.configuration_set = ses.ConfigurationSet(
            self,
            "ConfigurationSet",
            configuration_set_name=SES_CONFIGURATION_SET,
            reputation_metrics=True,
            sending_enabled=True,
            suppression_reasons=ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
        )
        self.identity = ses.EmailIdentity(
            self,
            "SendingDomain",
            identity=ses.Identity.domain(settings.sending_domain),
            configuration_set=self.configuration_set,
            dkim_signing=True,
        )
        self.identity_arn = AccountArn("ses", f"identity/{settings.sending_domain}").token
        self.configuration_set_arn = AccountArn("ses", f"configuration-set/{SES_CONFIGURATION_SET}").token
        self.unsubscribe_key = secretsmanager.Secret(
            self,
            "UnsubscribeSigningKey",
            secret_name=UNSUBSCRIBE_SECRET,
            description="Okaeri: signs unsubscribe links (HMAC); never shown to anyone",
            encryption_key=storage.key,
            generate_secret_string=secretsmanager.SecretStringGenerator(
                password_length=64, exclude_punctuation=True
            ),
            removal_policy=RemovalPolicy.RETAIN,
        )
        acknowledge(
            self.unsubscribe_key,
            "Rotating the signing key would break every unsubscribe link already sent; "
            "特定電子メール法 requires them to keep working",
            "AwsSolutions-SMG4",
        )
        self.environment = {
            "SES_CONFIGURATION_SET": SES_CONFIGURATION_SET,
            "UNSUBSCRIBE_SECRET_ID": self.unsubscribe_key.secret_arn,
        }

        self.send_failures = dead_letter_queue(self, "SendFailures", storage=storage)
        self.send = functions.function(
            self,
            "Send",
            source="send",
            function_name=SEND_FUNCTION,
            description="Okaeri send: a one-off wake-up → one mail through SES or the shop's relay",
            timeout_seconds=60,
            reserved_concurrency=settings.send_concurrency,
            environment=self.environment,
            dead_letter_queue=self.send_failures,
        )
        self.send.configure_async_invoke(max_event_age=SEND_MAX_EVENT_AGE, retry_attempts=SEND_RETRY_ATTEMPTS)
        acknowledge(
            self.send.node.find_child("EventInvokeConfig"),
            "A wake-up that failed or outlived the queue goes to the function's dead-letter queue "
            "(DeadLetterConfig, alarmed, redriven as docs/operations.md says); a failure destination would "
            "only deliver it twice",
            "Serverless-LambdaAsyncFailureDestination",
        )
        self.sweep = functions.function(
            self,
            "Sweep",
            source="send",
            handler="handler.sweep_handler",
            description="Okaeri sweeper: expired send leases → unknown; missed wake-ups are sent",
            timeout_seconds=300,
            reserved_concurrency=1,
            environment=self.environment,
            dead_letter_queue=self.send_failures,
        )
        for sender in (self.send, self.sweep):
            self._grant_send(sender, storage=storage, scheduling=scheduling)
        scheduling.add_sweeper(self.sweep)
        self.events = self._events(storage=storage, functions=functions)

    def _grant_send(self, function: lambda_.Function, *, storage: Storage, scheduling: Scheduling) -> None:
        # CONFIG: counters, coupons; CUSTOMERS: the frequency cap's ``cap#<customer>`` items (issue #16)
        storage.grant_tables(function, CONFIG, CUSTOMERS, DELIVERIES, LOGS, write=True)
        storage.grant_tables(function, ORDERS, write=False)
        scheduling.grant_manage_schedules(function)
        self.grant_send_mail(function)
        self.grant_relay_credentials(function, write=False)
        self.unsubscribe_key.grant_read(function)

    def grant_send_mail(self, grantee: iam.IGrantable) -> None:
        """SendEmail only from the sending domain and only through Okaeri's configuration set."""
        grantee.grant_principal.add_to_principal_policy(
            iam.PolicyStatement(
                actions=list(SEND_ACTIONS), resources=[self.identity_arn, self.configuration_set_arn]
            )
        )

    def grant_relay_credentials(self, grantee: iam.IGrantable, *, write: bool) -> None:
        """The shops' SMTP relay credentials (``okaeri/relay/<shop>/<relay>``): read, or manage."""
        grant_on_pattern(
            grantee,
            actions=SECRET_MANAGE_ACTIONS if write else SECRET_READ_ACTIONS,
            arn=secrets_named(RELAY_SECRET_PREFIX),
            why="A shop's SMTP relay credentials are made at run time, when an owner adds the relay",
        )

    def _events(self, *, storage: Storage, functions: LambdaFactory) -> lambda_.Function:
        """SES event publishing → an encrypted topic → the events function (failures to a queue)."""
        topic = sns.Topic(
            self,
            "SesEvents",
            topic_name=SES_EVENTS_TOPIC,
            display_name="Okaeri SES events",
            master_key=storage.key,
            enforce_ssl=True,
        )
        topic.add_to_resource_policy(
            iam.PolicyStatement(
                sid="SesPublishesEvents",
                principals=[iam.ServicePrincipal("ses.amazonaws.com")],
                actions=["sns:Publish"],
                resources=[topic.topic_arn],
                conditions={
                    "StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID},
                    "ArnLike": {"aws:SourceArn": self.configuration_set_arn},
                },
            )
        )
        storage.allow_service_to_encrypt(
            "SesPublishesEvents",
            iam.ServicePrincipal("ses.amazonaws.com"),
            source_arn=self.configuration_set_arn,
        )
        self.configuration_set.add_event_destination(
            "ToOkaeri", destination=ses.EventDestination.sns_topic(topic), events=list(SES_EVENTS)
        )
        failures = dead_letter_queue(self, "EventFailures", storage=storage)
        function = functions.function(
            self,
            "Events",
            source="send",
            handler="handler.events_handler",
            description="Okaeri events: SES delivery, bounce, complaint → delivery status and suppression",
            environment=self.environment,  # its settings are the send function's (SendSettings)
            dead_letter_queue=failures,
        )
        topic.add_subscription(subscriptions.LambdaSubscription(function, dead_letter_queue=failures))
        # SNS itself moves an event it could not deliver into the (encrypted) queue.
        storage.allow_service_to_encrypt(
            "SnsKeepsUndeliveredEvents",
            iam.ServicePrincipal("sns.amazonaws.com"),
            # by name: the key cannot refer to the topic it encrypts
            source_arn=AccountArn("sns", SES_EVENTS_TOPIC).token,
        )
        storage.grant_tables(function, CONFIG, CUSTOMERS, DELIVERIES, write=True)
        self.topic = topic
        self.event_failures = failures
        return function
