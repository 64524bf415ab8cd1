"""Admin API latency: the main list routes over a shop with 10,000 orders and 30,000 deliveries.

Everything runs in process: moto (tables from ``infra.tables``), the admin resolver of
``okaeri.api`` behind the same ``handle`` the Lambda uses, and payload 2.0 events carrying an
owner's claims as API Gateway would. Each route is called ``REPEAT`` times; p50 and p95 are wall
times per request, split into the time spent inside AWS calls (moto here, DynamoDB in the cloud)
and the rest (our code, Powertools, validation, JSON). Moto answers a query by walking the whole
partition, so the "in AWS calls" column says more about moto than about DynamoDB; the "our code"
column is what this project controls.

Loading the data is not what is measured, so it skips the API: one conditional UpdateItem per
order for the customer count, and botocore plus moto's request handling per BatchWriteItem, made
it take minutes. The items are built by the adapters' own code (``DynamoOrders._item``,
``DynamoDeliveries._item``) and, for customers, by ``_counted``, which applies ``record_order``'s
update in Python; they then go straight into moto's table models through
``moto.dynamodb.models.dynamodb_backends[account][region].put_item``, the call moto's BatchWriteItem
handler makes for each item. To keep that honest, the first ``CHECKED_ORDERS`` orders are also
written through the adapters' public methods (``record_order`` with a clock at the order's receipt
time, as ingest's, and ``put_new``), read back, deleted, loaded again in bulk and read back once
more: the stored attribute values and what the adapters' reads return must be the same, or the
run stops. ``OKAERI_BENCH_ORDERS`` sets a smaller shop for a quick run.
"""

from __future__ import annotations

import json
import os
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

from bench.pipeline import CONFIG, SHOP_ID, _create_tables, fake_aws_environment
from bench.prices import REGION
from bench.report import Spread, Table, print_table

if TYPE_CHECKING:
    from okaeri.models import Delivery, OrderRecord

ORDERS = int(os.environ.get("OKAERI_BENCH_ORDERS", "10000"))  # fewer for a quick run
DELIVERIES_PER_ORDER = 3
REPEAT = 30
CHECKED_ORDERS = 6  # two customers' orders: written through the adapters, then compared
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

    from infra.identity import create_client_request, create_user_pool_request, set_mfa_config_request

    cognito = boto3.client("cognito-idp", region_name=REGION)
    pool = cognito.create_user_pool(**create_user_pool_request())["UserPool"]["Id"]
    cognito.set_user_pool_mfa_config(**set_mfa_config_request(pool))
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


@dataclass(frozen=True)
class _FixedClock:
    """The clock ``record_order`` reads, stopped at one instant."""

    at: datetime

    def now(self) -> datetime:
        return self.at


def _counted(item: dict[str, Any] | None, record: OrderRecord, *, retention_days: int) -> dict[str, Any]:
    """The customers item once ``DynamoCustomers.record_order`` has counted ``record``'s order, its
    clock reading the order's receipt time (as ingest's would): SET shop, id, address, name, last
    order time and TTL; first order time only if not set yet; ADD the order key and 1 to the count."""
    from okaeri.aws.customers import CUSTOMER_PREFIX
    from okaeri.aws.dynamo import expires_at, iso_utc

    assert record.customer_id is not None
    assert record.order.customer.email is not None
    item = dict(item or {"pk": record.shop_id, "sk": f"{CUSTOMER_PREFIX}{record.customer_id}"})
    if record.order.key in item.get("order_keys", set()):
        return item  # record_order's condition fails: nothing changes
    at = record.received_at
    item |= {
        "shop_id": record.shop_id,
        "customer_id": record.customer_id,
        "email": record.order.customer.email,
        "last_order_at": iso_utc(at),
        "expires_at": expires_at(at, retention_days),
    }
    if record.order.customer.name is not None:
        item["name"] = record.order.customer.name
    item.setdefault("first_order_at", iso_utc(at))
    item["order_keys"] = item.get("order_keys", set()) | {record.order.key}
    item["order_count"] = item.get("order_count", 0) + 1
    return item


