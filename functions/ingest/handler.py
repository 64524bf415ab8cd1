"""Ingest: S3 ObjectCreated (raw mail SES stored under inbound/<shop-id>/) → orders and reception log."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any
from urllib.parse import unquote_plus

from aws_lambda_powertools.utilities.typing import LambdaContext

from okaeri.errors import ParseError
from okaeri.metrics import Metric
from okaeri.models.records import ReceptionResult
from okaeri.observability import count, logger, metrics, tracer
from okaeri.services.ingest import SES_SETUP_NOTICE, IngestDeps, ingest_object, shop_from_key
from okaeri.wiring import ingest_deps

METRIC_BY_RESULT: dict[ReceptionResult, Metric] = {
    "parsed": Metric.ORDER_INGESTED,
    "duplicate": Metric.ORDER_DUPLICATE,
    "failed": Metric.PARSE_FAILED,
    "not_an_order": Metric.NOT_AN_ORDER,
    "refused": Metric.MAIL_REFUSED,
}


def s3_objects(event: dict[str, Any]) -> Iterator[tuple[str, datetime]]:
    """Each record of an S3 notification: the object's key (decoded: S3 writes it URL-encoded, a space
    as ``+``) and the event's time. Read as plain JSON: Powertools' ``S3Event`` would import every event
    data class it has at a cold start."""
    for record in event.get("Records") or []:
        yield unquote_plus(record["s3"]["object"]["key"]), datetime.fromisoformat(record["eventTime"])


def handle(event: dict[str, Any], deps: IngestDeps) -> dict[str, Any]:
    """Each record: the shop from the key prefix (never a header), then one reception entry."""
    results: list[dict[str, Any]] = []
    for key, event_time in s3_objects(event):
        if key.rpartition("/")[2] == SES_SETUP_NOTICE:
            logger.info("SES receipt rule set up: its test object is not a mail", extra={"key": key})
            results.append({"key": key, "result": "setup_notice"})
            continue
        try:
            shop_id = shop_from_key(key)
        except ParseError as exc:
            logger.error(
                "object outside inbound/<shop>/: not ingested", extra={"key": key, "reason": exc.reason}
            )
            count(Metric.MAIL_REFUSED)
            results.append({"key": key, "result": "refused", "reason": exc.reason})
            continue
        logger.append_keys(shop=shop_id, s3_key=key)
        entry = ingest_object(
            deps,
            shop_id=shop_id,
            key=key,
            event_time=event_time,
        )
        logger.info(
            "mail received", extra={"result": entry.result, "reason": entry.reason, "order": entry.order_key}
        )
        count(METRIC_BY_RESULT[entry.result])
        results.append({"key": key, "result": entry.result, "reason": entry.reason, "order": entry.order_key})
    return {"results": results}


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return handle(event, ingest_deps())
