"""Observability: alarms to one SNS topic (optionally mailed) and a dashboard.

Each alarm's description says what it means and what to do, in Japanese and English; docs/operations.md
says the same at more length. Business metrics come from Powertools (namespace ``Okaeri``), their names
from ``okaeri.metrics`` (which says why a metric has no alarm)."""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import Aws, Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.capabilities.storage import Storage
from infra.nag import AccountArn, acknowledge
from infra.resources import NAME_PREFIX
from okaeri.metrics import Metric
from okaeri.observability import NAMESPACE, SERVICE

#: SES reviews an account at 10 % bounces and 0.5 % complaints (warning at 5 % and 0.1 %): alarm at
#: the warning levels, while there is still time to act.
BOUNCE_RATE_WARNING = 0.05
COMPLAINT_RATE_WARNING = 0.001


@dataclass(frozen=True)
class AlarmSpec:
    name: str
    description: str  # 日本語 / English: what it means and what to do
    metric: cloudwatch.IMetric
    threshold: float
    evaluation_periods: int = 1


def business_metric(name: Metric, *, minutes: int = 5) -> cloudwatch.Metric:
    return cloudwatch.Metric(
        namespace=NAMESPACE,
        metric_name=name,
        dimensions_map={"service": SERVICE},
        statistic="Sum",
        period=Duration.minutes(minutes),
    )


def ses_reputation(name: str) -> cloudwatch.Metric:
    return cloudwatch.Metric(
        namespace="AWS/SES", metric_name=name, statistic="Maximum", period=Duration.hours(1)
    )


