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
run stops. ``OKAERI_BENCH_ORDERS`` sets a smaller shop for a quick run (3,000 or more for every
buyer's three orders), ``OKAERI_BENCH_ADMIN_REPEAT`` fewer requests per route.

The results route (issue #15) reads only the daily counters, so the data set holds them: counted by
the pipeline's own code (``okaeri.services.conversions``: credits to the last mail within the
attribution window, repeated runs, runs started and held out; ``sent`` per step and A/B variant;
``orders``), each event at its time, summed per daily row and written through
``ShopConfig.count_once`` (``_count_results``). The scenario holds out a share of its runs and
tests two wordings of a step, and the API's clock stands the day after the last mail, so the
dashboard and the results read a period full of counters.
"""

from __future__ import annotations

import json
import os
import time
import warnings
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any, cast
from zoneinfo import ZoneInfo

from bench.fast_moto import faster_moto
from bench.pipeline import CONFIG, SHOP_ID, _create_tables, fake_aws_environment
from bench.prices import REGION
from bench.report import Spread, Table, print_table

if TYPE_CHECKING:
    from okaeri.models import Delivery, OrderRecord, Scenario, Shop
    from okaeri.models.delivery import Conversion
    from okaeri.models.records import Credit
    from okaeri.ports import Deliveries, OnceCount, Orders, ShopConfig

ORDERS = int(os.environ.get("OKAERI_BENCH_ORDERS", "10000"))  # fewer for a quick run
DELIVERIES_PER_ORDER = 3
REPEAT = int(os.environ.get("OKAERI_BENCH_ADMIN_REPEAT", "30"))  # requests per route; fewer for a quick run
CHECKED_BUYERS = 2  # their orders are written through the adapters, then compared
START = datetime(2026, 6, 1, 1, 0, tzinfo=UTC)
TOKYO = ZoneInfo("Asia/Tokyo")
ORDER_SPACING = timedelta(minutes=25)
STEPS = ("thanks", "like", "love")
#: A buyer's three orders are ``BUYER_SPREAD`` orders apart (about 17 days): the second comes after
#: the first order's "like" mail, the third after its "love" mail, within the attribution window.
BUYER_SPREAD = 1_000
#: The scenario as the results see it: a holdout group, and the coupon step in two wordings (A/B).
HOLDOUT_PERCENT = 10
LOVE_VARIANTS = ({"id": "a", "template": "love"}, {"id": "b", "template": "love-b"})
#: The admin API's clock: the day after the data set's last mail (the last order's "love", 28 days on).
NOW = START + ORDER_SPACING * ORDERS + timedelta(days=29)
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


@dataclass
class _FixedClock:
    """A clock stopped at one instant (moved by hand): ``record_order``'s, the counters', the API's."""

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


def _buyer(n: int) -> int:
    """Order ``n``'s buyer: each buys three times, ``BUYER_SPREAD`` orders apart."""
    return n // (3 * BUYER_SPREAD) * BUYER_SPREAD + n % BUYER_SPREAD


def _orders(
    retention_days: int, scenario: Scenario
) -> tuple[list[tuple[OrderRecord, list[Delivery]]], dict[str, dict[str, Any]]]:
    """The shop's orders with their deliveries, and the customers items (by id) they add up to.

    Each order's rank is its customer's count after it, as ingest stores it. A run is held out
    (its mails ``skipped``, reason ``holdout``) as the schedule service decides it (``in_holdout``);
    the "love" mail carries the A/B variant ``pick_variant`` gives its id; a sent mail was sent at
    its send time."""
    from okaeri.attribution import in_holdout, pick_variant
    from okaeri.identity import customer_id_for
    from okaeri.models import Delivery, Order, OrderRecord
    from okaeri.models.delivery import Skip

    orders: list[tuple[OrderRecord, list[Delivery]]] = []
    customers: dict[str, dict[str, Any]] = {}
    for n in range(ORDERS):
        buyer = _buyer(n)
        email = f"buyer{buyer:05d}@example.jp"
        ordered = START + ORDER_SPACING * n
        order = Order.model_validate({
            "source": "rakuten", "order_id": f"338361-20260601-{n:010d}", "ordered_at": ordered.isoformat(),
            "customer": {"name": f"楽天 太郎{buyer}", "email": email},
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
        held_out = in_holdout(SHOP_ID, customer_id, scenario.id, scenario.holdout_percent)
        deliveries = []
        for step_number, step in enumerate(scenario.steps):
            delivery_id = f"{SHOP_ID}.{step.id}.{n:032x}"
            variant = pick_variant(step, delivery_id)
            send_at = ordered + timedelta(days=14 * step_number)
            status = "skipped" if held_out else STATUSES[(n + step_number) % len(STATUSES)]
            delivery = Delivery(
                id=delivery_id, shop_id=SHOP_ID, order_key=order.key, run_id=f"run-{n}",
                customer_id=customer_id, customer_email=email, scenario_id=scenario.id,
                scenario_version=scenario.version, step_id=step.id,
                template_id=step.template_of(None if variant is None else variant.id), template_version=1,
                send_at=send_at, status=status, reason=Skip.HOLDOUT if held_out else None,
                sent_at=send_at if status == "sent" else None, variant=None if variant is None else variant.id,
                held_out=held_out, run_started_at=ordered,
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
    from okaeri.customer_figures import customer_order

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
            name=record.order.customer.name, order=customer_order(record.order, received_at=record.received_at, zone=TOKYO),
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


def _scenario() -> Scenario:
    """The fixture scenario with a holdout group and its "love" step in two wordings."""
    from okaeri.models import Scenario, load_document
    from okaeri.models.scenario import Variant

    scenario = load_document(Scenario, CONFIG / "scenario-thanks-like-love.yaml")
    steps = [
        step.model_copy(update={"template": None, "variants": [Variant(**v) for v in LOVE_VARIANTS]})
        if step.id == "love"
        else step
        for step in scenario.steps
    ]
    return Scenario.model_validate(
        {
            **scenario.model_dump(),
            "holdout_percent": HOLDOUT_PERCENT,
            "steps": [s.model_dump() for s in steps],
        }
    )


def _load(deps: Any) -> tuple[float, list[tuple[OrderRecord, list[Delivery]]], Shop]:
    """The shop, 10,000 orders (a customer per 3 orders) and 30,000 deliveries; returns seconds taken,
    the orders and the shop.

    Every item is built by the adapters' own code (``DynamoOrders._item``, ``DynamoDeliveries._item``)
    or, for customers, by ``_counted``, which applies ``record_order``'s update to the item in
    Python. The orders of the first ``CHECKED_BUYERS`` buyers are first written through the adapters'
    public methods (``record_order``, ``put_new``); then everything goes straight into moto's table
    models (``_put_into_moto``), and those items must read back exactly as the adapters wrote them.
    """
    from okaeri.models import Shop, Template, load_document

    began = time.perf_counter()
    shop = load_document(Shop, CONFIG / "shop.yaml")
    deps.config.put_shop(shop)
    scenario = _scenario()
    deps.config.save_scenario(SHOP_ID, scenario)
    for path in sorted(CONFIG.glob("template-*.yaml")):
        deps.config.save_template(SHOP_ID, load_document(Template, path))
    love = load_document(Template, CONFIG / "template-love.yaml")
    deps.config.save_template(
        SHOP_ID, love.model_copy(update={"id": "love-b", "subject": "【クーポン】" + love.subject})
    )
    orders, customers = _orders(deps.settings.retention_days, scenario)
    sample = _through_adapters(deps, [order for n, order in enumerate(orders) if _buyer(n) < CHECKED_BUYERS])
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
    return time.perf_counter() - began, orders, shop


@dataclass
class _Tally:
    """The ``ShopConfig`` (counting part), ``Orders`` and ``Deliveries`` that
    ``okaeri.services.conversions`` writes to, kept in memory: each ``count_once`` once per key and
    each ``count`` added to its daily row, the credits and conversions noted. Scenario versions are
    read from the real config (behind the cache, as the schedule function reads them)."""

    config: ShopConfig
    rows: defaultdict[tuple[date, str, str], Counter[str]] = field(
        default_factory=lambda: defaultdict(Counter)
    )
    keys: set[str] = field(default_factory=set)
    events: int = 0  # the writes the pipeline would have made: count_once, count, set_credit, add_conversion

    def count_once(self, shop_id: str, count: OnceCount) -> bool:
        self.events += 1
        if count.key in self.keys:
            return False
        self.keys.add(count.key)
        self.rows[(count.day, count.scenario_id, count.step_id)].update(count.counters)
        return True

    def count(self, shop_id: str, *, day: date, scenario_id: str, step_id: str, counter: str) -> None:
        self.events += 1
        self.rows[(day, scenario_id, step_id)][counter] += 1

    def scenario_version(self, shop_id: str, scenario_id: str, version: int) -> Scenario | None:
        return self.config.scenario_version(shop_id, scenario_id, version)

    def set_credit(self, shop_id: str, order_key: str, credit: Credit) -> bool:
        self.events += 1
        return True

    def add_conversion(self, shop_id: str, delivery_id: str, conversion: Conversion) -> None:
        self.events += 1


@dataclass(frozen=True)
class _Events:
    """What ``okaeri.services.conversions`` needs, as the schedule function has it."""

    config: ShopConfig
    deliveries: Deliveries
    orders: Orders
    clock: _FixedClock


def _count_results(
    deps: Any, shop: Shop, orders: list[tuple[OrderRecord, list[Delivery]]]
) -> tuple[int, int]:
    """The daily counters the results read, counted as the pipeline counts them, each at its time,
    then written through ``ShopConfig.count_once``: one transaction a daily row.

    The counting is the pipeline's own code: ingest's ``orders`` (``ShopConfig.count``); for a
    customer's later order the credit to their last mail within the window and the runs it repeats
    (``credit_order``, ``count_repeats``), then its own run (``count_run_start``), as the schedule
    service does; each sent mail's ``sent`` under its step and variant, as send does. Each of those
    writes would be a call of its own (tens of thousands, minutes of moto); ``_Tally`` sums them per
    row instead, so the rows stored are the same and each is written once. The events counted and
    the rows written."""
    from okaeri.attribution import step_stats_id
    from okaeri.aws.config_cache import CachedConfig
    from okaeri.ports import OnceCount
    from okaeri.services.conversions import count_repeats, count_run_start, credit_order

    clock = _FixedClock(START)
    tally = _Tally(CachedConfig(deps.config, clock=clock))
    written = cast("ShopConfig", tally)
    events = _Events(written, cast("Deliveries", tally), cast("Orders", tally), clock)
    by_customer: defaultdict[str | None, list[Delivery]] = defaultdict(list)
    for record, deliveries in orders:
        clock.at = record.received_at
        day = record.received_at.astimezone(shop.tz).date()
        tally.count(SHOP_ID, day=day, scenario_id="*", step_id="*", counter="orders")
        known = by_customer[record.customer_id]
        if record.order_rank > 1:
            credit_order(events, shop, record, known)
            count_repeats(events, shop, record, known)
        count_run_start(events, shop, deliveries, started_at=record.received_at)
        known.extend(deliveries)
        for delivery in deliveries:
            if delivery.sent_at is not None:
                tally.count(
                    SHOP_ID,
                    day=delivery.sent_at.astimezone(shop.tz).date(),
                    scenario_id=delivery.scenario_id,
                    step_id=step_stats_id(delivery.step_id, delivery.variant),
                    counter="sent",
                )
    for (day, scenario_id, step_id), counters in sorted(tally.rows.items()):
        key = f"bench#{day.isoformat()}#{scenario_id}#{step_id}"
        deps.config.count_once(SHOP_ID, OnceCount(key, day, scenario_id, step_id, dict(counters), NOW))
    return tally.events, len(tally.rows)


def _stats_rows(deps: Any, shop: Shop, written: int) -> list[str]:
    """What the counters hold (``written`` rows), read back through the adapter and the results
    service over 366 days, as the results route reads them."""
    from okaeri.aws.dynamo import DEFAULT_MAX_ITEMS
    from okaeri.services.results import results

    today = NOW.astimezone(shop.tz).date()
    rows = deps.config.stats(SHOP_ID, today - timedelta(days=365), today)
    recent = deps.config.stats(SHOP_ID, today - timedelta(days=89), today)
    answer = results(deps.config, deps.clock, SHOP_ID, days=366)
    [scenario] = answer.scenarios
    steps = "; ".join(
        f"{step.step_id} {step.sent:,} sent, {step.converted:,} converted, ¥{step.revenue:,}"
        + (
            " (" + ", ".join(f"{v.variant} {v.sent:,}/{v.converted:,}" for v in step.variants)
            + f", A/B {step.ab.verdict})" if step.ab else ""
        )
        for step in scenario.steps
    )  # fmt: skip
    lift = "—" if scenario.lift is None else f"{scenario.lift:+.3f}"
    read = (
        f"{written:,} daily counter rows ({len(recent):,} of them in the last 90 days). Read back over 366 days "
        f"through `DynamoConfig.stats`, as the results route reads them: {len(rows):,} rows, "
        f"{answer.orders:,} orders, runs {scenario.runs.mailed:,} mailed and {scenario.runs.held_out:,} held "
        f"out, repeated {scenario.repeated.mailed:,} and {scenario.repeated.held_out:,} (lift {lift}, the same "
        f"buyers ordering again in both groups), {scenario.converted:,} orders credited, ¥{scenario.revenue:,}; "
        f"{steps}"
    )
    if len(rows) < written:
        last = max(row.day for row in rows)
        read += (
            f". **`DynamoConfig.stats` stops at {DEFAULT_MAX_ITEMS:,} rows (`Table.query_all`'s "
            f"`DEFAULT_MAX_ITEMS`), oldest first: the 366-day results read {len(rows):,} of the {written:,} "
            f"rows, up to {last:%Y-%m-%d}, and miss the days after it ({answer.orders:,} of {ORDERS:,} "
            "orders)**"
        )
    return [read]


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
        "results, 90 days": (f"{base}/results", {"days": "90"}),
        "results, 366 days": (f"{base}/results", {"days": "366"}),
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
    from okaeri.wiring import build_admin_deps
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
            deps = build_admin_deps(AdminSettings.model_validate(_environment(tables)), _FixedClock(NOW))
            load_seconds, orders, shop = _load(deps)
            began = time.perf_counter()
            with faster_moto():  # count_once's transactions: moto would copy the config table each time
                counted_events, counted_rows = _count_results(deps, shop, orders)
            count_seconds = time.perf_counter() - began
            stats = _stats_rows(deps, shop, counted_rows)
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
        f"moto's tables; the orders of {CHECKED_BUYERS} buyers were also written through the adapters and read "
        "back the same. A buyer orders three times, "
        f"{BUYER_SPREAD:,} orders (some {BUYER_SPREAD * ORDER_SPACING.total_seconds() / 86_400:.0f} days) apart; "
        f'the scenario holds out {HOLDOUT_PERCENT}% of its runs and sends its "love" step in two wordings '
        "(A/B). The results' daily counters were then counted by the pipeline's own code, each event at its "
        "time: ingest's `orders`; for a buyer's later order the credit to their last mail within the shop's "
        "attribution window and the runs it repeats (`okaeri.services.conversions`), then its own run; each "
        f"sent mail's `sent` under its step and variant: {counted_events:,} writes the pipeline makes one by "
        f"one, summed here per daily row and written with `ShopConfig.count_once` ({counted_rows:,} "
        f"transactions, {count_seconds:.0f} s, moto with `bench/fast_moto.py`'s shortcuts for this part "
        "only), the same rows with one marker a row instead of one an event. They hold "
        f"{stats[0]}. The API's clock stands at {NOW:%Y-%m-%d}, the day after "
        f'the last mail. Each route: {REPEAT} requests, first page (50 items). "Our code" is the request\'s '
        "wall time minus the time inside botocore calls (moto)."
    ]
    return table, notes


if __name__ == "__main__":
    result, findings = run()
    print_table(result)
    print(*findings, sep="\n")
