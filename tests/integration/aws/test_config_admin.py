"""What the admin API adds to DynamoConfig and DynamoCoupons: shop edits that never lose a
concurrent one, creation without overwrite, version lists, deletion, pool listing, spent codes."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from okaeri.aws.clients import dynamodb_client
from okaeri.aws.config import DynamoConfig, DynamoCoupons
from okaeri.errors import ConflictError, NotFoundError
from okaeri.models import Scenario, Shop, Template, load_document
from okaeri.models.admin import VersionInfo
from okaeri.parsing import ParseMask
from okaeri.services.config_admin import set_day_open
from tests.integration.aws.conftest import OTHER_SHOP, SHOP, interleaved

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


@pytest.fixture
def shop(config: DynamoConfig) -> Shop:
    shop = load_document(Shop, FIXTURES / "config" / "shop.yaml").model_copy(update={"id": SHOP})
    config.put_shop(shop)
    return shop


@pytest.fixture
def scenario() -> Scenario:
    return load_document(Scenario, FIXTURES / "cli" / "scenario.yaml")


def test_an_edit_of_the_shop_is_written_and_answered(config: DynamoConfig, shop: Shop) -> None:
    before, after = config.update_shop(SHOP, lambda s: s.model_copy(update={"name": "新しい名前"}))
    assert (before, after.name) == (shop, "新しい名前")
    assert config.shop(SHOP) == after
    assert config.update_shop(SHOP, lambda s: s) == (after, after)


def test_two_day_toggles_at_once_both_stay(tables: dict[str, str], shop: Shop) -> None:
    other = DynamoConfig(tables["config"])
    first_day, second_day = date(2026, 12, 1), date(2026, 12, 2)
    client = interleaved(
        dynamodb_client(),
        "put_item",
        lambda: other.update_shop(SHOP, lambda s: set_day_open(s, first_day, False)),
    )
    mine = DynamoConfig(tables["config"], client=client)
    mine.update_shop(SHOP, lambda s: set_day_open(s, second_day, False))
    stored = other.shop(SHOP)
    assert stored is not None
    assert {first_day, second_day} <= set(stored.calendar.closed_dates)
    assert client.calls == 2  # the first write lost to the other editor, the retry won


def test_an_edit_of_a_missing_shop_is_not_found(config: DynamoConfig) -> None:
    with pytest.raises(NotFoundError):
        config.update_shop(OTHER_SHOP, lambda s: s)


def test_a_creation_never_overwrites(config: DynamoConfig, scenario: Scenario) -> None:
    assert config.save_scenario(SHOP, scenario, new=True).version == 1
    with pytest.raises(ConflictError) as refused:
        config.save_scenario(SHOP, scenario.model_copy(update={"name": "別"}), new=True)
    assert refused.value.code == "exists"
    with pytest.raises(ConflictError):
        config.save_scenario(SHOP, scenario, new=True)  # not even with the same content


def test_two_creations_at_once_one_wins(tables: dict[str, str], scenario: Scenario) -> None:
    other = DynamoConfig(tables["config"])
    client = interleaved(
        dynamodb_client(), "transact_write_items", lambda: other.save_scenario(SHOP, scenario, new=True)
    )
    mine = DynamoConfig(tables["config"], client=client)
    with pytest.raises(ConflictError) as refused:
        mine.save_scenario(SHOP, scenario.model_copy(update={"name": "私の"}), new=True)
    assert refused.value.code == "exists"
    assert other.scenario(SHOP, scenario.id) == scenario.model_copy(update={"version": 1})


def test_versions_are_listed_oldest_first(config: DynamoConfig, scenario: Scenario) -> None:
    config.save_scenario(SHOP, scenario)
    config.save_scenario(SHOP, scenario.model_copy(update={"name": "二版"}))
    assert config.scenario_versions(SHOP, scenario.id) == [
        VersionInfo(version=1, name=scenario.name, current=False),
        VersionInfo(version=2, name="二版", current=True),
    ]
    assert config.scenario_versions(SHOP, "nope") == []
    assert config.scenario_versions(OTHER_SHOP, scenario.id) == []
    template = load_document(Template, FIXTURES / "config" / "template-thanks.yaml")
    config.save_template(SHOP, template)
    assert [v.version for v in config.template_versions(SHOP, template.id)] == [1]


def test_only_an_inactive_scenario_is_deleted_and_its_versions_stay(
    config: DynamoConfig, scenario: Scenario
) -> None:
    config.save_scenario(SHOP, scenario)
    with pytest.raises(ConflictError) as refused:
        config.delete_scenario(SHOP, scenario.id)
    assert refused.value.code == "scenario_active"
    config.set_scenario_active(SHOP, scenario.id, False)
    assert config.delete_scenario(SHOP, scenario.id).version == 1
    assert config.scenario(SHOP, scenario.id) is None
    assert config.scenarios(SHOP) == []
    assert config.scenario_versions(SHOP, scenario.id) == []
    assert config.scenario_version(SHOP, scenario.id, 1) is not None  # pinned deliveries read it
    with pytest.raises(NotFoundError):
        config.delete_scenario(SHOP, scenario.id)
    with pytest.raises(NotFoundError):
        config.set_scenario_active(SHOP, scenario.id, True)
    again = config.save_scenario(SHOP, scenario, new=True)  # the same id, created anew
    assert (again.version, again.active) == (2, True)
    assert config.scenarios(SHOP) == [again]


def test_a_mask_is_read_by_name(config: DynamoConfig) -> None:
    mask = load_document(ParseMask, FIXTURES / "mail" / "kurashi-mask.yaml")
    assert config.mask(SHOP, mask.name) is None
    config.put_mask(SHOP, mask)
    assert config.mask(SHOP, mask.name) == mask
    assert config.mask(OTHER_SHOP, mask.name) is None


def test_pools_are_listed_and_spent_codes_are_named(coupons: DynamoCoupons) -> None:
    assert coupons.pools(SHOP) == []
    loaded = coupons.load_codes(SHOP, "B-POOL", ["B-1", "B-2"])
    assert (loaded.loaded, loaded.spent) == (2, ())
    coupons.load_pool(SHOP, "A-POOL", ["A-1"])
    coupons.load_pool(SHOP, "EMPTY", [" "])
    assert coupons.pools(SHOP) == ["A-POOL", "B-POOL"]
    assert coupons.pools(OTHER_SHOP) == []
    spent = coupons.code_for(SHOP, "B-POOL", "d-1")
    again = coupons.load_codes(SHOP, "B-POOL", ["B-1", "B-2", "B-3"])
    assert (again.loaded, again.spent) == (2, (spent,))
    assert coupons.counts(SHOP, "B-POOL") == (1, 2)
    assert coupons.counts(SHOP, "A-POOL") == (0, 1)  # the pool's name item is not a code
