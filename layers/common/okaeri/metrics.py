"""Every business metric's name, once: the handlers count them (``okaeri.observability.count``), the
alarms and the dashboard watch them (``infra/capabilities/observability.py``); docs/operations.md says
what each means.

Each metric either raises an alarm or is in ``UNALARMED`` with the reason it does not;
tests/infra/test_metrics.py fails on a metric counted nowhere, on one with neither an alarm nor a
reason, and on an alarm that watches a metric no one counts.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Final


class Metric(StrEnum):
    """A business metric (namespace ``Okaeri``, dimension ``service=okaeri``): a count."""

    # ingest (and the Shopify webhook)
    ORDER_INGESTED = "OrderIngested"
    ORDER_DUPLICATE = "OrderDuplicate"
    PARSE_FAILED = "ParseFailed"
    NOT_AN_ORDER = "NotAnOrder"
    MAIL_REFUSED = "MailRefused"
    WEBHOOK_NOT_APPLIED = "WebhookNotApplied"
    # schedule
    DELIVERY_SCHEDULED = "DeliveryScheduled"
    DELIVERY_CANCELLED = "DeliveryCancelled"
    DELIVERY_MOVED = "DeliveryMoved"
    WINBACK_STARTED = "WinbackStarted"
    # send and its sweeper
    MAIL_SENT = "MailSent"
    SEND_SKIPPED = "SendSkipped"
    SEND_THROTTLED = "SendThrottled"
    SEND_RETRY_LATER = "SendRetryLater"
    SEND_FAILED = "SendFailed"
    SEND_AMBIGUOUS = "SendAmbiguous"
    SEND_UNKNOWN = "SendUnknown"
    WAKE_UP_MALFORMED = "WakeUpMalformed"
    # SES events
    DELIVERED = "Delivered"
    BOUNCED = "Bounced"
    COMPLAINED = "Complained"
    REJECTED = "Rejected"
    EVENT_MALFORMED = "EventMalformed"
    # admin
    UNSUBSCRIBED = "Unsubscribed"
    UNSUBSCRIBE_NOOP = "UnsubscribeNoop"
    ORDERS_IMPORTED = "OrdersImported"


_TRAFFIC = "ordinary traffic: graphed on the dashboard, nothing to act on"
#: The metrics no alarm watches, and why not. Every other metric has an alarm.
UNALARMED: Final[Mapping[Metric, str]] = {
    Metric.ORDER_INGESTED: _TRAFFIC,
    Metric.ORDER_DUPLICATE: "the same order mail again, a no-op",
    Metric.NOT_AN_ORDER: "a mall notice or newsletter, not an error",
    Metric.MAIL_REFUSED: "refused on purpose (a virus verdict, no shop settings, a key outside"
    " inbound/<shop>/); the reception log and the ingest log say which",
    Metric.WEBHOOK_NOT_APPLIED: "a Shopify webhook again, or one that is not an order: the reception"
    " log says which",
    Metric.DELIVERY_SCHEDULED: _TRAFFIC,
    Metric.DELIVERY_CANCELLED: _TRAFFIC,
    Metric.DELIVERY_MOVED: _TRAFFIC,
    Metric.WINBACK_STARTED: _TRAFFIC,
    Metric.MAIL_SENT: _TRAFFIC,
    Metric.SEND_SKIPPED: "a mail that must not go out (suppressed, unsubscribed…): its reason is in"
    " the delivery",
    Metric.SEND_THROTTLED: "moved 30–90 s later; lasting throttling shows in the send function's"
    " throttles alarm",
    Metric.SEND_RETRY_LATER: "moved 15 minutes later, and sent or failed then",
    Metric.SEND_FAILED: "one delivery refused for good or its template broken: its status and reason"
    " are in the admin page; the SES bounce and complaint rate alarms watch the addresses",
    Metric.SEND_AMBIGUOUS: "waits for its lease to run out, then counts SendUnknown, which is alarmed",
    Metric.WAKE_UP_MALFORMED: "logged as an error; the sweeper sends a delivery whose wake-up was lost",
    Metric.DELIVERED: _TRAFFIC,
    Metric.BOUNCED: "its rate is alarmed by SES's own reputation metric (Reputation.BounceRate)",
    Metric.COMPLAINED: "its rate is alarmed by SES's own reputation metric (Reputation.ComplaintRate)",
    Metric.REJECTED: "SES refused one mail (it found a virus): the delivery's events and the events"
    " function's log say which",
    Metric.EVENT_MALFORMED: "logged as an error; SES's suppression of bounces and complaints (the"
    " configuration set) does not depend on reading the event",
    Metric.UNSUBSCRIBED: _TRAFFIC,
    Metric.UNSUBSCRIBE_NOOP: "an opt-out link used again, a test send's or a refused one: nothing changed",
    Metric.ORDERS_IMPORTED: _TRAFFIC,
}
