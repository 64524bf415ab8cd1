"""In-memory implementations of every port in ``okaeri.ports``, and fault injection.

Each fake keeps the conditional semantics its Protocol documents (create-if-absent, the delivery
state machine, idempotent upserts) and stores copies, so a caller that changes a returned model
changes nothing stored. Fault injection, for the fault suites:

- :class:`FaultPlan` — rules "raise this at that point" (before or after the call's effect, once,
  N times, every Nth call, after some calls have passed); it records what it fired.
- :func:`faulty` — wraps any port implementation (a fake here or a real AWS adapter) so that
  every method call checks a plan at ``"<name>.<method>"`` before and after the call.
- :class:`FakeTransport` — records every raw message it accepted, with knobs for throttling,
  refusals, ambiguous answers and crashes.

``Crash`` plays a process that dies mid-call (a Lambda timeout, an out-of-memory kill): it is not
an ``OkaeriError``, so nothing in the services catches it.
"""

from __future__ import annotations

import functools
import json
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar, cast

from okaeri.aws.config import check_counters
from okaeri.aws.customers import CUSTOMER_PREFIX, SUPPRESSION_PREFIX
from okaeri.aws.deliveries import COUNTED, COUNTERS, EDITABLE
from okaeri.aws.dynamo import iso_utc
from okaeri.aws.search import InvalidStartKeyError, check_start
from okaeri.compliance import MALLS
from okaeri.customer_figures import CustomerOrder, Figures, after_cancel, after_order
from okaeri.errors import (
    AmbiguousSendError,
    ConflictError,
    CouponPoolEmptyError,
    NotFoundError,
    ThrottledError,
    TooManyRowsError,
    TransportError,
)
from okaeri.frequency import reserved
from okaeri.identity import customer_id_for, normalise_address
from okaeri.membership import Role
from okaeri.models import (
    CustomerRecord,
    Delivery,
    Order,
    OrderRecord,
    PlanChange,
    ReceptionEntry,
    RelayConfig,
    Scenario,
    SendLogEntry,
    Shop,
    Template,
)
from okaeri.models.admin import Operator, PoolLoad, StepStats, VersionInfo
from okaeri.models.admin import Suppression as ListedSuppression
from okaeri.models.delivery import FINAL_STATUSES, Conversion
from okaeri.models.order import SHIPMENT_FIELDS
from okaeri.models.records import Credit
from okaeri.models.shop import FrequencyCap
from okaeri.ports import CLAIM_TOLERANCE, Claim, OnceCount, StartKey, WinbackShop
from okaeri.rendering.coupons import read_coupon_csv
from okaeri.segments import Segment

T = TypeVar("T")
ErrorFactory = Callable[[], BaseException]
#: The admin screens' paged reads (``ports.SearchByTime`` and its kin): a period's end, a start key,
#: a test of the items, a page and the key to go on from.
When = datetime | None
Start = Mapping[str, Any] | None
type Keep[Item] = Callable[[Item], bool] | None
type PageOf[Item] = tuple[list[Item], StartKey]


class Crash(Exception):
    """The process died here: nothing after this point of the call ran."""


# --- faults ---------------------------------------------------------------------------------------


def throttled() -> ThrottledError:
    return ThrottledError("送信が制限されています（テスト）", "throttled (test)")


def refused(*, retryable: bool = True, code: str = "refused") -> ErrorFactory:
    def make() -> TransportError:
        return TransportError(
            "送信を拒否されました（テスト）", "refused (test)", retryable=retryable, code=code
        )

    return make


def ambiguous() -> AmbiguousSendError:
    return AmbiguousSendError("送信結果が不明です（テスト）", "the connection dropped after DATA (test)")


def crash(where: str = "") -> ErrorFactory:
    return lambda: Crash(where or "crash (test)")


@dataclass
class _Rule:
    point: str
    error: ErrorFactory
    when: str
    times: int | None
    every: int | None
    skip: int


@dataclass
class FaultPlan:
    """Where to fail. ``calls`` counts the calls per point; ``fired`` lists (point, error type)."""

    calls: Counter[str] = field(default_factory=Counter)
    fired: list[tuple[str, str]] = field(default_factory=list)
    _rules: list[_Rule] = field(default_factory=list)

    def arm(
        self,
        point: str,
        error: ErrorFactory,
        *,
        when: str = "before",
        times: int | None = 1,
        every: int | None = None,
        skip: int = 0,
    ) -> None:
        """Raise ``error()`` at ``point``: ``times`` times (None: always), on every ``every``-th call
        only, once ``skip`` calls have passed; ``when`` is ``before`` or ``after`` the call's effect."""
        if when not in {"before", "after"}:
            raise ValueError(f"when must be 'before' or 'after', not {when!r}")
        self._rules.append(_Rule(point, error, when, times, every, skip))

    def disarm(self) -> None:
        self._rules.clear()

    def before(self, point: str) -> None:
        self.calls[point] += 1
        self._fire(point, "before")

    def after(self, point: str) -> None:
        self._fire(point, "after")

    def _fire(self, point: str, when: str) -> None:
        number = self.calls[point]
        for rule in self._rules:
            if rule.point != point or rule.when != when or rule.times == 0 or number <= rule.skip:
                continue
            if rule.every is not None and number % rule.every:
                continue
            if rule.times is not None:
                rule.times -= 1
            error = rule.error()
            self.fired.append((point, type(error).__name__))
            raise error


class _Faulty:
    def __init__(self, target: object, plan: FaultPlan, name: str) -> None:
        self._target, self._plan, self._name = target, plan, name

    def __getattr__(self, attr: str) -> Any:
        value = getattr(self._target, attr)
        if attr.startswith("_") or not callable(value):
            return value
        point = f"{self._name}.{attr}"

        @functools.wraps(value)
        def call(*args: Any, **kwargs: Any) -> Any:
            self._plan.before(point)
            result = value(*args, **kwargs)
            self._plan.after(point)
            return result

        return call


def faulty[T](target: T, plan: FaultPlan, name: str) -> T:
    """``target`` with every method call checked against ``plan`` at ``"<name>.<method>"``."""
    return cast(T, _Faulty(target, plan, name))


# --- time -----------------------------------------------------------------------------------------


class FakeClock:
    """A clock that only moves when told to, and only forward."""

    def __init__(self, now: datetime) -> None:
        if now.tzinfo is None:
            raise ValueError("FakeClock needs an aware datetime")
        self._now = now

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta | None = None, **units: float) -> datetime:
        self.set(self._now + (delta or timedelta(**units)))
        return self._now

    def set(self, moment: datetime) -> None:
        if moment < self._now:
            raise ValueError(f"the clock does not go back ({moment.isoformat()} < {self._now.isoformat()})")
        self._now = moment


@dataclass
class RecordingSleep:
    """A ``sleep`` that returns at once and remembers how long it was asked to wait."""

    calls: list[float] = field(default_factory=list)

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


# --- storage --------------------------------------------------------------------------------------


class FakeRawMail:
    def __init__(self, objects: Mapping[str, bytes] | None = None) -> None:
        self.objects: dict[str, bytes] = dict(objects or {})

    def put(self, key: str, raw: bytes) -> None:
        self.objects[key] = raw

    def get(self, key: str) -> bytes:
        if key not in self.objects:
            raise NotFoundError(f"受信メール {key} がありません", f"no stored mail {key}", code="not_found")
        return self.objects[key]

    def head_size(self, key: str) -> int:
        return len(self.get(key))


