"""Templates as shop staff write them: merge tags, @tags@, loops, coupons, the legal footer."""

from __future__ import annotations

from pathlib import Path

import pytest

from okaeri.errors import ConfigError, CouponPoolEmptyError, TemplateError
from okaeri.models import Customer, Order, Shop, Template, load_document
from okaeri.rendering import (
    CsvCoupons,
    MailContext,
    PreviewCoupons,
    check_template,
    read_coupon_csv,
    render_template,
)
from tests.conftest import shared_fixtures_or_skip
from tests.unit.rendering.support import CONFIG, UNSUBSCRIBE, MakeContext, template, with_order

# -- the founders' shared samples


def shared_order() -> Order:
    return Order.model_validate(
        {
            "source": "rakuten",
            "order_id": "338361-20261120-0912345678",
            "ordered_at": "2026-11-20T11:05:12+09:00",
            "customer": {"name": "楽天 太郎", "email": "abc123@pc.fw.rakuten.ne.jp"},
            "items": [
                {"sku": "cherry-500", "name": "佐藤錦 500g", "quantity": 2, "unit_price": 3240},
                {"sku": "cherry-300", "name": "紅秀峰 300g", "quantity": 1, "unit_price": 2480},
            ],
            "carrier": "ヤマト運輸",
            "tracking_number": "1234-5678-9012",
        }
    )


@pytest.mark.shared
def test_the_shared_thanks_template_greets_first_time_and_repeat_buyers_differently() -> None:
    config = shared_fixtures_or_skip() / "config"
    shop = load_document(Shop, config / "shop.yaml")
    thanks = load_document(Template, config / "template-thanks.yaml")
    order = shared_order()

    def render(count: int, order: Order) -> str:
        ctx = MailContext(
            shop=shop, order=order, delivery_id="d", customer_order_count=count, coupons=PreviewCoupons()
        )
        rendered = render_template(thanks, ctx)
        assert rendered.subject == "楽天 太郎様、さくらんぼ農園をご利用いただきありがとうございます"
        return rendered.text

    first, repeat = render(1, order), render(3, order)
    assert "はじめまして。さくらんぼ農園店長の山辺です。" in first
    assert "いつも" not in first
    assert "いつもさくらんぼ農園をご愛顧いただき" in repeat
    assert "はじめまして" not in repeat
    assert "ご注文番号 338361-20261120-0912345678" in first
    assert "  ・佐藤錦 500g × 2\n  ・紅秀峰 300g × 1\n" in first
    assert "お問い合わせ番号: 1234-5678-9012（ヤマト運輸）" in first
    untracked = render(1, with_order(order, tracking_number=None, carrier=None))
    assert "お問い合わせ番号" not in untracked
    assert "None" not in untracked


@pytest.mark.shared
def test_the_shared_like_template_fills_its_seed_style_tags() -> None:
    config = shared_fixtures_or_skip() / "config"
    shop = load_document(Shop, config / "shop.yaml")
    like = load_document(Template, config / "template-like.yaml")
    ctx = MailContext(shop=shop, order=shared_order(), delivery_id="d", coupons=PreviewCoupons())
    rendered = render_template(like, ctx)
    assert rendered.subject == "楽天 太郎様、その後いかがでしょうか"
    assert (
        "先日はご注文（338361-20261120-0912345678、2026年11月20日）ありがとうございました。" in rendered.text
    )
    assert "https://review.example/sakura-farm\n" in rendered.text
    assert "@" not in rendered.text.replace("@sakura", "")  # every tag was replaced
    assert rendered.html is not None
    assert '<a href="https://review.example/sakura-farm">' in rendered.html
    assert check_template(like) == []


