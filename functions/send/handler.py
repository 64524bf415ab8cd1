"""Send: three entry points sharing one function's code and permissions.

- ``handler``: a one-off schedule's wake-up ``{"shop": …, "delivery": …}`` → send that delivery;
- ``sweep_handler``: the recurring sweeper → expired leases become ``unknown``, missed wake-ups are sent;
- ``events_handler``: SES event publishing (through SNS) → delivery events, counters, suppression.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from okaeri.errors import OkaeriError
from okaeri.metrics import Metric
from okaeri.models.records import SesEventType
from okaeri.observability import count, logger, metrics, tracer
from okaeri.services.events import EventsDeps, handle_ses_event, parse_ses_event
from okaeri.services.send import SendDeps, SendOutcome, SendStatus, send_delivery
from okaeri.services.sweep import sweep
from okaeri.wiring import events_deps, send_deps

METRIC_BY_STATUS: dict[SendStatus, Metric] = {
    SendStatus.SENT: Metric.MAIL_SENT,
    SendStatus.SKIPPED: Metric.SEND_SKIPPED,
    SendStatus.THROTTLED: Metric.SEND_THROTTLED,
    SendStatus.RETRY_LATER: Metric.SEND_RETRY_LATER,
    SendStatus.FAILED: Metric.SEND_FAILED,
    SendStatus.AMBIGUOUS: Metric.SEND_AMBIGUOUS,
}
METRIC_BY_EVENT: dict[SesEventType, Metric] = {
    "Bounce": Metric.BOUNCED,
    "Complaint": Metric.COMPLAINED,
    "Delivery": Metric.DELIVERED,
    "Reject": Metric.REJECTED,
}


class WakeUp(BaseModel):
    """What each one-off schedule carries."""

    model_config = ConfigDict(extra="ignore")

    shop: str = Field(min_length=1)
    delivery: str = Field(min_length=1, max_length=64)


def _record(outcome: SendOutcome) -> dict[str, Any]:
    metric = METRIC_BY_STATUS.get(outcome.status)
    if metric:
        count(metric)
    logger.info(
        "delivery handled",
        extra={"delivery": outcome.delivery_id, "status": outcome.status, "reason": outcome.reason,
               "message_id": outcome.message_id, "transport": outcome.transport},
    )  # fmt: skip
    return {"delivery": outcome.delivery_id, "status": outcome.status, "reason": outcome.reason}


def handle_wake_up(event: Mapping[str, Any], deps: SendDeps) -> dict[str, Any]:
    try:
        wake_up = WakeUp.model_validate(event)
    except ValidationError as exc:
        # A malformed wake-up can never succeed: log it loudly instead of retrying it forever.
        logger.error("malformed wake-up event", extra={"errors": exc.errors(include_url=False)})
        count(Metric.WAKE_UP_MALFORMED)
        return {"status": "malformed"}
    logger.append_keys(shop=wake_up.shop, delivery=wake_up.delivery)
    return _record(send_delivery(deps, shop_id=wake_up.shop, delivery_id=wake_up.delivery))


def handle_sweep(deps: SendDeps) -> dict[str, Any]:
    report = sweep(deps)
    count(Metric.SEND_UNKNOWN, len(report.unknown))
    for delivery_id in report.unknown:
        logger.warning("lease expired: delivery is now unknown", extra={"delivery": delivery_id})
    for delivery_id, code in report.errors:
        logger.error("sweeper could not act on a delivery", extra={"delivery": delivery_id, "code": code})
    return {"sent": [_record(outcome) for outcome in report.sent], "unknown": report.unknown,
            "errors": report.errors}  # fmt: skip


def _ses_records(event: Mapping[str, Any]) -> Iterator[Any]:
    """SES event JSON from SNS records, or an EventBridge event's ``detail``."""
    if "Records" in event:
        for record in event["Records"]:
            message = (record.get("Sns") or {}).get("Message", "")
            try:
                yield json.loads(message)
            except json.JSONDecodeError:
                yield {"unreadable": message[:200]}
    elif "detail" in event:
        yield event["detail"]
    else:
        yield event


def handle_events(event: Mapping[str, Any], deps: EventsDeps) -> dict[str, Any]:
    handled = []
    for record in _ses_records(event):
        try:
            ses_event = parse_ses_event(record)
        except OkaeriError as exc:
            logger.error("unreadable SES event", extra={"code": exc.code, "record": str(record)[:500]})
            count(Metric.EVENT_MALFORMED)
            continue
        logger.append_keys(shop=ses_event.shop_id, delivery=ses_event.delivery_id)
        result = handle_ses_event(deps, ses_event)
        if metric := METRIC_BY_EVENT.get(ses_event.event_type):
            count(metric)
        handled.append({"event": ses_event.event_type, "delivery": ses_event.delivery_id, "result": result})
    return {"handled": handled}


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return handle_wake_up(event, send_deps())


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def sweep_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return handle_sweep(send_deps())


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def events_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return handle_events(event, events_deps())