class FakeSecrets:
    """``ports.SecretStore`` in memory: values by name; a secret is found by its name or its ARN, as
    Secrets Manager finds it."""

    ARN_PREFIX = "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:"

    def __init__(self, secrets: Mapping[str, dict[str, str] | bytes] | None = None) -> None:
        self.values: dict[str, str | bytes] = {
            name: value if isinstance(value, bytes) else json.dumps(value)
            for name, value in (secrets or {}).items()
        }

    def _name(self, secret_id: str) -> str:
        return secret_id.removeprefix(self.ARN_PREFIX)

    def _value(self, secret_id: str) -> str | bytes:
        value = self.values.get(self._name(secret_id))
        if value is None:
            raise NotFoundError(f"シークレット {secret_id} がありません", f"no secret {secret_id}")
        return value

    def get_json(self, secret_id: str) -> dict[str, str]:
        return dict(json.loads(self._value(secret_id)))

    def get_bytes(self, secret_id: str) -> bytes:
        value = self._value(secret_id)
        return value if isinstance(value, bytes) else value.encode()

    def is_set(self, secret_id: str) -> bool:
        return self._name(secret_id) in self.values

    def put_string(self, secret_id: str, value: str) -> str:
        self.values[self._name(secret_id)] = value
        return self.ARN_PREFIX + self._name(secret_id)

    def put_json(self, secret_id: str, document: dict[str, str]) -> str:
        return self.put_string(secret_id, json.dumps(document, ensure_ascii=False, sort_keys=True))

    def delete(self, secret_id: str) -> None:
        self.values.pop(self._name(secret_id), None)


@dataclass(frozen=True)
class StreamRecord:
    """A DynamoDB stream record of the orders table (NEW_AND_OLD_IMAGES)."""

    old: OrderRecord | None
    new: OrderRecord | None


def _with_key(keys: Sequence[str], key: str) -> list[str]:
    return list(keys) if key in keys else [*keys, key]


def _page[Item](
    items: Iterable[Item],
    key_of: Callable[[Item], dict[str, str]],
    order: Sequence[str],
    *,
    keep: Keep[Item],
    limit: int,
    start: Start,
    newest_first: bool,
) -> PageOf[Item]:
    """A page as ``okaeri.aws.search.search_page`` answers one: the items in key order (``order``
    names the key attributes compared, the index's sort key first), from after ``start`` (a key
    this returned; the caller has checked it), up to ``limit`` that ``keep`` accepts, and the key
    of the last one when any item comes after it (None at the end). Unlike the adapter, a page is
    never cut short by a read budget."""
    ranked = sorted(
        ((tuple(key_of(item)[name] for name in order), item) for item in items),
        key=lambda pair: pair[0],
        reverse=newest_first,
    )
    if start is not None:
        after = tuple(str(start[name]) for name in order)
        ranked = [pair for pair in ranked if (pair[0] < after if newest_first else pair[0] > after)]
    found: list[Item] = []
    for position, (_, item) in enumerate(ranked):
        if keep is not None and not keep(item):
            continue
        found.append(item)
        if len(found) == limit:
            return found, key_of(item) if position < len(ranked) - 1 else None
    return found, None


def _by_time_page[Item](
    items: Iterable[Item],
    key_of: Callable[[Item], dict[str, str]],
    attribute: str,
    *,
    keep: Keep[Item],
    limit: int,
    start: Start,
) -> PageOf[Item]:
    """A page of a ``by_time`` index (sorted by ``attribute``, then the table's key), newest first."""
    return _page(
        items, key_of, (attribute, "pk", "sk"), keep=keep, limit=limit, start=start, newest_first=True
    )


def _check_prefixed(shop_id: str, prefix: str, start: Start) -> None:
    """A start key of the shop's table partition (``pk``, ``sk``) whose ``sk`` starts with ``prefix``
    (a customer's key for the customers, a suppression's for the list), as ``DynamoCustomers`` checks."""
    if start is not None and not str(start.get("sk", "")).startswith(prefix):
        raise InvalidStartKeyError()
    check_start(start, key_names=("pk", "sk"), fixed={"pk": shop_id})


def _within(moment: When, since: When, until: When) -> bool:
    """``moment`` is within since…until (both included, either open); None is in no period."""
    return moment is not None and (since is None or moment >= since) and (until is None or moment <= until)


def _order_index_key(record: OrderRecord) -> dict[str, str]:
    """The order's key in the ``by_time`` index, as ``DynamoOrders`` writes it."""
    ordered_at = record.order.ordered_at
    assert ordered_at is not None, "an order without an order time is in no index"
    return {
        "pk": f"{record.shop_id}#{record.order_key}",
        "sk": record.order_key,
        "shop_id": record.shop_id,
        "ordered_at": iso_utc(ordered_at),
    }


_SEGMENT_KEY = ("pk", "sk", "shop_id", "last_order_day")


def _segment_index_key(record: CustomerRecord) -> dict[str, str]:
    """The customer's key in the ``by_last_order`` index, as ``DynamoCustomers`` writes it."""
    assert record.last_order_day is not None, "a customer without a last order is in no segment"
    return {
        "last_order_day": record.last_order_day.isoformat(),
        "pk": record.shop_id,
        "sk": CUSTOMER_PREFIX + record.customer_id,
        "shop_id": record.shop_id,
    }


def _delivery_index_key(delivery: Delivery) -> dict[str, str]:
    """The delivery's key in the ``by_time`` index, as ``DynamoDeliveries`` writes it."""
    return {
        "pk": delivery.shop_id,
        "sk": delivery.id,
        "shop_id": delivery.shop_id,
        "send_at": iso_utc(delivery.send_at),
    }


class FakeOrders:
    """Orders by (shop, order key); every change that modifies an item appends a stream record."""

    def __init__(self) -> None:
        self.items: dict[tuple[str, str], OrderRecord] = {}
        self.stream: list[StreamRecord] = []

    def put_new(self, record: OrderRecord) -> OrderRecord | None:
        """As ``DynamoOrders.put_new``: an order mail replaces the stub a shipment or cancellation left."""
        key = (record.shop_id, record.order_key)
        stub = self.items.get(key)
        if stub is not None and stub.order.kind == "order":
            return None
        if stub is not None:
            known = {
                name: getattr(stub.order, name)
                for name in SHIPMENT_FIELDS
                if getattr(record.order, name) is None
            }
            record = record.model_copy(
                update={
                    "order": record.order.model_copy(update=known),
                    "status": "cancelled" if stub.status == "cancelled" else record.status,
                    "raw_keys": sorted({*record.raw_keys, *stub.raw_keys}),
                }
            )
        self._write(key, record)
        return record.model_copy(deep=True)

    def get(self, shop_id: str, order_key: str) -> OrderRecord | None:
        record = self.items.get((shop_id, order_key))
        return None if record is None else record.model_copy(deep=True)

    def apply_shipment(
        self, shop_id: str, shipment: Order, *, raw_key: str, at: datetime, order_rank: int = 1
    ) -> OrderRecord:
        key = (shop_id, shipment.key)
        old = self.items.get(key)
        if old is None:
            email = shipment.customer.email
            new = OrderRecord(
                shop_id=shop_id,
                order=shipment,
                customer_id=customer_id_for(email) if email else None,
                order_rank=order_rank,
                received_at=at,
                raw_keys=[raw_key],
            )
        else:
            shipped = {name: getattr(shipment, name) for name in SHIPMENT_FIELDS}
            changes = {name: value for name, value in shipped.items() if value is not None}
            new = old.model_copy(
                update={
                    "order": old.order.model_copy(update=changes),
                    "raw_keys": _with_key(old.raw_keys, raw_key),
                },
                deep=True,
            )
        return self._write(key, new)

    def mark_cancelled(self, shop_id: str, cancellation: Order, *, raw_key: str, at: datetime) -> OrderRecord:
        key = (shop_id, cancellation.key)
        old = self.items.get(key)
        if old is None:
            new = OrderRecord(
                shop_id=shop_id, order=cancellation, status="cancelled", received_at=at, raw_keys=[raw_key]
            )
        else:
            new = old.model_copy(
                update={"status": "cancelled", "raw_keys": _with_key(old.raw_keys, raw_key)}, deep=True
            )
        return self._write(key, new)

    def set_credit(self, shop_id: str, order_key: str, credit: Credit) -> bool:
        key = (shop_id, order_key)
        old = self.items.get(key)
        if old is None or old.credit is not None or old.status != "open":
            return False
        self._write(key, old.model_copy(update={"credit": credit}, deep=True))
        return True

    # --- the admin screens (``ports.OperatorOrders``), as ``DynamoOrders`` -----------------------

    def search(
        self, shop_id: str, *, since: When, until: When, keep: Keep[OrderRecord], limit: int, start: Start
    ) -> PageOf[OrderRecord]:
        """The shop's orders by order time, newest first (the ``by_time`` index: an order without
        an order time is not in it), within ``since``…``until`` (both included)."""
        key_names = ("pk", "sk", "shop_id", "ordered_at")
        check_start(start, key_names=key_names, fixed={"shop_id": shop_id}, prefixed={"pk": f"{shop_id}#"})
        found = [
            record.model_copy(deep=True)
            for (shop, _), record in self.items.items()
            if shop == shop_id and _within(record.order.ordered_at, since, until)
        ]
        return _by_time_page(found, _order_index_key, "ordered_at", keep=keep, limit=limit, start=start)

    def by_customer(self, shop_id: str, customer_id: str) -> list[OrderRecord]:
        """The customer's orders that have an order time, newest first (``by_customer``)."""
        found = [
            record.model_copy(deep=True)
            for (shop, _), record in self.items.items()
            if shop == shop_id and record.customer_id == customer_id and record.order.ordered_at is not None
        ]
        return sorted(found, key=lambda record: _order_index_key(record)["ordered_at"], reverse=True)

    def redact_personal(self, shop_id: str, order_key: str, *, at: datetime) -> OrderRecord | None:
        """Blank the order's personal fields (``okaeri.aws.orders.PERSONAL_FIELDS``); the status and
        shipment stay. None when there is no such order."""
        current = self.items.get((shop_id, order_key))
        if current is None:
            return None
        order = current.order
        blank = order.model_copy(
            update={
                "customer": order.customer.model_copy(
                    update=dict.fromkeys(("name", "name_kana", "email", "phone"))
                ),
                "ship_to": order.ship_to.model_copy(update=dict.fromkeys(("name", "postal_code", "address"))),
            }
        )
        return self._write((shop_id, order_key), current.model_copy(update={"order": blank}, deep=True))

    def drain_stream(self) -> list[StreamRecord]:
        """The stream records written since the last drain, oldest first."""
        records, self.stream = self.stream, []
        return records

    def _write(self, key: tuple[str, str], new: OrderRecord) -> OrderRecord:
        old = self.items.get(key)
        if old != new:  # an update that changes nothing writes no stream record
            self.items[key] = new.model_copy(deep=True)
            self.stream.append(StreamRecord(old, new.model_copy(deep=True)))
        return new.model_copy(deep=True)


