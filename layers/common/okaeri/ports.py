"""Interfaces the services need from the outside world.

The AWS adapters in ``okaeri.aws`` implement them over DynamoDB, EventBridge Scheduler, SES,
SMTP, S3, Secrets Manager and Cognito; ``tests/fakes.py`` implements them in memory for unit tests.
Every method is safe to call twice with the same arguments (at-least-once events).

The first part is what the pipeline (ingest, schedule, send, events) needs; the second
(``Operator*``, ``AdminConfig``, ``CouponPools``, ``Operators``, ``RequestRecords``, ``SecretStore``,
``MailStore``) what the admin API and its services need beyond it (``okaeri.api.deps.AdminDeps``).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Final, Protocol, TypeVar

if TYPE_CHECKING:  # annotations only: a function imports the models it uses, when it uses them
    from okaeri.customer_figures import CustomerOrder
    from okaeri.membership import Role
    from okaeri.models import (
        CustomerRecord,
        Delivery,
        DeliveryStatus,
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
    from okaeri.models.admin import Operator, PoolLoad, Suppression, VersionInfo
    from okaeri.models.delivery import Conversion
    from okaeri.models.records import Credit
    from okaeri.models.shop import FrequencyCap
    from okaeri.parsing import ParseMask
    from okaeri.segments import Segment

T = TypeVar("T")
#: Where the next page of a search begins (the store's own key), or None: there is none.
StartKey = dict[str, Any] | None


class Clock(Protocol):
    """Injected time, so the local stack and the tests can move it."""

    def now(self) -> datetime: ...


class CouponSource(Protocol):
    """Hands out the next unused code of a shop's coupon pool, once per delivery.

    Asking twice for the same (pool, delivery) returns the same code, so a re-render or a retried
    send never burns a second code.
    """

    def code_for(self, pool: str, delivery_id: str) -> str: ...


@dataclass(frozen=True)
class OnceCount:
    """Counters to add to one day's row of a step (``*``: the scenario's), once per ``key``;
    ``at``: when (the key is remembered long after it)."""

    key: str
    day: date
    scenario_id: str
    step_id: str
    counters: Mapping[str, int]
    at: datetime


class Orders(Protocol):
    def put_new(self, record: OrderRecord) -> OrderRecord | None:
        """Store a new order, or the order mail over the stub a shipment or a cancellation left: the
        record as stored (a cancelled stub's order stays cancelled); None (and no change) when the
        order is there already."""

    def get(self, shop_id: str, order_key: str) -> OrderRecord | None: ...

    def apply_shipment(
        self, shop_id: str, shipment: Order, *, raw_key: str, at: datetime, order_rank: int = 1
    ) -> OrderRecord:
        """Set shipped_at/carrier/tracking on the order; when the order is unknown, create it from the
        shipment (a stub) with ``order_rank`` (the customer's order count, the caller's to know)."""

    def mark_cancelled(self, shop_id: str, cancellation: Order, *, raw_key: str, at: datetime) -> OrderRecord:
        """Mark the order cancelled (a stub is kept when the order itself was never seen)."""

    def by_customer(self, shop_id: str, customer_id: str) -> list[OrderRecord]:
        """The customer's orders that have an order time, newest first (an index query)."""

    def set_credit(self, shop_id: str, order_key: str, credit: Credit) -> bool:
        """Record the mail the order is credited to, once: False (and no change) when the order has a
        credit already, is cancelled, or is gone."""


class Customers(Protocol):
    def record_order(
        self, shop_id: str, customer_id: str, *, email: str, name: str | None, order: CustomerOrder
    ) -> int:
        """Count the order once for the customer (upsert) and keep their figures (first and last
        order, total spent, sources, SKUs: ``okaeri.customer_figures``); the order's rank."""

    def cancel_order(
        self, shop_id: str, customer_id: str, cancelled: CustomerOrder, *, others: Sequence[CustomerOrder]
    ) -> None:
        """Take a cancelled order back from the customer's figures, once (``others``: their other
        open orders)."""

    def lapsed_on(self, shop_id: str, day: date) -> list[CustomerRecord]:
        """The customers whose last open order was on ``day`` (an index, never a scan)."""

    def get(self, shop_id: str, customer_id: str) -> CustomerRecord | None: ...

    def mark_unsubscribed(self, shop_id: str, customer_id: str, *, at: datetime) -> None: ...

    def suppression(self, shop_id: str, address: str) -> str | None:
        """The reason an address is suppressed (bounce, complaint, unsubscribe, manual), or None."""

    def suppress(
        self, shop_id: str, address: str, *, reason: str, at: datetime, delivery_id: str | None
    ) -> None: ...


class FrequencyCaps(Protocol):
    """The shop's frequency cap on advertising mails, per customer (issue #16; ``okaeri.frequency``).

    Decided with a conditional write, so two sends racing for one customer cannot both pass."""

    def reserve(
        self, shop_id: str, customer_id: str, delivery_id: str, *, at: datetime, cap: FrequencyCap
    ) -> bool:
        """Take a slot for the delivery's mail at ``at``: False when ``cap.mails`` advertising mails of
        other deliveries went (or are going) to the customer within ``cap.days`` days up to ``at``.
        A delivery holding a slot already passes again (a throttled or retried send)."""

    def release(self, shop_id: str, customer_id: str, delivery_id: str) -> None:
        """Give the delivery's slot back (its send failed for good: nothing went out); none is fine."""


#: A wake-up may come this early (clock skew): ``Deliveries.claim`` takes a delivery due within it.
CLAIM_TOLERANCE: Final = timedelta(seconds=60)


@dataclass(frozen=True)
class Claim:
    """What ``Deliveries.claim`` answers: ``claimed`` and the delivery now ``sending``; or refused,
    and the delivery as the claim found it (``None``: there is no such delivery), which says why
    (not ``scheduled``, or not due yet) without a read of its own."""

    claimed: bool
    delivery: Delivery | None


class Deliveries(Protocol):
    def put_new(self, delivery: Delivery) -> bool:
        """Store a planned delivery; False (no change) when its id exists already."""

    def put_all(self, deliveries: Sequence[Delivery]) -> list[bool]:
        """An order's new deliveries in one request where possible; per delivery, whether it was new
        (False: there already, as ``put_new`` answers)."""

    def get(self, shop_id: str, delivery_id: str) -> Delivery | None: ...

    def by_order(self, shop_id: str, order_key: str) -> list[Delivery]: ...

    def by_customer(self, shop_id: str, customer_id: str) -> list[Delivery]: ...

    def claim(self, shop_id: str, delivery_id: str, *, now: datetime, lease_until: datetime) -> Claim:
        """``scheduled`` and due (``CLAIM_TOLERANCE`` early at most) → ``sending`` with a lease
        (attempts + 1), in one conditional write; refused, the delivery as it was (or None) comes
        back with the refusal."""

    def mark_sent(
        self, shop_id: str, delivery_id: str, *, message_id: str, transport: str, at: datetime
    ) -> bool:
        """``sending`` → ``sent``; False when it was not ``sending``."""

    def release(self, shop_id: str, delivery_id: str, *, send_at: datetime, reason: str) -> bool:
        """``sending`` → ``scheduled`` at a later time (nothing was sent: throttled or refused)."""

    def finish(
        self,
        shop_id: str,
        delivery_id: str,
        *,
        status: DeliveryStatus,
        reason: str,
        from_status: Sequence[DeliveryStatus],
        note: PlanChange | None = None,
    ) -> bool:
        """Move to ``failed``, ``skipped``, ``cancelled`` or ``unknown`` from one of ``from_status``
        (``note``: a re-planning, appended to the delivery's history in the same write)."""

    def reschedule(
        self, shop_id: str, delivery_id: str, *, send_at: datetime, note: PlanChange | None = None
    ) -> bool:
        """A ``scheduled`` delivery gets a new send time (``note``: appended to its history)."""

    def revive(
        self,
        shop_id: str,
        delivery_id: str,
        *,
        send_at: datetime,
        reasons: Sequence[str],
        note: PlanChange | None = None,
    ) -> bool:
        """A ``skipped`` delivery whose reason is one of ``reasons`` → ``scheduled`` at ``send_at``
        (its reason cleared, ``note`` appended to its history); False when it is not that."""

    def due(self, now: datetime, *, limit: int) -> list[Delivery]:
        """``scheduled`` deliveries whose send time has come, across shops (the sweeper)."""

    def expired_leases(self, now: datetime, *, limit: int) -> list[Delivery]:
        """``sending`` deliveries whose lease has run out (ambiguous: they become ``unknown``)."""

    def mark_unknown(self, shop_id: str, delivery_id: str, *, now: datetime) -> bool:
        """``sending`` with an expired lease → ``unknown``."""

    def count_event(self, shop_id: str, delivery_id: str, event: str, *, status: str | None) -> None:
        """Count an SES event on the delivery (and set a bounced/complained status when given)."""

    def add_conversion(self, shop_id: str, delivery_id: str, conversion: Conversion) -> None:
        """Record an order credited to the delivery (by its order key; the same one again changes nothing)."""

    def cancel_conversion(self, shop_id: str, delivery_id: str, order_key: str) -> None:
        """Mark the delivery's conversion of ``order_key`` cancelled (nothing when it has none)."""

    def counts(self, shop_id: str) -> dict[str, int]:
        """The shop's counters, kept by the transitions themselves: ``waiting`` (``scheduled`` or
        ``sending``) and ``unknown``; a few reads, whatever the number of deliveries."""

    def latest_unknown(self, shop_id: str, *, limit: int) -> list[Delivery]:
        """The shop's latest ``limit`` ``unknown`` deliveries by send time, newest first (reads at
        most ``limit`` items)."""


class Logs(Protocol):
    def put_reception(self, entry: ReceptionEntry) -> None: ...

    def put_send(self, entry: SendLogEntry) -> None: ...

    def put_audit(
        self,
        shop_id: str,
        *,
        action: str,
        at: datetime,
        detail: Mapping[str, Any],
        delivery: str | None = None,
    ) -> None:
        """One entry in the shop's audit log (a repeat of the same action and detail at the same time
        is the same entry); with ``delivery``, the id of the mail acted on, the entry is also kept
        under that mail, where its history reads it."""
        ...


#: How long an edit of the shop's settings, scenarios, templates, masks or relays may take to reach
#: the pipeline (and a changed relay credential to reach send), which reads ``ShopConfig`` through a
#: cache (``okaeri.aws.config_cache``): one named constant, exposed to the page by the API so the
#: note it shows cannot drift from it.
CONFIG_TTL_SECONDS: Final = 60


class ShopConfig(Protocol):
    def shop(self, shop_id: str) -> Shop | None: ...

    def active_scenarios(self, shop_id: str) -> list[Scenario]: ...

    def scenario_version(self, shop_id: str, scenario_id: str, version: int) -> Scenario | None: ...

    def template(self, shop_id: str, template_id: str, version: int | None = None) -> Template | None:
        """A template version, or the current one when ``version`` is None."""

    def masks(self, shop_id: str) -> list[Any]: ...

    def relays(self, shop_id: str) -> list[RelayConfig]: ...

    def count(self, shop_id: str, *, day: date, scenario_id: str, step_id: str, counter: str) -> None:
        """Add one to a per-day, per-step counter (sent, delivered, bounced, complained, …)."""

    def count_once(self, shop_id: str, count: OnceCount) -> bool:
        """Add ``count.counters`` (each may be negative) to a per-day row once per ``count.key``,
        whatever the number of calls: False when the key was counted before (nothing added)."""

    def take_back(self, shop_id: str, count: OnceCount) -> bool:
        """Subtract what ``count_once`` added under ``count.key`` (the same counters and row) and forget
        the key, so it may count again: False (nothing changed) when the key is not counted."""

    def record_mall_source(self, shop_id: str, mall: str, source: str) -> None:
        """Note that ``source`` brought the shop an order of ``mall`` (``okaeri.compliance.order_mall``),
        so the lint checks its scenarios under that mall's rules too: a set, so again changes nothing."""


@dataclass(frozen=True)
class WinbackShop:
    """A shop that has (or had) a ``trigger: lapsed`` scenario, and the last day the win-back job
    finished for it (its own time zone; None: never)."""

    shop_id: str
    done_through: date | None = None


class WinbackRegistry(Protocol):
    """The shops the daily win-back job visits, listed without a table scan (services/winback.py)."""

    def register_winback(self, shop_id: str) -> None:
        """Put the shop on the list (a ``trigger: lapsed`` scenario was saved); once is enough."""

    def winback_shops(self) -> list[WinbackShop]:
        """Every shop on the list, with the last day done."""

    def winback_done(self, shop_id: str, day: date) -> bool:
        """Note ``day`` as done for the shop, only forward (False: a later day was noted already)."""


class Coupons(Protocol):
    def code_for(self, shop_id: str, pool: str, delivery_id: str) -> str:
        """The pool's next unused code, given once per delivery (the same code when asked again)."""


class Schedules(Protocol):
    def create(
        self, *, name: str, at: datetime, timezone: str, payload: Mapping[str, str], window_minutes: int
    ) -> bool:
        """A one-off schedule; False when one of that name exists already (ConflictException)."""

    def update(
        self, *, name: str, at: datetime, timezone: str, payload: Mapping[str, str], window_minutes: int
    ) -> None:
        """Move a schedule (created when it is gone)."""

    def delete(self, name: str) -> None:
        """Remove a schedule; a missing one is fine."""


class Transport(Protocol):
    """One way out (SES or an SMTP relay). Raises ThrottledError, TransportError or AmbiguousSendError."""

    name: str

    def send(self, *, sender: str, recipient: str, raw: bytes, tags: Mapping[str, str]) -> str:
        """Send the raw MIME message once; returns the provider's message id."""


class RawMail(Protocol):
    def get(self, key: str) -> bytes: ...


class Secrets(Protocol):
    def get_json(self, secret_id: str) -> dict[str, str]: ...

    def get_bytes(self, secret_id: str) -> bytes: ...


# --- what the admin API and its services need --------------------------------------------------------


class DayCounters(Protocol):
    """One day's counters of one scenario step (the config table's ``stats#`` items)."""

    @property
    def day(self) -> date: ...

    @property
    def scenario_id(self) -> str: ...

    @property
    def step_id(self) -> str: ...

    @property
    def counters(self) -> dict[str, int]: ...


class OperatorConfig(ShopConfig, Protocol):
    def stats(self, shop_id: str, day_from: date, day_to: date) -> Sequence[DayCounters]: ...


class SearchByTime(Protocol[T]):
    """A page of the shop's items by time (the ``by_time`` index), newest first, within a period."""

    def search(
        self,
        shop_id: str,
        *,
        since: datetime | None,
        until: datetime | None,
        keep: Callable[[T], bool] | None,
        limit: int,
        start: Mapping[str, Any] | None,
    ) -> tuple[list[T], StartKey]: ...


class OperatorOrders(Orders, SearchByTime["OrderRecord"], Protocol):
    def redact_personal(self, shop_id: str, order_key: str, *, at: datetime) -> OrderRecord | None: ...


class OperatorDeliveries(Deliveries, SearchByTime["Delivery"], Protocol):
    def edit(
        self, shop_id: str, delivery_id: str, *, changes: Mapping[str, str | None]
    ) -> Delivery | None: ...

    def requeue(
        self,
        shop_id: str,
        delivery_id: str,
        *,
        send_at: datetime,
        reason: str,
        from_status: Sequence[DeliveryStatus],
    ) -> bool: ...

    def redact_email(self, shop_id: str, delivery_id: str) -> bool: ...


class OperatorCustomers(Customers, Protocol):
    def search(
        self,
        shop_id: str,
        *,
        keep: Callable[[CustomerRecord], bool] | None,
        limit: int,
        start: Mapping[str, Any] | None,
    ) -> tuple[list[CustomerRecord], StartKey]: ...

    def order_keys(self, shop_id: str, customer_id: str) -> list[str]: ...

    def unsuppress(self, shop_id: str, address: str, *, reasons: Collection[str]) -> bool: ...

    def erase(
        self, shop_id: str, customer_id: str, *, marker: str, at: datetime
    ) -> CustomerRecord | None: ...


class OperatorLogs(Logs, Protocol):
    def receptions_since(self, shop_id: str, since: datetime) -> Iterator[ReceptionEntry]: ...

    def delivery_audit(self, shop_id: str, delivery_id: str) -> Iterator[Mapping[str, Any]]:
        """Every audit entry written with ``delivery=delivery_id`` (``action``, ``at``, ``detail``),
        oldest first, all of them."""
        ...


class PlannedMails(Protocol):
    def count_scheduled(self, shop_id: str, since: datetime, until: datetime) -> int:
        """The shop's ``scheduled`` mails whose send time is within [since, until)."""
        ...


class AdminDeliveries(OperatorDeliveries, PlannedMails, Protocol):
    """The deliveries as the admin API reads and edits them (the dashboard's pace counts them too)."""


class AdminCustomers(OperatorCustomers, Protocol):
    def suppressions(
        self, shop_id: str, *, limit: int, start: Mapping[str, Any] | None
    ) -> tuple[list[Suppression], StartKey]: ...

    def segment(
        self, shop_id: str, segment: Segment, *, today: date, limit: int, start: Mapping[str, Any] | None
    ) -> tuple[list[CustomerRecord], StartKey]:
        """A page of the segment's customers (``okaeri.segments``), latest last order first, from
        the ``by_last_order`` index (never a scan; erased customers are not in it)."""
        ...

    def segment_count(self, shop_id: str, segment: Segment, *, today: date) -> int:
        """How many customers the segment holds, all of them counted (or a TooManyRowsError)."""
        ...

    def segment_all(
        self, shop_id: str, segment: Segment, *, today: date, max_rows: int
    ) -> list[CustomerRecord]:
        """Every customer of the segment, latest last order first; more than ``max_rows`` is a
        TooManyRowsError (never a part)."""
        ...


class RequestRecords(Protocol):
    """What ``Idempotency-Key`` keeps: a request started, its answer, or nothing (a 4xx forgets it)."""

    def start_request(
        self, shop_id: str, key: str, *, fingerprint: str, at: datetime
    ) -> dict[str, Any] | None: ...

    def finish_request(
        self, shop_id: str, key: str, *, status: int, body: str, headers: Mapping[str, str]
    ) -> None: ...

    def forget_request(self, shop_id: str, key: str) -> None: ...


class AdminLogs(OperatorLogs, RequestRecords, Protocol):
    def reception_page(
        self,
        shop_id: str,
        *,
        keep: Callable[[ReceptionEntry], bool] | None,
        limit: int,
        start: Mapping[str, Any] | None,
    ) -> tuple[list[ReceptionEntry], StartKey]: ...

    def send_page(
        self, shop_id: str, *, limit: int, start: Mapping[str, Any] | None
    ) -> tuple[list[SendLogEntry], StartKey]: ...

    def receptions_of(self, shop_id: str, s3_key: str) -> list[ReceptionEntry]: ...

    def forget_reception(self, entry: ReceptionEntry) -> None: ...


class AdminConfig(OperatorConfig, Protocol):
    """What operators edit: the shop, versioned scenarios and templates, parse masks, relays.

    A save of a scenario or template makes a new version only when its content changed (the same
    version comes back otherwise); versions are kept for good; ``new=True`` refuses an id that exists
    (409); a deleted scenario keeps its versions and its numbering."""

    def update_shop(self, shop_id: str, edit: Callable[[Shop], Shop]) -> tuple[Shop, Shop]:
        """Apply ``edit`` to the stored shop; (before, after)."""
        ...

    def scenarios(self, shop_id: str) -> list[Scenario]: ...

    def scenario(self, shop_id: str, scenario_id: str) -> Scenario | None: ...

    def save_scenario(self, shop_id: str, scenario: Scenario, *, new: bool = False) -> Scenario: ...

    def scenario_versions(self, shop_id: str, scenario_id: str) -> list[VersionInfo]: ...

    def delete_scenario(self, shop_id: str, scenario_id: str) -> Scenario: ...

    def set_scenario_active(self, shop_id: str, scenario_id: str, active: bool) -> Scenario: ...

    def templates(self, shop_id: str) -> list[Template]: ...

    def save_template(self, shop_id: str, template: Template, *, new: bool = False) -> Template: ...

    def template_versions(self, shop_id: str, template_id: str) -> list[VersionInfo]: ...

    def mask(self, shop_id: str, name: str) -> ParseMask | None: ...

    def put_mask(self, shop_id: str, mask: ParseMask) -> None: ...

    def delete_mask(self, shop_id: str, name: str) -> None: ...

    def named_relays(self, shop_id: str) -> dict[str, RelayConfig]: ...

    def mall_sources(self, shop_id: str) -> dict[str, frozenset[str]]:
        """What ``record_mall_source`` noted: each mall the shop received orders of, and from which
        sources (``okaeri.compliance.MallSources``)."""
        ...

    def put_relay(self, shop_id: str, name: str, relay: RelayConfig) -> None: ...

    def delete_relay(self, shop_id: str, name: str) -> None: ...


class CouponPools(Coupons, Protocol):
    def pools(self, shop_id: str) -> list[str]:
        """The names of the pools codes were ever loaded into, by name."""
        ...

    def counts(self, shop_id: str, pool: str) -> tuple[int, int]:
        """(used, free) codes of the pool."""
        ...

    def load_codes(self, shop_id: str, pool: str, codes: Iterable[str]) -> PoolLoad:
        """Add codes as unused (again: no change; a code given out already: skipped, in ``spent``)."""
        ...


class Member(Protocol):
    """What the rules about a shop's owners read of an operator (``okaeri.services.operators``)."""

    @property
    def username(self) -> str: ...

    @property
    def enabled(self) -> bool: ...

    def role_in(self, shop_id: str) -> Role | None: ...


class Operators(Protocol):
    """The admin page's users and their role in each shop (a role belongs to the pair user, shop)."""

    def of_shop(self, shop_id: str) -> list[Operator]: ...

    def find(self, username: str) -> Operator | None: ...

    def invite(
        self, email: str, *, shop_id: str, role: Role, temporary_password: str | None = None
    ) -> Operator: ...

    def answer_invitation(self, username: str, shop_id: str, *, accept: bool) -> Role: ...

    def set_role(self, username: str, shop_id: str, role: Role) -> Operator: ...

    def remove_from_shop(self, username: str, shop_id: str) -> Operator: ...


class SecretStore(Secrets, Protocol):
    """Secrets the settings screens write (relay credentials, the Shopify webhook secret)."""

    def is_set(self, secret_id: str) -> bool: ...

    def put_string(self, secret_id: str, value: str) -> str:
        """Store the value (created or replaced); its ARN."""
        ...

    def put_json(self, secret_id: str, document: dict[str, str]) -> str: ...

    def delete(self, secret_id: str) -> None: ...


class MailStore(RawMail, Protocol):
    def head_size(self, key: str) -> int:
        """The stored mail's size in bytes, without reading it."""
        ...
