"""``/api/shops/<shop_id>/settings`` and ``/calendar``: the shop's settings and business calendar.

- ``GET /settings`` (staff) the Shop document; ``PUT /settings`` (manager) replaces it (validated by
  the Shop model, unknown keys refused; the body's ``id`` must be the path's).
- ``GET /calendar?year=`` (staff): the year's closed days with why (holiday name, closed weekday,
  closed date), the open dates that override, the rules, and ``sample``: the ship date an order
  placed now would get.
- ``PUT /calendar`` (manager): replace any of the calendar fields (those left out stay);
  ``POST /calendar/days`` (manager): open or close one day (the same request twice changes nothing).

Writes are read-edit-write with a revision check (``DynamoConfig.update_shop``): two operators
editing at once both keep their change. Relays (SMTP) are managed elsewhere.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.event_handler.openapi.params import Query
from pydantic import BaseModel, ConfigDict, Field

from okaeri.api.common import MANAGER, SHOP_PATH, STAFF, shop_caller
from okaeri.api.deps import AdminDeps
from okaeri.api.support import audit
from okaeri.calendar import BusinessCalendar, holiday_name
from okaeri.models import Shop
from okaeri.models.shop import LocalTime, Weekday
from okaeri.services.config_admin import (
    CalendarYear,
    ClosureReason,
    SampleShipDate,
    calendar_year,
    check_document_size,
    check_same_id,
    closure_reasons,
    edit_calendar,
    sample_ship_date,
    set_day_open,
)
from okaeri.services.operations import shop_of

MIN_YEAR = 2000
MAX_YEAR = 2099
MAX_CALENDAR_DATES = 1_000
TAGS = ["settings"]


class CalendarUpdate(BaseModel):
    """Calendar fields to replace; a field left out (or null) stays as it is."""

    model_config = ConfigDict(defer_build=True, extra="forbid")

    closed_weekdays: list[Weekday] | None = Field(default=None, max_length=7)
    closed_on_public_holidays: bool | None = None
    closed_dates: list[date] | None = Field(default=None, max_length=MAX_CALENDAR_DATES)
    open_dates: list[date] | None = Field(default=None, max_length=MAX_CALENDAR_DATES)
    cutoff: LocalTime | None = None
    ship_lead_business_days: int | None = Field(default=None, ge=0, le=60)


class DayToggle(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid")

    date: date
    open: bool


class DayState(BaseModel):
    """A day after a toggle: open or not, the rules that close it, and the sample ship date now."""

    model_config = ConfigDict(defer_build=True)

    date: date
    open: bool
    reasons: list[ClosureReason]
    holiday: str | None
    sample: SampleShipDate


def register(app: APIGatewayHttpResolver, deps: AdminDeps) -> None:
    @app.get(
        f"{SHOP_PATH}/settings",
        tags=TAGS,
        summary="ショップ設定 / shop settings",
        openapi_extensions=STAFF,
    )
    def get_settings(shop_id: str) -> Shop:
        shop_caller(app, shop_id)
        return shop_of(deps.config, shop_id)

    @app.put(
        f"{SHOP_PATH}/settings",
        tags=TAGS,
        summary="ショップ設定の保存 / save the shop settings",
        openapi_extensions=MANAGER,
    )
    def put_settings(shop_id: str, body: Shop) -> Shop:
        caller = shop_caller(app, shop_id)
        check_same_id(body.id, shop_id)
        check_document_size(body, what_ja="ショップ設定", what_en="shop settings")
        before, after = deps.config.update_shop(shop_id, lambda _stored: body)
        changed = [name for name in Shop.model_fields if getattr(before, name) != getattr(after, name)]
        if changed:
            audit(deps, shop_id, caller, "settings.update", fields=changed)
        return after

    @app.get(
        f"{SHOP_PATH}/calendar",
        tags=TAGS,
        summary="営業日カレンダー / business calendar",
        openapi_extensions=STAFF,
    )
    def get_calendar(
        shop_id: str,
        year: Annotated[
            int | None, Query(ge=MIN_YEAR, le=MAX_YEAR, description="default: this year / 既定は今年")
        ] = None,
    ) -> CalendarYear:
        shop_caller(app, shop_id)
        shop = shop_of(deps.config, shop_id)
        now = deps.clock.now()
        return calendar_year(shop, year or now.astimezone(shop.tz).year, now)

    @app.put(
        f"{SHOP_PATH}/calendar",
        tags=TAGS,
        summary="営業日カレンダーの保存 / save the calendar",
        openapi_extensions=MANAGER,
    )
    def put_calendar(shop_id: str, body: CalendarUpdate) -> CalendarYear:
        caller = shop_caller(app, shop_id)
        changes = body.model_dump(mode="json", exclude_none=True)
        before, after = deps.config.update_shop(shop_id, lambda shop: edit_calendar(shop, changes))
        if after != before:
            audit(deps, shop_id, caller, "calendar.update", fields=sorted(changes))
        now = deps.clock.now()
        return calendar_year(after, now.astimezone(after.tz).year, now)

    @app.post(
        f"{SHOP_PATH}/calendar/days",
        tags=TAGS,
        summary="1日の営業・休業の切り替え / open or close one day",
        openapi_extensions=MANAGER,
    )
    def toggle_day(shop_id: str, body: DayToggle) -> DayState:
        caller = shop_caller(app, shop_id)
        before, after = deps.config.update_shop(
            shop_id, lambda shop: set_day_open(shop, body.date, body.open)
        )
        if after != before:
            audit(deps, shop_id, caller, "calendar.day", date=body.date.isoformat(), open=body.open)
        return DayState(
            date=body.date,
            open=BusinessCalendar(after.calendar).is_business_day(body.date),
            reasons=closure_reasons(after.calendar, body.date),
            holiday=holiday_name(body.date),
            sample=sample_ship_date(after, deps.clock.now()),
        )