@dataclass(frozen=True)
class Suppression:
    address: str
    reason: str
    at: datetime
    delivery_id: str | None


class FakeCustomers:
    """Customers (order count grows once per order key) and the per-shop suppression list.

    A suppression is written once; only an ``unsubscribe`` entry gives way to a blocking reason
    (a later hard bounce or complaint), so every call is idempotent.
    """

    def __init__(self) -> None:
        self.customers: dict[tuple[str, str], CustomerRecord] = {}
        self.figures: dict[tuple[str, str], Figures] = {}  # (shop, customer) → their order figures
        self.suppressed: dict[tuple[str, str], Suppression] = {}

    @property
    def counted_orders(self) -> dict[tuple[str, str], set[str]]:
        """(shop, customer) → the keys of the orders counted for them."""
        return {key: set(figures.order_keys) for key, figures in self.figures.items()}

    def record_order(
        self, shop_id: str, customer_id: str, *, email: str, name: str | None, order: CustomerOrder
    ) -> int:
        key = (shop_id, customer_id)
        counted = after_order(self.figures.get(key, Figures()), order)
        record = self.customers.get(key) or CustomerRecord(
            shop_id=shop_id, customer_id=customer_id, email=email
        )
        record = record.model_copy(update={"email": email, "name": name or record.name})
        self._keep(key, record, counted.figures)
        return counted.rank

    def cancel_order(
        self, shop_id: str, customer_id: str, cancelled: CustomerOrder, *, others: Sequence[CustomerOrder]
    ) -> None:
        key = (shop_id, customer_id)
        record = self.customers.get(key)
        if record is not None:  # as DynamoCustomers: an unknown customer has nothing to take back
            self._keep(key, record, after_cancel(self.figures.get(key, Figures()), cancelled, others))

    def lapsed_on(self, shop_id: str, day: date) -> list[CustomerRecord]:
        return [
            record.model_copy()
            for (shop, _), record in sorted(self.customers.items())
            if shop == shop_id and record.last_order_day == day and record.erased_at is None
        ]

    def _keep(self, key: tuple[str, str], record: CustomerRecord, figures: Figures | None) -> None:
        """Store the record, with the figures (when they changed) copied onto it."""
        if figures is not None:
            self.figures[key] = figures
            record = record.model_copy(
                update={
                    "order_count": figures.order_count,
                    "total_spent": figures.total_spent,
                    "first_order_at": figures.first_order_at,
                    "last_order_at": figures.last_order_at,
                    "last_order_day": None if record.erased_at else figures.last_order_day,
                    "last_order_key": figures.last_order_key,
                    "prefecture": figures.prefecture,
                    "sources": sorted(figures.sources),
                    "skus": sorted(figures.skus),
                }
            )
        self.customers[key] = record

    def get(self, shop_id: str, customer_id: str) -> CustomerRecord | None:
        record = self.customers.get((shop_id, customer_id))
        return None if record is None else record.model_copy()

    def mark_unsubscribed(self, shop_id: str, customer_id: str, *, at: datetime) -> None:
        record = self.customers.get((shop_id, customer_id))
        if record is not None and record.unsubscribed_at is None:
            self.customers[(shop_id, customer_id)] = record.model_copy(update={"unsubscribed_at": at})

    def suppression(self, shop_id: str, address: str) -> str | None:
        entry = self.suppressed.get((shop_id, normalise_address(address)))
        return None if entry is None else entry.reason

    def suppress(
        self, shop_id: str, address: str, *, reason: str, at: datetime, delivery_id: str | None
    ) -> None:
        key = (shop_id, normalise_address(address))
        current = self.suppressed.get(key)
        if current is None or (current.reason == "unsubscribe" and reason != "unsubscribe"):
            self.suppressed[key] = Suppression(key[1], reason, at, delivery_id)

    # --- the admin screens (``ports.AdminCustomers``), as ``DynamoCustomers`` --------------------

    def search(
        self, shop_id: str, *, keep: Keep[CustomerRecord], limit: int, start: Start
    ) -> PageOf[CustomerRecord]:
        """A page of the shop's customers, in id order (the table's ``cust#<id>`` sort keys)."""
        _check_prefixed(shop_id, CUSTOMER_PREFIX, start)
        mine = [record.model_copy() for (shop, _), record in self.customers.items() if shop == shop_id]
        return _page(
            mine,
            lambda c: {"pk": c.shop_id, "sk": CUSTOMER_PREFIX + c.customer_id},
            ("sk",),
            keep=keep,
            limit=limit,
            start=start,
            newest_first=False,
        )

    def segment(
        self, shop_id: str, segment: Segment, *, today: date, limit: int, start: Start
    ) -> PageOf[CustomerRecord]:
        """A page of the segment's customers, as the ``by_last_order`` index orders them (last
        order's day, then the table's key), latest first."""
        check_start(start, key_names=_SEGMENT_KEY, fixed={"pk": shop_id, "shop_id": shop_id})
        return _page(
            self._in_segment(shop_id, segment, today),
            _segment_index_key,
            ("last_order_day", "pk", "sk"),
            keep=None,
            limit=limit,
            start=start,
            newest_first=True,
        )

    def segment_count(self, shop_id: str, segment: Segment, *, today: date) -> int:
        return len(self._in_segment(shop_id, segment, today))

    def segment_all(
        self, shop_id: str, segment: Segment, *, today: date, max_rows: int
    ) -> list[CustomerRecord]:
        found = self._in_segment(shop_id, segment, today)
        if len(found) > max_rows:
            raise TooManyRowsError(f"{max_rows} 行を超えます", f"more than {max_rows} rows")
        return sorted(found, key=lambda c: tuple(_segment_index_key(c).values()), reverse=True)

    def _in_segment(self, shop_id: str, segment: Segment, today: date) -> list[CustomerRecord]:
        return [
            record.model_copy()
            for (shop, _), record in self.customers.items()
            if shop == shop_id and segment.matches(record, today)
        ]

    def order_keys(self, shop_id: str, customer_id: str) -> list[str]:
        """The keys of every order counted for the customer, sorted (none for an unknown one)."""
        return sorted(self.counted_orders.get((shop_id, customer_id), ()))

    def suppressions(self, shop_id: str, *, limit: int, start: Start) -> PageOf[ListedSuppression]:
        """A page of the suppression list, by address."""
        _check_prefixed(shop_id, SUPPRESSION_PREFIX, start)
        listed = [
            ListedSuppression(
                address=entry.address, reason=entry.reason, at=entry.at, delivery_id=entry.delivery_id
            )
            for (shop, _), entry in self.suppressed.items()
            if shop == shop_id
        ]
        return _page(
            listed,
            lambda e: {"pk": shop_id, "sk": SUPPRESSION_PREFIX + e.address},
            ("sk",),
            keep=None,
            limit=limit,
            start=start,
            newest_first=False,
        )

    def unsuppress(self, shop_id: str, address: str, *, reasons: Collection[str]) -> bool:
        """Lift the address if its reason is one of ``reasons``; False otherwise, or when not listed."""
        key = (shop_id, normalise_address(address))
        current = self.suppressed.get(key)
        if current is None or current.reason not in reasons:
            return False
        del self.suppressed[key]
        return True

    def erase(self, shop_id: str, customer_id: str, *, marker: str, at: datetime) -> CustomerRecord | None:
        """The address and name become ``marker`` (counts and order keys stay); None when unknown."""
        record = self.customers.get((shop_id, customer_id))
        if record is None:
            return None
        erased = record.model_copy(
            update={
                "email": marker,
                "name": marker,
                "erased_at": record.erased_at or at,
                "last_order_day": None,
            }
        )
        self.customers[(shop_id, customer_id)] = erased
        return erased.model_copy()


