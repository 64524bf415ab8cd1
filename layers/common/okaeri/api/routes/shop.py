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
from okaeri.api.support import operator
from okaeri.models import Shop
from okaeri.models.shop import LocalTime, Weekday
from okaeri.services import shop_settings
from okaeri.services.config_admin import (
    CalendarYear,
)
from okaeri.services.documents import shop_of
from okaeri.services.shop_settings import DayState, ShopDeps

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


def register(app: APIGatewayHttpResolver, deps: AdminDeps) -> None:
    service = ShopDeps(config=deps.config, logs=deps.logs, clock=deps.clock)

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
        return shop_settings.save_settings(service, shop_id, body, by=operator(caller))

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
        return shop_settings.calendar(service, shop_id, year)

    @app.put(
        f"{SHOP_PATH}/calendar",
        tags=TAGS,
        summary="営業日カレンダーの保存 / save the calendar",
        openapi_extensions=MANAGER,
    )
    def put_calendar(shop_id: str, body: CalendarUpdate) -> CalendarYear:
        caller = shop_caller(app, shop_id)
        changes = body.model_dump(mode="json", exclude_none=True)
        return shop_settings.save_calendar(service, shop_id, changes, by=operator(caller))

    @app.post(
        f"{SHOP_PATH}/calendar/days",
        tags=TAGS,
        summary="1日の営業・休業の切り替え / open or close one day",
        openapi_extensions=MANAGER,
    )
    def toggle_day(shop_id: str, body: DayToggle) -> DayState:
        caller = shop_caller(app, shop_id)
        return shop_settings.toggle_day(service, shop_id, body.date, body.open, by=operator(caller))
