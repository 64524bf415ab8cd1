"""The demo shop's files are valid, compliant Okaeri documents, and its sample mail is an order."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from infra.resources import inbound_recipient, shop_from_recipient
from okaeri.compliance import lint_scenario
from okaeri.errors import ConfigError
from okaeri.models import Order
from okaeri.parsing import parse_mail
from okaeri.planner import select_scenarios
from okaeri.rendering import check_template
from okaeri_dev.demo import (
    COUPON_POOL,
    SHOP_ID,
    check_password,
    demo_shop,
    generate_password,
    password_problems,
)
from okaeri_dev.send_sample import order_mail

TOKYO = ZoneInfo("Asia/Tokyo")


def test_the_demo_shop_is_a_rakuten_shop_with_clean_scenarios() -> None:
    demo = demo_shop()
    assert (demo.shop.id, demo.shop.compliance) == (SHOP_ID, "rakuten")
    scenarios = {scenario.id: scenario for scenario in demo.scenarios}
    assert [step.id for step in scenarios["thanks-like-love"].steps] == ["thanks", "like", "love"]
    assert scenarios["thanks-like-love"].holdout_percent == 0  # every order the tests send is mailed
    templates = {template.id: template for template in demo.templates}
    used = {template for scenario in demo.scenarios for step in scenario.steps for template in step.templates}
    assert set(templates) == used
    for scenario in demo.scenarios:
        assert lint_scenario(demo.shop, scenario, templates=templates) == []  # not even a warning


def test_its_win_back_is_for_yahoo_orders_which_rakutens_rules_would_refuse() -> None:
    """Issue #16: a 90-day win-back is legal in the Rakuten shop only for its Yahoo orders; the shop
    caps advertising mails at 2 a customer in 7 days."""
    demo = demo_shop()
    winback = next(scenario for scenario in demo.scenarios if scenario.trigger == "lapsed")
    assert (winback.id, winback.lapsed_days, winback.conditions.sources) == ("yahoo-winback", 90, ["yahoo"])
    assert winback.active
    assert [(step.id, step.offset_days, step.purposes) for step in winback.steps] == [
        ("coupon", 0, ["coupon"])
    ]
    everyone = winback.model_copy(
        update={"conditions": winback.conditions.model_copy(update={"sources": None})}
    )
    refused = {finding.rule for finding in lint_scenario(demo.shop, everyone) if finding.severity == "error"}
    assert {"rakuten.max_30_days", "rakuten.ad_needs_transaction", "rakuten.ad_max_21_days"} <= refused
    assert demo.shop.frequency_cap is not None
    assert (demo.shop.frequency_cap.mails, demo.shop.frequency_cap.days) == (2, 7)


def test_gyokuro_buyers_have_a_holdout_group_and_an_ab_tested_brewing_mail() -> None:
    """Only orders with a gyokuro item take gyokuro-care (ranked first): the sample order does not."""
    demo = demo_shop()
    gyokuro = next(scenario for scenario in demo.scenarios if scenario.id == "gyokuro-care")
    assert (gyokuro.holdout_percent, gyokuro.conditions.skus) == (10, ["gyokuro-*"])
    assert gyokuro.priority > max(s.priority for s in demo.scenarios if s is not gyokuro)
    tips = gyokuro.step("tips")
    assert tips.variants is not None
    assert [(variant.id, variant.template) for variant in tips.variants] == [
        ("general", "like"),
        ("gyokuro", "tips-gyokuro"),
    ]
    sample = parse_mail(order_mail(ordered_at=datetime(2026, 12, 2, 14, 5, tzinfo=TOKYO), serial=1))
    chosen = select_scenarios(demo.scenarios, sample, order_count=1)
    assert [scenario.id for scenario in chosen] == ["thanks-like-love"]
    pools = set().union(*(check_template(template) for template in demo.templates))
    assert pools == {COUPON_POOL}
    assert len(demo.coupon_codes) == len(set(demo.coupon_codes)) >= 100


def test_the_public_base_url_becomes_the_gateways() -> None:
    assert demo_shop("http://127.0.0.1:18080").shop.links.public_base_url == "http://127.0.0.1:18080"


@pytest.mark.parametrize("masked", [False, True])
def test_the_sample_order_mail_parses_as_a_new_rakuten_order(masked: bool) -> None:
    placed = datetime(2026, 12, 2, 14, 5, 9, tzinfo=TOKYO)
    order = parse_mail(
        order_mail(ordered_at=placed, serial=42, masked=masked, buyer_tag="b0b"), timezone="Asia/Tokyo"
    )
    assert (order.source, order.kind, order.order_id) == ("rakuten", "order", "400123-20261202-0000000042")
    assert order.ordered_at == placed
    expected = "b0b@pc.fw.rakuten.ne.jp" if masked else "buyer-b0b@example.jp"
    assert order.customer.email == expected
    assert [item.sku for item in order.items] == ["sencha-100", "houji-tb20"]
    assert order.total == 3264


def test_the_inbound_address_names_the_shop() -> None:
    assert inbound_recipient("demo", "okaeri.local") == "orders+demo@okaeri.local"
    assert shop_from_recipient("orders+demo@okaeri.local", "okaeri.local") == "demo"
    assert shop_from_recipient("<Orders+Demo@OKAERI.local>", "okaeri.local") == "demo"
    for other in ("orders@okaeri.local", "orders+demo@other.example", "someone+demo@okaeri.local",
                  "orders+-bad@okaeri.local", "orders+demo@okaeri.local.evil", "orders+a@b@okaeri.local"):  # fmt: skip
        assert shop_from_recipient(other, "okaeri.local") is None, other


def test_generated_passwords_meet_the_pool_policy() -> None:
    passwords = {generate_password() for _ in range(200)}
    assert len(passwords) == 200
    assert all(password_problems(password) == [] for password in passwords)


def test_a_weak_owner_password_is_refused_with_what_it_lacks() -> None:
    assert password_problems("short") == [
        "12文字以上 / at least 12 characters",
        "大文字 / an upper-case letter",
        "数字 / a digit",
        "記号 / a symbol",
    ]
    with pytest.raises(ConfigError) as refused:
        check_password("alllowercaseletters")
    assert "an upper-case letter" in refused.value.message_en
    assert "大文字" in refused.value.message_ja
    assert check_password("Okaeri-demo-1!") == "Okaeri-demo-1!"


@pytest.mark.parametrize("mobile", [False, True])
def test_the_demo_thanks_mail_says_shipped_only_when_the_ship_date_is_confirmed(mobile: bool) -> None:
    """The thanks goes out on the ship date; until the shop's mail confirms it (shipped_at), that
    date is an estimate and the buyer's order is still 未発送: the mail must not say it went out."""
    from okaeri.rendering import MailContext, PreviewCoupons, render_template

    demo = demo_shop()
    thanks = next(template for template in demo.templates if template.id == "thanks")
    placed = datetime(2026, 12, 2, 14, 5, 9, tzinfo=TOKYO)
    estimated = parse_mail(order_mail(ordered_at=placed, serial=42, masked=False, buyer_tag="b0b"))
    assert estimated.shipped_at is None
    confirmed = estimated.model_copy(update={"shipped_at": datetime(2026, 12, 3, 9, 0, tzinfo=TOKYO)})

    def render(order: Order) -> str:
        ctx = MailContext(shop=demo.shop, order=order, delivery_id="d", coupons=PreviewCoupons())
        mail = render_template(thanks, ctx, mobile=mobile)
        return "\n".join((mail.subject, mail.text, mail.html or ""))

    before, after = render(estimated), render(confirmed)
    assert "発送しました" not in before
    assert "発送いたしました" not in before
    assert "発送の予定" in before or "発送を予定" in before
    assert "本日発送" in after
    assert "予定" not in after
