"""Deliveries (one planned mail each), scenario runs, plan results."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Literal, TypedDict

from pydantic import BaseModel, ConfigDict, Field, model_serializer


class DeliveryStatus(StrEnum):
    """Where a delivery is (stored, and answered by the API, as its value)."""

    SCHEDULED = "scheduled"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    UNKNOWN = "unknown"
    CANCELLED = "cancelled"
    SKIPPED = "skipped"


#: The states ``Deliveries.finish`` moves a delivery to: nothing moves it on by itself from there
#: (``unknown`` waits for an operator).
FINAL_STATUSES: frozenset[DeliveryStatus] = frozenset(
    {DeliveryStatus.FAILED, DeliveryStatus.SKIPPED, DeliveryStatus.CANCELLED, DeliveryStatus.UNKNOWN}
)
PENDING_STATUSES: frozenset[str] = frozenset({"scheduled", "sending"})
#: A delivery in one of these states has (or may have) mailed the buyer.
MAILED_STATUSES: frozenset[str] = frozenset({"sent", "unknown"})
#: Why an order's pending deliveries were planned again (``PlanChange.reason``).
ReplanReason = Literal["order_arrived", "shipment", "delivered"]


class Skip(StrEnum):
    """Why a delivery is ``skipped`` (its ``reason``); a compliance rule's is ``compliance:<rule>``."""

    PAST = "past"  # the planner: its send time has gone by
    BEYOND_MAX_WINDOW = "beyond_max_window"  # the planner: after the shop's sending window
    COMPLIANCE = "compliance"  # the send, followed by ``:<rule>``
    ORDER_CANCELLED = "order_cancelled"
    SUPPRESSED = "suppressed"
    UNSUBSCRIBED = "unsubscribed"
    RELAY_MISSING = "relay_missing"
    ORDER_MISSING = "order_missing"
    SHOP_MISSING = "shop_missing"
    SCENARIO_MISSING = "scenario_missing"
    NO_RECIPIENT = "no_recipient"
    HOLDOUT = "holdout"  # the schedule service: the run is in its scenario's holdout group (issue #15)
    REORDERED = "reordered"  # the customer ordered again: the scenario's stop_on_reorder (issue #16)
    FREQUENCY_CAP = "frequency_cap"  # the send: the shop's frequency_cap of advertising mails (issue #16)


#: The skips the planner decides (the send time gone by, or after the window): on better order data
#: a run that has not mailed plans such a step after all (``revive``).
PLANNER_SKIPS: frozenset[Skip] = frozenset({Skip.PAST, Skip.BEYOND_MAX_WINDOW})
#: The reason a pending delivery ends with when better order data chose another scenario.
REPLANNED = "replanned"


class PlannedDeliveryJson(TypedDict):
    """A planned delivery as JSON (the plan spec's shape): ``send_at`` an ISO 8601 time, or ``now``."""

    step: str
    send_at: str


class PlannedDelivery(BaseModel):
    """One step's send time. ``at_once`` means it goes out as soon as it is planned."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    step: str
    send_at: datetime
    at_once: bool = False

    @model_serializer(mode="plain")
    def _as_spec_json(self) -> PlannedDeliveryJson:
        return {"step": self.step, "send_at": "now" if self.at_once else self.send_at.isoformat()}


class SkippedStep(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    step: str
    reason: str


class PlanResult(BaseModel):
    """What ``okaeri plan`` prints: the chosen scenario and each step's send time or skip reason."""

    scenario: str | None
    scenario_version: int | None = None
    trigger: str | None = None
    ship_date: date | None = None
    deliveries: list[PlannedDelivery] = Field(default_factory=list)
    skipped: list[SkippedStep] = Field(default_factory=list)


class PlanChange(BaseModel):
    """One re-planning of a delivery, kept on it so the order's view can say what changed.

    ``change``: ``moved`` (same run, another send time; also a step skipped on poorer data and
    planned now, its ``send_at_from`` the time it was skipped), ``superseded`` (this pending delivery was
    cancelled because better order data chose another scenario, or none), ``replaces`` (this
    delivery was planned in place of a superseded run). ``reason`` is the news that caused it.
    """

    model_config = ConfigDict(frozen=True, defer_build=True, json_schema_serialization_defaults_required=True)

    at: datetime
    delivery_id: str
    change: Literal["moved", "superseded", "replaces"]
    reason: ReplanReason
    scenario_from: str | None = None
    scenario_to: str | None = None
    send_at_from: datetime | None = None
    send_at_to: datetime | None = None


class Conversion(BaseModel):
    """An order credited to a mail (last touch): which order, its total, how long after the send.

    ``cancelled``: the order was cancelled afterwards, and its credit taken back.
    """

    model_config = ConfigDict(defer_build=True, json_schema_serialization_defaults_required=True)

    order_key: str
    order_id: str
    total: int = 0
    hours: float
    at: datetime
    cancelled: bool = False


class Delivery(BaseModel):
    """A planned mail as stored: DynamoDB holds the truth, a schedule only wakes the sender.

    ``send_at`` is an aware datetime; ``ship_date`` is kept so the compliance rules can be checked
    again, on the real dates, just before the send. ``edited_subject`` / ``edited_text`` hold an
    operator's edit of this one mail; otherwise the pinned template version is rendered.
    """

    # an answer (the admin API) carries every field: the JSON schema names them all required
    model_config = ConfigDict(defer_build=True, json_schema_serialization_defaults_required=True)

    id: str
    shop_id: str
    order_key: str
    run_id: str
    customer_id: str | None = None
    customer_email: str | None
    scenario_id: str
    scenario_version: int
    step_id: str
    template_id: str
    template_version: int | None = None
    ship_date: date | None = None
    send_at: datetime
    status: DeliveryStatus = DeliveryStatus.SCHEDULED
    reason: str | None = None
    lease_until: datetime | None = None
    attempts: int = 0
    transport: str | None = None
    message_id: str | None = None
    sent_at: datetime | None = None
    edited_subject: str | None = None
    edited_text: str | None = None
    history: list[PlanChange] = Field(default_factory=list)
    #: The A/B variant of its step this mail carries (``template_id`` is that variant's template).
    variant: str | None = None
    #: The run is in its scenario's holdout group (its mails end ``skipped``/``holdout``; with the
    #: ``advertising_only`` scope its transactional mails still go out).
    held_out: bool = False
    #: When the run this mail belongs to started (the order's time): what a repeat order is measured from.
    run_started_at: datetime | None = None
    #: The orders credited to this mail, by order key.
    conversions: dict[str, Conversion] = Field(default_factory=dict)


class Run(BaseModel):
    """One run of a scenario for one customer (started by one order): what repeat policies look at.

    ``mailed``: a mail of the run was sent (or may have been: ``unknown``). A run that neither
    mailed nor has a pending mail (every step skipped or cancelled) never reached the customer,
    so it does not ``count`` as a run of the scenario.
    """

    run_id: str
    scenario_id: str
    order_key: str
    pending_delivery_ids: list[str] = Field(default_factory=list)
    mailed: bool = False

    @property
    def active(self) -> bool:
        return bool(self.pending_delivery_ids)

    @property
    def counts(self) -> bool:
        return self.mailed or self.active


class Finding(BaseModel):
    """A compliance finding, tied to a step when it concerns one."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    step: str | None
    rule: str
    severity: Literal["error", "warning"]
    message_ja: str
    message_en: str
    variant: str | None = None  # the A/B variant of the step a finding is about, when it is one
