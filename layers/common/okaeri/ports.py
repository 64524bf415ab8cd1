"""Interfaces the services need from the outside world.

The AWS adapters in ``okaeri.aws`` implement them over DynamoDB, EventBridge Scheduler, SES,
SMTP, S3 and Secrets Manager; ``tests/fakes.py`` implements them in memory for unit tests. Every
method is safe to call twice with the same arguments (at-least-once events).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Final, Protocol

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


class Clock(Protocol):
    """Injected time, so the local stack and the tests can move it."""

    def now(self) -> datetime: ...


class CouponSource(Protocol):
    """Hands out the next unused code of a shop's coupon pool, once per delivery.

    Asking twice for the same (pool, delivery) returns the same code, so a re-render or a retried
    send never burns a second code.
    """

    def code_for(self, pool: str, delivery_id: str) -> str: ...


class Orders(Protocol):
    def put_new(self, record: OrderRecord) -> bool:
        """Store a new order; False (and no change) when (shop, order key) is already there."""

    def get(self, shop_id: str, order_key: str) -> OrderRecord | None: ...

    def apply_shipment(
        self, shop_id: str, shipment: Order, *, raw_key: str, at: datetime, order_rank: int = 1
    ) -> OrderRecord:
        """Set shipped_at/carrier/tracking on the order; when the order is unknown, create it from the
        shipment (a stub) with ``order_rank`` (the customer's order count, the caller's to know)."""

    def mark_cancelled(self, shop_id: str, cancellation: Order, *, raw_key: str, at: datetime) -> OrderRecord:
        """Mark the order cancelled (a stub is kept when the order itself was never seen)."""


class Customers(Protocol):
    def record_order(
        self, shop_id: str, customer_id: str, *, email: str, name: str | None, order_key: str
    ) -> int:
        """Count the order once for the customer (upsert); returns the customer's order count."""

    def get(self, shop_id: str, customer_id: str) -> CustomerRecord | None: ...

    def mark_unsubscribed(self, shop_id: str, customer_id: str, *, at: datetime) -> None: ...

    def suppression(self, shop_id: str, address: str) -> str | None:
        """The reason an address is suppressed (bounce, complaint, unsubscribe, manual), or None."""

    def suppress(
        self, shop_id: str, address: str, *, reason: str, at: datetime, delivery_id: str | None
    ) -> None: ...


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
