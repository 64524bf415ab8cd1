"""``okaeri add-shop``: a deployed Okaeri's first settings for a shop, written once, never overwritten."""

from __future__ import annotations

from pathlib import Path

import pytest

from okaeri.aws.clients import dynamodb_client
from okaeri.aws.config import DynamoConfig
from okaeri.cli import main
from okaeri.models import Shop, load_document
from tests.conftest import FIXTURES

SHOP_FILE = FIXTURES / "config" / "shop.yaml"


def test_add_shop_creates_the_settings_once(
    tables: dict[str, str], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    shop = load_document(Shop, SHOP_FILE)
    config = DynamoConfig(tables["config"], client=dynamodb_client())
    assert config.shop(shop.id) is None

    assert main(["add-shop", str(SHOP_FILE), "--table", tables["config"]]) == 0
    assert config.shop(shop.id) == shop
    assert "created" in capsys.readouterr().out

    # Edited in the page since: running the command again must not overwrite the settings.
    config.update_shop(shop.id, lambda stored: stored.model_copy(update={"name": "改名後の店"}))
    changed = tmp_path / "shop.yaml"
    changed.write_text(SHOP_FILE.read_text(encoding="utf-8").replace(shop.name, "別の名前"), encoding="utf-8")
    assert main(["add-shop", str(changed), "--table", tables["config"]]) == 1
    stored = config.shop(shop.id)
    assert stored is not None
    assert stored.name == "改名後の店"
    assert "already has settings" in capsys.readouterr().err


def test_add_shop_refuses_an_invalid_file_and_writes_nothing(
    tables: dict[str, str], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bad = tmp_path / "shop.yaml"
    bad.write_text("id: Bad Shop\nname: ''\n", encoding="utf-8")

    assert main(["add-shop", str(bad), "--table", tables["config"]]) == 1

    err = capsys.readouterr().err
    assert "sender" in err
    assert "id" in err
    assert dynamodb_client().scan(TableName=tables["config"])["Items"] == []
