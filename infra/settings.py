"""A deployment's settings: ``cdk.json``'s context key ``okaeri``, validated before anything is built.

Plain pydantic (no CDK import), so the rules are tested without synthesizing. A wrong value stops
``cdk synth`` with one line per problem, ``field: 日本語 / English`` (``okaeri.models.base``).
"""

from __future__ import annotations

import re
from typing import Any, Final

from pydantic import Field, ValidationInfo, field_validator

from infra.resources import inbound_recipient
from okaeri.mail_address import is_mail_address
from okaeri.models.base import ConfigModel, validate_document
from okaeri.models.shop import SHOP_ID_PATTERN

CONTEXT_KEY: Final = "okaeri"

#: Regions where SES receives mail (receipt rules). A region outside this list is refused, because
#: the stack would deploy and then silently never receive an order mail. AWS adds regions over
#: time: if yours now receives mail, add it here (docs/deploy.md, "Region").
SES_RECEIVING_REGIONS: Final = frozenset(
    {
        "us-east-1",
        "us-east-2",
        "us-west-1",
        "us-west-2",
        "ca-central-1",
        "eu-central-1",
        "eu-west-1",
        "eu-west-2",
        "eu-west-3",
        "eu-north-1",
        "eu-south-1",
        "ap-northeast-1",
        "ap-northeast-2",
        "ap-northeast-3",
        "ap-south-1",
        "ap-southeast-1",
        "ap-southeast-2",
        "ap-southeast-3",
        "il-central-1",
    }
)
#: CloudWatch Logs accepts only these retention periods (days).
LOG_RETENTION_DAYS: Final = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827,
                             2192, 2557, 2922, 3288, 3653)  # fmt: skip
#: How long one send takes, in milliseconds: the input of the send function's concurrency
#: (``send_concurrency``). Measured for issue #14 on a deployed stack in ap-northeast-1: the send
#: function at a reserved concurrency of 14 made 54–127 sends a second, so one send took
#: 14/127 ≈ 0.11 s to 14/54 ≈ 0.26 s; 180 ms is the middle of that range. The shorter a send, the
#: fewer instances reach the rate: measure again (the function's p50 ``Duration`` in CloudWatch)
#: when the send path changes, and change this value.
TYPICAL_SEND_MS: Final = 180
#: SES allows at most 100 recipients per receipt rule and 200 rules per rule set.
MAX_RECIPIENTS_PER_RULE: Final = 100
MAX_SHOPS: Final = 200

