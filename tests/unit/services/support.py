"""A world of fakes for the service tests: the fixture shop, its templates and coupons, one
3-step scenario, and helpers that play S3 events, the orders stream and the scheduler."""

from __future__ import annotations

import base64
import email
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from okaeri.api.deps import AdminDeps
from okaeri.models import (
    CustomerRecord,
    Delivery,
    OrderRecord,
    ReceptionEntry,
    RelayConfig,
    Scenario,
    Shop,
    Template,
    load_document,
)
from okaeri.parsing import ParseMask
from okaeri.services.events import EventsDeps
from okaeri.services.ingest import IngestDeps, ingest_object
from okaeri.services.schedule import ScheduleDeps, ScheduleOutcome, on_order_change
from okaeri.services.send import SendDeps, SendOutcome, send_delivery
from okaeri.services.sweep import SweepReport, sweep
from okaeri.services.unsubscribe import UnsubscribeDeps
from okaeri.settings import AdminSettings
from tests.conftest import FIXTURES
from tests.fakes import (
    FakeClock,
    FakeCoupons,
    FakeCustomers,
    FakeDeliveries,
    FakeFrequencyCaps,
    FakeLogs,
    FakeOperators,
    FakeOrders,
    FakeRawMail,
    FakeSchedules,
    FakeSecrets,
    FakeShopConfig,
    FakeTransport,
    FaultPlan,
    StreamRecord,
    faulty,
)

CONFIG = FIXTURES / "config"
MAIL = FIXTURES / "mail"
SHOP_ID = "mikan-sanbo"
SECRET = b"okaeri-test-unsubscribe-secret-0001"
#: The admin function's settings; the fakes stand for what they name.
ADMIN_SETTINGS = AdminSettings.model_validate(
    {
        **{
            f"{table}_table": f"fake-{table}"
            for table in ("orders", "customers", "deliveries", "logs", "config")
        },
        "raw_mail_bucket": "fake-raw-mail",
        "schedule_group": "okaeri",
        "send_function_arn": "arn:aws:lambda:ap-northeast-1:123456789012:function:okaeri-send",
        "scheduler_role_arn": "arn:aws:iam::123456789012:role/fake-scheduler",
        "schedule_dlq_arn": "arn:aws:sqs:ap-northeast-1:123456789012:fake-dlq",
        "ses_configuration_set": "okaeri",
        "unsubscribe_secret_id": "okaeri/unsubscribe-signing-key",
        "user_pool_id": "ap-northeast-1_fake",
        "user_pool_client_id": "fake-client",
    }
)
JST = "+09:00"
SCENARIO: dict[str, Any] = {
    "id": "thanks-like-love",
    "name": "サンキュー・ライク・ラブ",
    "trigger": "shipped",
    "repeat_policy": "every_time",
    "priority": 10,
    "steps": [
        {"id": "thanks", "offset_days": 0, "hour": 10, "template": "thanks", "purposes": ["thanks"]},
        {
            "id": "like",
            "offset_days": 14,
            "hour": 19,
            "template": "like",
            "purposes": ["usage_tips", "review_request"],
        },
        {"id": "love", "offset_days": 20, "hour": 19, "template": "love", "purposes": ["thanks", "coupon"]},
    ],
}
RAKUTEN_RELAY = RelayConfig(
    host="sub.fw.rakuten.ne.jp",
    domains=["fw.rakuten.ne.jp"],
    secret_arn="arn:aws:secretsmanager:ap-northeast-1:000000000000:secret:okaeri/mikan-sanbo/rakuten",
)


def at(text: str) -> datetime:
    """``"2026-12-05 10:00"`` in Japan time."""
    return datetime.fromisoformat(text.replace(" ", "T") + JST)


def mail(name: str) -> bytes:
    return (MAIL / f"{name}.eml").read_bytes()


def rewrite(name: str, replacements: Mapping[str, str]) -> bytes:
    """A single-part fixture mail with some of its body text replaced (same charset, base64)."""
    message = email.message_from_bytes(mail(name))
    charset = message.get_content_charset() or "utf-8"
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    text = payload.decode(charset)
    for old, new in replacements.items():
        assert old in text, f"{old!r} is not in {name}"
        text = text.replace(old, new)
    del message["Content-Transfer-Encoding"]
    message["Content-Transfer-Encoding"] = "base64"
    message.set_payload(base64.encodebytes(text.encode(charset)).decode("ascii"))
    return message.as_bytes()


def kurashi_mail(*, order_id: str = "KC-0412", address: str = "sakura.mori@example.jp") -> bytes:
    """The くらしカート fixture order (read with its parse mask) with another order id or address."""
    return rewrite("kurashi-order", {"KC-0412": order_id, "sakura.mori@example.jp": address})