class FakeFrequencyCaps:
    """Each customer's recent advertising sends (delivery id → when), decided by
    ``okaeri.frequency.reserved`` as ``DynamoFrequencyCaps`` decides them."""

    def __init__(self) -> None:
        self.sends: dict[tuple[str, str], dict[str, datetime]] = {}

    def reserve(
        self, shop_id: str, customer_id: str, delivery_id: str, *, at: datetime, cap: FrequencyCap
    ) -> bool:
        key = (shop_id, customer_id)
        sends = reserved(self.sends.get(key, {}), delivery_id, at=at, cap=cap)
        if sends is None:
            return False
        self.sends[key] = sends
        return True

    def release(self, shop_id: str, customer_id: str, delivery_id: str) -> None:
        self.sends.get((shop_id, customer_id), {}).pop(delivery_id, None)

    def held(self, shop_id: str, customer_id: str) -> dict[str, datetime]:
        return dict(self.sends.get((shop_id, customer_id), {}))


class FakeDeliveries:
    """Deliveries by (shop, id), with the conditional state machine of ``okaeri.ports.Deliveries``.

    As the DynamoDB adapter: a claim takes a delivery due within the next minute (a schedule may
    fire a little early), and a lease has run out once ``lease_until < now``. The shop's counters
    (``COUNTED``) move with each change of status, as the adapter's transactions move them.
    """

    def __init__(self) -> None:
        self.items: dict[tuple[str, str], Delivery] = {}
        self.events: dict[tuple[str, str], Counter[str]] = {}
        self.event_status: dict[tuple[str, str], str] = {}
        self.counters: Counter[tuple[str, str]] = Counter()  # (shop, counter) → count

    def all(self) -> list[Delivery]:
        return [delivery.model_copy() for delivery in self.items.values()]

    def put_new(self, delivery: Delivery) -> bool:
        key = (delivery.shop_id, delivery.id)
        if key in self.items:
            return False
        self.items[key] = delivery.model_copy()
        if (counter := COUNTED.get(delivery.status)) is not None:
            self.counters[(delivery.shop_id, counter)] += 1
        return True

    def put_all(self, deliveries: Sequence[Delivery]) -> list[bool]:
        return [self.put_new(delivery) for delivery in deliveries]

    def counts(self, shop_id: str) -> dict[str, int]:
        return {counter: self.counters[(shop_id, counter)] for counter in COUNTERS}

    def latest_unknown(self, shop_id: str, *, limit: int) -> list[Delivery]:
        mine = self._select(lambda d: d.shop_id == shop_id and d.status == "unknown")
        return sorted(mine, key=lambda d: d.send_at, reverse=True)[:limit]

    def get(self, shop_id: str, delivery_id: str) -> Delivery | None:
        delivery = self.items.get((shop_id, delivery_id))
        return None if delivery is None else delivery.model_copy()

    def by_order(self, shop_id: str, order_key: str) -> list[Delivery]:
        return self._select(lambda d: d.shop_id == shop_id and d.order_key == order_key)

    def by_customer(self, shop_id: str, customer_id: str) -> list[Delivery]:
        return self._select(lambda d: d.shop_id == shop_id and d.customer_id == customer_id)

    def claim(self, shop_id: str, delivery_id: str, *, now: datetime, lease_until: datetime) -> Claim:
        current = self.items.get((shop_id, delivery_id))
        if current is None or current.status != "scheduled" or current.send_at > now + CLAIM_TOLERANCE:
            return Claim(False, None if current is None else current.model_copy(deep=True))
        claimed = self._update(
            current, status="sending", lease_until=lease_until, attempts=current.attempts + 1, reason=None
        )
        return Claim(True, claimed)

    def mark_sent(
        self, shop_id: str, delivery_id: str, *, message_id: str, transport: str, at: datetime
    ) -> bool:
        current = self._in(shop_id, delivery_id, {"sending"})
        if current is None:
            return False
        self._update(
            current, status="sent", message_id=message_id, transport=transport, sent_at=at, lease_until=None
        )
        return True

    def release(self, shop_id: str, delivery_id: str, *, send_at: datetime, reason: str) -> bool:
        current = self._in(shop_id, delivery_id, {"sending"})
        if current is None:
            return False
        self._update(current, status="scheduled", send_at=send_at, reason=reason, lease_until=None)
        return True

    def finish(
        self,
        shop_id: str,
        delivery_id: str,
        *,
        status: str,
        reason: str,
        from_status: Sequence[str],
        note: PlanChange | None = None,
    ) -> bool:
        if status not in FINAL_STATUSES:
            raise ValueError(f"finish() moves to one of {sorted(FINAL_STATUSES)}, not {status!r}")
        current = self._in(shop_id, delivery_id, set(from_status))
        if current is None:
            return False
        self._update(current, status=status, reason=reason, lease_until=None, **_noted(current, note))
        return True

    def reschedule(
        self, shop_id: str, delivery_id: str, *, send_at: datetime, note: PlanChange | None = None
    ) -> bool:
        current = self._in(shop_id, delivery_id, {"scheduled"})
        if current is None:
            return False
        self._update(current, send_at=send_at, **_noted(current, note))
        return True

    def revive(
        self,
        shop_id: str,
        delivery_id: str,
        *,
        send_at: datetime,
        reasons: Sequence[str],
        note: PlanChange | None = None,
    ) -> bool:
        if not reasons:
            raise ValueError("revive() needs at least one skip reason to undo")
        current = self._in(shop_id, delivery_id, {"skipped"})
        if current is None or current.reason not in reasons:
            return False
        self._update(current, status="scheduled", send_at=send_at, reason=None, **_noted(current, note))
        return True

    def requeue(
        self, shop_id: str, delivery_id: str, *, send_at: datetime, reason: str, from_status: Sequence[str]
    ) -> bool:
        current = self._in(shop_id, delivery_id, set(from_status))
        if current is None:
            return False
        self._update(current, status="scheduled", send_at=send_at, reason=reason, lease_until=None)
        return True

    def due(self, now: datetime, *, limit: int) -> list[Delivery]:
        return self._select(lambda d: d.status == "scheduled" and d.send_at <= now)[:limit]

    def expired_leases(self, now: datetime, *, limit: int) -> list[Delivery]:
        return self._select(lambda d: d.status == "sending" and _expired(d, now))[:limit]

    def mark_unknown(self, shop_id: str, delivery_id: str, *, now: datetime) -> bool:
        current = self._in(shop_id, delivery_id, {"sending"})
        if current is None or not _expired(current, now):
            return False
        self._update(current, status="unknown", reason="lease_expired", lease_until=None)
        return True

    def count_event(self, shop_id: str, delivery_id: str, event: str, *, status: str | None) -> None:
        key = (shop_id, delivery_id)
        self.events.setdefault(key, Counter())[event] += 1
        if status is not None:
            self.event_status[key] = status

    def add_conversion(self, shop_id: str, delivery_id: str, conversion: Conversion) -> None:
        current = self.items.get((shop_id, delivery_id))
        if current is not None:
            conversions = current.conversions | {conversion.order_key: conversion}
            self._update(current, conversions=conversions)

    def cancel_conversion(self, shop_id: str, delivery_id: str, order_key: str) -> None:
        current = self.items.get((shop_id, delivery_id))
        if current is not None and order_key in current.conversions:
            cancelled = current.conversions[order_key].model_copy(update={"cancelled": True})
            self._update(current, conversions=current.conversions | {order_key: cancelled})

    # --- the admin screens (``ports.AdminDeliveries``), as ``DynamoDeliveries`` ------------------

    def search(
        self, shop_id: str, *, since: When, until: When, keep: Keep[Delivery], limit: int, start: Start
    ) -> PageOf[Delivery]:
        """A page of the shop's deliveries by send time, newest first (``by_time``)."""
        key_names = ("pk", "sk", "shop_id", "send_at")
        check_start(start, key_names=key_names, fixed={"pk": shop_id, "shop_id": shop_id})
        mine = self._select(lambda d: d.shop_id == shop_id and _within(d.send_at, since, until))
        return _by_time_page(mine, _delivery_index_key, "send_at", keep=keep, limit=limit, start=start)

    def count_scheduled(self, shop_id: str, since: datetime, until: datetime) -> int:
        """The shop's ``scheduled`` deliveries whose send time is within [since, until)."""
        return sum(
            1
            for d in self.items.values()
            if d.shop_id == shop_id and d.status == "scheduled" and since <= d.send_at < until
        )

    def edit(self, shop_id: str, delivery_id: str, *, changes: Mapping[str, str | None]) -> Delivery | None:
        """Set or clear (None) ``edited_subject`` / ``edited_text`` of a ``scheduled`` delivery; None
        when it is not ``scheduled`` (or not there)."""
        unknown = set(changes) - set(EDITABLE)
        if unknown or not changes:
            raise ValueError(f"edit() changes {sorted(EDITABLE)}, not {sorted(unknown) or 'nothing'}")
        current = self._in(shop_id, delivery_id, {"scheduled"})
        return None if current is None else self._update(current, **changes)

    def redact_email(self, shop_id: str, delivery_id: str) -> bool:
        """Blank the recipient (a customer's erasure); False when there is no such delivery."""
        current = self.items.get((shop_id, delivery_id))
        if current is None:
            return False
        self._update(current, customer_email=None)
        return True

    def _in(self, shop_id: str, delivery_id: str, statuses: set[str]) -> Delivery | None:
        current = self.items.get((shop_id, delivery_id))
        return current if current is not None and current.status in statuses else None

    def _update(self, current: Delivery, **changes: Any) -> Delivery:
        # validated, as the adapter reads an item back: a status given as text is a DeliveryStatus
        updated = Delivery.model_validate(current.model_dump() | changes)
        self.items[(current.shop_id, current.id)] = updated
        before, after = COUNTED.get(current.status), COUNTED.get(updated.status)
        if before != after:
            if before is not None:
                self.counters[(current.shop_id, before)] -= 1
            if after is not None:
                self.counters[(current.shop_id, after)] += 1
        return updated.model_copy()

    def _select(self, keep: Callable[[Delivery], bool]) -> list[Delivery]:
        chosen = [delivery.model_copy() for delivery in self.items.values() if keep(delivery)]
        return sorted(chosen, key=lambda d: (d.send_at, d.id))


