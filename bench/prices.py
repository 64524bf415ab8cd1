"""AWS list prices for Asia Pacific (Tokyo), ap-northeast-1, in US dollars, as the bench uses them.

These are the figures published on each service's AWS pricing page (the URL beside each price),
as known on the date beside it. They could not be fetched live where the bench runs (no network
but PyPI), so each is marked "as of" its date: check them against the page before quoting them.
Free tiers are left out on purpose (a cost per 1,000 orders should not depend on how much of a
month's free tier is left), and so are taxes and data transfer out (none here: mail leaves
through SES, whose price includes it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

REGION: Final = "ap-northeast-1"

SES_PAGE = "https://aws.amazon.com/ses/pricing/"
LAMBDA_PAGE = "https://aws.amazon.com/lambda/pricing/"
DYNAMODB_PAGE = "https://aws.amazon.com/dynamodb/pricing/on-demand/"
SCHEDULER_PAGE = "https://aws.amazon.com/eventbridge/pricing/"
S3_PAGE = "https://aws.amazon.com/s3/pricing/"
SECRETS_PAGE = "https://aws.amazon.com/secrets-manager/pricing/"
CLOUDWATCH_PAGE = "https://aws.amazon.com/cloudwatch/pricing/"
XRAY_PAGE = "https://aws.amazon.com/xray/pricing/"


@dataclass(frozen=True)
class Price:
    """``usd`` for every ``per`` ``unit``; ``as_of``: when the figure was last known to be the list price."""

    service: str
    item: str
    usd: float
    per: float
    unit: str
    source: str
    as_of: str
    note: str = ""

    def cost(self, quantity: float) -> float:
        """What ``quantity`` units cost."""
        return self.usd * quantity / self.per

    def label(self) -> str:
        """``$0.10 per 1,000 mails``, ``$0.0000133334 per GB-second``: every published digit, no exponent."""
        usd = f"{self.usd:.10f}".rstrip("0")
        usd = usd if len(usd.partition(".")[2]) >= 2 else f"{self.usd:.2f}"
        per = f"{self.per:,.0f} " if self.per != 1 else ""
        return f"${usd} per {per}{self.unit}"


SES_OUTBOUND = Price("SES", "outbound mail", 0.10, 1_000, "mails", SES_PAGE, "2025-06-01")
SES_INBOUND = Price("SES", "inbound mail", 0.10, 1_000, "mails", SES_PAGE, "2025-06-01")
SES_INBOUND_CHUNK = Price(
    "SES", "inbound mail chunks", 0.09, 1_000, "chunks of 256 KB", SES_PAGE, "2025-06-01",
    note="a mail of up to 256 KB is one chunk",
)  # fmt: skip
LAMBDA_REQUESTS = Price("Lambda", "requests", 0.20, 1_000_000, "requests", LAMBDA_PAGE, "2025-06-01")
LAMBDA_ARM_DURATION = Price(
    "Lambda", "duration, arm64", 0.0000133334, 1, "GB-second", LAMBDA_PAGE, "2025-06-01",
    note="first 7.5 billion GB-s a month; the INIT phase is billed too since 2025-08-01",
)  # fmt: skip
DYNAMODB_WRITE = Price(
    "DynamoDB", "on-demand write request units", 0.7135, 1_000_000, "WRU", DYNAMODB_PAGE, "2024-11-01",
    note="50% on-demand reduction of 2024-11-01; was $1.4269",
)  # fmt: skip
DYNAMODB_READ = Price(
    "DynamoDB", "on-demand read request units", 0.1425, 1_000_000, "RRU", DYNAMODB_PAGE, "2024-11-01",
    note="50% on-demand reduction of 2024-11-01; was $0.285",
)  # fmt: skip
DYNAMODB_STORAGE = Price(
    "DynamoDB", "storage, Standard table class", 0.285, 1, "GB-month", DYNAMODB_PAGE, "2024-11-01"
)
SCHEDULER_INVOCATIONS = Price(
    "EventBridge Scheduler", "invocations", 1.00, 1_000_000, "invocations", SCHEDULER_PAGE, "2025-06-01",
    note="after 14 million free a month; creating, updating and deleting schedules is not charged",
)  # fmt: skip
S3_PUT = Price("S3", "PUT, COPY, POST, LIST requests", 0.0047, 1_000, "requests", S3_PAGE, "2025-06-01")
S3_GET = Price("S3", "GET, SELECT and all other requests", 0.00037, 1_000, "requests", S3_PAGE, "2025-06-01")
S3_STORAGE = Price("S3", "storage, Standard, first 50 TB", 0.025, 1, "GB-month", S3_PAGE, "2025-06-01")
SECRETS_CALLS = Price("Secrets Manager", "API calls", 0.05, 10_000, "calls", SECRETS_PAGE, "2025-06-01")
LOGS_INGESTION = Price(
    "CloudWatch", "Logs ingestion, Standard class", 0.76, 1, "GB", CLOUDWATCH_PAGE, "2025-06-01"
)
XRAY_TRACES = Price("X-Ray", "traces recorded", 5.00, 1_000_000, "traces", XRAY_PAGE, "2025-06-01")

PRICES: tuple[Price, ...] = (
    SES_OUTBOUND,
    SES_INBOUND,
    SES_INBOUND_CHUNK,
    LAMBDA_REQUESTS,
    LAMBDA_ARM_DURATION,
    DYNAMODB_WRITE,
    DYNAMODB_READ,
    DYNAMODB_STORAGE,
    SCHEDULER_INVOCATIONS,
    S3_PUT,
    S3_GET,
    S3_STORAGE,
    SECRETS_CALLS,
    LOGS_INGESTION,
    XRAY_TRACES,
)
