"""Shop settings: sender, calendar, cutoff, quiet hours, windows, compliance profile."""

from __future__ import annotations

from datetime import date, time
from functools import cached_property
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, WithJsonSchema, field_validator, model_validator

from okaeri.mail_address import MailAddress
from okaeri.models.base import ConfigModel

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ComplianceProfile = Literal["rakuten", "yahoo", "none"]
SHOP_ID_PATTERN = r"^[a-z0-9][a-z0-9-]{0,39}$"


#: A wall-clock time of the shop's day. JSON Schema's ``time`` format wants a UTC offset, which a
#: shop's local time has not, so the schema says what is accepted and what comes back instead.
LocalTime = Annotated[
    time,
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?$",
            "examples": ["12:00"],
        }
    ),
]


def _yaml_sexagesimal_to_time(value: Any) -> Any:
    """YAML 1.1 reads an unquoted 12:00 as the integer 720 (base 60): read it back as a time."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 24 * 60:
        return time(value // 60, value % 60)
    return value


def check_timezone(value: str) -> str:
    """An IANA zone name such as Asia/Tokyo (a pydantic validator: ValueError names the problem)."""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(
            f"タイムゾーン {value} が見つかりません（例: Asia/Tokyo） / unknown IANA timezone {value!r} (e.g. Asia/Tokyo)"
        ) from exc
    return value


class Sender(ConfigModel):
    address: MailAddress
    name: str | None = None


class CalendarSettings(ConfigModel):
    closed_weekdays: list[Weekday] = Field(default_factory=lambda: list[Weekday](["sat", "sun"]))
    closed_on_public_holidays: bool = True
    closed_dates: list[date] = Field(default_factory=list)
    open_dates: list[date] = Field(default_factory=list)

    @model_validator(mode="after")
    def _open_and_closed_differ(self) -> CalendarSettings:
        both = sorted(set(self.closed_dates) & set(self.open_dates))
        if both:
            days = ", ".join(d.isoformat() for d in both)
            raise ValueError(
                f"同じ日が休業日と営業日の両方にあります: {days} / dates both closed and open: {days}"
            )
        return self


class QuietHours(ConfigModel):
    start: LocalTime
    end: LocalTime

    _sexagesimal = field_validator("start", "end", mode="before")(_yaml_sexagesimal_to_time)

    @model_validator(mode="after")
    def _not_empty(self) -> QuietHours:
        if self.start == self.end:
            raise ValueError("送信停止時間の開始と終了が同じです / quiet hours start and end are the same")
        return self


class Legal(ConfigModel):
    company: str
    address: str
    contact: str


class Links(ConfigModel):
    public_base_url: str | None = Field(default=None, pattern=r"^https?://")
    unsubscribe_mailto: str | None = None


class FrequencyCap(ConfigModel):
    """At most ``mails`` advertising mails per customer in any ``days`` days, across all scenarios."""

    mails: int = Field(ge=1, le=50)
    days: int = Field(ge=1, le=90)


class Shop(ConfigModel):
    id: str = Field(pattern=SHOP_ID_PATTERN)
    name: str = Field(min_length=1)
    timezone: str = "Asia/Tokyo"
    sender: Sender
    compliance: ComplianceProfile = "none"
    calendar: CalendarSettings = Field(default_factory=CalendarSettings)
    cutoff: LocalTime = time(12, 0)
    ship_lead_business_days: int = Field(default=1, ge=0, le=60)
    quiet_hours: QuietHours | None = None
    flexible_window_minutes: int = Field(default=30, ge=0, le=1440)
    max_window_days: int = Field(default=60, ge=1, le=365)
    transit_days: dict[str, int] = Field(default_factory=lambda: {"default": 1})
    signature: str = ""
    legal: Legal | None = None
    links: Links = Field(default_factory=Links)
    review_url: str | None = None
    #: An order within this many days after a mail to its buyer is credited to that mail (issue #15).
    attribution_days: int = Field(default=7, ge=1, le=30)
    #: Advertising mails per customer (issue #16); a mail over it is skipped ``frequency_cap``.
    frequency_cap: FrequencyCap | None = None

    _sexagesimal = field_validator("cutoff", mode="before")(_yaml_sexagesimal_to_time)

    _iana_zone = field_validator("timezone")(check_timezone)

    @field_validator("transit_days")
    @classmethod
    def _transit_days(cls, value: dict[str, int]) -> dict[str, int]:
        if any(days < 0 or days > 30 for days in value.values()):
            raise ValueError("配送日数は 0〜30 日で指定してください / transit days must be between 0 and 30")
        value.setdefault("default", 1)
        return value

    @cached_property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def transit_days_to(self, prefecture: str | None) -> int:
        if prefecture and prefecture in self.transit_days:
            return self.transit_days[prefecture]
        return self.transit_days["default"]