_DOMAIN = re.compile(r"^(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_ACCOUNT = re.compile(r"^\d{12}$")


def _domain(value: str) -> str:
    value = value.lower().rstrip(".")
    if not _DOMAIN.fullmatch(value):
        raise ValueError(f"ドメイン名ではありません: {value!r} / not a domain name: {value!r}")
    return value


class ShopSetting(ConfigModel):
    """A shop Okaeri receives order mail for."""

    id: str = Field(pattern=SHOP_ID_PATTERN)
    #: Where the shop forwards its order mail; default ``orders+<id>@<receiving_domain>``.
    addresses: list[str] = Field(default_factory=list, max_length=MAX_RECIPIENTS_PER_RULE)

    @field_validator("addresses")
    @classmethod
    def _lower_case(cls, addresses: list[str]) -> list[str]:
        return [address.lower() for address in addresses]

    def recipients(self, receiving_domain: str) -> list[str]:
        """Its addresses, or ``orders+<id>@<receiving_domain>`` when it lists none."""
        return self.addresses or [inbound_recipient(self.id, receiving_domain)]


class ApiThrottle(ConfigModel):
    """The admin API's stage-wide limits (requests per second, burst)."""

    rate: int = Field(default=50, ge=1, le=10_000)
    burst: int = Field(default=100, ge=1, le=5_000)


class DeploymentSettings(ConfigModel):
    """Everything that differs between two deployments of Okaeri."""

    #: The AWS account to deploy to; empty = the CLI's current credentials (CDK_DEFAULT_ACCOUNT).
    account: str = ""
    region: str = "ap-northeast-1"
    #: The domain buyers receive mail from (verified in SES with Easy DKIM by the stack).
    sending_domain: str
    #: The domain order mail is forwarded to (its MX points at SES); may equal ``sending_domain``.
    receiving_domain: str
    shops: list[ShopSetting] = Field(min_length=1, max_length=MAX_SHOPS)
    #: The account's SES maximum send rate (mails per second, "Sending quota" in the SES console);
    #: the send function's reserved concurrency follows it (``send_concurrency``).
    send_rate: int = Field(default=14, ge=1, le=1000)
    #: Raw order mail is deleted from S3 after this many days.
    raw_mail_retention_days: int = Field(default=90, ge=1, le=3650)
    #: Orders, deliveries, customers and logs expire (DynamoDB TTL) after this many days.
    data_retention_days: int = Field(default=730, ge=1, le=3650)
    log_retention_days: int = 90
    #: Where alarms are mailed (an SNS e-mail subscription to confirm); empty = topic only.
    alarm_email: str = ""
    api_throttle: ApiThrottle = Field(default_factory=ApiThrottle)

    @field_validator("sending_domain", "receiving_domain")
    @classmethod
    def _domains(cls, value: str) -> str:
        return _domain(value)

    @field_validator("account")
    @classmethod
    def _account(cls, value: str) -> str:
        if value and not _ACCOUNT.fullmatch(value):
            raise ValueError("12 桁の AWS アカウント ID です / a 12-digit AWS account id")
        return value

    @field_validator("region")
    @classmethod
    def _region(cls, value: str) -> str:
        if value not in SES_RECEIVING_REGIONS:
            known = ", ".join(sorted(SES_RECEIVING_REGIONS))
            raise ValueError(
                f"{value} では SES がメールを受信できません（受信できるリージョン: {known}） / "
                f"SES does not receive mail in {value} (regions that do: {known})"
            )
        return value

    @field_validator("log_retention_days")
    @classmethod
    def _log_retention(cls, value: int) -> int:
        if value not in LOG_RETENTION_DAYS:
            allowed = ", ".join(map(str, LOG_RETENTION_DAYS))
            raise ValueError(
                f"CloudWatch Logs の保存日数は {allowed} のいずれかです / "
                f"CloudWatch Logs keeps logs for one of {allowed} days"
            )
        return value

    @field_validator("alarm_email")
    @classmethod
    def _alarm_email(cls, value: str) -> str:
        if value and not is_mail_address(value):
            raise ValueError("メールアドレスではありません / not an e-mail address")
        return value

    @field_validator("shops")
    @classmethod
    def _shops(cls, shops: list[ShopSetting], info: ValidationInfo) -> list[ShopSetting]:
        """Each shop once; every address at the receiving domain and one shop's only (the message
        names ``shops``, not the whole document)."""
        ids = [shop.id for shop in shops]
        if duplicates := sorted({shop for shop in ids if ids.count(shop) > 1}):
            raise ValueError(f"店舗 ID が重複しています: {duplicates} / shop ids repeat: {duplicates}")
        domain = info.data.get("receiving_domain")
        if domain is None:  # refused already, with its own message
            return shops
        seen: dict[str, str] = {}
        for shop in shops:
            for address in shop.recipients(domain):
                if address.rpartition("@")[2] != domain:
                    raise ValueError(
                        f"{shop.id}: {address} は受信ドメイン {domain} のアドレスではありません / "
                        f"{address} is not at the receiving domain {domain}"
                    )
                if address in seen:
                    raise ValueError(
                        f"{address} が {seen[address]} と {shop.id} の両方にあります / "
                        f"{address} belongs to both {seen[address]} and {shop.id}"
                    )
                seen[address] = shop.id
        return shops

    @property
    def send_concurrency(self) -> int:
        """The send function's reserved concurrency (``send_concurrency(send_rate)``)."""
        return send_concurrency(self.send_rate)


def send_concurrency(send_rate: int) -> int:
    """How many sends may run at once so that together they stay within SES's rate.

    One send (a wake-up: claim, checks, render, SendEmail, mark sent) takes about
    ``TYPICAL_SEND_MS``; an instance busy all the time makes ``1000 / TYPICAL_SEND_MS`` sends a
    second, so ``send_rate × TYPICAL_SEND_MS / 1000`` instances (rounded down, at least one) keep
    the whole function at or under ``send_rate`` mails a second. Wake-ups beyond that wait in
    Lambda's own event queue for the send function (up to ``SEND_MAX_EVENT_AGE`` in
    ``infra.capabilities.sending``), instead of reaching SES only to be throttled. A throttled send
    is moved 30–90 s later by the send service; a wake-up that outlives the queue is the sweeper's.

    14 mails/s (a new production account) → 2 instances; 50 → 9; 100 → 18; 1 → 1.
    """
    return max(1, send_rate * TYPICAL_SEND_MS // 1000)


def load_settings(context: Any) -> DeploymentSettings:
    """Validate the context value (``cdk.json`` or ``-c okaeri=...``); ConfigError lists each problem."""
    return validate_document(DeploymentSettings, context, what=f"cdk.json context '{CONTEXT_KEY}'")
