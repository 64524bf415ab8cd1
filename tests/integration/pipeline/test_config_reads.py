"""Configuration is read once per warm container, not once per order (issue #14 item 3).

Twenty orders go through the real handlers (ingest → the orders stream → schedule → each wake-up at
its time → send) with the dependencies ``okaeri.wiring`` builds, each function one warm
container. A botocore hook on the DynamoDB client the adapters share counts the reads of the
``config`` table (GetItem, Query, BatchGetItem, Scan) by the function running: configuration
(shop, scenarios, templates, masks, relays) apart from coupon codes, which are handed out per mail
and never cached. Before the cache, each order cost 19 configuration reads (ingest 2, schedule 5,
send 4 per mail); now a function reads each piece once, and again only when ``CONFIG_TTL`` has
passed on its clock.
"""

from __future__ import annotations

import contextlib
import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import boto3

from functions.ingest import handler as ingest_handler
from functions.schedule import handler as schedule_handler
from functions.send import handler as send_handler
from okaeri.aws.clients import dynamodb_client
from okaeri.aws.config import DynamoConfig, DynamoCoupons
from okaeri.aws.config_cache import CONFIG_TTL, CachedConfig
from tests.conftest import FIXTURES
from tests.integration.conftest import REGION
from tests.integration.pipeline.conftest import GROUP, SHOP_ID, Stack, put_mail, s3_event, stream_records

TOKYO = ZoneInfo("Asia/Tokyo")
ORDERS = 20
ARRIVAL = datetime(2026, 12, 2, 14, 5, tzinfo=TOKYO)  # the Yahoo! mail's own time
READS = frozenset({"GetItem", "Query", "BatchGetItem", "Scan"})


