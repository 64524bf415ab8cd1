"""Local stack throughput: order mails per second, from SMTP to scheduled deliveries.

The whole local stack (``okaeri_dev``) runs in this process on free loopback ports with its clock
frozen, and one SMTP client sends it ``ORDER_COUNT`` demo order mails, one transaction each on one
connection, every fourth buyer a Rakuten masked address. The stack answers ``250`` only when the
mail is stored, ingested, its stream records fed to the schedule function and the three wake-ups
created, so the time from the first ``MAIL FROM`` to the last ``250`` covers the whole way in.
It measures the local stack (moto over HTTP, one invocation at a time), not Lambda: it says how
fast a developer can push a sale day's orders through ``make dev``.
"""

from __future__ import annotations

import smtplib
import statistics
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Final
from zoneinfo import ZoneInfo

from bench.report import Spread, Table, print_table

ORDER_COUNT: Final = 200
STEPS: Final = 3
START: Final = datetime(2026, 11, 30, 9, 0, tzinfo=ZoneInfo("Asia/Tokyo"))


@dataclass(frozen=True)
class Measurement:
    orders: int
    seconds: float
    latencies_ms: list[float]
    deliveries: int
    schedules: int


def measure(order_count: int = ORDER_COUNT) -> Measurement:
    from infra.resources import inbound_recipient
    from okaeri.observability import logger
    from okaeri_dev.send_sample import LOCAL_DOMAIN, order_mail
    from okaeri_dev.stack import LocalStack, StackOptions

    logger.setLevel("WARNING")  # the handlers' INFO lines would be most of the work
    mails = [order_mail(ordered_at=START, serial=n, masked=n % 4 == 0) for n in range(1, order_count + 1)]
    options = StackOptions(port=0, smtp_port=0, aws_port=0, clock_start=START, ticking=False, tick_seconds=0)
    with LocalStack(options) as stack:
        latencies: list[float] = []
        with smtplib.SMTP("127.0.0.1", stack.smtp_port, timeout=60) as smtp:
            smtp.ehlo("bench")
            began = time.perf_counter()
            for raw in mails:
                sent = time.perf_counter()
                smtp.mail("order@rakuten.co.jp")
                smtp.rcpt(inbound_recipient("demo", LOCAL_DOMAIN))
                code, answer = smtp.data(raw)
                if code != 250 or not answer.endswith(b" parsed"):
                    raise RuntimeError(f"the local stack did not take an order mail: {code} {answer!r}")
                latencies.append((time.perf_counter() - sent) * 1000)
            seconds = time.perf_counter() - began
        deliveries = _scheduled_deliveries(stack.aws_url)
        schedules = stack.dispatcher.pending_wake_ups()
    if deliveries != order_count * STEPS or schedules != order_count * STEPS:
        raise RuntimeError(
            f"expected {order_count * STEPS} deliveries and wake-ups: {deliveries}, {schedules}"
        )
    return Measurement(order_count, seconds, latencies, deliveries, schedules)


def _scheduled_deliveries(aws_url: str) -> int:
    import boto3

    client = boto3.client(
        "dynamodb",
        endpoint_url=aws_url,
        region_name="ap-northeast-1",
        aws_access_key_id="bench",
        aws_secret_access_key="bench",
    )
    pages = client.get_paginator("scan").paginate(
        TableName="okaeri-deliveries",
        Select="COUNT",
        FilterExpression="#status = :scheduled",
        ExpressionAttributeNames={"#status": "status"},
        ExpressionAttributeValues={":scheduled": {"S": "scheduled"}},
    )
    return sum(page["Count"] for page in pages)


def run() -> tuple[Table, list[str]]:
    """The table and the notes for docs/benchmarks.md."""
    figures = measure()
    rate = figures.orders / figures.seconds
    quantiles = statistics.quantiles(figures.latencies_ms, n=20)
    table = Table(
        title=f"Local stack: order mails in, SMTP to scheduled deliveries ({figures.orders} orders)",
        header=("figure", "measured"),
        rows=[
            ("orders per second (SMTP `250` = stored, ingested, planned, wake-ups created)", f"{rate:,.1f}"),
            ("deliveries planned per second", f"{figures.deliveries / figures.seconds:,.1f}"),
            ("per order mail, median (min–max) (ms)", Spread.of(figures.latencies_ms).show()),
            ("per order mail, 95th percentile (ms)", f"{quantiles[18]:,.1f}"),
        ],
        align="lr",
    )
    notes = [
        "The local stack (`make dev`) in one process on one core: moto over HTTP on loopback, the real",
        "ingest and schedule handlers one invocation at a time, one SMTP client sending demo Rakuten",
        f"order mails back to back ({figures.orders} orders; {figures.deliveries} deliveries and wake-ups",
        "checked afterwards). A developer's measure of `make dev`, not of Lambda.",
        "",
    ]
    return table, notes


if __name__ == "__main__":
    result, notes = run()
    print_table(result)
    print(*notes, sep="\n")