def _noted(delivery: Delivery, note: PlanChange | None) -> dict[str, Any]:
    return {} if note is None else {"history": [*delivery.history, note]}


def _expired(delivery: Delivery, now: datetime) -> bool:
    return delivery.lease_until is not None and delivery.lease_until < now


@dataclass(frozen=True)
class AuditEntry:
    shop_id: str
    action: str
    at: datetime
    detail: Mapping[str, Any]
    delivery: str | None = None


class FakeLogs:
    """Reception entries keyed as DynamoDB keys them (event time and S3 key), send and audit logs."""

    def __init__(self) -> None:
        self.receptions: dict[tuple[str, str, str], ReceptionEntry] = {}
        self.sends: list[SendLogEntry] = []
        self.audits: list[AuditEntry] = []
        self.requests: dict[tuple[str, str], dict[str, Any]] = {}

    def put_reception(self, entry: ReceptionEntry) -> None:
        self.receptions[(entry.shop_id, entry.received_at.isoformat(), entry.s3_key)] = entry.model_copy()

    def put_send(self, entry: SendLogEntry) -> None:
        self.sends.append(entry.model_copy())

    def put_audit(
        self,
        shop_id: str,
        *,
        action: str,
        at: datetime,
        detail: Mapping[str, Any],
        delivery: str | None = None,
    ) -> None:
        entry = AuditEntry(shop_id, action, at, dict(detail), delivery)
        if entry not in self.audits:  # DynamoDB keys an entry by its time, action and detail: once
            self.audits.append(entry)

    def receptions_of(self, shop_id: str, s3_key: str) -> list[ReceptionEntry]:
        """The entries of one stored mail, newest first."""
        mine = [key for key in self.receptions if key[0] == shop_id and key[2] == s3_key]
        return [self.receptions[key].model_copy() for key in sorted(mine, reverse=True)]

    def forget_reception(self, entry: ReceptionEntry) -> None:
        self.receptions.pop((entry.shop_id, entry.received_at.isoformat(), entry.s3_key), None)

    def start_request(
        self, shop_id: str, key: str, *, fingerprint: str, at: datetime
    ) -> dict[str, Any] | None:
        """Record a request as in progress; None when new, else the record already there."""
        existing = self.requests.get((shop_id, key))
        if existing is not None:
            return dict(existing)
        self.requests[(shop_id, key)] = {"fingerprint": fingerprint, "state": "in_progress", "at": at}
        return None

    def finish_request(
        self, shop_id: str, key: str, *, status: int, body: str, headers: Mapping[str, str]
    ) -> None:
        record = self.requests.setdefault((shop_id, key), {})
        record.update(state="done", status=status, body=body, headers=dict(headers))

    def forget_request(self, shop_id: str, key: str) -> None:
        self.requests.pop((shop_id, key), None)

    # --- the admin screens (``ports.AdminLogs``), as ``DynamoLogs`` --------------------------------

    def reception_page(
        self, shop_id: str, *, keep: Keep[ReceptionEntry], limit: int, start: Start
    ) -> PageOf[ReceptionEntry]:
        """A page of the reception log, newest first, of the entries ``keep`` accepts."""
        pk = f"{shop_id}#reception"
        check_start(start, key_names=("pk", "sk"), fixed={"pk": pk})
        mine = [entry.model_copy() for (shop, _, _), entry in self.receptions.items() if shop == shop_id]
        return _page(
            mine,
            lambda e: {"pk": pk, "sk": f"{iso_utc(e.received_at)}#{e.s3_key}"},
            ("sk",),
            keep=keep,
            limit=limit,
            start=start,
            newest_first=True,
        )

    def send_page(self, shop_id: str, *, limit: int, start: Start) -> PageOf[SendLogEntry]:
        """A page of the send log, newest first (an entry written again for the same delivery and
        time is one entry, as its key is)."""
        pk = f"{shop_id}#send"
        check_start(start, key_names=("pk", "sk"), fixed={"pk": pk})

        def key_of(entry: SendLogEntry) -> dict[str, str]:
            return {"pk": pk, "sk": f"{iso_utc(entry.at)}#{entry.delivery_id}"}

        by_key = {key_of(entry)["sk"]: entry.model_copy() for entry in self.sends if entry.shop_id == shop_id}
        return _page(by_key.values(), key_of, ("sk",), keep=None, limit=limit, start=start, newest_first=True)

    def receptions_since(self, shop_id: str, since: datetime) -> Iterator[ReceptionEntry]:
        """Every reception from ``since`` on, newest first."""
        mine = [
            entry
            for (shop, _, _), entry in self.receptions.items()
            if shop == shop_id and entry.received_at >= since
        ]
        for entry in sorted(mine, key=lambda e: (iso_utc(e.received_at), e.s3_key), reverse=True):
            yield entry.model_copy()

    def delivery_audit(self, shop_id: str, delivery_id: str) -> Iterator[Mapping[str, Any]]:
        """The entries written under one mail, oldest first, as DynamoLogs answers them."""
        mine = [a for a in self.audits if a.shop_id == shop_id and a.delivery == delivery_id]
        for audit in sorted(mine, key=lambda a: a.at):
            yield {"action": audit.action, "at": audit.at.isoformat(), "detail": dict(audit.detail)}