@pytest.mark.shared
def test_the_shared_love_template_hands_out_a_code_of_its_pool_with_the_legal_footer() -> None:
    config = shared_fixtures_or_skip() / "config"
    shop = load_document(Shop, config / "shop.yaml")
    love = load_document(Template, config / "template-love.yaml")
    assert check_template(love) == ["THANKS10"]
    coupons = CsvCoupons({"THANKS10": config / "coupons-THANKS10.csv"})
    ctx = MailContext(
        shop=shop,
        order=shared_order(),
        delivery_id="d-love",
        advertising=True,
        unsubscribe_url="https://okaeri.sakura-farm.example/u/t",
        coupons=coupons,
    )
    rendered = render_template(love, ctx)
    assert "クーポンコード: TNX-7Q2M-41\n" in rendered.text
    assert "株式会社さくら農園" in rendered.text
    assert "山形県東村山郡山辺町大字山辺1234" in rendered.text
    assert "https://okaeri.sakura-farm.example/u/t" in rendered.text
    assert "unsubscribe@sakura-farm.example" in rendered.text
    assert render_template(love, ctx).text == rendered.text  # the same delivery keeps its code
    assert coupons.remaining("THANKS10") == 2


# -- the project's own templates


def test_first_time_and_repeat_buyers_read_different_greetings(make_context: MakeContext) -> None:
    thanks = template("thanks")
    first = render_template(thanks, make_context(customer_order_count=1)).text
    repeat = render_template(thanks, make_context(customer_order_count=4)).text
    assert "はじめまして、みかん山房です。このたびは初めてのご注文をありがとうございます。" in first
    assert "いつも" not in first
    assert "いつもみかん山房をご利用いただき、ありがとうございます（4回目のご注文です）。" in repeat
    assert "はじめまして" not in repeat


def test_the_item_loop_lists_every_item_with_its_subtotal(make_context: MakeContext) -> None:
    text = render_template(template("thanks"), make_context()).text
    assert "  1. 温州みかん S 5kg × 1　3,480円\n  2. 伊予柑 3kg <訳あり> × 2　4,320円\n" in text
    assert "ご注文番号 276543-20261203-0000000777（2026年12月3日）の品を発送しました。" in text


def test_tracking_number_present_or_absent(make_context: MakeContext, order: Order) -> None:
    thanks = template("thanks")
    tracked = render_template(thanks, make_context()).text
    assert "お問い合わせ番号: 4455-6677-8899（佐川急便）" in tracked
    untracked_order = with_order(order, tracking_number=None, carrier=None)
    untracked = render_template(thanks, make_context(order=untracked_order)).text
    assert "お問い合わせ番号は、わかりしだいお知らせします。" in untracked
    assert "4455" not in untracked


def test_the_subject_and_signature_come_from_the_shop(make_context: MakeContext) -> None:
    rendered = render_template(template("thanks"), make_context())
    assert rendered.subject == "【みかん山房】伊予 柑子様、ご注文の品を発送しました"
    assert (
        "みかん山房（愛媛県）  https://mikan-sanbo.example\n電話 089-000-0000（平日 9〜17時）"
        in rendered.text
    )
    assert rendered.mobile is False


def test_html_parts_escape_merge_values_and_text_parts_do_not(make_context: MakeContext) -> None:
    rendered = render_template(template("thanks"), make_context())
    assert rendered.html is not None
    assert "<li>伊予柑 3kg &lt;訳あり&gt; × 2</li>" in rendered.html
    assert "伊予柑 3kg <訳あり> × 2" in rendered.text
    like = render_template(template("like"), make_context())
    assert like.html is not None
    assert '<a href="https://review.example/mikan-sanbo?from=mail&amp;item=1">' in like.html
    assert "https://review.example/mikan-sanbo?from=mail&item=1\n" in like.text


