"""Admin API latency: the main list routes over a shop with 10,000 orders and 30,000 deliveries.

Everything runs in process: moto (tables from ``infra.tables``), the admin resolver of
``okaeri.api`` behind the same ``handle`` the Lambda uses, and payload 2.0 events carrying an
owner's claims as API Gateway would. Each route is called ``REPEAT`` times; p50 and p95 are wall
times per request, split into the time spent inside AWS calls (moto here, DynamoDB in the cloud)
and the rest (our code, Powertools, validation, JSON). Moto answers a query by walking the whole
partition, so the "in AWS calls" column says more about moto than about DynamoDB; the "our code"
column is what this project controls.
"""

from __future__ import annotations

import statistics
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from bench.pipeline import CONFIG, SHOP_ID, Table, _create_tables, fake_aws_environment
from bench.prices import REGION

ORDERS = 10_000
DELIVERIES_PER_ORDER = 3
REPEAT = 30
START = datetime(2026, 6, 1, 1, 0, tzinfo=UTC)
STEPS = ("thanks", "like", "love")
STATUSES = ("sent", "sent", "scheduled", "cancelled", "unknown")
CLAIMS = {
    "sub": "bench-owner",
    "email": "owner@bench.example",
    "cognito:groups": "[owner]",
    "custom:shops": SHOP_ID,
}


@dataclass
class CallTimer:
    """Wall time spent inside botocore calls (before-call → after-call on the default session)."""

    seconds: float = 0.0
    _started: list[float] = field(default_factory=list)

    def before(self, **_: Any) -> None:
        self._started.append(time.perf_counter())

    def after(self, **_: Any) -> None:
        if self._started:
            self.seconds += time.perf_counter() - self._started.pop()


def _environment(tables: dict[str, str]) -> dict[str, str]:
    import boto3

    from infra.identity import create_client_request, create_user_pool_request

    cognito = boto3.client("cognito-idp", region_name=REGION)
    pool = cognito.create_user_pool(**create_user_pool_request())["UserPool"]["Id"]
    client = cognito.create_user_pool_client(**create_client_request(pool))["UserPoolClient"]["ClientId"]
    secret = boto3.client("secretsmanager", region_name=REGION).create_secret(Name="u", SecretString="x" * 32)
    boto3.client("s3", region_name=REGION).create_bucket(
        Bucket="okaeri-raw-mail", CreateBucketConfiguration={"LocationConstraint": REGION}
    )
    boto3.client("scheduler", region_name=REGION).create_schedule_group(Name="okaeri")
    return {
        **{f"{logical}_table": name for logical, name in tables.items()},
        "raw_mail_bucket": "okaeri-raw-mail",
        "schedule_group": "okaeri",
        "send_function_arn": f"arn:aws:lambda:{REGION}:123456789012:function:okaeri-send",
        "scheduler_role_arn": "arn:aws:iam::123456789012:role/okaeri-scheduler",
        "schedule_dlq_arn": f"arn:aws:sqs:{REGION}:123456789012:okaeri-dlq",
        "ses_configuration_set": "okaeri",
        "unsubscribe_secret_id": secret["ARN"],
        "user_pool_id": pool,
        "user_pool_client_id": client,
        "aws_region": REGION,
    }


def _load(deps: Any) -> float:
    """The shop, 10,000 orders (a customer per 3 orders) and 30,000 deliveries; returns seconds taken.

    Orders and deliveries are written 25 at a time (BatchWriteItem) in the adapters' own item layout
    (their ``_item``), which is much faster in moto than one conditional put each; customers go
    through ``record_order`` as ingest writes them. The reads under test are the adapters' public ones.
    """
    from okaeri.aws.dynamo import to_item
    from okaeri.identity import customer_id_for
    from okaeri.models import Delivery, Order, OrderRecord, Scenario, Shop, Template, load_document

    began = time.perf_counter()
    deps.config.put_shop(load_document(Shop, CONFIG / "shop.yaml"))
    deps.config.save_scenario(SHOP_ID, load_document(Scenario, CONFIG / "scenario-thanks-like-love.yaml"))
    for path in sorted(CONFIG.glob("template-*.yaml")):
        deps.config.save_template(SHOP_ID, load_document(Template, path))
    batches: dict[str, list[dict[str, Any]]] = {
        deps.settings.orders_table: [],
        deps.settings.deliveries_table: [],
    }
    for n in range(ORDERS):
        email = f"buyer{n // 3:05d}@example.jp"
        ordered = START + timedelta(minutes=25 * n)
        order = Order.model_validate({
            "source": "rakuten", "order_id": f"338361-20260601-{n:010d}", "ordered_at": ordered.isoformat(),
            "customer": {"name": f"楽天 太郎{n // 3}", "email": email},
            "items": [{"sku": "mikan-5kg", "name": "有田みかん 5kg", "quantity": 1, "unit_price": 3980}],
            "total": 3980,
        })  # fmt: skip
        customer_id = customer_id_for(email)
        deps.customers.record_order(
            SHOP_ID, customer_id, email=email, name=order.customer.name, order_key=order.key
        )
        record = OrderRecord(
            shop_id=SHOP_ID, order=order, customer_id=customer_id, received_at=ordered,
            raw_keys=[f"inbound/{SHOP_ID}/{n}"],
        )  # fmt: skip
        batches[deps.settings.orders_table].append(deps.orders._item(record, at=ordered))
        for step_number, step in enumerate(STEPS):
            delivery = Delivery(
                id=f"{SHOP_ID}.{step}.{n:032x}", shop_id=SHOP_ID, order_key=order.key, run_id=f"run-{n}",
                customer_id=customer_id, customer_email=email, scenario_id="thanks-like-love",
                scenario_version=1, step_id=step, template_id=step, template_version=1,
                send_at=ordered + timedelta(days=14 * step_number),
                status=STATUSES[(n + step_number) % len(STATUSES)],
            )  # fmt: skip
            batches[deps.settings.deliveries_table].append(deps.deliveries._item(delivery))
    client = deps.orders._table.client
    for table, items in batches.items():
        for first in range(0, len(items), 25):
            requests = [{"PutRequest": {"Item": to_item(item)}} for item in items[first : first + 25]]
            client.batch_write_item(RequestItems={table: requests})
    return time.perf_counter() - began