class FakeShopConfig:
    """Shops, versioned scenarios and templates (each ``add_*`` is a new current version), masks,
    relays and the per-day counters; the admin's edits as ``DynamoConfig`` makes them."""

    def __init__(self) -> None:
        self.shops: dict[str, Shop] = {}
        self.scenario_store: Versions[Scenario] = Versions("scenario")
        self.template_store: Versions[Template] = Versions("template")
        self.mask_store: dict[str, dict[str, Any]] = {}
        self.relay_store: dict[str, dict[str, RelayConfig]] = {}
        self.counters: Counter[tuple[str, date, str, str, str]] = Counter()
        self.counted: set[tuple[str, str]] = set()  # (shop, key) of every ``count_once``
        self.malls: dict[str, dict[str, set[str]]] = {}  # shop → mall → sources (``record_mall_source``)
        self.winback: dict[str, date | None] = {}  # the win-back registry: shop → the last day done

    def add_shop(self, shop: Shop) -> Shop:
        self.shops[shop.id] = shop
        return shop

    def put_shop(self, shop: Shop) -> None:
        """As ``DynamoConfig.put_shop``: the shop's settings, replaced."""
        self.add_shop(shop)

    def add_scenario(self, shop_id: str, scenario: Scenario) -> Scenario:
        """Save ``scenario`` as the next version (version 1 first); it becomes the current one."""
        if scenario.trigger == "lapsed":
            self.register_winback(shop_id)
        return self.scenario_store.add(shop_id, scenario)

    # --- the win-back registry (``ports.WinbackRegistry``), as ``DynamoConfig`` keeps it -----------

    def register_winback(self, shop_id: str) -> None:
        self.winback.setdefault(shop_id, None)

    def winback_shops(self) -> list[WinbackShop]:
        return [WinbackShop(shop_id, done) for shop_id, done in sorted(self.winback.items())]

    def winback_done(self, shop_id: str, day: date) -> bool:
        done = self.winback.get(shop_id)
        if done is not None and done >= day:
            return False
        self.winback[shop_id] = day
        return True

    def add_template(self, shop_id: str, template: Template) -> Template:
        return self.template_store.add(shop_id, template)

    def add_mask(self, shop_id: str, mask: Any) -> None:
        """A parse mask (or its JSON, as the config table holds it), by its name."""
        name = mask["name"] if isinstance(mask, Mapping) else mask.name
        self.mask_store.setdefault(shop_id, {})[name] = mask

    def set_relays(self, shop_id: str, relays: Iterable[RelayConfig]) -> None:
        """The shop's relays, named ``relay-1``, ``relay-2``… (``rakuten`` for a Rakuten one)."""
        self.relay_store[shop_id] = {
            "rakuten" if "rakuten" in relay.host else f"relay-{n}": relay for n, relay in enumerate(relays, 1)
        }

    def shop(self, shop_id: str) -> Shop | None:
        return self.shops.get(shop_id)

    def update_shop(self, shop_id: str, edit: Callable[[Shop], Shop]) -> tuple[Shop, Shop]:
        """(before, after) of ``edit`` on the stored shop; 404 when there is none."""
        before = self.shops.get(shop_id)
        if before is None:
            raise NotFoundError(f"ショップ {shop_id} が見つかりません", f"shop {shop_id} not found")
        after = edit(before)
        if after.id != shop_id:
            raise ValueError(f"an edit of shop {shop_id} may not change its id to {after.id}")
        self.shops[shop_id] = after
        return before, after

    def active_scenarios(self, shop_id: str) -> list[Scenario]:
        return [scenario for scenario in self.scenarios(shop_id) if scenario.active]

    def scenario_version(self, shop_id: str, scenario_id: str, version: int) -> Scenario | None:
        """A version as it was saved (with the ``active`` it was saved with)."""
        return self.scenario_store.version(shop_id, scenario_id, version)

    def template(self, shop_id: str, template_id: str, version: int | None = None) -> Template | None:
        if version is None:
            return self.template_store.current(shop_id, template_id)
        return self.template_store.version(shop_id, template_id, version)

    # --- as the admin API edits them (``ports.AdminConfig``) ---------------------------------------

    def scenarios(self, shop_id: str) -> list[Scenario]:
        """The current version of every scenario not deleted, by id."""
        return self.scenario_store.currents(shop_id)

    def scenario(self, shop_id: str, scenario_id: str) -> Scenario | None:
        return self.scenario_store.current(shop_id, scenario_id)

    def save_scenario(self, shop_id: str, scenario: Scenario, *, new: bool = False) -> Scenario:
        """The same content again makes no new version (only ``active`` is applied); a ``trigger:
        lapsed`` scenario puts the shop on the win-back registry."""
        if scenario.trigger == "lapsed":
            self.register_winback(shop_id)
        current = self.scenario(shop_id, scenario.id)
        if not new and current is not None and _content(current) == _content(scenario):
            if current.active != scenario.active:
                return self.set_scenario_active(shop_id, scenario.id, scenario.active)
            return current
        return self.scenario_store.save(shop_id, scenario, new=new)

    def scenario_versions(self, shop_id: str, scenario_id: str) -> list[VersionInfo]:
        return self.scenario_store.versions(shop_id, scenario_id)

    def set_scenario_active(self, shop_id: str, scenario_id: str, active: bool) -> Scenario:
        """Switch the current version on or off (no new version)."""
        current = self._existing_scenario(shop_id, scenario_id)
        return self.scenario_store.replace_current(shop_id, current.model_copy(update={"active": active}))

    def delete_scenario(self, shop_id: str, scenario_id: str) -> Scenario:
        """An inactive scenario leaves the lists (its versions stay); 409 while it is active."""
        current = self._existing_scenario(shop_id, scenario_id)
        if current.active:
            raise ConflictError(
                f"シナリオ {scenario_id} は有効です",
                f"scenario {scenario_id} is active",
                code="scenario_active",
            )
        self.scenario_store.deleted.add((shop_id, scenario_id))
        return current

    def _existing_scenario(self, shop_id: str, scenario_id: str) -> Scenario:
        current = self.scenario(shop_id, scenario_id)
        if current is None:
            raise NotFoundError(f"シナリオ {scenario_id} がありません", f"scenario {scenario_id} not found")
        return current

    def templates(self, shop_id: str) -> list[Template]:
        return self.template_store.currents(shop_id)

    def save_template(self, shop_id: str, template: Template, *, new: bool = False) -> Template:
        """A new version only when the content changed; ``new`` refuses an id that exists (409)."""
        return self.template_store.save(shop_id, template, new=new)

    def template_versions(self, shop_id: str, template_id: str) -> list[VersionInfo]:
        return self.template_store.versions(shop_id, template_id)

    def masks(self, shop_id: str) -> list[Any]:
        """By name, as ``DynamoConfig`` lists them."""
        return [mask for _, mask in sorted(self.mask_store.get(shop_id, {}).items())]

    def mask(self, shop_id: str, name: str) -> Any:
        return self.mask_store.get(shop_id, {}).get(name)

    def put_mask(self, shop_id: str, mask: Any) -> None:
        self.add_mask(shop_id, mask)

    def delete_mask(self, shop_id: str, name: str) -> None:
        self.mask_store.get(shop_id, {}).pop(name, None)

    def relays(self, shop_id: str) -> list[RelayConfig]:
        return list(self.named_relays(shop_id).values())

    def named_relays(self, shop_id: str) -> dict[str, RelayConfig]:
        return dict(sorted(self.relay_store.get(shop_id, {}).items()))

    def put_relay(self, shop_id: str, name: str, relay: RelayConfig) -> None:
        self.relay_store.setdefault(shop_id, {})[name] = relay

    def delete_relay(self, shop_id: str, name: str) -> None:
        self.relay_store.get(shop_id, {}).pop(name, None)

    def count(self, shop_id: str, *, day: date, scenario_id: str, step_id: str, counter: str) -> None:
        check_counters([counter])
        self.counters[(shop_id, day, scenario_id, step_id, counter)] += 1

    def count_once(self, shop_id: str, count: OnceCount) -> bool:
        check_counters(count.counters)
        if (shop_id, count.key) in self.counted:
            return False
        self.counted.add((shop_id, count.key))
        for counter, amount in count.counters.items():
            self.counters[(shop_id, count.day, count.scenario_id, count.step_id, counter)] += amount
        return True

    def take_back(self, shop_id: str, count: OnceCount) -> bool:
        check_counters(count.counters)
        if (shop_id, count.key) not in self.counted:
            return False
        self.counted.discard((shop_id, count.key))
        for counter, amount in count.counters.items():
            self.counters[(shop_id, count.day, count.scenario_id, count.step_id, counter)] -= amount
        return True

    def total(self, counter: str) -> int:
        return sum(count for key, count in self.counters.items() if key[4] == counter)

    def record_mall_source(self, shop_id: str, mall: str, source: str) -> None:
        if mall not in MALLS:
            raise ValueError(f"not a mall: {mall!r}")
        self.malls.setdefault(shop_id, {}).setdefault(mall, set()).add(source)

    def mall_sources(self, shop_id: str) -> dict[str, frozenset[str]]:
        return {mall: frozenset(sources) for mall, sources in self.malls.get(shop_id, {}).items() if sources}

    def stats(self, shop_id: str, day_from: date, day_to: date) -> list[StepStats]:
        """Every step's counters from ``day_from`` to ``day_to`` (both included), in the order of
        ``DynamoConfig``'s ``stats#<day>#<scenario>#<step>`` keys."""
        rows: dict[tuple[str, date, str, str], dict[str, int]] = {}
        for (shop, day, scenario_id, step_id, counter), count in self.counters.items():
            if shop == shop_id and day_from <= day <= day_to:
                key = (f"stats#{day.isoformat()}#{scenario_id}#{step_id}", day, scenario_id, step_id)
                rows.setdefault(key, {})[counter] = count
        return [
            StepStats(day=day, scenario_id=scenario_id, step_id=step_id, counters=counters)
            for (_, day, scenario_id, step_id), counters in sorted(rows.items())
        ]