def test_seed_style_tags_are_aliases_and_mail_addresses_are_not_tags(make_context: MakeContext) -> None:
    rendered = render_template(template("like"), make_context())
    assert rendered.subject == "伊予 柑子様、みかんの食べ頃のご案内"
    text = rendered.text
    assert text.startswith(
        "伊予 柑子様\n\nみかん山房です。ご注文（276543-20261203-0000000777、2026年12月3日）"
    )
    assert "お問い合わせ番号 4455-6677-8899 で確認できます" in text
    assert "ご不明な点は support@mikan-sanbo.example までどうぞ。" in text
    assert "みかん山房（愛媛県）" in text  # @signature@
    assert rendered.html is not None
    assert '<a href="mailto:support@mikan-sanbo.example">support@mikan-sanbo.example</a>' in rendered.html
    assert check_template(template("like")) == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            "@customer_name@|@order_id@|@shop_name@|@carrier@",
            "伊予 柑子|276543-20261203-0000000777|みかん山房|佐川急便",
        ),
        ("@CLIENT_NAME@", "伊予 柑子"),
        ("@unsubscribe_url@", UNSUBSCRIBE),
        ("mail info@example.com or a.b+c@example.co.jp; twitter @mikan_sanbo", None),
        ("@@ and @ alone and 1@2@", None),
    ],
)
def test_more_aliases(make_context: MakeContext, source: str, expected: str | None) -> None:
    rendered = render_template(Template(id="t", subject="s", text=source), make_context())
    assert rendered.text == (source if expected is None else expected)


def test_an_unknown_value_prints_nothing_rather_than_none(make_context: MakeContext, order: Order) -> None:
    ctx = make_context(order=with_order(order, tracking_number=None))
    text = render_template(
        Template(id="t", subject="s", text="[@tracking_number@][{{ order.carrier }}]"), ctx
    ).text
    assert text == "[][佐川急便]"


def test_a_subject_that_renders_to_several_lines_becomes_one(make_context: MakeContext) -> None:
    source = "{{ shop.name }}\nより\r\n{% for item in order.items %}\t{{ item.sku }}\n{% endfor %}"
    rendered = render_template(Template(id="t", subject=source, text="x"), make_context())
    assert rendered.subject == "みかん山房 より mikan-s-5kg iyokan-3kg"


@pytest.mark.parametrize(
    ("source", "named"),
    [
        ("{{ customer.nam }}様", "customer.nam"),
        ("{{ nickname }}", "nickname"),
        ("@client_nam@様", "@client_nam@"),
        ("{% for item in order.items %}{{ item.nme }}{% endfor %}", "item.nme"),
        ("{{ order.ship_to.prefectur }}", "order.ship_to.prefectur"),
        ("{{ order.items[0].nme }}", "item.nme"),
        ("{{ customer.name|shout }}", "shout"),
        ("{% if customer is vip %}{% endif %}", "is vip"),
        ("{{ order.items.keys() }}", "tuple.keys"),
    ],
)
def test_an_unknown_tag_is_an_error_that_names_it(make_context: MakeContext, source: str, named: str) -> None:
    with pytest.raises(TemplateError) as caught:
        render_template(Template(id="t", subject="s", text=source), make_context())
    assert caught.value.code == "unknown_tag"
    assert named in caught.value.message_ja
    assert named in caught.value.message_en
    assert "本文（text）" in caught.value.message_ja


def test_the_japanese_message_reads_naturally() -> None:
    with pytest.raises(TemplateError) as caught:
        check_template(Template(id="t", subject="{{ customer.nam }}", text="x"))
    assert caught.value.message_ja == "件名（subject）: 不明な差し込みタグ customer.nam があります"
    assert caught.value.code == "unknown_tag"


def test_a_syntax_error_gives_the_line() -> None:
    with pytest.raises(TemplateError) as caught:
        check_template(Template(id="t", subject="s", text="ok\n{{ customer.name }}\n{% endif %}"))
    assert caught.value.code == "syntax"
    assert "3行目" in caught.value.message_ja
    assert "line 3" in caught.value.message_en


def test_a_template_error_in_the_html_part_names_that_part() -> None:
    with pytest.raises(TemplateError) as caught:
        check_template(Template(id="t", subject="s", text="x", html="<p>{{ shop.nmae }}</p>"))
    assert caught.value.message_en.startswith("html: ")


def test_a_runtime_error_in_a_template_is_a_template_error(make_context: MakeContext) -> None:
    with pytest.raises(TemplateError) as caught:
        render_template(Template(id="t", subject="s", text="{{ order.total // 0 }}"), make_context())
    assert caught.value.code == "render_failed"


# -- coupons


