"""One observability module: the Powertools logger, tracer and metrics every handler uses.

Handlers decorate in the same order everywhere::

    @logger.inject_lambda_context(clear_state=True)
    @tracer.capture_lambda_handler
    @metrics.log_metrics
    def handler(event, context): ...

Business metrics (namespace ``Okaeri``): OrderIngested, ParseFailed, DeliveryScheduled, MailSent,
SendSkipped, SendUnknown, Bounced, Complained (see docs/operations.md).
"""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit

SERVICE = "okaeri"
NAMESPACE = "Okaeri"

logger = Logger(service=SERVICE)
tracer = Tracer(service=SERVICE)
metrics = Metrics(namespace=NAMESPACE, service=SERVICE)


def count(name: str, value: int = 1) -> None:
    """Add a business metric (a count)."""
    if value:
        metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)
