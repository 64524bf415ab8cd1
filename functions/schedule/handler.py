"""Schedule: DynamoDB stream records of the orders table → deliveries and their one-off schedules;
and ``winback_handler``, the hourly win-back job (issue #16), which shares this function's code.

A failing record is reported back (partial batch response), so only it is retried. The loop is
this module's own rather than Powertools' ``BatchProcessor``: that module imports asyncio and every
event data class Powertools has, an eighth of this function's cold start, for a loop of ten lines.
"""

from __future__ import annotations

from typing import Any, TypedDict

from aws_lambda_powertools.utilities.typing import LambdaContext

from okaeri.aws.dynamo import from_item
from okaeri.aws.orders import order_record
from okaeri.aws.orders_migration import is_migrated_insert
from okaeri.errors import OkaeriError
from okaeri.metrics import Metric
from okaeri.models import OrderRecord
from okaeri.observability import count, logger, metrics, tracer
from okaeri.services.schedule import ScheduleDeps, ScheduleOutcome, on_order_change
from okaeri.services.winback import WinbackDeps, run_winback
from okaeri.wiring import schedule_deps, winback_deps


class ItemFailure(TypedDict):
    itemIdentifier: str


class PartialBatchResponse(TypedDict):
    batchItemFailures: list[ItemFailure]


def _image(images: dict[str, Any], name: str) -> OrderRecord | None:
    image = images.get(name)
    return order_record(from_item(image)) if image else None


def handle_record(record: dict[str, Any], deps: ScheduleDeps) -> ScheduleOutcome:
    """One stream record (its ``dynamodb`` images as the stream sends them)."""
    images = record.get("dynamodb") or {}
    old, new = _image(images, "OldImage"), _image(images, "NewImage")
    current = new or old
    if current is not None:
        logger.append_keys(shop=current.shop_id, order=current.order_key)
    if is_migrated_insert(images.get("OldImage"), images.get("NewImage")):
        # an order moved to its per-order key (okaeri migrate-order-keys): planned already
        outcome = ScheduleOutcome(note="migrated")
    else:
        outcome = on_order_change(deps, old, new)
    count(Metric.DELIVERY_SCHEDULED, len(outcome.created))
    count(Metric.DELIVERY_CANCELLED, len(outcome.cancelled))
    count(Metric.DELIVERY_MOVED, len(outcome.moved))
    logger.info(
        "order change planned",
        extra={"deliveries_created": outcome.created, "deliveries_existing": outcome.existing,
               "deliveries_cancelled": outcome.cancelled, "deliveries_moved": outcome.moved,
               "steps_skipped": outcome.skipped, "note": outcome.note},
    )  # fmt: skip
    return outcome


def handle(
    event: dict[str, Any], deps: ScheduleDeps, context: LambdaContext | None = None
) -> PartialBatchResponse:
    """Every record of the batch in turn; each one that fails is logged and reported by its sequence
    number (Lambda retries the batch from the first of them; a record planned already plans nothing)."""
    failures: list[ItemFailure] = []
    for record in event.get("Records") or []:
        try:
            handle_record(record, deps)
        except Exception:
            logger.exception("order change failed", extra={"event_id": record.get("eventID")})
            failures.append({"itemIdentifier": str((record.get("dynamodb") or {}).get("SequenceNumber", ""))})
    return {"batchItemFailures": failures}


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> PartialBatchResponse:
    return handle(event, schedule_deps(), context)


def handle_winback(deps: WinbackDeps) -> dict[str, Any]:
    """One run of the win-back job: what it took and started, for the log (and the local stack).
    A shop it could not finish makes it raise, after every other shop is done."""
    report = run_winback(deps)
    count(Metric.WINBACK_STARTED, len(report.started))
    count(Metric.DELIVERY_SCHEDULED, len(report.runs.created))
    count(Metric.DELIVERY_CANCELLED, len(report.runs.cancelled))
    for shop_id, code in report.errors:
        logger.error("win-back job could not finish a shop", extra={"shop": shop_id, "code": code})
    days = {shop_id: [day.isoformat() for day in days] for shop_id, days in report.days.items()}
    logger.info(
        "win-back job ran",
        extra={"days": days, "runs_started": report.started, "deliveries_created": report.runs.created,
               "steps_skipped": report.runs.skipped, "customers_skipped": report.skipped},
    )  # fmt: skip
    if report.errors:  # the invocation fails: retried, then dead-lettered (alarmed)
        shops = ", ".join(shop_id for shop_id, _ in report.errors)
        raise OkaeriError(
            f"お久しぶりメールの処理を終えられなかったショップがあります: {shops}",
            f"the win-back job could not finish shop(s) {shops}; their days are taken again next hour",
            code="winback_incomplete",
        )
    return {"days": days, "started": report.started, "created": report.runs.created,
            "skipped": [list(entry) for entry in report.skipped], "errors": report.errors}  # fmt: skip


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def winback_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """The recurring schedule's invocation (its event carries nothing the job needs)."""
    return handle_winback(winback_deps())
