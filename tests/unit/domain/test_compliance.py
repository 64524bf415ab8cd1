"""Compliance profiles: each rule found on the step it concerns, in both languages, and only there."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from okaeri.compliance import check_send, has_errors, lint_scenario
from okaeri.models import Finding, Scenario, Shop, Template, validate_document
from tests.conftest import shared_fixtures_or_skip

SHOP: dict[str, Any] = {
    "id": "momo-en",
    "name": "桃の里",
    "sender": {"address": "info@momo.example", "name": "桃の里"},
    "compliance": "rakuten",
    "max_window_days": 60,
    "transit_days": {"default": 1, "沖縄県": 3},
    "legal": {"company": "桃の里合同会社", "address": "福島県福島市1-1", "contact": "info@momo.example"},
    "links": {"public_base_url": "https://okaeri.momo.example"},
}


def shop(**changes: Any) -> Shop:
    return validate_document(Shop, SHOP | changes, what="shop")


def scenario(*steps: dict[str, Any], trigger: str = "shipped") -> Scenario:
    return validate_document(
        Scenario, {"id": "s", "name": "s", "trigger": trigger, "steps": list(steps)}, what="scenario"
    )


def step(step_id: str, days: int, *purposes: str, template: str = "t") -> dict[str, Any]:
    return {"id": step_id, "offset_days": days, "hour": 10, "template": template, "purposes": list(purposes)}


def rules(findings: list[Finding]) -> set[tuple[str | None, str, str]]:
    return {(f.step, f.rule, f.severity) for f in findings}


def test_a_compliant_rakuten_scenario_has_no_findings() -> None:
    plan = scenario(
        step("thanks", 0, "thanks"),
        step("like", 14, "usage_tips", "review_request"),
        step("love", 20, "thanks", "coupon"),
    )
    assert lint_scenario(shop(), plan) == []


def test_each_rakuten_rule_names_its_step() -> None:
    plan = scenario(
        step("review-only", 7, "review_request"),
        step("coupon-only", 10, "coupon"),
        step("late-coupon", 25, "thanks", "coupon"),
        step("winback", 31, "thanks"),
        step("day30", 30, "thanks"),
    )
    assert rules(lint_scenario(shop(), plan)) == {
        ("review-only", "rakuten.review_only", "error"),
        ("coupon-only", "rakuten.ad_needs_transaction", "error"),
        ("late-coupon", "rakuten.ad_max_21_days", "error"),
        ("winback", "rakuten.max_30_days", "error"),
    }


def test_messages_are_bilingual_and_name_the_step() -> None:
    [finding] = lint_scenario(shop(), scenario(step("winback", 45, "thanks")))
    assert "winback" in finding.message_ja
    assert "30日以内" in finding.message_ja
    assert "winback" in finding.message_en
    assert "within 30 days" in finding.message_en


def test_other_profiles_only_have_the_shop_window() -> None:
    plan = scenario(step("review-only", 7, "review_request"), step("late", 61, "thanks", "promotion"))
    for profile in ("yahoo", "none"):
        assert rules(lint_scenario(shop(compliance=profile), plan)) == {("late", "max_window", "error")}


def test_delivered_trigger_counts_transit_days() -> None:
    # 28 days after arrival is 29 days after shipping in general, 31 for Okinawa: a warning, not an error.
    findings = lint_scenario(shop(), scenario(step("check", 28, "arrival_check"), trigger="delivered"))
    assert rules(findings) == {("check", "rakuten.max_30_days", "warning")}
    late = lint_scenario(shop(), scenario(step("check", 30, "arrival_check"), trigger="delivered"))
    assert rules(late) == {("check", "rakuten.max_30_days", "error")}


def test_ordered_trigger_allows_for_the_ship_lead() -> None:
    # 31 days after the order is at most 31 and, with a one-day ship lead, about 30 days after shipping.
    assert rules(lint_scenario(shop(), scenario(step("late", 31, "thanks"), trigger="ordered"))) == {
        ("late", "rakuten.max_30_days", "warning")
    }
    assert has_errors(lint_scenario(shop(), scenario(step("late", 33, "thanks"), trigger="ordered")))


def test_advertising_needs_legal_sender_and_opt_out_everywhere() -> None:
    bare = shop(compliance="none", legal=None, links={})
    findings = lint_scenario(
        bare, scenario(step("coupon", 3, "thanks", "coupon"), step("thanks", 0, "thanks"))
    )
    assert rules(findings) == {("coupon", "legal_footer", "error"), ("coupon", "opt_out_missing", "error")}
    assert "特定電子メール法" in findings[0].message_ja


def test_templates_are_checked_when_given() -> None:
    plan = scenario(
        step("thanks", 0, "thanks", template="thanks"), step("like", 14, "usage_tips", template="gone")
    )
    salesy = Template(
        id="thanks",
        subject="ありがとうございます",
        text="期間限定セール！ 半額 https://item.rakuten.co.jp/momo/peach-2kg/ もどうぞ。{{ review_url }}",
    )
    assert rules(lint_scenario(shop(), plan, templates={"thanks": salesy})) == {
        ("thanks", "rakuten.sale_words", "warning"),
        ("thanks", "rakuten.item_links", "warning"),
        ("like", "template_missing", "error"),
    }
    plain = Template(
        id="thanks", subject="ありがとうございます", text="{{ customer.name }}様\n{{ review_url }}"
    )
    assert (
        lint_scenario(
            shop(), scenario(step("thanks", 0, "thanks", template="thanks")), templates={"thanks": plain}
        )
        == []
    )


def test_check_send_uses_the_real_dates() -> None:
    thanks_coupon = scenario(step("love", 20, "thanks", "coupon")).steps[0]
    ship = date(2026, 11, 24)
    own = {"source": "ec-cube", "recipient": "aya@example.net"}  # the shop's own profile: rakuten
    on_time = datetime.fromisoformat("2026-12-14T19:00:00+09:00")
    assert check_send(shop(), thanks_coupon, ship_date=ship, send_at=on_time, **own) == []
    # Rescheduled by an operator to 22 days after shipping: the coupon may no longer go out.
    late = datetime.fromisoformat("2026-12-16T10:00:00+09:00")
    assert rules(check_send(shop(), thanks_coupon, ship_date=ship, send_at=late, **own)) == {
        ("love", "rakuten.ad_max_21_days", "error")
    }
    # The local date counts: 2026-12-15T15:30Z is already the 16th in Tokyo.
    utc_late = datetime.fromisoformat("2026-12-15T15:30:00+00:00")
    assert has_errors(check_send(shop(), thanks_coupon, ship_date=ship, send_at=utc_late, **own))
    # An operator may switch profiles: the same send under "none" passes.
    assert check_send(shop(compliance="none"), thanks_coupon, ship_date=ship, send_at=late, **own) == []


def test_shared_non_compliant_scenario_has_exactly_its_three_violations() -> None:
    from okaeri.models import load_document

    config = shared_fixtures_or_skip() / "config"
    shared_shop = load_document(Shop, config / "shop.yaml")
    bad = load_document(Scenario, config / "scenario-non-compliant.yaml")
    good = load_document(Scenario, config / "scenario-thanks-like-love.yaml")
    assert rules(lint_scenario(shared_shop, bad)) == {
        ("review-only", "rakuten.review_only", "error"),
        ("sale", "rakuten.ad_max_21_days", "error"),
        ("winback", "rakuten.max_30_days", "error"),
    }
    assert lint_scenario(shared_shop, good) == []


@pytest.mark.parametrize("profile", ["rakuten", "yahoo", "none"])
def test_every_finding_has_both_languages(profile: str) -> None:
    plan = scenario(step("a", 70, "review_request"), step("b", 40, "coupon"))
    findings = lint_scenario(shop(compliance=profile, legal=None), plan)
    assert findings
    for finding in findings:
        assert finding.message_ja
        assert finding.message_en
        assert finding.step in {"a", "b"}
