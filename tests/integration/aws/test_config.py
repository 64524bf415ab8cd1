"""DynamoConfig: shop settings, versioned scenarios and templates, masks, relays, daily counters."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from okaeri.aws.clients import dynamodb_client
from okaeri.aws.config import COUNTED_RETENTION_DAYS, DynamoConfig
from okaeri.errors import ConflictError, NotFoundError, TooManyRowsError
from okaeri.models import RelayConfig, Scenario, Shop, Template, load_document
from okaeri.models.admin import StepStats
from okaeri.parsing import ParseMask
from okaeri.ports import OnceCount
from tests.integration.aws.conftest import OTHER_SHOP, SHOP, T0, interleaved, stored_item

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


@pytest.fixture
def shop() -> Shop:
    return load_document(Shop, FIXTURES / "config" / "shop.yaml")


@pytest.fixture
def scenario() -> Scenario:
    return load_document(Scenario, FIXTURES / "cli" / "scenario.yaml")


@pytest.fixture
def template() -> Template:
    return load_document(Template, FIXTURES / "config" / "template-thanks.yaml")


def test_the_shop_round_trips(config: DynamoConfig, shop: Shop) -> None:
    assert config.shop(shop.id) is None
    config.put_shop(shop)
    assert config.shop(shop.id) == shop
    edited = shop.model_copy(update={"name": "みかん山房 本店"})
    config.put_shop(edited)
    assert config.shop(shop.id) == edited


def test_a_new_scenario_is_version_one_and_active(config: DynamoConfig, scenario: Scenario) -> None:
    saved = config.save_scenario(
        SHOP, scenario.model_copy(update={"version": 7})
    )  # the given version is ignored
    assert saved.version == 1
    assert saved == scenario.model_copy(update={"version": 1})
    assert config.scenario(SHOP, scenario.id) == saved
    assert config.scenario_version(SHOP, scenario.id, 1) == saved
    assert config.active_scenarios(SHOP) == [saved]


def test_an_edit_is_a_new_version_and_the_old_one_stays_readable(
    config: DynamoConfig, scenario: Scenario
) -> None:
    v1 = config.save_scenario(SHOP, scenario)
    edited = scenario.model_copy(update={"name": "お礼と食べ頃（改）", "priority": 20})
    v2 = config.save_scenario(SHOP, edited)
    assert v2.version == 2
    assert config.scenario_version(SHOP, scenario.id, 1) == v1
    assert config.scenario_version(SHOP, scenario.id, 2) == v2
    assert config.scenario_version(SHOP, scenario.id, 3) is None
    assert config.active_scenarios(SHOP) == [v2]
    assert config.save_scenario(SHOP, v1).version == 3  # going back is an edit too


def test_saving_the_same_content_makes_no_new_version(config: DynamoConfig, scenario: Scenario) -> None:
    v1 = config.save_scenario(SHOP, scenario)
    assert config.save_scenario(SHOP, scenario) == v1
    assert config.save_scenario(SHOP, scenario.model_copy(update={"version": 5})) == v1
    assert config.scenario_version(SHOP, scenario.id, 2) is None


def test_switching_a_scenario_off_and_on_keeps_its_version(config: DynamoConfig, scenario: Scenario) -> None:
    config.save_scenario(SHOP, scenario)
    off = config.set_scenario_active(SHOP, scenario.id, False)
    assert (off.active, off.version) == (False, 1)
    assert config.active_scenarios(SHOP) == []
    assert config.scenarios(SHOP) == [off]
    assert config.save_scenario(SHOP, scenario).version == 1  # saved active again: same content
    assert [s.id for s in config.active_scenarios(SHOP)] == [scenario.id]


def test_switching_an_unknown_scenario_is_not_found(config: DynamoConfig) -> None:
    with pytest.raises(NotFoundError):
        config.set_scenario_active(SHOP, "nope", True)


def test_scenarios_list_only_current_versions(config: DynamoConfig, scenario: Scenario) -> None:
    config.save_scenario(SHOP, scenario)
    config.save_scenario(SHOP, scenario.model_copy(update={"priority": 1}))
    other = config.save_scenario(SHOP, scenario.model_copy(update={"id": "another", "active": False}))
    listed = config.scenarios(SHOP)
    assert [(s.id, s.version) for s in listed] == [("another", 1), (scenario.id, 2)]
    assert other.active is False
    assert [s.id for s in config.active_scenarios(SHOP)] == [scenario.id]


def test_templates_are_versioned_like_scenarios(config: DynamoConfig, template: Template) -> None:
    v1 = config.save_template(SHOP, template)
    assert config.save_template(SHOP, template) == v1
    v2 = config.save_template(SHOP, template.model_copy(update={"subject": "発送しました"}))
    assert (v1.version, v2.version) == (1, 2)
    assert config.template(SHOP, template.id) == v2
    assert config.template(SHOP, template.id, 1) == v1
    assert config.template(SHOP, template.id, 2) == v2
    assert config.template(SHOP, "nope") is None
    assert config.templates(SHOP) == [v2]


def test_masks_and_relays_round_trip(config: DynamoConfig) -> None:
    mask = load_document(ParseMask, FIXTURES / "mail" / "kurashi-mask.yaml")
    config.put_mask(SHOP, mask)
    config.put_mask(SHOP, mask)
    assert config.masks(SHOP) == [mask]
    relay = RelayConfig(
        host="sub.fw.rakuten.ne.jp",
        domains=["fw.rakuten.ne.jp"],
        secret_arn="arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:rms",
        mail_from="shop@sakura-farm.example",
    )
    config.put_relay(SHOP, "rakuten", relay)
    assert config.relays(SHOP) == [relay]
    assert config.named_relays(SHOP) == {"rakuten": relay}
    config.delete_mask(SHOP, mask.name)
    config.delete_relay(SHOP, "rakuten")
    assert config.masks(SHOP) == []
    assert config.relays(SHOP) == []


def test_counters_add_up_per_day_and_step(config: DynamoConfig) -> None:
    day = date(2026, 11, 20)
    for counter in ("sent", "sent", "delivered", "opened"):
        config.count(SHOP, day=day, scenario_id="thanks-tips", step_id="thanks", counter=counter)
    config.count(SHOP, day=day, scenario_id="thanks-tips", step_id="tips", counter="sent")
    config.count(SHOP, day=date(2026, 11, 22), scenario_id="thanks-tips", step_id="thanks", counter="sent")
    config.count(SHOP, day=date(2026, 11, 23), scenario_id="thanks-tips", step_id="thanks", counter="sent")
    assert config.stats(SHOP, day, date(2026, 11, 22)) == [
        StepStats(day, "thanks-tips", "thanks", {"sent": 2, "delivered": 1, "opened": 1}),
        StepStats(day, "thanks-tips", "tips", {"sent": 1}),
        StepStats(date(2026, 11, 22), "thanks-tips", "thanks", {"sent": 1}),
    ]


def test_a_counter_name_cannot_overwrite_the_keys(config: DynamoConfig) -> None:
    for bad in ("day", "sk", "Sent", "sent.total", ""):
        with pytest.raises(ValueError, match="counter"):
            config.count(SHOP, day=date(2026, 11, 20), scenario_id="s", step_id="t", counter=bad)


def test_a_count_once_leaves_a_marker_that_expires(config: DynamoConfig, tables: dict[str, str]) -> None:
    day = date(2026, 12, 1)
    assert config.count_once(
        SHOP, OnceCount("credit#rakuten#A-1", day, "plan", "thanks", {"converted": 1}, T0)
    )
    marker = stored_item(tables["config"], SHOP, "counted#credit#rakuten#A-1")
    assert marker == {
        "pk": SHOP,
        "sk": "counted#credit#rakuten#A-1",
        "expires_at": int((T0 + timedelta(days=COUNTED_RETENTION_DAYS)).timestamp()),
    }
    assert COUNTED_RETENTION_DAYS > 366  # longer than any retry, and than the results' longest period
    assert config.stats(SHOP, day, day) == [StepStats(day, "plan", "thanks", {"converted": 1})]


def test_shops_never_see_each_others_configuration(
    config: DynamoConfig, shop: Shop, scenario: Scenario, template: Template
) -> None:
    config.put_shop(shop.model_copy(update={"id": SHOP}))
    config.save_scenario(SHOP, scenario)
    config.save_template(SHOP, template)
    config.put_mask(SHOP, load_document(ParseMask, FIXTURES / "mail" / "kurashi-mask.yaml"))
    config.count(SHOP, day=date(2026, 11, 20), scenario_id=scenario.id, step_id="thanks", counter="sent")
    assert config.shop(OTHER_SHOP) is None
    assert config.scenarios(OTHER_SHOP) == []
    assert config.active_scenarios(OTHER_SHOP) == []
    assert config.scenario_version(OTHER_SHOP, scenario.id, 1) is None
    assert config.template(OTHER_SHOP, template.id) is None
    assert config.templates(OTHER_SHOP) == []
    assert config.masks(OTHER_SHOP) == []
    assert config.stats(OTHER_SHOP, date(2026, 11, 1), date(2026, 11, 30)) == []
    assert config.save_scenario(OTHER_SHOP, scenario).version == 1


def test_two_editors_saving_at_once_do_not_lose_an_edit(tables: dict[str, str], scenario: Scenario) -> None:
    other = DynamoConfig(tables["config"])
    other.save_scenario(SHOP, scenario)
    theirs = scenario.model_copy(update={"name": "別の編集"})
    client = interleaved(dynamodb_client(), "transact_write_items", lambda: other.save_scenario(SHOP, theirs))
    mine = DynamoConfig(tables["config"], client=client)
    with pytest.raises(ConflictError):
        mine.save_scenario(SHOP, scenario.model_copy(update={"name": "私の編集"}))
    current = other.scenario(SHOP, scenario.id)
    assert current is not None
    assert (current.version, current.name) == (2, "別の編集")
    assert other.scenario_version(SHOP, scenario.id, 3) is None


def test_only_the_count_once_markers_can_expire(
    config: DynamoConfig, shop: Shop, scenario: Scenario, template: Template, tables: dict[str, str]
) -> None:
    """The config table has a TTL for ``count_once``'s markers alone: the shop, its scenarios,
    templates, masks, relays and counters carry no ``expires_at``, so they never expire."""
    config.put_shop(shop)
    config.save_scenario(SHOP, scenario)
    config.save_template(SHOP, template)
    config.count(
        SHOP, day=date(2026, 12, 7), scenario_id="thanks-like-love", step_id="thanks", counter="sent"
    )
    moment = datetime(2026, 12, 7, 9, tzinfo=UTC)
    count = OnceCount("run#r1", date(2026, 12, 7), "thanks-like-love", "*", {"runs_mailed": 1}, moment)
    assert config.count_once(SHOP, count)
    assert not config.count_once(SHOP, count)

    items = dynamodb_client().scan(TableName=tables["config"])["Items"]
    expiring = {item["sk"]["S"]: int(item["expires_at"]["N"]) for item in items if "expires_at" in item}
    assert expiring == {"counted#run#r1": int((moment + timedelta(days=COUNTED_RETENTION_DAYS)).timestamp())}
    rows = config.stats(SHOP, date(2026, 12, 7), date(2026, 12, 7))
    assert {(row.step_id, name): n for row in rows for name, n in row.counters.items()} == {
        ("thanks", "sent"): 1,
        ("*", "runs_mailed"): 1,
    }


def test_the_counters_of_a_period_are_read_whole_past_a_thousand_rows(
    config: DynamoConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A year of a shop with several scenarios, steps and variants holds thousands of rows: the
    figures are read from every one of them (a query's pages, not the first 1,000), and a period
    past ``MAX_STATS_ROWS`` is refused rather than answered from part of its rows."""
    first = date(2026, 1, 1)
    for n in range(1_050):
        day = first + timedelta(days=n % 350)
        config.count(SHOP, day=day, scenario_id="plan", step_id=f"s{n // 350}", counter="sent")
    rows = config.stats(SHOP, first, date(2026, 12, 31))
    assert len(rows) == 1_050
    assert sum(row.counters["sent"] for row in rows) == 1_050

    monkeypatch.setattr("okaeri.aws.config.MAX_STATS_ROWS", 1_000)
    with pytest.raises(TooManyRowsError) as refused:
        config.stats(SHOP, first, date(2026, 12, 31))
    assert "choose a shorter period" in refused.value.message_en
    assert len(config.stats(SHOP, first, date(2026, 6, 1))) < 1_000  # a shorter period is answered
