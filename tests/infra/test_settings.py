"""A deployment's settings (cdk.json's ``okaeri``), validated before anything is built: no synthesis.

Each refusal is one line ``field: 日本語 / English`` naming the field, in both messages of the
ConfigError; ``python -m infra.app`` prints them and exits 2, without a traceback.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from typing import Any

import pytest

from infra.lambda_function import _RETENTION, log_retention
from infra.paths import ROOT
from infra.resources import inbound_recipient
from infra.settings import (
    LOG_RETENTION_DAYS,
    SES_RECEIVING_REGIONS,
    TYPICAL_SEND_MS,
    DeploymentSettings,
    load_settings,
    send_concurrency,
)
from okaeri.errors import ConfigError
from tests.infra.conftest import SETTINGS, cdk_context

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def example() -> dict[str, Any]:
    settings: dict[str, Any] = json.loads((ROOT / "cdk.json").read_text(encoding="utf-8"))["context"][
        "okaeri"
    ]
    return settings


def refusal(settings: dict[str, Any]) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        load_settings(settings)
    return caught.value


def test_the_example_in_cdk_json_is_valid() -> None:
    settings = load_settings(example())
    assert settings.shops
    assert settings.region in SES_RECEIVING_REGIONS


def test_the_test_settings_are_valid() -> None:
    assert [shop.id for shop in load_settings(SETTINGS).shops] == ["demo", "tea-shop"]


def test_a_shop_without_addresses_receives_at_orders_plus_its_id() -> None:
    settings = load_settings(SETTINGS)
    demo, tea_shop = settings.shops
    assert demo.recipients(settings.receiving_domain) == ["orders+demo@in.example.jp"]
    assert demo.recipients(settings.receiving_domain) == [
        inbound_recipient("demo", settings.receiving_domain)
    ]
    assert tea_shop.recipients(settings.receiving_domain) == ["tea@in.example.jp", "orders+tea@in.example.jp"]


def test_defaults() -> None:
    settings = load_settings(
        {"sending_domain": "mail.example.jp", "receiving_domain": "in.example.jp", "shops": [{"id": "demo"}]}
    )
    assert settings.account == ""  # the CLI's credentials decide
    assert settings.region == "ap-northeast-1"
    assert (settings.send_rate, settings.send_concurrency) == (14, 2)
    assert settings.raw_mail_retention_days == 90
    assert settings.log_retention_days in LOG_RETENTION_DAYS
    assert settings.alarm_email == ""
    assert (settings.api_throttle.rate, settings.api_throttle.burst) == (50, 100)


def test_domains_and_addresses_are_compared_in_lower_case() -> None:
    settings = load_settings(
        {
            **SETTINGS,
            "receiving_domain": "IN.Example.JP.",
            "shops": [{"id": "demo", "addresses": ["Orders@IN.example.jp"]}],
        }
    )
    assert settings.receiving_domain == "in.example.jp"
    assert settings.shops[0].recipients(settings.receiving_domain) == ["orders@in.example.jp"]


#: (what is wrong, the change to SETTINGS, the field the message names, words of each language)
REFUSALS: list[tuple[str, dict[str, Any], str, str, str]] = [
    ("bad domain", {"sending_domain": "not a domain"}, "sending_domain", "ドメイン名", "not a domain name"),
    (
        "region without SES receiving",
        {"region": "ap-east-1"},
        "region",
        "受信できません",
        "does not receive mail",
    ),
    ("unknown key", {"send_rat": 14}, "send_rat", "綴り", "Extra inputs are not permitted"),
    (
        "duplicate shop ids",
        {"shops": [{"id": "demo"}, {"id": "demo", "addresses": ["b@in.example.jp"]}]},
        "shops",
        "重複",
        "shop ids repeat",
    ),
    (
        "address outside the receiving domain",
        {"shops": [{"id": "demo", "addresses": ["orders@elsewhere.example.jp"]}]},
        "shops",
        "受信ドメイン",
        "is not at the receiving domain",
    ),
    (
        "one address for two shops",
        {"shops": [{"id": "demo"}, {"id": "tea", "addresses": ["orders+demo@in.example.jp"]}]},
        "shops",
        "両方",
        "belongs to both demo and tea",
    ),
    (
        "log retention CloudWatch lacks",
        {"log_retention_days": 45},
        "log_retention_days",
        "保存日数",
        "keeps logs",
    ),
    ("send rate 0", {"send_rate": 0}, "send_rate", "小さすぎます", "greater than or equal to 1"),
    (
        "bad alarm e-mail",
        {"alarm_email": "ops-at-example.jp"},
        "alarm_email",
        "メールアドレス",
        "not an e-mail",
    ),
    ("bad account", {"account": "1234"}, "account", "アカウント", "12-digit AWS account id"),
    ("bad shop id", {"shops": [{"id": "Demo Shop"}]}, "shops.0.id", "使えない文字", "String should match"),
    ("no shops", {"shops": []}, "shops", "要素が足りません", "at least 1 item"),
]


@pytest.mark.parametrize(
    ("change", "field", "ja", "en"), [r[1:] for r in REFUSALS], ids=[r[0] for r in REFUSALS]
)
def test_each_rule_refuses_naming_the_field_in_japanese_and_english(
    change: dict[str, Any], field: str, ja: str, en: str
) -> None:
    error = refusal({**SETTINGS, **change})
    (problem,) = error.problems  # one problem, one line
    assert problem.startswith(f"{field}: "), problem
    japanese, _, english = problem.removeprefix(f"{field}: ").partition(" / ")
    assert ja in japanese
    assert JAPANESE.search(japanese)
    assert en in english
    assert problem in error.message_ja
    assert problem in error.message_en
    assert "cdk.json" in error.message_ja
    assert "cdk.json" in error.message_en


def test_every_problem_is_listed_at_once() -> None:
    error = refusal({**SETTINGS, "sending_domain": "x", "send_rate": 0, "shops": [{"id": "a"}, {"id": "a"}]})
    assert [problem.partition(":")[0] for problem in error.problems] == [
        "sending_domain",
        "shops",
        "send_rate",
    ]


def test_an_address_rule_waits_for_a_valid_receiving_domain() -> None:
    """A bad receiving domain is one problem, not also one per shop address."""
    error = refusal({**SETTINGS, "receiving_domain": "bad"})
    assert [problem.partition(":")[0] for problem in error.problems] == ["receiving_domain"]


def test_settings_outside_the_context_are_refused() -> None:
    error = refusal(None)  # type: ignore[arg-type]  # no "okaeri" key in the context at all
    assert error.problems


def test_the_log_retention_days_are_the_ones_the_factory_maps() -> None:
    assert tuple(sorted(_RETENTION)) == LOG_RETENTION_DAYS
    for days in LOG_RETENTION_DAYS:
        assert log_retention(days).name == _RETENTION[days]  # a RetentionDays member, not a KeyError
        load_settings({**SETTINGS, "log_retention_days": days})


def test_the_model_is_what_the_cdk_app_reads() -> None:
    assert DeploymentSettings.model_validate(SETTINGS) == load_settings(SETTINGS)


def test_the_app_exits_2_with_the_bilingual_message_and_no_traceback() -> None:
    bad = {**SETTINGS, "region": "ap-east-1", "send_rat": 3}
    environment = {
        **os.environ,
        "CDK_CONTEXT_JSON": json.dumps(cdk_context(bad)),
        "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
        "JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION": "1",
    }
    environment.pop("CDK_OUTDIR", None)
    result = subprocess.run(
        [sys.executable, "-m", "infra.app"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert "cdk.json context 'okaeri' の内容に誤りがあります" in result.stderr
    assert "cdk.json context 'okaeri' is not valid" in result.stderr
    for line in ("region: ap-east-1 では SES がメールを受信できません", "send_rat: この項目は使えません"):
        assert line in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("send_rate", "concurrency"), [(1, 1), (5, 1), (11, 1), (12, 2), (14, 2), (50, 9), (100, 18), (1000, 180)]
)
def test_the_send_concurrency_keeps_sends_within_the_ses_rate(send_rate: int, concurrency: int) -> None:
    assert send_concurrency(send_rate) == concurrency
    assert TYPICAL_SEND_MS == 180
    # that many sends of TYPICAL_SEND_MS each make at most send_rate a second (one instance at least)
    assert concurrency == 1 or concurrency * 1000 / TYPICAL_SEND_MS <= send_rate