def _orders(
    retention_days: int,
) -> tuple[list[tuple[OrderRecord, list[Delivery]]], dict[str, dict[str, Any]]]:
    """The shop's orders with their deliveries, and the customers items (by id) they add up to.

    Each order's rank is its customer's count after it, as ingest stores it."""
    from okaeri.identity import customer_id_for
    from okaeri.models import Delivery, Order, OrderRecord

    orders: list[tuple[OrderRecord, list[Delivery]]] = []
    customers: dict[str, dict[str, Any]] = {}
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
        record = OrderRecord(
            shop_id=SHOP_ID, order=order, customer_id=customer_id, received_at=ordered,
            raw_keys=[f"inbound/{SHOP_ID}/{n}"],
        )  # fmt: skip
        customers[customer_id] = _counted(customers.get(customer_id), record, retention_days=retention_days)
        record = record.model_copy(update={"order_rank": customers[customer_id]["order_count"]})
        deliveries = []
        for step_number, step in enumerate(STEPS):
            delivery = Delivery(
                id=f"{SHOP_ID}.{step}.{n:032x}", shop_id=SHOP_ID, order_key=order.key, run_id=f"run-{n}",
                customer_id=customer_id, customer_email=email, scenario_id="thanks-like-love",
                scenario_version=1, step_id=step, template_id=step, template_version=1,
                send_at=ordered + timedelta(days=14 * step_number),
                status=STATUSES[(n + step_number) % len(STATUSES)],
            )  # fmt: skip
            deliveries.append(delivery)
        orders.append((record, deliveries))
    return orders, customers


def _through_adapters(
    deps: Any, sample: list[tuple[OrderRecord, list[Delivery]]]
) -> list[tuple[str, str, str]]:
    """Write ``sample`` as ingest and the scheduler would (``record_order``, ``put_new``); the keys written
    (table, pk, sk)."""
    from okaeri.aws.customers import CUSTOMER_PREFIX, DynamoCustomers

    keys = []
    for record, deliveries in sample:
        assert record.customer_id is not None
        assert record.order.customer.email is not None
        customers = DynamoCustomers(
            deps.settings.customers_table,
            retention_days=deps.settings.retention_days,
            clock=_FixedClock(record.received_at),
        )
        rank = customers.record_order(
            record.shop_id, record.customer_id, email=record.order.customer.email,
            name=record.order.customer.name, order_key=record.order.key,
        )  # fmt: skip
        if rank != record.order_rank or not deps.orders.put_new(record):
            raise RuntimeError(f"sample order {record.order.key}: rank {rank}, expected {record.order_rank}")
        keys += [
            (deps.settings.customers_table, record.shop_id, f"{CUSTOMER_PREFIX}{record.customer_id}"),
            (deps.settings.orders_table, record.shop_id, record.order.key),
        ]
        for delivery in deliveries:
            if not deps.deliveries.put_new(delivery):
                raise RuntimeError(f"sample delivery {delivery.id} already there")
            keys.append((deps.settings.deliveries_table, delivery.shop_id, delivery.id))
    return list(dict.fromkeys(keys))


def _stored(deps: Any, keys: list[tuple[str, str, str]]) -> dict[tuple[str, str, str], list[Any]]:
    """Each item as stored (sets sorted: their order is not part of the value) and as the adapters'
    public reads return it."""
    from okaeri.aws.customers import CUSTOMER_PREFIX

    client = deps.orders._table.client
    found: dict[tuple[str, str, str], list[Any]] = {}
    for table, pk, sk in keys:
        item = client.get_item(TableName=table, Key={"pk": {"S": pk}, "sk": {"S": sk}}, ConsistentRead=True)
        found[table, pk, sk] = [{
            name: {kind: sorted(data) if kind in ("SS", "NS", "BS") else data for kind, data in value.items()}
            for name, value in item.get("Item", {}).items()
        }]  # fmt: skip
        if table == deps.settings.customers_table:
            customer_id = sk.removeprefix(CUSTOMER_PREFIX)
            found[table, pk, sk] += [
                deps.customers.get(pk, customer_id),
                deps.customers.order_keys(pk, customer_id),
            ]
        elif table == deps.settings.orders_table:
            found[table, pk, sk].append(deps.orders.get(pk, sk))
        else:
            found[table, pk, sk].append(deps.deliveries.get(pk, sk))
    return found


def _put_into_moto(items: dict[str, list[dict[str, Any]]]) -> None:
    """Each item into moto's table model, the call moto's BatchWriteItem handler makes per item."""
    import boto3
    from moto.dynamodb.models import dynamodb_backends

    from okaeri.aws.dynamo import to_item

    account = boto3.client("sts", region_name=REGION).get_caller_identity()["Account"]
    backend = dynamodb_backends[account][REGION]
    for table, rows in items.items():
        for row in rows:
            backend.put_item(table, json.loads(json.dumps(to_item(row))))  # as moto parses a request body


