"""What the admin API's configuration routes decide, without AWS: the calendar's year view and day
toggles, the lint refusal on save, document checks and the messages a save answers with.

Pure functions over the models; the routes read and write the tables around them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from okaeri.calendar import BusinessCalendar, accept_day, holiday_name, holidays_in_year, order_day
from okaeri.errors import ComplianceError, ConfigError, TemplateError
from okaeri.models import CalendarSettings, Finding, Shop, validate_document
from okaeri.models.shop import WEEKDAYS, LocalTime, Weekday
from okaeri.planner import ship_date
from okaeri.samples import sample_order

#: A stored document (shop, scenario, template, mask) must fit a DynamoDB item (400 KB) with room
#: for its key and pointer attributes.
MAX_DOCUMENT_BYTES = 300_000

SAVED_JA = "これ以降に受け付けた注文から新しい内容で送信されます。計画済みの配信は保存前の版のままです。"
SAVED_EN = "Orders received from now on use the new version; mails already planned keep the version they had."
TEMPLATE_SAVED_JA = (
    "これ以降に計画される配信から新しい内容で送信されます。計画済みの配信は保存前の版のままです。"
)
TEMPLATE_SAVED_EN = (
    "Mails planned from now on use the new version; mails already planned keep the version they had."
)
UNCHANGED_JA = "内容に変更はありません（版はそのままです）。"
UNCHANGED_EN = "Nothing changed; the version stays as it was."

ClosureReason = Literal["closed_date", "holiday", "weekday"]


# --- documents -----------------------------------------------------------------------------------


def check_same_id(body_id: str, path_id: str, *, field: str = "id") -> None:
    """The id inside a document must be the one in the path (a document cannot be renamed)."""
    if body_id != path_id:
        problem = (
            f"{field}: パスの {path_id} と本文の {body_id} が違います / "
            f"the path says {path_id!r} but the body says {body_id!r}"
        )
        raise ConfigError(
            f"{field} がパスと一致しません（{path_id} / {body_id}）",
            f"{field} in the body does not match the path ({path_id!r} / {body_id!r})",
            problems=[problem],
        )


def check_document_size(document: BaseModel, *, what_ja: str, what_en: str) -> None:
    """Refuse a document too large to store (DynamoDB's 400 KB item) with a clear 422."""
    size = len(document.model_dump_json().encode("utf-8"))
    if size > MAX_DOCUMENT_BYTES:
        problem = (
            f"{what_ja}: {size:,} バイト（上限 {MAX_DOCUMENT_BYTES:,}） / "
            f"{what_en}: {size:,} bytes (limit {MAX_DOCUMENT_BYTES:,})"
        )
        raise ConfigError(
            f"{what_ja}が大きすぎて保存できません（{size:,} バイト、上限 {MAX_DOCUMENT_BYTES:,} バイト）",
            f"the {what_en} is too large to store ({size:,} bytes; the limit is {MAX_DOCUMENT_BYTES:,})",
            problems=[problem],
        )


# --- lint on save --------------------------------------------------------------------------------


class ScenarioRefused(ComplianceError):
    """A scenario with compliance errors: not saved (or not activated). ``problems`` names each
    step and rule (the API puts them in the error's ``details``)."""

    def __init__(self, scenario_id: str, errors: Sequence[Finding]) -> None:
        rules = ", ".join(dict.fromkeys(finding.rule for finding in errors))
        super().__init__(
            f"シナリオ {scenario_id} はコンプライアンス上のエラーがあるため保存できません（{rules}）",
            f"scenario {scenario_id} breaks compliance rules and cannot be saved ({rules})",
        )
        self.problems = [finding_line(finding) for finding in errors]


class TemplateRefused(TemplateError):
    """A template that does not compile: its code (``syntax``, ``unknown_tag``…) and reason in
    ``problems``."""

    def __init__(self, error: TemplateError) -> None:
        super().__init__(error.message_ja, error.message_en, code=error.code)
        self.problems = [f"{error.code}: {error.message_ja} / {error.message_en}"]


def finding_line(finding: Finding) -> str:
    """``step like: rakuten.max_30_days — 日本語 / English``."""
    where = f"step {finding.step}" if finding.step else "scenario"
    return f"{where}: {finding.rule} — {finding.message_ja} / {finding.message_en}"


def refuse_errors(scenario_id: str, findings: Sequence[Finding]) -> list[Finding]:
    """The findings (warnings pass); any error refuses the whole save."""
    errors = [finding for finding in findings if finding.severity == "error"]
    if errors:
        raise ScenarioRefused(scenario_id, errors)
    return list(findings)


# --- calendar ------------------------------------------------------------------------------------


class CalendarDay(BaseModel):
    """A closed day (``open: false``) or an open date overriding a closure (``open: true``).

    ``reasons``: why the shop is closed that day (for an open date: what it overrides);
    ``holiday``: the public holiday's name (jpholiday) when it is one.
    """

    model_config = ConfigDict(defer_build=True, frozen=True)

    date: date
    weekday: Weekday
    open: bool
    reasons: list[ClosureReason]
    holiday: str | None = None


class Holiday(BaseModel):
    model_config = ConfigDict(defer_build=True)

    date: date
    name: str


class SampleShipDate(BaseModel):
    """What an order placed at ``ordered_at`` gets: its order day (after the cutoff, the next day),
    accept day (the next business day) and estimated ship date (+ lead business days)."""

    model_config = ConfigDict(defer_build=True)

    ordered_at: datetime
    order_day: date
    accept_day: date
    ship_date: date


class CalendarYear(BaseModel):
    model_config = ConfigDict(defer_build=True)

    year: int
    timezone: str
    closed_weekdays: list[Weekday]
    closed_on_public_holidays: bool
    closed_dates: list[date]
    open_dates: list[date]
    cutoff: LocalTime
    ship_lead_business_days: int
    days: list[CalendarDay]
    holidays: list[Holiday]
    sample: SampleShipDate


def closure_reasons(settings: CalendarSettings, day: date) -> list[ClosureReason]:
    """Every rule that closes ``day`` (open dates aside): closed date, holiday, weekday."""
    reasons: list[ClosureReason] = []
    if day in settings.closed_dates:
        reasons.append("closed_date")
    if settings.closed_on_public_holidays and holiday_name(day) is not None:
        reasons.append("holiday")
    if WEEKDAYS[day.weekday()] in settings.closed_weekdays:
        reasons.append("weekday")
    return reasons


def calendar_days(settings: CalendarSettings, year: int) -> list[CalendarDay]:
    """The year's closed days and the open dates that override a closure (or stand alone)."""
    days: list[CalendarDay] = []
    day = date(year, 1, 1)
    open_dates = set(settings.open_dates)
    while day.year == year:
        reasons = closure_reasons(settings, day)
        if reasons or day in open_dates:
            days.append(
                CalendarDay(
                    date=day,
                    weekday=WEEKDAYS[day.weekday()],
                    open=day in open_dates,
                    reasons=reasons,
                    holiday=holiday_name(day),
                )
            )
        day += timedelta(days=1)
    return days


def sample_ship_date(shop: Shop, now: datetime) -> SampleShipDate:
    """The dates an order placed ``now`` gets (the planner's own functions on the sample order)."""
    order = sample_order(shop, now)
    assert order.ordered_at is not None, "the sample order always has an order time"
    return SampleShipDate(
        ordered_at=order.ordered_at,
        order_day=order_day(shop, order.ordered_at),
        accept_day=accept_day(shop, order.ordered_at),
        ship_date=ship_date(shop, order),
    )


def calendar_year(shop: Shop, year: int, now: datetime) -> CalendarYear:
    settings = shop.calendar
    return CalendarYear(
        year=year,
        timezone=shop.timezone,
        closed_weekdays=settings.closed_weekdays,
        closed_on_public_holidays=settings.closed_on_public_holidays,
        closed_dates=sorted(settings.closed_dates),
        open_dates=sorted(settings.open_dates),
        cutoff=shop.cutoff,
        ship_lead_business_days=shop.ship_lead_business_days,
        days=calendar_days(settings, year),
        holidays=[Holiday(date=day, name=name) for day, name in holidays_in_year(year)],
        sample=sample_ship_date(shop, now),
    )


def set_day_open(shop: Shop, day: date, open_: bool) -> Shop:
    """The shop with ``day`` open or closed, written as little as needed: an open date only where a
    rule closes the day, a closed date only where the rules leave it open. Applying it twice gives
    the same shop."""
    settings = shop.calendar
    closed = [d for d in settings.closed_dates if d != day]
    opened = [d for d in settings.open_dates if d != day]
    by_rules = settings.model_copy(update={"closed_dates": closed, "open_dates": opened})
    closed_by_rules = BusinessCalendar(by_rules).closure_reason(day) is not None
    if open_ and closed_by_rules:
        opened.append(day)
    if not open_ and not closed_by_rules:
        closed.append(day)
    calendar = settings.model_copy(update={"closed_dates": sorted(closed), "open_dates": sorted(opened)})
    return shop.model_copy(update={"calendar": calendar})


def edit_calendar(shop: Shop, changes: dict[str, Any]) -> Shop:
    """The shop with calendar fields replaced: ``closed_weekdays``, ``closed_on_public_holidays``,
    ``closed_dates``, ``open_dates`` (under ``calendar``), ``cutoff``, ``ship_lead_business_days``.
    The result is validated as a whole (a date both closed and open is a ConfigError)."""
    calendar_fields = set(CalendarSettings.model_fields)
    data = shop.model_dump(mode="json")
    for name, value in changes.items():
        if name in calendar_fields:
            data["calendar"][name] = value
        else:
            data[name] = value
    return validate_document(Shop, data, what="営業日カレンダー / calendar")
