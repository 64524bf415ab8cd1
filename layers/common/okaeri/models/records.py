"""What the pipeline stores besides deliveries: orders as received, customers, logs, relays, SES events."""

from __future__ import annotations

import unicodedata
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from okaeri.models.order import Order

OrderStatus = Literal["open", "cancelled"]
ReceptionResult = Literal["parsed", "duplicate", "not_an_order", "failed", "refused"]
SesEventType = Literal[
    "Send",
    "Delivery",
    "Bounce",
    "Complaint",
    "Reject",
    "Open",
    "Click",
    "DeliveryDelay",
    "RenderingFailure",
    "Subscription",
]


class _Record(BaseModel):
    model_config = ConfigDict(defer_build=True)


class Credit(_Record):
    """The mail an order is credited to (last touch within the shop's attribution window)."""

    delivery_id: str
    scenario_id: str
    step_id: str
    variant: str | None = None
    sent_at: datetime
    hours: float
    total: int = 0
    day: date  # the order's day in the shop's time zone: the counters' day


class OrderRecord(_Record):
    """An order as the shop received it. ``order_rank`` is its place among the customer's orders (1 = first).

    ``credit``: the mail it is credited to (issue #15), set once; a cancellation takes the credit's
    counts back and leaves it on the record.
    """

    shop_id: str
    order: Order
    customer_id: str | None = None
    order_rank: int = 1
    status: OrderStatus = "open"
    received_at: datetime
    raw_keys: list[str] = Field(default_factory=list)
    credit: Credit | None = None

    @property
    def order_key(self) -> str:
        return self.order.key


class CustomerRecord(_Record):
    """A buyer of one shop. The order figures (issue #16) are kept by every intake, cancellation
    and erasure: ``order_count`` / ``total_spent`` over the open (not cancelled) orders,
    ``first_order_at`` / ``last_order_at`` their earliest and latest order time (``ordered_at``,
    else when received), ``last_order_day`` the latest one's day in the shop's time zone (what the
    win-back job's index is keyed on), ``last_order_key`` that order. ``sources``, ``skus``:
    every source and SKU of their open orders; ``prefecture``: the latest order's ship-to."""

    shop_id: str
    customer_id: str
    email: str
    name: str | None = None
    order_count: int = 0
    unsubscribed_at: datetime | None = None
    erased_at: datetime | None = None
    first_order_at: datetime | None = None
    last_order_at: datetime | None = None
    last_order_day: date | None = None
    last_order_key: str | None = None
    total_spent: int = 0
    sources: list[str] = Field(default_factory=list)
    skus: list[str] = Field(default_factory=list)
    prefecture: str | None = None


class _Reading(_Record):
    """What one reading of a received mail gave (the entry's current one, or one in its history)."""

    result: ReceptionResult
    reason: str | None = None
    message_ja: str | None = None
    message_en: str | None = None
    order_key: str | None = None
    order_id: str | None = None


class ReceptionAttempt(_Reading):
    """An earlier reading of a received mail, kept when it is read again: when, and what it gave."""

    at: datetime


class ReceptionEntry(_Reading):
    """One received mail and what became of it; the raw mail stays in S3 under ``s3_key``.

    ``order_key`` is the order's normalised key (for lookups); ``order_id`` the id as the mall
    wrote it (for display). A mail read again ("parse again") keeps its one entry: the new result
    replaces the old one, which goes to ``history`` (oldest first), and ``read_again_at`` says when.
    """

    shop_id: str
    s3_key: str
    received_at: datetime
    kind: str | None = None
    sender: str | None = None
    subject: str | None = None
    read_again_at: datetime | None = None
    history: list[ReceptionAttempt] = Field(default_factory=list)

    def attempt(self) -> ReceptionAttempt:
        """This entry's reading, as a line of a later entry's history."""
        reading = {name: getattr(self, name) for name in _Reading.model_fields}
        return ReceptionAttempt(at=self.read_again_at or self.received_at, **reading)


class SendLogEntry(_Record):
    shop_id: str
    delivery_id: str
    at: datetime
    status: str
    transport: str | None = None
    message_id: str | None = None
    reason: str | None = None


def recipient_domain(address: str) -> str:
    """The domain of an address, folded (full-width → ASCII, lower case, no trailing dot)."""
    return unicodedata.normalize("NFKC", address).strip().lower().rpartition("@")[2].rstrip(".")


class RelayConfig(_Record):
    """An SMTP relay for some recipient domains (Rakuten's masked addresses go through Rakuten's).

    A plain entry (``fw.rakuten.ne.jp``) covers that domain and its subdomains; a wildcard entry
    (``*.fw.rakuten.ne.jp``) covers subdomains only.
    """

    host: str
    port: int = 587
    domains: list[str]
    secret_arn: str  # Secrets Manager: {"username": …, "password": …}
    mail_from: str | None = None  # the From registered with the relay (RMS), when it differs

    def match_length(self, recipient: str) -> int | None:
        """How specifically this relay covers the recipient (the longest matching entry), or None."""
        domain = recipient_domain(recipient)
        best: int | None = None
        for entry in self.domains:
            pattern = recipient_domain("@" + entry)
            wildcard = pattern.startswith("*.")
            zone = pattern[2:] if wildcard else pattern
            covered = domain.endswith("." + zone) or (not wildcard and domain == zone)
            if zone and covered and (best is None or len(zone) > best):
                best = len(zone)
        return best


class SesEvent(_Record):
    """The part of an SES event-publishing record Okaeri reads."""

    event_type: SesEventType
    message_id: str
    shop_id: str | None = None
    delivery_id: str | None = None
    recipients: list[str] = Field(default_factory=list)
    bounce_type: str | None = None  # Permanent | Transient | Undetermined
    at: datetime
