"""Issue #16: the win-back registry in the config table (the shops the daily job visits, no scan)."""

from __future__ import annotations

from datetime import date

from okaeri.aws.config import WINBACK_PK, DynamoConfig
from okaeri.ports import WinbackShop
from tests.integration.aws.conftest import OTHER_SHOP, SHOP
from tests.support.winback import winback_scenario
from tests.unit.planning.builders import make_scenario


def test_saving_a_win_back_scenario_puts_its_shop_on_the_list_once(config: DynamoConfig) -> None:
    config.save_scenario(SHOP, make_scenario("thanks"))  # an order's scenario: not listed
    assert config.winback_shops() == []
    config.save_scenario(SHOP, winback_scenario())
    config.save_scenario(OTHER_SHOP, winback_scenario(active=False))
    assert config.winback_done(SHOP, date(2026, 11, 30))
    config.save_scenario(SHOP, winback_scenario(lapsed_days=120))  # saved again: keeps its day done
    assert sorted(config.winback_shops(), key=lambda entry: entry.shop_id) == sorted(
        [WinbackShop(SHOP, date(2026, 11, 30)), WinbackShop(OTHER_SHOP, None)],
        key=lambda entry: entry.shop_id,
    )
    assert WINBACK_PK.startswith("#")  # a shop id never does: the list lives beside no shop's items


def test_a_day_is_noted_done_only_forward(config: DynamoConfig) -> None:
    config.register_winback(SHOP)
    assert config.winback_done(SHOP, date(2026, 11, 30))
    assert not config.winback_done(SHOP, date(2026, 11, 30))  # the job twice
    assert not config.winback_done(SHOP, date(2026, 11, 29))  # a late run of an earlier hour
    assert config.winback_done(SHOP, date(2026, 12, 1))
    assert config.winback_shops() == [WinbackShop(SHOP, date(2026, 12, 1))]
