"""Schedule: DynamoDB stream records of the orders table → deliveries and their one-off schedules.

A failing record is reported back (partial batch response), so only it is retried.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from okaeri.aws.dynamo import from_item
from okaeri.aws.orders import order_record
from okaeri.aws.orders_migration import is_migrated_insert
from okaeri.metrics import Metric
from okaeri.models import OrderRecord
from okaeri.observability import count, logger, metrics, tracer
from okaeri.services.schedule import ScheduleDeps, ScheduleOutcome, on_order_change
from okaeri.wiring import schedule_deps


def _image(record: DynamoDBRecord, name: str) -> OrderRecord | None:
    image = (record.raw_event.get("dynamodb") or {}).get(name)
    return order_record(from_item(image)) if image else None


def handle_record(record: DynamoDBRecord, deps: ScheduleDeps) -> ScheduleOutcome:
    images = record.raw_event.get("dynamodb") or {}
    old, new = _image(record, "OldImage"), _image(record, "NewImage")
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
) -> PartialItemFailureResponse:
    processor = BatchProcessor(event_type=EventType.DynamoDBStreams)
    return process_partial_response(
        event=event,
        record_handler=lambda record: handle_record(record, deps),
        processor=processor,
        context=context,
    )


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return handle(event, schedule_deps(), context)
