"""The sample order previews use: realistic, placed now at the shop, and fit for the scenario."""

from __future__ import annotations

from datetime import datetime
from fnmatch import fnmatchcase

import pytest

from okaeri.models import Conditions, Order, Shop, load_document
from okaeri.planner import conditions_match
from okaeri.samples import SAMPLE_EMAIL, concrete_sku, sample_order, sample_order_count
from tests.conftest import FIXTURES

NOW = datetime.fromisoformat("2026-11-30T07:00:00+00:00")  # 16:00 in Tokyo


@pytest.fixture
def shop() -> Shop:
    return load_document(Shop, FIXTURES / "config" / "shop.yaml")  # compliance: rakuten


def test_a_rakuten_shop_gets_a_rakuten_order_placed_now_in_its_zone(shop: Shop) -> None:
    order = sample_order(shop, NOW)
    assert order.source == "rakuten"
    assert order.kind == "order"
    assert order.order_id == "999999-20261130-0000000001"
    assert order.ordered_at is not None
    assert order.ordered_at.isoformat() == "2026-11-30T16:00:00+09:00"
    assert order.customer.email == SAMPLE_EMAIL
    assert order.customer.name == "山田 花子"
    assert order.total == sum((item.unit_price or 0) * item.quantity for item in order.items)
    assert order.is_gift is False
    assert order.shipped_at is None
    Order.model_validate(order.model_dump(mode="json"))  # valid JSON for an API round trip


@pytest.mark.parametrize(
    ("profile", "source", "order_id"),
    [("yahoo", "yahoo", "sample-20261130-10000001"), ("none", "api", "SAMPLE-API-20261130-0001")],
)
def test_the_source_follows_the_shop_profile(shop: Shop, profile: str, source: str, order_id: str) -> None:
    order = sample_order(shop.model_copy(update={"compliance": profile}), NOW)
    assert (order.source, order.order_id) == (source, order_id)


def test_the_sample_meets_the_scenario_conditions(shop: Shop) -> None:
    conditions = Conditions(
        sources=["mask:kurashi"],
        skus=["cherry-*"],
        payment_methods=["代金引換"],
        prefectures=["北海道"],
        gift=True,
        min_total=20_000,
        first_order=False,
        min_order_count=3,
    )
    order = sample_order(shop, NOW, conditions)
    count = sample_order_count(conditions)
    assert count == 3
    assert conditions_match(conditions, order, order_count=count)
    assert order.source == "mask:kurashi"
    assert order.order_id == "SAMPLE-MASK-KURASHI-20261130-0001"
    assert order.is_gift is True
    assert order.ship_to.prefecture == "北海道"
    assert order.ship_to.name != order.customer.name  # a gift goes to someone else
    assert order.total == 20_000
    assert order.total == sum((item.unit_price or 0) * item.quantity for item in order.items)


def test_a_repeat_only_scenario_gets_a_second_order() -> None:
    assert sample_order_count(Conditions(first_order=False)) == 2
    assert sample_order_count(Conditions(first_order=True)) == 1
    assert sample_order_count(None) == 1


@pytest.mark.parametrize("pattern", ["cherry-*", "a?b", "x[0-9]y", "x[!abc]", "plain", "*-[a-c]?"])
def test_a_concrete_sku_matches_its_glob(pattern: str) -> None:
    assert fnmatchcase(concrete_sku(pattern), pattern)


def test_each_sample_is_its_own_copy(shop: Shop) -> None:
    first = sample_order(shop, NOW)
    first.customer.name = "変更"
    first.items[0].quantity = 9
    second = sample_order(shop, NOW)
    assert second.customer.name == "山田 花子"
    assert second.items[0].quantity == 1