_NOT_CONTENT = frozenset({"version", "active"})  # as DynamoConfig: what a save may differ in


def _content(document: Scenario | Template) -> dict[str, Any]:
    return document.model_dump(mode="json", exclude=set(_NOT_CONTENT))


class Versions[Doc: (Scenario, Template)]:
    """Versioned documents of one kind, as ``DynamoConfig`` keeps them: every version saved for good,
    a current one per id (its copy may differ in ``active``), and the ids deleted (a deleted id
    keeps its versions, and a new save of it continues their numbers)."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.saved: dict[tuple[str, str], dict[int, Doc]] = {}
        self.pointers: dict[tuple[str, str], Doc] = {}
        self.deleted: set[tuple[str, str]] = set()

    def clear(self) -> None:
        self.saved.clear()
        self.pointers.clear()
        self.deleted.clear()

    def add(self, shop_id: str, document: Doc) -> Doc:
        """``document`` as the next version (version 1 first), now the current one."""
        key = (shop_id, document.id)
        versions = self.saved.setdefault(key, {})
        stored = document.model_copy(update={"version": max(versions, default=0) + 1})
        versions[stored.version] = stored
        self.deleted.discard(key)
        return self.replace_current(shop_id, stored)

    def replace_current(self, shop_id: str, document: Doc) -> Doc:
        self.pointers[(shop_id, document.id)] = document
        return document

    def current(self, shop_id: str, doc_id: str) -> Doc | None:
        key = (shop_id, doc_id)
        return None if key in self.deleted else self.pointers.get(key)

    def currents(self, shop_id: str) -> list[Doc]:
        return [doc for (shop, doc_id), doc in sorted(self.pointers.items()) if shop == shop_id
                and (shop, doc_id) not in self.deleted]  # fmt: skip

    def version(self, shop_id: str, doc_id: str, version: int) -> Doc | None:
        return self.saved.get((shop_id, doc_id), {}).get(version)

    def save(self, shop_id: str, document: Doc, *, new: bool) -> Doc:
        """A new version only when the content changed; ``new`` refuses an id that exists (409)."""
        current = self.current(shop_id, document.id)
        if new and current is not None:
            raise ConflictError(
                f"{self.kind} {document.id} exists", f"{self.kind} {document.id} exists", code="exists"
            )
        if current is not None and _content(current) == _content(document):
            return current
        return self.add(shop_id, document)

    def versions(self, shop_id: str, doc_id: str) -> list[VersionInfo]:
        """Every version, oldest first, and which one is current (none: not there, or deleted)."""
        current = self.current(shop_id, doc_id)
        if current is None:
            return []
        versions = self.saved[(shop_id, doc_id)]
        return [
            VersionInfo(version=number, name=versions[number].name, current=number == current.version)
            for number in sorted(versions)
        ]


class FakeCoupons:
    """Per-shop coupon pools: free codes (in load order), the code each delivery was given, the codes
    spent; ``ports.CouponPools`` as ``DynamoCoupons`` keeps it. Built from CSV lines or files."""

    def __init__(self, pools: Mapping[str, Mapping[str, Iterable[str] | Path]] | None = None) -> None:
        self.free: dict[tuple[str, str], list[str]] = {}
        self.given: dict[tuple[str, str, str], str] = {}
        self.used: set[tuple[str, str, str]] = set()
        for shop_id, shop_pools in (pools or {}).items():
            for pool, source in shop_pools.items():
                self.load_codes(shop_id, pool, read_coupon_csv(source, pool=pool))

    def code_for(self, shop_id: str, pool: str, delivery_id: str) -> str:
        given = self.given.get((shop_id, pool, delivery_id))
        if given is not None:
            return given
        free = self.free.get((shop_id, pool))
        if not free:
            raise CouponPoolEmptyError(
                f"クーポンプール {pool} に未使用のコードがありません（配信 {delivery_id}）",
                f"coupon pool {pool} has no unused code left (delivery {delivery_id})",
            )
        code = free.pop(0)
        self.given[(shop_id, pool, delivery_id)] = code
        self.used.add((shop_id, pool, code))
        return code

    def remaining(self, shop_id: str, pool: str) -> int:
        return len(self.free.get((shop_id, pool), ()))

    def pools(self, shop_id: str) -> list[str]:
        return sorted(pool for shop, pool in self.free if shop == shop_id)

    def counts(self, shop_id: str, pool: str) -> tuple[int, int]:
        """(codes given, codes left)."""
        given = sum(1 for shop, name, _ in self.given if (shop, name) == (shop_id, pool))
        return given, self.remaining(shop_id, pool)

    def load_codes(self, shop_id: str, pool: str, codes: Iterable[str]) -> PoolLoad:
        unique = list(dict.fromkeys(code.strip() for code in codes if code.strip()))
        if not unique:
            return PoolLoad(loaded=0, spent=())
        free = self.free.setdefault((shop_id, pool), [])
        spent = tuple(code for code in unique if (shop_id, pool, code) in self.used)
        free += [code for code in unique if code not in spent and code not in free]
        return PoolLoad(loaded=len(unique) - len(spent), spent=spent)


# --- operators ------------------------------------------------------------------------------------


class FakeOperators:
    """``ports.Operators`` in memory, as ``CognitoUsers`` keeps the user pool: users by username (an
    address invited without an account gets one named after it), each one's role per shop and
    invitations; a user left with neither is disabled, never deleted."""

    def __init__(self) -> None:
        self.users: dict[str, Operator] = {}

    def add(self, email: str, roles: Mapping[str, Role], *, username: str | None = None) -> Operator:
        """A user who has signed in already (status ``CONFIRMED``)."""
        user = Operator(
            username=username or email,
            email=email,
            roles=dict(roles),
            invitations={},
            enabled=True,
            status="CONFIRMED",
        )
        self.users[user.username] = user
        return user

    def of_shop(self, shop_id: str) -> list[Operator]:
        mine = [u for u in self.users.values() if shop_id in u.roles or shop_id in u.invitations]
        return sorted(mine, key=lambda user: user.email)

    def find(self, username: str) -> Operator | None:
        return self.users.get(username) or next(
            (user for user in self.users.values() if user.email == username), None
        )

    def invite(
        self, email: str, *, shop_id: str, role: Role, temporary_password: str | None = None
    ) -> Operator:
        existing = self.find(email)
        if existing is None:
            return self._put(
                Operator(
                    username=email,
                    email=email,
                    roles={},
                    invitations={shop_id: role},
                    enabled=True,
                    status="FORCE_CHANGE_PASSWORD",
                )
            )
        return self._put(existing, invitations={**existing.invitations, shop_id: role}, enabled=True)

    def answer_invitation(self, username: str, shop_id: str, *, accept: bool) -> Role:
        user = self._get(username)
        role = user.invitations.get(shop_id)
        if role is None:
            raise NotFoundError("その招待はありません。", "There is no such invitation.")
        invitations = {shop: held for shop, held in user.invitations.items() if shop != shop_id}
        self._put(
            user, roles={**user.roles, shop_id: role} if accept else user.roles, invitations=invitations
        )
        return role

    def set_role(self, username: str, shop_id: str, role: Role) -> Operator:
        user = self._get(username)
        if shop_id not in user.roles:
            raise NotFoundError("そのユーザーはこのショップにいません。", "That user is not in this shop.")
        return self._put(user, roles={**user.roles, shop_id: role})

    def remove_from_shop(self, username: str, shop_id: str) -> Operator:
        user = self._get(username)
        if shop_id not in user.roles and shop_id not in user.invitations:
            raise NotFoundError("そのユーザーはこのショップにいません。", "That user is not in this shop.")
        roles = {shop: role for shop, role in user.roles.items() if shop != shop_id}
        invitations = {shop: role for shop, role in user.invitations.items() if shop != shop_id}
        return self._put(user, roles=roles, invitations=invitations, enabled=bool(roles or invitations))

    def _get(self, username: str) -> Operator:
        user = self.find(username)
        if user is None:
            raise NotFoundError("そのユーザーはいません。", "No such user.")
        return user

    def _put(self, user: Operator, **changes: Any) -> Operator:
        stored = user.model_copy(update=changes)
        self.users[stored.username] = stored
        return stored.model_copy()


# --- schedules and transports ---------------------------------------------------------------------


@dataclass(frozen=True)
class ScheduleEntry:
    name: str
    at: datetime
    timezone: str
    payload: Mapping[str, str]
    window_minutes: int


class FakeSchedules:
    """One-off schedules by name; ``calls`` records every create/update/delete in order.

    ``fire_due(now)`` hands out (and deletes, like ``ActionAfterCompletion=DELETE``) the schedules
    whose time has come; with ``fires=False`` none ever fires (only the sweeper can send).
    """

    def __init__(self, *, fires: bool = True) -> None:
        self.entries: dict[str, ScheduleEntry] = {}
        self.calls: list[tuple[str, str]] = []
        self.fires = fires

    def create(
        self, *, name: str, at: datetime, timezone: str, payload: Mapping[str, str], window_minutes: int
    ) -> bool:
        self.calls.append(("create", name))
        if name in self.entries:
            return False
        self.entries[name] = ScheduleEntry(name, at, timezone, dict(payload), window_minutes)
        return True

    def update(
        self, *, name: str, at: datetime, timezone: str, payload: Mapping[str, str], window_minutes: int
    ) -> None:
        self.calls.append(("update", name))
        self.entries[name] = ScheduleEntry(name, at, timezone, dict(payload), window_minutes)

    def delete(self, name: str) -> None:
        self.calls.append(("delete", name))
        self.entries.pop(name, None)

    def next_at(self) -> datetime | None:
        if not self.fires or not self.entries:
            return None
        return min(entry.at for entry in self.entries.values())

    def fire_due(self, now: datetime) -> list[ScheduleEntry]:
        if not self.fires:
            return []
        due = sorted((e for e in self.entries.values() if e.at <= now), key=lambda e: (e.at, e.name))
        for entry in due:
            del self.entries[entry.name]
        return due


@dataclass(frozen=True)
class AcceptedMail:
    sender: str
    recipient: str
    raw: bytes
    tags: Mapping[str, str]
    message_id: str


class FakeTransport:
    """A way out (SES or a relay) that records every raw message it accepted.

    Its fault plan's point is ``"send"``: a ``before`` fault means nothing was accepted, an
    ``after`` fault that the message was accepted and then the answer was lost.
    """

    def __init__(self, name: str = "ses") -> None:
        self.name = name
        self.accepted: list[AcceptedMail] = []
        self.faults = FaultPlan()

    def send(self, *, sender: str, recipient: str, raw: bytes, tags: Mapping[str, str]) -> str:
        self.faults.before("send")
        message_id = f"{self.name}-{len(self.accepted) + 1:06d}"
        self.accepted.append(AcceptedMail(sender, recipient, bytes(raw), dict(tags), message_id))
        self.faults.after("send")
        return message_id

    @property
    def calls(self) -> int:
        return self.faults.calls["send"]

    def per_delivery(self) -> Counter[str]:
        """How many messages were accepted for each delivery id (its ``delivery`` tag)."""
        return Counter(mail.tags.get("delivery", "") for mail in self.accepted)

    # knobs
    def throttle_every(self, n: int) -> None:
        """Every ``n``-th call answers ThrottledError (nothing accepted)."""
        self.faults.arm("send", throttled, times=None, every=n)

    def throttle(self, times: int | None = 1, *, skip: int = 0) -> None:
        self.faults.arm("send", throttled, times=times, skip=skip)

    def refuse(
        self, *, retryable: bool = True, times: int | None = 1, skip: int = 0, code: str = "refused"
    ) -> None:
        self.faults.arm("send", refused(retryable=retryable, code=code), times=times, skip=skip)

    def drop_after_data(self, times: int = 1, *, skip: int = 0) -> None:
        """Accept the message, then answer AmbiguousSendError (the connection dropped after DATA)."""
        self.faults.arm("send", ambiguous, when="after", times=times, skip=skip)

    def ambiguous_before(self, times: int = 1, *, skip: int = 0) -> None:
        """Answer AmbiguousSendError without accepting anything (the worst case for counting)."""
        self.faults.arm("send", ambiguous, times=times, skip=skip)

    def crash(self, *, after_accept: bool = False, times: int = 1, skip: int = 0) -> None:
        """The process dies during the call: before anything was accepted, or just after."""
        where = f"{self.name}.send " + ("after accept" if after_accept else "before accept")
        self.faults.arm(
            "send", crash(where), when="after" if after_accept else "before", times=times, skip=skip
        )
