"""The other resources, defined once: inbound mail, scheduling, SES, secrets and the API's routes.

Plain data (no CDK import), like ``tables.py`` and ``identity.py``: the CDK stack builds from here
and the local stack (``devstack/okaeri_dev``) creates the same resources in its moto server, so
local and cloud cannot drift. Names are the resources' base names; a deployment may prefix them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from okaeri.models.shop import SHOP_ID_PATTERN
from okaeri.services.ingest import INBOUND_PREFIX

NAME_PREFIX: Final = "okaeri"

# --- inbound mail: SES receipt rules → the raw mail bucket → the ingest function -------------------

#: Each shop receives its order mail at ``orders+<shop-id>@<receiving domain>``; the shop's receipt
#: rule stores it under ``inbound/<shop-id>/`` (the ingest function reads the shop from that prefix).
INBOUND_LOCAL_PART: Final = "orders"
RAW_MAIL_BUCKET: Final = f"{NAME_PREFIX}-raw-mail"
#: The SES receipt rule set holding one rule per shop (SES runs one active rule set per region).
RECEIPT_RULE_SET: Final = f"{NAME_PREFIX}-inbound"
#: SES accepts inbound messages up to 40 MB (headers included).
INBOUND_MAX_BYTES: Final = 40 * 1024 * 1024

_SHOP_ID = SHOP_ID_PATTERN.removeprefix("^").removesuffix("$")
_RECIPIENT = re.compile(rf"{INBOUND_LOCAL_PART}\+(?P<shop>{_SHOP_ID})@(?P<domain>[^@\s]+)", re.IGNORECASE)


def inbound_recipient(shop_id: str, domain: str) -> str:
    """The address a shop forwards its order mail to."""
    return f"{INBOUND_LOCAL_PART}+{shop_id}@{domain}"


def inbound_prefix(shop_id: str) -> str:
    """Where the shop's receipt rule stores its mail in the raw mail bucket."""
    return f"{INBOUND_PREFIX}/{shop_id}/"


def shop_from_recipient(address: str, domain: str) -> str | None:
    """The shop id of ``orders+<shop-id>@<domain>``, or None for any other address.

    Case-insensitive, as SES matches receipt rule recipients: ``Orders+Demo@…`` is shop ``demo``."""
    match = _RECIPIENT.fullmatch(address.strip().strip("<>"))
    if match is None or match["domain"].lower() != domain.lower():
        return None
    return match["shop"].lower()


# --- scheduling: one-off wake-ups of the send function, its dead-letter queue, the sweeper -----------

SCHEDULE_GROUP: Final = NAME_PREFIX
SEND_FUNCTION: Final = f"{NAME_PREFIX}-send"
SCHEDULER_ROLE: Final = f"{NAME_PREFIX}-scheduler"
SCHEDULE_DLQ: Final = f"{NAME_PREFIX}-schedule-dlq"
SCHEDULE_DLQ_RETENTION_DAYS: Final = 14
#: The recurring schedule that runs the sweeper (missed wake-ups, expired leases).
SWEEPER_RATE_MINUTES: Final = 5
#: The recurring schedule that runs the win-back job (issue #16): hourly, so each shop's day is taken
#: within an hour of its own midnight, and an hour that failed is taken again at the next.
WINBACK_RATE_MINUTES: Final = 60

# --- mail out and secrets ----------------------------------------------------------------------------

SES_CONFIGURATION_SET: Final = NAME_PREFIX
#: Signs unsubscribe links (HMAC); generated once per deployment, never shown to anyone.
UNSUBSCRIBE_SECRET: Final = f"{NAME_PREFIX}/unsubscribe-signing-key"
UNSUBSCRIBE_SECRET_BYTES: Final = 32
#: A shop's SMTP relay credentials: ``okaeri/relay/<shop-id>/<relay name>`` = ``{"username", "password"}``.
RELAY_SECRET_PREFIX: Final = f"{NAME_PREFIX}/relay/"


def relay_secret_name(shop_id: str, relay: str) -> str:
    return f"{RELAY_SECRET_PREFIX}{shop_id}/{relay}"


# --- the admin API: API Gateway (HTTP API, payload 2.0) in front of the admin function -------------


@dataclass(frozen=True)
class GatewayRoute:
    """An HTTP API route key (``METHOD /path``, ``ANY``, ``{name}``, ``{proxy+}``, ``$default``) and
    whether the Cognito JWT authorizer guards it."""

    key: str
    authorized: bool
    #: Why anyone may call it (a public route must say; the CDK stack shows it to cdk-nag).
    why_public: str = ""

    def __post_init__(self) -> None:
        if not self.authorized and not self.why_public:
            raise ValueError(f"{self.key}: a public route must say why it is public")


#: Everything under ``/api/`` needs a Cognito ID token, except the OpenAPI document and the Shopify
#: webhook (HMAC-signed by Shopify); the page's files, ``/config.json`` and the unsubscribe links
#: (``/u/<token>``) are public. (tests/e2e checks this against the API's own OpenAPI document.)
GATEWAY_ROUTES: Final[tuple[GatewayRoute, ...]] = (
    GatewayRoute("ANY /api/{proxy+}", authorized=True),
    GatewayRoute(
        "GET /api/openapi.json",
        authorized=False,
        why_public="The API's own OpenAPI description: routes and schemas, no data",
    ),
    GatewayRoute(
        "POST /api/webhooks/shopify/{shop_id}",
        authorized=False,
        why_public="Shopify cannot sign in: each call is checked against its HMAC with the shop's secret",
    ),
    GatewayRoute(
        "$default",
        authorized=False,
        why_public="The page's files, /config.json and signed unsubscribe links (/u/<token>) open without signing in",
    ),
)
#: The authorizer accepts only ID tokens (they carry ``email``, ``cognito:groups``, ``custom:shops``).
AUTHORIZER_TOKEN_USE: Final = "id"


def cognito_issuer(region: str, user_pool_id: str) -> str:
    """The ``iss`` of the pool's tokens, which the JWT authorizer checks."""
    return f"https://cognito-idp.{region}.amazonaws.com/{user_pool_id}"