def test_one_delivery_gets_one_code_whatever_the_parts_and_retries(make_context: MakeContext) -> None:
    love = template("love")
    coupons = CsvCoupons({"MIKAN5": CONFIG / "coupons-MIKAN5.csv"})
    first = render_template(love, make_context(coupons=coupons, delivery_id="dlv-1", advertising=True))
    again = render_template(love, make_context(coupons=coupons, delivery_id="dlv-1", advertising=True))
    other = render_template(love, make_context(coupons=coupons, delivery_id="dlv-2", advertising=True))
    assert "クーポンコード: MKN-5A-0001\n" in first.text
    assert first.html is not None
    assert "<strong>MKN-5A-0001</strong>" in first.html  # coupon("MIKAN5") in HTML, @coupon_MIKAN5@ in text
    assert again.text == first.text
    assert "クーポンコード: MKN-5A-0002\n" in other.text
    assert coupons.remaining("MIKAN5") == 1


def test_an_exhausted_pool_is_an_error_and_spends_nothing_else(make_context: MakeContext) -> None:
    love = template("love")
    coupons = CsvCoupons({"MIKAN5": ["code", "ONLY-ONE"]})
    render_template(love, make_context(coupons=coupons, delivery_id="a", advertising=True))
    with pytest.raises(CouponPoolEmptyError) as caught:
        render_template(love, make_context(coupons=coupons, delivery_id="b", advertising=True))
    assert caught.value.code == "coupon_pool_empty"
    assert "MIKAN5" in caught.value.message_ja


def test_a_pool_that_does_not_exist_is_an_error(make_context: MakeContext) -> None:
    with pytest.raises(CouponPoolEmptyError, match="NOPE"):
        render_template(
            Template(id="t", subject="s", text="@coupon_NOPE@"), make_context(coupons=CsvCoupons({}))
        )


def test_a_preview_shows_a_visible_placeholder() -> None:
    assert PreviewCoupons().code_for("MIKAN5", "any") == "PREVIEW-MIKAN5"


def test_check_template_lists_the_pools_without_spending_a_code() -> None:
    source = Template(
        id="t", subject="{{ coupon('B-2') }}", text="@coupon_A1@ {{ coupon('A1') }}", html="@coupon_C@"
    )
    assert check_template(source) == ["A1", "B-2", "C"]
    assert check_template(template("love")) == ["MIKAN5"]
    assert check_template(template("thanks")) == []


@pytest.mark.parametrize(
    "source",
    ["{{ coupon(order.order_id) }}", "{{ coupon('') }}", "{{ coupon('a b') }}", "{{ coupon('A', 'B') }}"],
)
def test_coupon_needs_a_literal_pool_name(source: str) -> None:
    with pytest.raises(TemplateError) as caught:
        check_template(Template(id="t", subject="s", text=source))
    assert caught.value.code == "coupon_pool_name"


def test_coupon_csv_reading(tmp_path: Path) -> None:
    assert read_coupon_csv(["\ufeffcode,note", "A-1,first", "", " B-2 ,second"], pool="P") == ["A-1", "B-2"]
    assert read_coupon_csv(["A-1", "B-2"], pool="P") == ["A-1", "B-2"]  # bare codes, no header
    assert read_coupon_csv([], pool="P") == []
    sjis = tmp_path / "sjis.csv"
    sjis.write_bytes("コード,code\n割引,X-9\n".encode("cp932"))
    assert read_coupon_csv(sjis, pool="P") == ["X-9"]
    with pytest.raises(ConfigError, match="A-1"):
        read_coupon_csv(["code", "A-1", "A-1"], pool="P")
    with pytest.raises(ConfigError, match="code"):
        read_coupon_csv(["id,value", "1,2"], pool="P")
    with pytest.raises(ConfigError):
        CsvCoupons({"P": tmp_path / "missing.csv"})


# -- advertising mail and the law