def kurashi_mask() -> ParseMask:
    return load_document(ParseMask, MAIL / "kurashi-mask.yaml")


def with_headers(raw: bytes, *lines: str) -> bytes:
    """``raw`` with header lines put on top, as SES prepends its own."""
    return "".join(f"{line}\r\n" for line in lines).encode() + raw


def fixture_shop() -> Shop:
    return load_document(Shop, CONFIG / "shop.yaml")


def fixture_template(name: str) -> Template:
    return load_document(Template, CONFIG / f"template-{name}.yaml")


def scenario(**changes: Any) -> Scenario:
    return Scenario.model_validate(SCENARIO | changes)


@dataclass
class World:
    """Every port as a fake, wired the way the Lambda functions wire the real adapters.

    ``faults`` is checked on every call of the stores (points ``orders.*``, ``customers.*``,
    ``deliveries.*``, ``schedules.*``); the transports carry their own plans.
    """

    clock: FakeClock
    orders: FakeOrders = field(default_factory=FakeOrders)
    customers: FakeCustomers = field(default_factory=FakeCustomers)
    deliveries: FakeDeliveries = field(default_factory=FakeDeliveries)
    caps: FakeFrequencyCaps = field(default_factory=FakeFrequencyCaps)
    logs: FakeLogs = field(default_factory=FakeLogs)
    config: FakeShopConfig = field(default_factory=FakeShopConfig)
    raw_mail: FakeRawMail = field(default_factory=FakeRawMail)
    schedules: FakeSchedules = field(default_factory=FakeSchedules)
    ses: FakeTransport = field(default_factory=lambda: FakeTransport("ses"))
    relay: FakeTransport = field(default_factory=lambda: FakeTransport("rakuten-relay"))
    faults: FaultPlan = field(default_factory=FaultPlan)
    users: FakeOperators = field(default_factory=FakeOperators)
    admin_secrets: FakeSecrets = field(default_factory=FakeSecrets)  # what the settings screens write
    coupons: FakeCoupons = field(
        default_factory=lambda: FakeCoupons({SHOP_ID: {"MIKAN5": CONFIG / "coupons-MIKAN5.csv"}})
    )
    relays_asked: list[RelayConfig] = field(default_factory=list)

    @classmethod
    def create(cls, now: datetime, *, scenarios: Sequence[Scenario] | None = None, **fakes: Any) -> World:
        """The fixture shop with its three templates, the coupon pool and the Rakuten relay."""
        world = cls(clock=FakeClock(now), **fakes)
        world.config.add_shop(fixture_shop())
        for name in ("thanks", "like", "love"):
            world.config.add_template(SHOP_ID, fixture_template(name))
        for item in scenarios if scenarios is not None else [scenario()]:
            world.config.add_scenario(SHOP_ID, item)
        world.config.set_relays(SHOP_ID, [RAKUTEN_RELAY])
        return world

    # --- deps, as the handlers build them ---------------------------------------------------

    def ingest_deps(self) -> IngestDeps:
        return IngestDeps(
            orders=faulty(self.orders, self.faults, "orders"),
            customers=faulty(self.customers, self.faults, "customers"),
            logs=self.logs,
            config=self.config,
            raw_mail=self.raw_mail,
            clock=self.clock,
        )

    def schedule_deps(self) -> ScheduleDeps:
        return ScheduleDeps(
            config=self.config,
            deliveries=faulty(self.deliveries, self.faults, "deliveries"),
            schedules=faulty(self.schedules, self.faults, "schedules"),
            clock=self.clock,
            orders=faulty(self.orders, self.faults, "orders"),
        )

    def send_deps(self, **changes: Any) -> SendDeps:
        fields: dict[str, Any] = {
            "config": self.config,
            "customers": self.customers,
            "orders": self.orders,
            "deliveries": faulty(self.deliveries, self.faults, "deliveries"),
            "schedules": faulty(self.schedules, self.faults, "schedules"),
            "logs": self.logs,
            "coupons": self.coupons,
            "ses": self.ses,
            "relay_for": self._relay_for,
            "clock": self.clock,
            "unsubscribe_secret": SECRET,
            "caps": self.caps,
        }
        return SendDeps(**(fields | changes))

    def events_deps(self) -> EventsDeps:
        return EventsDeps(
            config=self.config, customers=self.customers, deliveries=self.deliveries, clock=self.clock
        )

    def unsubscribe_deps(self) -> UnsubscribeDeps:
        return UnsubscribeDeps(
            config=self.config,
            customers=self.customers,
            deliveries=self.deliveries,
            logs=self.logs,
            clock=self.clock,
            secret=SECRET,
        )

    def admin_deps(self) -> AdminDeps:
        """The admin API's deps over the same fakes."""
        return AdminDeps(
            settings=ADMIN_SETTINGS,
            config=self.config,
            coupons=self.coupons,
            orders=self.orders,
            customers=self.customers,
            deliveries=self.deliveries,
            logs=self.logs,
            schedules=self.schedules,
            raw_mail=self.raw_mail,
            users=self.users,
            secrets=self.admin_secrets,
            ses=self.ses,
            relay_for=self._relay_for,
            clock=self.clock,
            unsubscribe_secret=SECRET,
        )

    def _relay_for(self, relay: RelayConfig) -> FakeTransport:
        self.relays_asked.append(relay)
        return self.relay

    # --- events ------------------------------------------------------------------------------

    def receive(
        self,
        name: str,
        *,
        raw: bytes | None = None,
        key: str | None = None,
        event_time: datetime | None = None,
    ) -> ReceptionEntry:
        """A mail SES stored for the shop (``tests/fixtures/mail/<name>.eml`` unless ``raw``), ingested."""
        key = key or f"inbound/{SHOP_ID}/{name}"
        self.raw_mail.put(key, mail(name) if raw is None else raw)
        return ingest_object(
            self.ingest_deps(), shop_id=SHOP_ID, key=key, event_time=event_time or self.clock.now()
        )

    def pump(self, *, times: int = 1) -> list[ScheduleOutcome]:
        """Feed the orders stream to the schedule use case (each record ``times`` times)."""
        return [self.apply(record) for record in self.orders.drain_stream() for _ in range(times)]

    def apply(self, record: StreamRecord) -> ScheduleOutcome:
        return on_order_change(self.schedule_deps(), record.old, record.new)

    def send(self, delivery_id: str, **changes: Any) -> SendOutcome:
        return send_delivery(self.send_deps(**changes), shop_id=SHOP_ID, delivery_id=delivery_id)

    def fire(self) -> list[SendOutcome]:
        """Fire every schedule due now, as the scheduler would (each once)."""
        return [self.send(entry.payload["delivery"]) for entry in self.schedules.fire_due(self.clock.now())]

    def sweep(self, **kwargs: Any) -> SweepReport:
        return sweep(self.send_deps(), **kwargs)

    # --- looking --------------------------------------------------------------------------------

    def order(self, order_key: str) -> OrderRecord:
        record = self.orders.get(SHOP_ID, order_key)
        assert record is not None, f"no order {order_key}"
        return record

    def delivery(self, delivery_id: str) -> Delivery:
        found = self.deliveries.get(SHOP_ID, delivery_id)
        assert found is not None, f"no delivery {delivery_id}"
        return found

    def customer(self, customer_id: str) -> CustomerRecord:
        found = self.customers.get(SHOP_ID, customer_id)
        assert found is not None, f"no customer {customer_id}"
        return found

    def delivery_of(self, step: str, order_key: str | None = None) -> str:
        """The id of the delivery of ``step`` (of ``order_key`` when given): exactly one must match."""
        ids = [
            d.id
            for d in self.deliveries.all()
            if d.step_id == step and (order_key is None or d.order_key == order_key)
        ]
        assert len(ids) == 1, f"{len(ids)} deliveries of step {step}"
        return ids[0]

    def statuses(self) -> dict[str, str]:
        return {d.id: d.status for d in self.deliveries.all()}

    def accepted(self) -> dict[str, int]:
        """Messages accepted per delivery id, over both ways out."""
        counts = self.ses.per_delivery() + self.relay.per_delivery()
        return dict(counts)


def order_at(world: World, name: str, when: datetime, *, times: int = 1) -> list[ScheduleOutcome]:
    """Move the clock to ``when``, receive mail ``name`` (``times`` deliveries of the S3 event), pump."""
    world.clock.set(when)
    for _ in range(times):
        world.receive(name)
    return world.pump(times=times)


def plan_orders(world: World, arrivals: Iterable[tuple[str, datetime]]) -> None:
    for name, when in arrivals:
        order_at(world, name, when)


def minutes(n: int) -> timedelta:
    return timedelta(minutes=n)


def world_with_a_mail_sent() -> World:
    """A Yahoo order received on 2026-12-03 09:25 and its first mail sent (fired on 12-04 10:00)."""
    world = World.create(at("2026-12-03 09:25"))
    world.receive("yahoo-forwarded-inline")
    world.pump()
    world.clock.set(at("2026-12-04 10:00"))
    world.fire()
    return world