def _load(deps: Any) -> float:
    """The shop, 10,000 orders (a customer per 3 orders) and 30,000 deliveries; returns seconds taken.

    Every item is built by the adapters' own code (``DynamoOrders._item``, ``DynamoDeliveries._item``)
    or, for customers, by ``_counted``, which applies ``record_order``'s update to the item in
    Python. The first ``CHECKED_ORDERS`` orders are first written through the adapters' public
    methods (``record_order``, ``put_new``); then everything goes straight into moto's table
    models (``_put_into_moto``), and those items must read back exactly as the adapters wrote them.
    """
    from okaeri.models import Scenario, Shop, Template, load_document

    began = time.perf_counter()
    deps.config.put_shop(load_document(Shop, CONFIG / "shop.yaml"))
    deps.config.save_scenario(SHOP_ID, load_document(Scenario, CONFIG / "scenario-thanks-like-love.yaml"))
    for path in sorted(CONFIG.glob("template-*.yaml")):
        deps.config.save_template(SHOP_ID, load_document(Template, path))
    orders, customers = _orders(deps.settings.retention_days)
    sample = _through_adapters(deps, orders[:CHECKED_ORDERS])
    written = _stored(deps, sample)
    for table, pk, sk in sample:  # so that what is read back below is the bulk load's
        deps.orders._table.client.delete_item(TableName=table, Key={"pk": {"S": pk}, "sk": {"S": sk}})
    _put_into_moto({
        deps.settings.customers_table: list(customers.values()),
        deps.settings.orders_table: [deps.orders._item(record, at=record.received_at) for record, _ in orders],
        deps.settings.deliveries_table: [deps.deliveries._item(d) for _, deliveries in orders for d in deliveries],
    })  # fmt: skip
    for key, loaded in _stored(deps, sample).items():
        if loaded != written[key]:
            raise RuntimeError(f"{key}: bulk-loaded {loaded}, but the adapters wrote {written[key]}")
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
    from okaeri.settings import AdminSettings
    from okaeri.wiring import SystemClock, build_admin_deps
    from okaeri_dev.apigw import http_event

    with fake_aws_environment(), mock_aws(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reset_clients()
        boto3.setup_default_session(region_name=REGION)
        try:
            # A client copies the session's hooks when it is made: register before any exists.
            timer = CallTimer()
            assert boto3.DEFAULT_SESSION is not None
            boto3.DEFAULT_SESSION.events.register("before-call", timer.before)
            boto3.DEFAULT_SESSION.events.register("after-call", timer.after)
            tables = _create_tables(boto3.session.Session(region_name=REGION))
            deps = build_admin_deps(AdminSettings.model_validate(_environment(tables)), SystemClock())
            load_seconds = _load(deps)
            app = build_api(deps)
            rows = []
            for name, (path, query) in _routes().items():
                event = http_event("GET", path, query=query, claims=CLAIMS)
                samples = [_time(partial(handle, event, app), timer) for _ in range(REPEAT)]
                totals = [total * 1000 for total, _ in samples]
                ours = [(total - inside) * 1000 for total, inside in samples]
                rows.append((
                    name, Spread.of(totals).show(), f"{_percentile(totals, 0.95):.1f}",
                    Spread.of(ours).show(), f"{_percentile(ours, 0.95):.1f}",
                ))  # fmt: skip
        finally:
            reset_clients()
    table = Table(
        title=f"Admin API latency ({ORDERS:,} orders, {ORDERS * DELIVERIES_PER_ORDER:,} deliveries, in process)",
        header=(
            "route",
            "ms: median (min–max)",
            "p95 ms",
            "our code ms: median (min–max)",
            "our code p95 ms",
        ),
        rows=rows,
        align="lrrrr",
    )
    notes = [
        f"Loading the data took {load_seconds:.0f} s: items built by the adapters' code and put straight into "
        f"moto's tables; the first {CHECKED_ORDERS} orders were also written through the adapters and read back "
        f'the same. Each route: {REPEAT} requests, first page (50 items). "Our code" is the request\'s wall time '
        "minus the time inside botocore calls (moto)."
    ]
    return table, notes


if __name__ == "__main__":
    result, findings = run()
    print_table(result)
    print(*findings, sep="\n")
