"""The admin page's message catalogs: Japanese and English say the same things.

Every area has a ``ja`` and an ``en`` file with the same keys and the same ``{placeholders}``;
no message is empty; every key the code asks for with a literal ``t("area.key")`` exists.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

WEB = Path(__file__).resolve().parents[3] / "web"
MESSAGES = WEB / "src" / "messages"
LANGS = ("ja", "en")
PLACEHOLDER = re.compile(r"\{(\w+)\}")
LITERAL_KEY = re.compile(r"""\bt\(\s*["']([\w-]+\.[\w.-]+)["']""")
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def catalog(lang: str) -> dict[str, dict[str, str]]:
    return {
        path.stem: json.loads(path.read_text("utf-8")) for path in sorted((MESSAGES / lang).glob("*.json"))
    }


def test_both_languages_have_the_same_areas_and_keys() -> None:
    ja, en = catalog("ja"), catalog("en")
    assert ja, "no catalogs found"
    assert sorted(ja) == sorted(en)
    for area in ja:
        assert sorted(ja[area]) == sorted(en[area]), area


@pytest.mark.parametrize("lang", LANGS)
def test_no_message_is_empty_and_placeholders_match(lang: str) -> None:
    other = catalog("en" if lang == "ja" else "ja")
    for area, messages in catalog(lang).items():
        for key, text in messages.items():
            assert isinstance(text, str), f"{lang}/{area}.{key}"
            assert text.strip(), f"{lang}/{area}.{key} is empty"
            counterpart = other.get(area, {}).get(key, "")
            assert set(PLACEHOLDER.findall(text)) == set(PLACEHOLDER.findall(counterpart)), f"{area}.{key}"


def test_japanese_catalogs_are_in_japanese() -> None:
    for area, messages in catalog("ja").items():
        japanese = sum(bool(JAPANESE.search(text)) for text in messages.values())
        assert japanese >= len(messages) / 2, f"ja/{area}.json is mostly not Japanese"


def test_every_literal_key_in_the_code_exists() -> None:
    known = {f"{area}.{key}" for area, messages in catalog("ja").items() for key in messages}
    missing = []
    for source in sorted((WEB / "src").rglob("*.ts*")):
        for key in LITERAL_KEY.findall(source.read_text("utf-8")):
            if key not in known:
                missing.append(f"{source.relative_to(WEB)}: {key}")
    assert not missing, missing


@pytest.mark.parametrize(
    ("lang", "name"),
    [("ja", "特定電子メール法の表記"), ("en", "legal notice under the Act on Specified Electronic Mail")],
)
def test_the_advertising_footer_has_one_name(lang: str, name: str) -> None:
    """Settings (where the shop fills it in) and the template preview (where it shows) name the
    footer after the law that requires it, 特定電子メール法, in the same words."""
    messages = catalog(lang)
    assert name.lower() in messages["settings"]["legal"].lower()
    assert name.lower() in messages["templates"]["advertising_on"].lower()
    everything = json.dumps(messages, ensure_ascii=False)
    assert "特定商取引法" not in everything
    assert "Commercial Transactions" not in everything


def test_a_version_is_named_one_way() -> None:
    """「第N版」 everywhere (templates, scenarios, mails), never 「版 N」."""
    version = re.compile(r"版\s*\{\w+\}")
    for area, messages in catalog("ja").items():
        for key, message in messages.items():
            assert not version.search(message), f"{area}.{key}: {message}"
    numbered = [
        m for messages in catalog("ja").values() for m in messages.values() if re.search(r"\{\w+\}版", m)
    ]
    assert any("第{v}版" in m for m in numbered)  # scenarios
    assert any("第{version}版" in m for m in numbered)  # templates