def order_mail(n: int) -> bytes:
    """The Yahoo!ショッピング fixture order as the n-th order of its own buyer."""
    raw = (FIXTURES / "mail" / "yahoo-iso2022-company.eml").read_bytes()
    for old, new in (
        (b"midori-cha-10000077", f"midori-cha-3{n:07d}"),
        (b"ichiro@hikari", f"ichiro.{n:03d}@hikari"),
    ):
        assert raw.count(old) == 1
        raw = raw.replace(old, new.encode("ascii"))
    return raw


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for inner in value.values():
            yield from _strings(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _strings(inner)


@dataclass
class ConfigReads:
    """Reads of the config table, by function: ``config`` (what operators edit) and ``coupons``."""

    table: str
    function: str | None = None
    config: Counter[str] = field(default_factory=Counter)
    coupons: Counter[str] = field(default_factory=Counter)
    invocations: Counter[str] = field(default_factory=Counter)
    reading: list[int] = field(default_factory=list)  # the config reads of each invocation, in order

    def __call__(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        if self.function is None or model.name not in READS or params.get("TableName") != self.table:
            return
        keys = [*_strings(params.get("Key", {})), *_strings(params.get("ExpressionAttributeValues", {}))]
        if any(key.startswith("coupon") for key in keys):
            self.coupons[self.function] += 1
        else:
            self.config[self.function] += 1
            self.reading[-1] += 1

    @contextlib.contextmanager
    def running(self, function: str) -> Iterator[None]:
        self.function = function
        self.invocations[function] += 1
        self.reading.append(0)
        try:
            yield
        finally:
            self.function = None


@contextlib.contextmanager
def counting(stack: Stack) -> Iterator[ConfigReads]:
    reads = ConfigReads(stack.tables["config"])
    events = dynamodb_client().meta.events
    events.register("before-parameter-build.dynamodb", reads, unique_id="config-reads")
    try:
        yield reads
    finally:
        events.unregister("before-parameter-build.dynamodb", unique_id="config-reads")


def arrive(stack: Stack, reads: ConfigReads, n: int, *, batch: bool = False) -> None:
    """Order ``n``'s mail into S3 → ingest; its stream records → schedule (unless ``batch``)."""
    key = f"inbound/{SHOP_ID}/config-reads-{n:03d}"
    put_mail(key, order_mail(n))
    with reads.running("ingest"):
        [result] = ingest_handler.handle(s3_event(key), stack.ingest)["results"]
    assert result["result"] == "parsed", result
    if not batch:
        schedule_all(stack, reads)


def schedule_all(stack: Stack, reads: ConfigReads) -> int:
    records = stream_records(stack)
    with reads.running("schedule"):
        answer = schedule_handler.handle({"Records": records}, stack.schedule)
    assert answer["batchItemFailures"] == []
    return len(records)


def fire_all(stack: Stack, reads: ConfigReads) -> tuple[Counter[str], list[datetime]]:
    """Every wake-up at its time, in time order (then deleted, as the scheduler does)."""
    client = boto3.client("scheduler", region_name=REGION)
    due = []
    pages = client.get_paginator("list_schedules").paginate(GroupName=GROUP)
    for summary in (summary for page in pages for summary in page["Schedules"]):
        schedule = client.get_schedule(Name=summary["Name"], GroupName=GROUP)
        at = datetime.fromisoformat(schedule["ScheduleExpression"][3:-1]).replace(
            tzinfo=ZoneInfo(schedule["ScheduleExpressionTimezone"])
        )
        due.append((at, summary["Name"], json.loads(schedule["Target"]["Input"])))
    outcomes: Counter[str] = Counter()
    moments = []
    for at, name, payload in sorted(due, key=lambda entry: (entry[0], entry[1])):
        stack.clock.set(max(stack.clock.now(), at))
        moments.append(stack.clock.now())
        with reads.running("send"):
            outcomes[send_handler.handle_wake_up(payload, stack.send)["status"]] += 1
        client.delete_schedule(Name=name, GroupName=GROUP)
    return outcomes, moments


def test_the_pipeline_functions_read_the_config_table_through_the_cache(stack: Stack) -> None:
    for deps in (stack.ingest, stack.schedule, stack.send, stack.events):
        assert isinstance(deps.config, CachedConfig)
    assert isinstance(stack.admin.config, DynamoConfig)  # the admin API reads fresh


def test_twenty_orders_read_the_configuration_once_per_function(stack: Stack) -> None:
    """A burst of orders (one minute), then their mails at their times: the reads do not grow."""
    DynamoCoupons(stack.tables["config"]).load_pool(
        SHOP_ID, "MIKAN5", [f"MIKAN5-READS-{n:03d}" for n in range(ORDERS)]
    )
    stack.clock.set(ARRIVAL)
    with counting(stack) as reads:
        arrive(stack, reads, 0)
        first = reads.config.copy()
        for n in range(1, ORDERS):
            arrive(stack, reads, n)
        assert reads.config == first  # nineteen more orders: not one more read
        assert reads.reading[2:] == [0] * (2 * ORDERS - 2)
        outcomes, moments = fire_all(stack, reads)

    assert outcomes == Counter({"sent": 3 * ORDERS})
    assert len(stack.ses_outbox()) == 3 * ORDERS
    assert (reads.invocations["ingest"], reads.invocations["schedule"]) == (ORDERS, ORDERS)
    # ingest: the shop and its masks; schedule: the shop, the active scenarios, the three templates.
    assert (reads.config["ingest"], reads.config["schedule"]) == (2, 5)
    # send: the pinned scenario and template versions once; the shop and its relays once a minute.
    sends = reads.reading[2 * ORDERS :]
    assert len(sends) == 3 * ORDERS
    distinct = sorted(set(moments))
    assert len(distinct) == 3  # every order's thanks, like and love go at the same three times
    first_of_each = [moments.index(moment) for moment in distinct]
    assert [index for index, count in enumerate(sends) if count] == first_of_each
    assert reads.config["send"] == 4 + 2 * len(distinct)
    assert reads.coupons["send"] > 0  # the love mail's coupon codes: read per mail, never cached


def test_a_stream_batch_reads_the_configuration_once(stack: Stack) -> None:
    stack.clock.set(ARRIVAL)
    with counting(stack) as reads:
        for n in range(25):
            arrive(stack, reads, n, batch=True)
        assert schedule_all(stack, reads) == 25  # one batch, as Lambda hands over up to 25 records
    assert reads.invocations["schedule"] == 1
    assert reads.config["schedule"] == 5
    assert reads.config["ingest"] == 2


def test_an_edit_by_the_admin_api_reaches_the_pipeline_after_the_ttl(stack: Stack) -> None:
    """An operator saves a new thanks template: the admin API sees it at once; an order planned
    within the TTL still pins the version before, one planned after it pins the new one."""
    stack.clock.set(ARRIVAL)
    with counting(stack) as reads:
        arrive(stack, reads, 0)
        thanks = stack.admin.config.template(SHOP_ID, "thanks")
        assert thanks is not None
        saved = stack.admin.config.save_template(SHOP_ID, thanks.model_copy(update={"subject": "新しい件名"}))
        assert saved.version == thanks.version + 1
        current = stack.admin.config.template(SHOP_ID, "thanks")
        assert current is not None
        assert current.version == saved.version  # the admin API: at once

        stack.clock.set(ARRIVAL + CONFIG_TTL - timedelta(seconds=1))
        arrive(stack, reads, 1)
        stack.clock.set(ARRIVAL + CONFIG_TTL)
        arrive(stack, reads, 2)

    client = boto3.resource("dynamodb", region_name=REGION).Table(stack.tables["deliveries"])
    pinned = {
        str(item["order_key"]): int(item["template_version"])
        for item in client.scan()["Items"]
        if item.get("step_id") == "thanks" and item.get("template_version") is not None
    }
    assert sorted(pinned.values()) == [thanks.version, thanks.version, saved.version]
    [after] = [key for key, version in pinned.items() if version == saved.version]
    assert "30000002" in after
