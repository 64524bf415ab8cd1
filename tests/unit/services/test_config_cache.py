"""``CachedConfig``: the pipeline's configuration, read once per warm container (issue #14 item 3).

Over ``FakeShopConfig`` behind a counter of the calls that reach it, on a fake clock: versions are
read once for good, what operators edit is read again only after ``CONFIG_TTL``, counters always go
through, and the caches stay within their bounds.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from typing import Any

import pytest

from okaeri.aws.config_cache import CONFIG_TTL, CONFIG_TTL_SECONDS, CachedConfig
from okaeri.aws.secrets import DEFAULT_TTL_SECONDS
from okaeri.models import RelayConfig
from tests.fakes import FakeClock, FakeShopConfig
from tests.unit.services.support import (
    RAKUTEN_RELAY,
    SHOP_ID,
    World,
    at,
    fixture_shop,
    fixture_template,
    kurashi_mask,
    scenario,
)

NOW = at("2026-12-03 09:00")
JUST_BEFORE = CONFIG_TTL - timedelta(seconds=1)


class Counted:
    """A ``ports.ShopConfig`` that counts the calls reaching the one it wraps, by method."""

    def __init__(self, inner: FakeShopConfig) -> None:
        self.inner = inner
        self.calls: Counter[str] = Counter()

    def __getattr__(self, name: str) -> Any:
        method = getattr(self.inner, name)

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.calls[name] += 1
            return method(*args, **kwargs)

        return counted


def world() -> tuple[FakeShopConfig, Counted, FakeClock, CachedConfig]:
    fake = World.create(NOW).config
    counted = Counted(fake)
    clock = FakeClock(NOW)
    return fake, counted, clock, CachedConfig(counted, clock=clock)


def read_everything(config: CachedConfig) -> None:
    config.shop(SHOP_ID)
    config.active_scenarios(SHOP_ID)
    config.masks(SHOP_ID)
    config.relays(SHOP_ID)
    config.template(SHOP_ID, "thanks")
    config.template(SHOP_ID, "like", 1)
    config.scenario_version(SHOP_ID, "thanks-like-love", 1)


def test_the_ttl_is_one_minute_and_secrets_keep_the_same_policy() -> None:
    assert CONFIG_TTL == timedelta(seconds=CONFIG_TTL_SECONDS) == timedelta(minutes=1)
    assert DEFAULT_TTL_SECONDS == CONFIG_TTL_SECONDS


def test_a_burst_reads_each_piece_once() -> None:
    _, counted, clock, config = world()
    for _ in range(25):  # a stream batch, or a burst of wake-ups
        read_everything(config)
        clock.advance(seconds=1)
    assert counted.calls == {
        "shop": 1,
        "active_scenarios": 1,
        "masks": 1,
        "relays": 1,
        "template": 2,  # the current thanks, and like version 1
        "scenario_version": 1,
    }


def test_the_answers_are_the_stores() -> None:
    fake, _, _, config = world()
    fake.add_mask(SHOP_ID, kurashi_mask())
    for _ in range(2):  # read through, then from the cache
        assert config.shop(SHOP_ID) == fixture_shop()
        assert config.active_scenarios(SHOP_ID) == fake.active_scenarios(SHOP_ID)
        assert config.masks(SHOP_ID) == [kurashi_mask()]
        assert config.relays(SHOP_ID) == [RAKUTEN_RELAY]
        assert config.template(SHOP_ID, "love") == fake.template(SHOP_ID, "love")
        assert config.scenario_version(SHOP_ID, "thanks-like-love", 1) == fake.scenario_version(
            SHOP_ID, "thanks-like-love", 1
        )
        assert config.shop("no-such-shop") is None


def test_settings_are_read_again_once_the_ttl_has_passed() -> None:
    _, counted, clock, config = world()
    read_everything(config)
    clock.advance(JUST_BEFORE)
    read_everything(config)
    assert counted.calls["shop"] == counted.calls["relays"] == 1
    clock.advance(seconds=1)
    read_everything(config)
    assert counted.calls["shop"] == counted.calls["active_scenarios"] == 2
    assert counted.calls["masks"] == counted.calls["relays"] == 2
    assert counted.calls["template"] == 3  # the current template again; version 1 of like never
    assert counted.calls["scenario_version"] == 1


def test_a_version_is_never_read_again() -> None:
    _, counted, clock, config = world()
    for _ in range(4):
        assert config.scenario_version(SHOP_ID, "thanks-like-love", 1) is not None
        assert config.template(SHOP_ID, "love", 1) is not None
        clock.advance(days=30)
    assert counted.calls == {"scenario_version": 1, "template": 1}


def test_the_current_template_is_also_kept_as_its_version() -> None:
    """Schedule pins the current template; send then asks for that very version: no second read."""
    _, counted, clock, config = world()
    current = config.template(SHOP_ID, "thanks")
    assert current is not None
    clock.advance(days=1)
    assert config.template(SHOP_ID, "thanks", current.version) == current
    assert counted.calls["template"] == 1


def test_an_edit_reaches_the_pipeline_after_the_ttl_and_pinned_versions_stay() -> None:
    fake, _, clock, config = world()
    before = config.template(SHOP_ID, "thanks")
    assert before is not None
    assert before.version == 1
    assert [s.version for s in config.active_scenarios(SHOP_ID)] == [1]
    read_everything(config)  # the shop, masks and relays too

    edited_shop = fixture_shop().model_copy(update={"name": "みかん山房（新）"})
    fake.add_shop(edited_shop)
    fake.add_template(SHOP_ID, fixture_template("thanks").model_copy(update={"subject": "新しい件名"}))
    fake.add_scenario(SHOP_ID, scenario(name="新しいシナリオ"))
    fake.set_relays(SHOP_ID, [])
    fake.add_mask(SHOP_ID, kurashi_mask())

    clock.advance(JUST_BEFORE)
    assert config.shop(SHOP_ID) == fixture_shop()
    assert config.template(SHOP_ID, "thanks") == before
    assert config.relays(SHOP_ID) == [RAKUTEN_RELAY]
    assert config.masks(SHOP_ID) == []

    clock.advance(seconds=1)
    assert config.shop(SHOP_ID) == edited_shop
    now_current = config.template(SHOP_ID, "thanks")
    assert now_current is not None
    assert (now_current.version, now_current.subject) == (2, "新しい件名")
    assert [(s.version, s.name) for s in config.active_scenarios(SHOP_ID)] == [(2, "新しいシナリオ")]
    assert config.relays(SHOP_ID) == []
    assert config.masks(SHOP_ID) == [kurashi_mask()]
    # What was planned keeps its versions.
    assert config.template(SHOP_ID, "thanks", 1) == before
    pinned = config.scenario_version(SHOP_ID, "thanks-like-love", 1)
    assert pinned is not None
    assert pinned.name != "新しいシナリオ"


def test_a_missing_version_is_asked_again_after_the_ttl() -> None:
    fake, counted, clock, config = world()
    assert config.template(SHOP_ID, "thanks", 2) is None
    assert config.template(SHOP_ID, "thanks", 2) is None
    assert counted.calls["template"] == 1
    fake.add_template(SHOP_ID, fixture_template("thanks"))
    clock.advance(CONFIG_TTL)
    second = config.template(SHOP_ID, "thanks", 2)
    assert second is not None
    assert second.version == 2
    clock.advance(days=1)
    assert config.template(SHOP_ID, "thanks", 2) == second
    assert counted.calls["template"] == 2


def test_counters_always_go_through() -> None:
    fake, counted, _, config = world()
    for _ in range(3):
        config.count(
            SHOP_ID, day=date(2026, 12, 3), scenario_id="thanks-like-love", step_id="thanks", counter="sent"
        )
    assert counted.calls["count"] == 3
    assert fake.total("sent") == 3


def test_a_mall_source_is_written_once_per_container() -> None:
    fake, counted, clock, config = world()
    for _ in range(3):
        config.record_mall_source(SHOP_ID, "rakuten", "rakuten")
    clock.advance(days=30)  # no TTL: the record is a set, what was written stays written
    config.record_mall_source(SHOP_ID, "rakuten", "rakuten")
    config.record_mall_source(SHOP_ID, "rakuten", "csv")
    config.record_mall_source("another-shop", "rakuten", "rakuten")
    assert counted.calls["record_mall_source"] == 3
    assert fake.mall_sources(SHOP_ID) == {"rakuten": {"rakuten", "csv"}}
    # A refused write is not remembered: the next order tries again.
    with pytest.raises(ValueError, match="not a mall"):
        config.record_mall_source(SHOP_ID, "amazon", "amazon")
    with pytest.raises(ValueError, match="not a mall"):
        config.record_mall_source(SHOP_ID, "amazon", "amazon")
    assert counted.calls["record_mall_source"] == 5


def test_versions_are_bounded_least_recently_used_first_out() -> None:
    fake = FakeShopConfig()
    for _ in range(3):
        fake.add_template(SHOP_ID, fixture_template("thanks"))
    counted = Counted(fake)
    config = CachedConfig(counted, clock=FakeClock(NOW), max_versions=2)
    config.template(SHOP_ID, "thanks", 1)
    config.template(SHOP_ID, "thanks", 2)
    config.template(SHOP_ID, "thanks", 1)  # 1 used last: 2 goes first
    config.template(SHOP_ID, "thanks", 3)
    assert counted.calls["template"] == 3
    config.template(SHOP_ID, "thanks", 1)
    config.template(SHOP_ID, "thanks", 3)
    assert counted.calls["template"] == 3
    config.template(SHOP_ID, "thanks", 2)
    assert counted.calls["template"] == 4


def test_settings_are_bounded_across_shops() -> None:
    fake = FakeShopConfig()
    counted = Counted(fake)
    config = CachedConfig(counted, clock=FakeClock(NOW), max_entries=3)
    for shop in ("a", "b", "c", "d"):
        config.shop(shop)
    config.shop("d")
    config.shop("b")
    assert counted.calls["shop"] == 4
    config.shop("a")  # the oldest went out when d came in
    assert counted.calls["shop"] == 5


def test_a_list_handed_out_is_the_callers_own() -> None:
    _, counted, _, config = world()
    relays = config.relays(SHOP_ID)
    relays.append(RelayConfig(host="smtp.example.jp", domains=["example.jp"], secret_arn="arn:x"))
    config.active_scenarios(SHOP_ID).clear()
    assert config.relays(SHOP_ID) == [RAKUTEN_RELAY]
    assert len(config.active_scenarios(SHOP_ID)) == 1
    assert counted.calls["relays"] == 1


def test_a_cache_needs_room() -> None:
    with pytest.raises(ValueError, match="at least one"):
        CachedConfig(FakeShopConfig(), clock=FakeClock(NOW), max_versions=0)
