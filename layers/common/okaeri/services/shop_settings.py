"""The shop's settings and business calendar as operators edit them.

Every edit reads the stored shop, applies the change and writes it only if nobody wrote in between
(``AdminConfig.update_shop``), so two operators toggling days at once both win; an edit that changed
something is audited (``settings.update`` with the fields changed, ``calendar.update``,
``calendar.day``). The calendar is answered as the year view the page shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict

from okaeri.calendar import BusinessCalendar, holiday_name
from okaeri.models import Shop
from okaeri.ports import AdminConfig, Clock, Logs
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
from okaeri.services.documents import audit, shop_of


class DayState(BaseModel):
    """A day after a toggle: open or not, the rules that close it, and the sample ship date now."""

    model_config = ConfigDict(defer_build=True)

    date: date
    open: bool
    reasons: list[ClosureReason]
    holiday: str | None
    sample: SampleShipDate


@dataclass(frozen=True)
class ShopDeps:
    config: AdminConfig
    logs: Logs
    clock: Clock


def save_settings(deps: ShopDeps, shop_id: str, shop: Shop, *, by: str) -> Shop:
    """Replace the shop's settings with ``shop`` (its id must be the shop's)."""
    check_same_id(shop.id, shop_id)
    check_document_size(shop, what_ja="ショップ設定", what_en="shop settings")
    before, after = deps.config.update_shop(shop_id, lambda _stored: shop)
    changed = [name for name in Shop.model_fields if getattr(before, name) != getattr(after, name)]
    if changed:
        audit(deps.logs, deps.clock, shop_id, "settings.update", by=by, fields=changed)
    return after


def calendar(deps: ShopDeps, shop_id: str, year: int | None) -> CalendarYear:
    """The year's calendar (default: this year in the shop's time)."""
    shop = shop_of(deps.config, shop_id)
    now = deps.clock.now()
    return calendar_year(shop, year or now.astimezone(shop.tz).year, now)


def save_calendar(deps: ShopDeps, shop_id: str, changes: dict[str, Any], *, by: str) -> CalendarYear:
    """Replace the calendar fields in ``changes``; this year's calendar after it."""
    before, after = deps.config.update_shop(shop_id, lambda shop: edit_calendar(shop, changes))
    if after != before:
        audit(deps.logs, deps.clock, shop_id, "calendar.update", by=by, fields=sorted(changes))
    now = deps.clock.now()
    return calendar_year(after, now.astimezone(after.tz).year, now)


def toggle_day(deps: ShopDeps, shop_id: str, day: date, open_: bool, *, by: str) -> DayState:
    """Open or close one day; the day as it is now, and the sample ship date."""
    before, after = deps.config.update_shop(shop_id, lambda shop: set_day_open(shop, day, open_))
    if after != before:
        audit(deps.logs, deps.clock, shop_id, "calendar.day", by=by, date=day.isoformat(), open=open_)
    return DayState(
        date=day,
        open=BusinessCalendar(after.calendar).is_business_day(day),
        reasons=closure_reasons(after.calendar, day),
        holiday=holiday_name(day),
        sample=sample_ship_date(after, deps.clock.now()),
    )