def _routes() -> dict[str, tuple[str, dict[str, str]]]:
    base = f"/api/shops/{SHOP_ID}"
    return {
        "orders, first page": (f"{base}/orders", {}),
        "orders, one month": (f"{base}/orders", {"from": "2026-08-01", "to": "2026-08-31"}),
        "deliveries, first page": (f"{base}/deliveries", {}),
        "deliveries, status unknown": (f"{base}/deliveries", {"status": "unknown"}),
        "deliveries, by e-mail": (f"{base}/deliveries", {"q": "buyer01234@example.jp"}),
        "customers, first page": (f"{base}/customers", {}),
        "reception log": (f"{base}/receptions", {}),
        "dashboard, 30 days": (f"{base}/dashboard", {"days": "30"}),
    }


def _time(call: Callable[[], dict[str, Any]], timer: CallTimer) -> tuple[float, float]:
    inside = timer.seconds
    began = time.perf_counter()
    answer = call()
    total = time.perf_counter() - began
    if answer["statusCode"] != 200:
        raise RuntimeError(f"{answer['statusCode']}: {answer.get('body', '')[:300]}")
    return total, timer.seconds - inside


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def run() -> tuple[Table, list[str]]:
    import boto3
    from moto import mock_aws

    from functions.admin.handler import handle
    from okaeri.api import build_api
    from okaeri.aws.clients import reset_clients
    from okaeri.aws.wiring import SystemClock, build_admin_deps
    from okaeri.settings import AdminSettings
    from okaeri_dev.apigw import http_event

    with fake_aws_environment(), mock_aws(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reset_clients()
        boto3.setup_default_session(region_name=REGION)
        try:
            tables = _create_tables(boto3.session.Session(region_name=REGION))
            deps = build_admin_deps(AdminSettings.model_validate(_environment(tables)), SystemClock())
            load_seconds = _load(deps)
            app = build_api(deps)
            timer = CallTimer()
            assert boto3.DEFAULT_SESSION is not None
            boto3.DEFAULT_SESSION.events.register("before-call", timer.before)
            boto3.DEFAULT_SESSION.events.register("after-call", timer.after)
            rows = []
            for name, (path, query) in _routes().items():
                event = http_event("GET", path, query=query, claims=CLAIMS)
                samples = [_time(partial(handle, event, app), timer) for _ in range(REPEAT)]
                totals = [total * 1000 for total, _ in samples]
                ours = [(total - inside) * 1000 for total, inside in samples]
                rows.append((
                    name, f"{_percentile(totals, 0.5):.1f}", f"{_percentile(totals, 0.95):.1f}",
                    f"{statistics.median(ours):.1f}", f"{_percentile(ours, 0.95):.1f}",
                ))  # fmt: skip
        finally:
            reset_clients()
    table = Table(
        title=f"Admin API latency ({ORDERS:,} orders, {ORDERS * DELIVERIES_PER_ORDER:,} deliveries, in process)",
        header=("route", "p50 ms", "p95 ms", "our code p50 ms", "our code p95 ms"),
        rows=rows,
        align="lrrrr",
    )
    notes = [
        f"Loading the data through the adapters took {load_seconds:.0f} s. Each route: {REPEAT} requests, first page "
        '(50 items). "Our code" is the request\'s wall time minus the time inside botocore calls (moto).'
    ]
    return table, notes


if __name__ == "__main__":
    result, findings = run()
    print(result, *findings, sep="\n")
