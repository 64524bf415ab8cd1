"""Template previews (PC and mobile) and the operator's test mail: as sent, no coupon code taken."""

from __future__ import annotations

import email
from datetime import datetime
from email.policy import default

import pytest

from okaeri.errors import TemplateError
from okaeri.models import Scenario, Shop, Template, load_document
from okaeri.rendering import RenderedMail
from okaeri.samples import sample_order
from okaeri.services.previews import (
    PREVIEW_MOBILE_ADDRESS,
    TEST_SUBJECT_PREFIX,
    advertising_template,
    operator_test_mail,
    preview_template,
)
from tests.conftest import FIXTURES

NOW = datetime.fromisoformat("2026-11-30T10:00:00+09:00")
SECRET = b"s" * 32


@pytest.fixture
def shop() -> Shop:
    return load_document(Shop, FIXTURES / "config" / "shop.yaml")


def template(name: str) -> Template:
    return load_document(Template, FIXTURES / "config" / f"template-{name}.yaml")


def test_pc_and_mobile_variants_differ_as_the_renderer_sends_them(shop: Shop) -> None:
    preview = preview_template(
        shop, template("thanks"), sample_order(shop, NOW), now=NOW, secret=SECRET, advertising=False
    )
    assert preview.version == 1
    assert preview.pools == []
    pc, mobile = preview.pc, preview.mobile
    assert (pc.mobile, pc.charset, pc.to) == (False, "utf-8", "hanako.yamada@example.com")
    assert pc.subject == "【みかん山房】山田 花子様、ご注文の品を発送しました"
    assert "はじめまして" in pc.text
    assert pc.html is not None
    assert "<li>季節の詰め合わせ ギフトセット × 1</li>" in pc.html
    assert (mobile.mobile, mobile.charset, mobile.to) == (True, "iso-2022-jp", PREVIEW_MOBILE_ADDRESS)
    assert mobile.html is None
    assert mobile.text.startswith("山田 花子様\nご注文の品を発送しました")  # the mobile_text part
    headers = {header.name: header.value for header in pc.headers}
    assert headers["To"] == "hanako.yamada@example.com"
    assert headers["Subject"].startswith("=?utf-8?b?")
    assert headers["Content-Type"].startswith("multipart/alternative")
    assert "\n" not in headers["List-Unsubscribe"]
    mobile_headers = {header.name: header.value for header in mobile.headers}
    assert mobile_headers["Subject"].startswith("=?iso-2022-jp?b?")
    assert mobile_headers["Content-Type"] == 'text/plain; charset="iso-2022-jp"'


def test_a_coupon_preview_takes_no_code_and_carries_the_legal_footer(shop: Shop) -> None:
    love = template("love")
    preview = preview_template(shop, love, sample_order(shop, NOW), now=NOW, secret=SECRET, advertising=True)
    assert preview.pools == ["MIKAN5"]
    assert "クーポンコード: PREVIEW-MIKAN5" in preview.pc.text
    assert "送信者: 有限会社みかん山房" in preview.pc.text
    assert "https://okaeri.mikan-sanbo.example/u/" in preview.pc.text
    assert "送信者: 有限会社みかん山房" in preview.mobile.text


def test_unsaved_edits_have_no_version(shop: Shop) -> None:
    edited = template("thanks").model_copy(update={"subject": "{{ shop.name }} より"})
    preview = preview_template(
        shop, edited, sample_order(shop, NOW), now=NOW, secret=SECRET, advertising=False, saved=False
    )
    assert preview.version is None
    assert preview.pc.subject == "みかん山房 より"


def test_a_broken_template_is_a_template_error(shop: Shop) -> None:
    broken = template("thanks").model_copy(update={"text": "{{ customer.nam }}"})
    with pytest.raises(TemplateError) as refused:
        preview_template(shop, broken, sample_order(shop, NOW), now=NOW, secret=SECRET, advertising=False)
    assert refused.value.code == "unknown_tag"


def test_the_test_mail_says_it_is_a_test_and_suits_the_address(shop: Shop) -> None:
    def mail_to(to: str) -> tuple[RenderedMail, bytes]:
        order = sample_order(shop, NOW)
        return operator_test_mail(
            shop, template("thanks"), order, to=to, now=NOW, secret=SECRET, advertising=False
        )

    rendered, raw = mail_to("op@example.com")
    assert rendered.subject.startswith(TEST_SUBJECT_PREFIX)
    message = email.message_from_bytes(raw, policy=default)
    assert str(message["Subject"]).startswith("[テスト送信 / TEST] 【みかん山房】")
    assert message["To"] == "op@example.com"
    assert message.get_content_type() == "multipart/alternative"
    rendered, raw = mail_to("op@ezweb.ne.jp")
    assert rendered.mobile
    assert email.message_from_bytes(raw, policy=default).get_content_charset() == "iso-2022-jp"


def test_a_template_is_advertising_when_a_coupon_or_promotion_step_uses_it() -> None:
    scenario = load_document(Scenario, FIXTURES / "config" / "scenario-thanks-like-love.yaml")
    assert advertising_template("love", [scenario], [])
    assert not advertising_template("thanks", [scenario], [])
    assert advertising_template("thanks", [scenario], ["MIKAN5"])
    assert not advertising_template("love", [], [])
