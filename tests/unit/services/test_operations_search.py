"""What a search means: folded text, shop-local periods, delivery filters (pure, no AWS)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from okaeri.errors import BadRequestError
from okaeri.models import Delivery, Shop
from okaeri.services.operations import DeliveryFilter, fold, matcher, shop_period

SHOP = Shop.model_validate(
    {"id": "mikan-sanbo", "name": "みかん山房", "sender": {"address": "s@mikan.example"}}
)


def delivery(**fields: object) -> Delivery:
    data: dict[str, object] = {
        "id": "d-1",
        "shop_id": SHOP.id,
        "order_key": "rakuten#A-1",
        "run_id": "r-1",
        "customer_email": "taro@example.jp",
        "scenario_id": "thanks-like-love",
        "scenario_version": 1,
        "step_id": "thanks",
        "template_id": "thanks",
        "send_at": datetime(2026, 12, 1, 1, tzinfo=UTC),
    }
    return Delivery.model_validate(data | fields)


def test_text_is_folded_for_width_case_and_spaces() -> None:
    assert fold(" ＴＡＲＯ＠Example.JP ") == "taro@example.jp"
    assert fold("中島　彩") == "中島彩"
    contains = matcher("中島 彩")
    assert contains("中島彩")
    assert contains("お客様 中島 彩 様")
    assert not contains("中島")
    assert not contains(None)
    assert not contains("")


def test_a_period_is_shop_days_both_included() -> None:
    since, until = shop_period(SHOP, date(2026, 12, 1), date(2026, 12, 2))
    assert since == datetime(2026, 11, 30, 15, tzinfo=UTC)
    assert until is not None
    assert until.astimezone(UTC) == datetime(2026, 12, 2, 14, 59, 59, 999999, tzinfo=UTC)
    assert shop_period(SHOP, None, None) == (None, None)
    assert shop_period(SHOP, date(2026, 12, 1), None)[1] is None
    with pytest.raises(BadRequestError) as refused:
        shop_period(SHOP, date(2026, 12, 2), date(2026, 12, 1))
    assert refused.value.code == "bad_period"


def test_a_delivery_filter_checks_status_and_scenario() -> None:
    assert DeliveryFilter().accepts(delivery())
    assert DeliveryFilter(status="scheduled", scenario_id="thanks-like-love").accepts(delivery())
    assert not DeliveryFilter(status="sent").accepts(delivery())
    assert not DeliveryFilter(scenario_id="other").accepts(delivery())