def test_advertising_mail_carries_the_legal_footer_in_text_and_html(make_context: MakeContext) -> None:
    rendered = render_template(template("love"), make_context(advertising=True))
    for part in (rendered.text, rendered.html):
        assert part is not None
        assert "有限会社みかん山房" in part
        assert "愛媛県松山市みかん町3-2-1" in part
        assert "support@mikan-sanbo.example" in part
        assert UNSUBSCRIBE in part
        assert "optout@mikan-sanbo.example" in part
    assert rendered.text.endswith(
        "optout@mikan-sanbo.example 宛てに件名「配信停止」でメールをお送りください。\n"
    )
    assert rendered.html is not None
    assert rendered.html.rstrip().endswith("</body></html>")  # the footer goes inside the body
    assert f'<a href="{UNSUBSCRIBE}">' in rendered.html


def test_non_advertising_mail_has_no_footer(make_context: MakeContext) -> None:
    rendered = render_template(template("love"), make_context(advertising=False))
    assert "有限会社みかん山房" not in rendered.text
    assert UNSUBSCRIBE not in rendered.text
    assert rendered.html is not None
    assert "有限会社" not in rendered.html


def test_advertising_without_legal_details_is_refused(make_context: MakeContext, shop: Shop) -> None:
    coupons = CsvCoupons({"MIKAN5": ["A"]})
    ctx = make_context(shop=shop.model_copy(update={"legal": None}), advertising=True, coupons=coupons)
    with pytest.raises(TemplateError) as caught:
        render_template(template("love"), ctx)
    assert caught.value.code == "legal_footer_missing"
    assert "特定電子メール法" in caught.value.message_ja
    assert "Specified Electronic Mail" in caught.value.message_en
    assert coupons.remaining("MIKAN5") == 1  # refused before a code was spent


def test_advertising_without_any_opt_out_is_refused(make_context: MakeContext, shop: Shop) -> None:
    no_links = shop.model_copy(update={"links": shop.links.model_copy(update={"unsubscribe_mailto": None})})
    with pytest.raises(TemplateError) as caught:
        render_template(template("love"), make_context(shop=no_links, unsubscribe_url=None, advertising=True))
    assert caught.value.code == "opt_out_missing"


def test_the_mailbox_alone_is_an_opt_out(make_context: MakeContext) -> None:
    text = render_template(template("love"), make_context(unsubscribe_url=None, advertising=True)).text
    assert (
        "配信停止をご希望の場合は、optout@mikan-sanbo.example 宛てに件名「配信停止」でメールをお送りください。"
        in text
    )


# -- the mobile variant and the context


def test_the_mobile_variant_uses_mobile_text_and_no_html(make_context: MakeContext) -> None:
    rendered = render_template(template("thanks"), make_context(), mobile=True)
    assert rendered.mobile is True
    assert rendered.html is None
    assert rendered.text == "伊予 柑子様\nご注文の品を発送しました～。2点です。\nみかん山房"
    like = render_template(template("like"), make_context(), mobile=True)
    assert like.text == render_template(template("like"), make_context()).text  # no mobile_text: the text


def test_a_context_needs_a_delivery_id(shop: Shop, order: Order) -> None:
    with pytest.raises(ValueError, match="delivery_id"):
        MailContext(shop=shop, order=order, delivery_id="", coupons=PreviewCoupons())


def test_templates_see_views_not_models(make_context: MakeContext, order: Order) -> None:
    source = (
        "{{ customer }}|{{ order }}|{{ order.items|length }}|{{ order.items[1] }}|{{ order.ordered_at.weekday }}"
        "|{{ order.ordered_at.hour }}|{{ order.shipped_at }}|{{ order.ship_to.prefecture }}|{{ shop.email }}"
        "|{{ customer.email }}|{{ order.items|sum(attribute='subtotal')|yen }}"
    )
    text = render_template(Template(id="t", subject="s", text=source), make_context()).text
    assert text == (
        "伊予 柑子|276543-20261203-0000000777|2|伊予柑 3kg <訳あり>|木|22|2026年12月5日|愛媛県"
        "|shop@mikan-sanbo.example|kouji@example.jp|7,800円"
    )
    anonymous = with_order(order, customer=Customer())
    assert (
        render_template(
            Template(id="t", subject="s", text="[{{ customer.name }}]"), make_context(order=anonymous)
        ).text
        == "[]"
    )