class Observability(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        storage: Storage,
        alarm_email: str,
        functions: dict[str, lambda_.Function],
        dead_letter_queues: dict[str, sqs.IQueue],
        api_id: str,
    ) -> None:
        super().__init__(scope, construct_id)
        self.topic = sns.Topic(
            self, "Alarms", display_name="Okaeri alarms", master_key=storage.key, enforce_ssl=True
        )
        our_alarms = AccountArn("cloudwatch", f"alarm:{NAME_PREFIX}-*").token
        # The topic's policy (enforce_ssl) replaces SNS's default one, so CloudWatch needs its own grant.
        self.topic.add_to_resource_policy(
            iam.PolicyStatement(
                sid="CloudWatchPublishesAlarms",
                principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
                actions=["sns:Publish"],
                resources=[self.topic.topic_arn],
                conditions={
                    "StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID},
                    "ArnLike": {"aws:SourceArn": our_alarms},
                },
            )
        )
        storage.allow_service_to_encrypt(
            "CloudWatchPublishesAlarms",
            iam.ServicePrincipal("cloudwatch.amazonaws.com"),
            source_arn=our_alarms,
        )
        if alarm_email:
            subscription = self.topic.add_subscription(subscriptions.EmailSubscription(alarm_email))
            acknowledge(
                subscription,
                "Alarm mail to a person: an undelivered notice is not replayed later; the alarm's state"
                " stays in CloudWatch and on the dashboard",
                "Serverless-SNSRedrivePolicy",
            )
        specs = [
            *(self._dead_letters(name, queue) for name, queue in dead_letter_queues.items()),
            AlarmSpec(
                "send-unknown",
                "配信の結果が不明です（送信中に止まりました）。管理画面の配信一覧で「不明」を確認し、再送か破棄を選んでください。"
                " / A send stopped midway and its outcome is unknown: review 'unknown' deliveries in the"
                " admin page, then resend or drop each.",
                business_metric(Metric.SEND_UNKNOWN),
                1,
            ),
            AlarmSpec(
                "parse-failed",
                "読めない注文メールがあります。受信ログで理由を確認し、必要ならパースマスクを作ってください。"
                " / An order mail could not be read: see the reception log for the reason; write a parse"
                " mask if the layout is new.",
                business_metric(Metric.PARSE_FAILED, minutes=15),
                1,
            ),
            AlarmSpec(
                "ses-bounce-rate",
                "SES のバウンス率が 5% を超えました（10% で送信停止の審査）。宛先リストと取り込み元を確認してください。"
                " / SES bounce rate above 5% (SES reviews the account at 10%): check imported addresses"
                " and where orders come from.",
                ses_reputation("Reputation.BounceRate"),
                BOUNCE_RATE_WARNING,
            ),
            AlarmSpec(
                "ses-complaint-rate",
                "SES の苦情率が 0.1% を超えました（0.5% で審査）。配信内容と頻度、配信停止リンクを見直してください。"
                " / SES complaint rate above 0.1% (SES reviews at 0.5%): review content, frequency and the"
                " unsubscribe link.",
                ses_reputation("Reputation.ComplaintRate"),
                COMPLAINT_RATE_WARNING,
            ),
            AlarmSpec(
                "api-5xx",
                "管理 API がサーバーエラーを返しています。admin 関数のログを確認してください。"
                " / The admin API is answering 5xx: read the admin function's log.",
                cloudwatch.Metric(
                    namespace="AWS/ApiGateway",
                    metric_name="5xx",
                    dimensions_map={"ApiId": api_id, "Stage": "$default"},
                    statistic="Sum",
                    period=Duration.minutes(5),
                ),
                5,
            ),
        ]
        for name, function in functions.items():
            specs.append(
                AlarmSpec(
                    f"{name}-errors",
                    f"関数 {name} が失敗しています。ログ（CloudWatch Logs）で原因を確認してください。"
                    f" / The {name} function is failing: read its log in CloudWatch Logs.",
                    function.metric_errors(period=Duration.minutes(5), statistic="Sum"),
                    1,
                )
            )
            specs.append(
                AlarmSpec(
                    f"{name}-throttles",
                    f"関数 {name} が同時実行数の上限で抑制されています（送信は SES の送信レートに合わせた上限です）。"
                    f" / The {name} function is throttled at its concurrency limit (send's limit follows"
                    " the SES send rate: raise send_rate when SES raised your quota).",
                    function.metric_throttles(period=Duration.minutes(5), statistic="Sum"),
                    1,
                    evaluation_periods=3 if name == "send" else 1,
                )
            )
        self.alarms = {spec.name: self._alarm(spec) for spec in specs}
        self.dashboard = self._dashboard(functions, dead_letter_queues)

    @staticmethod
    def _dead_letters(name: str, queue: sqs.IQueue) -> AlarmSpec:
        return AlarmSpec(
            f"{name}-dead-letters",
            f"{name} のデッドレターキューにメッセージがあります。docs/operations.md の手順で中身を確認し、再実行してください。"
            f" / Messages wait in the {name} dead-letter queue: inspect and redrive them as"
            " docs/operations.md describes.",
            queue.metric_approximate_number_of_messages_visible(
                period=Duration.minutes(5), statistic="Maximum"
            ),
            1,
        )

    def _alarm(self, spec: AlarmSpec) -> cloudwatch.Alarm:
        alarm = cloudwatch.Alarm(
            self,
            f"Alarm-{spec.name}",
            alarm_name=f"{NAME_PREFIX}-{spec.name}",
            alarm_description=spec.description,
            metric=spec.metric,
            threshold=spec.threshold,
            evaluation_periods=spec.evaluation_periods,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        alarm.add_alarm_action(actions.SnsAction(self.topic))
        alarm.add_ok_action(actions.SnsAction(self.topic))
        return alarm

    def _dashboard(
        self, functions: dict[str, lambda_.Function], dead_letter_queues: dict[str, sqs.IQueue]
    ) -> cloudwatch.Dashboard:
        def graph(title: str, metrics: list[cloudwatch.IMetric]) -> cloudwatch.GraphWidget:
            return cloudwatch.GraphWidget(title=title, left=metrics, width=12)

        return cloudwatch.Dashboard(
            self,
            "Dashboard",
            dashboard_name=NAME_PREFIX,
            widgets=[
                [
                    graph("受信 / Mail in", [business_metric(m) for m in (
                        Metric.ORDER_INGESTED, Metric.ORDER_DUPLICATE, Metric.NOT_AN_ORDER, Metric.PARSE_FAILED)]),
                    graph("配信 / Mail out", [business_metric(m) for m in (
                        Metric.DELIVERY_SCHEDULED, Metric.MAIL_SENT, Metric.SEND_THROTTLED, Metric.SEND_UNKNOWN)]),
                ],
                [
                    graph("SES イベント / SES events", [business_metric(m) for m in (
                        Metric.DELIVERED, Metric.BOUNCED, Metric.COMPLAINED, Metric.REJECTED)]),
                    graph("SES 評価 / SES reputation", [ses_reputation("Reputation.BounceRate"),
                                                         ses_reputation("Reputation.ComplaintRate")]),
                ],
                [
                    graph("エラー / Errors", [f.metric_errors(label=name) for name, f in functions.items()]),
                    graph("所要時間 p95 / Duration p95",
                          [f.metric_duration(statistic="p95", label=name) for name, f in functions.items()]),
                ],
                [
                    graph("デッドレター / Dead letters",
                          [q.metric_approximate_number_of_messages_visible(label=name)
                           for name, q in dead_letter_queues.items()]),
                    graph("抑制 / Throttles", [f.metric_throttles(label=name) for name, f in functions.items()]),
                ],
            ],
        )  # fmt: skip
