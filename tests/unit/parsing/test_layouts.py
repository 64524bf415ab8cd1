"""The built-in layouts (Rakuten, Yahoo!ショッピング, EC-CUBE) and the refusals, rule by rule."""

from __future__ import annotations

import base64

import pytest

from okaeri.errors import ParseError
from okaeri.models.order import Order
from okaeri.parsing import parse_mail


def utf8_mail(
    body: str, *, subject: str = "注文", sender: str = "order@rakuten.co.jp", to: str = ""
) -> bytes:
    encoded = base64.b64encode(subject.encode()).decode()
    head = f"From: <{sender}>\nTo: {to}\nSubject: =?utf-8?b?{encoded}?=\nContent-Type: text/plain; charset=utf-8\n\n"
    return head.encode() + body.encode()


def parsed(body: str, **headers: str) -> Order:
    return parse_mail(utf8_mail(body, **headers))


def refused(body: str, **headers: str) -> ParseError:
    with pytest.raises(ParseError) as caught:
        parse_mail(utf8_mail(body, **headers))
    return caught.value


RAKUTEN = """[受注番号] {order_id}
[日時]     2026-11-21 19:42:03
[注文者]   鈴木 一郎 (スズキ イチロウ)
           〒150-0001 東京都渋谷区神宮前1-2-3
           (TEL) 03-0000-0000
[支払方法] 代金引換
[送付先]   {recipient}
           〒060-0001 北海道札幌市中央区北一条西2-1
[商品]
{items}
**********************************************************************
合計   7,890(円)
**********************************************************************
{footer}
"""
ITEM = "さくらんぼジャム 3本セット(jam-3)\n価格 2,160(円) x 1(個) = 2,160(円)"


def rakuten(
    *,
    order_id: str = "338361-20261121-0912399001",
    recipient: str = "鈴木 一郎 (スズキ イチロウ)",
    items: str = ITEM,
    footer: str = "",
) -> str:
    return RAKUTEN.format(order_id=order_id, recipient=recipient, items=items, footer=footer)


# --- Rakuten -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "order_id"),
    [
        ("338361-20261121-09123990", "338361-20261121-09123990"),
        ("338361-20261121-0912399001", "338361-20261121-0912399001"),
        ("３３８３６１－２０２６１１２１－０９１２３９９０", "338361-20261121-09123990"),
        ("338361-20261121-09123990 (通常購入)", "338361-20261121-09123990"),
    ],
)
def test_rakuten_order_ids_with_8_or_10_digit_serials(written: str, order_id: str) -> None:
    assert parsed(rakuten(order_id=written)).order_id == order_id


def test_rakuten_product_names_wrapped_over_lines_and_options() -> None:
    items = (
        "【送料無料】山形県産 佐藤錦 秀品 Lサイズ 500g 化粧\n箱入り 贈答にも(cherry-500-L)\n"
        "[のし]:なし\nラッピング:希望しない\n価格 3,240(円) x 2(個) = 6,480(円)\n----------\n" + ITEM
    )
    order = parsed(rakuten(items=items))
    assert [(item.sku, item.name, item.quantity) for item in order.items] == [
        ("cherry-500-L", "【送料無料】山形県産 佐藤錦 秀品 Lサイズ 500g 化粧箱入り 贈答にも", 2),
        ("jam-3", "さくらんぼジャム 3本セット", 1),
    ]
    assert order.is_gift is False  # declined options are no gift


def test_a_rakuten_item_line_in_brackets_stays_in_the_item_block() -> None:
    items = "[訳あり] さくらんぼ 1kg(wake-1)\n価格 1,000(円) x 1(個) = 1,000(円)"
    assert [item.name for item in parsed(rakuten(items=items)).items] == ["[訳あり] さくらんぼ 1kg"]


def test_gift_when_the_recipient_differs_or_the_mail_asks_for_one() -> None:
    assert parsed(rakuten(recipient="鈴木 花子 (スズキ ハナコ)")).is_gift is True
    assert parsed(rakuten(recipient="鈴木　一郎 様")).is_gift is False
    assert parsed(rakuten(items=ITEM.replace("\n", "\nのし:御歳暮\n", 1))).is_gift is True
    assert parsed(rakuten(items=ITEM.replace("\n", "\nギフト包装:希望する\n", 1))).is_gift is True


def test_a_recipient_written_as_the_buyer_is_the_buyer() -> None:
    order = parsed(rakuten(recipient="同上"))
    assert order.is_gift is False
    assert order.ship_to.name == "鈴木 一郎"
    assert order.ship_to.prefecture == "東京都"


def test_no_recipient_block_means_an_unknown_gift_and_no_ship_to() -> None:
    body = rakuten().replace("[送付先]", "[備考]")
    order = parsed(body)
    assert order.is_gift is None
    assert order.ship_to.name is None
    assert order.ship_to.prefecture is None


@pytest.mark.parametrize(
    ("to", "footer", "email"),
    [
        ("abc123@pc.fw.rakuten.ne.jp", "", "abc123@pc.fw.rakuten.ne.jp"),
        ("shop@sakura-farm.example", "", None),  # the shop's own mailbox
        ("orders+sakura@okaeri.local", "", None),  # the inbound address
        ("taro@example.net", "", "taro@example.net"),  # nothing contradicts it
        ("tencho@sakura-farm.example", "お問い合わせ: tencho@sakura-farm.example", None),
        ("abc123@pc.fw.rakuten.ne.jp", "[メールアドレス] ichiro@example.com", "ichiro@example.com"),
    ],
)
def test_the_customer_email_comes_from_the_body_or_a_buyer_to_header(
    to: str, footer: str, email: str | None
) -> None:
    assert parsed(rakuten(footer=footer), to=to).customer.email == email


def test_line_ends_do_not_matter() -> None:
    lf = utf8_mail(rakuten(), to="a@pc.fw.rakuten.ne.jp")
    assert parse_mail(lf) == parse_mail(lf.replace(b"\n", b"\r\n"))


def test_a_rakuten_layout_without_its_order_id_names_the_field() -> None:
    error = refused(rakuten().replace("[受注番号] 338361-20261121-0912399001\n", ""))
    assert error.reason == "missing_field"
    assert "[受注番号]" in error.message_ja
    assert "order id" in error.message_en


# --- kinds ---------------------------------------------------------------------------------


def test_promises_about_shipping_or_cancelling_do_not_change_an_order() -> None:
    footer = "商品を発送いたしましたら改めてご連絡いたします。ご注文後のキャンセルはお受けできません。"
    assert parsed(rakuten(footer=footer)).kind == "order"


def test_a_cancellation_is_told_by_its_subject_or_its_body() -> None:
    assert parsed(rakuten(), subject="【楽天市場】注文キャンセルのお知らせ").kind == "cancellation"
    assert parsed(rakuten(footer="上記ご注文をキャンセルいたしました。")).kind == "cancellation"


def test_a_shipment_carries_its_date_carrier_and_tracking_number() -> None:
    footer = "[発送日] 2026/11/24 15:10\n[配送会社] ヤマト運輸\n[お荷物伝票番号] ４３２１－０９８７－６５４３ (ヤマト)"
    order = parsed(rakuten(footer=footer))
    assert order.kind == "shipment"
    assert order.shipped_at is not None
    assert order.shipped_at.isoformat() == "2026-11-24T15:10:00+09:00"
    assert (order.carrier, order.tracking_number) == ("ヤマト運輸", "4321-0987-6543")


def test_an_order_has_no_shipment_fields() -> None:
    order = parsed(rakuten(footer="[配送会社] ヤマト運輸"))
    assert order.kind == "order"
    assert order.carrier is None


# --- Yahoo ---------------------------------------------------------------------------------

YAHOO = """注文ID：store-1
注文日時：2026年11月21日 09時15分30秒
ご注文者：佐藤 花子 様
メールアドレス：hanako@example.ne.jp
お届け先：佐藤 花子 様
〒980-0001 宮城県仙台市青葉区中江1-1-1

（1）佐藤錦 L 1kg 特選 ギフト
ボックス入り
　オプション：のし なし
　商品コード：cherry-1kg
　数量：2
　単価：5,400円
===============
ギフト包装料：0円
合計金額：10,800円
"""


def test_yahoo_items_with_labels_and_wrapped_names() -> None:
    order = parsed(YAHOO, sender="shopping-order-master@mail.yahoo.co.jp")
    assert order.source == "yahoo"
    assert [(item.sku, item.name, item.quantity, item.unit_price) for item in order.items] == [
        ("cherry-1kg", "佐藤錦 L 1kg 特選 ギフトボックス入り", 2, 5400)
    ]
    assert order.total == 10800
    assert order.is_gift is False  # a 0 yen gift-wrap fee is no gift


def test_a_yahoo_mail_without_its_order_id_is_missing_a_field() -> None:
    error = refused(YAHOO.replace("注文ID：store-1\n", ""), sender="shopping-order-master@mail.yahoo.co.jp")
    assert error.reason == "missing_field"
    assert "注文ID" in error.message_ja


# --- EC-CUBE -------------------------------------------------------------------------------


def test_an_order_number_alone_is_no_ec_cube_mail() -> None:
    error = refused("ご注文番号：12\nお品物：湯呑み\n", sender="cart@some-cart.example", subject="ご購入")
    assert error.reason == "unrecognised"
    assert "parse mask" in error.message_en


def test_ec_cube_items_without_codes() -> None:
    body = """ご注文番号：55
ご注文日時：2026/11/22 23:58:01
************
　ご注文商品明細
************
商品名: 湯呑み 青
単価：￥1,650
数量：２

商品名: 急須
単価：￥4,400
数量：1
-------------------
合　計 ￥7,700
"""
    order = parsed(body, sender="order@shop.example")
    assert [(item.sku, item.name, item.quantity, item.unit_price) for item in order.items] == [
        (None, "湯呑み 青", 2, 1650),
        (None, "急須", 1, 4400),
    ]
    assert order.total == 7700


# --- not an order --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "subject",
    [
        "【楽天市場】在庫ゼロのお知らせ",
        "【楽天市場】レビュー投稿のお知らせ",
        "メルマガ 12月号",
        "お問い合わせがありました",
    ],
)
def test_notice_subjects_are_not_orders(subject: str) -> None:
    assert refused(rakuten(), subject=subject).reason == "not_an_order"


def test_a_mall_notice_is_not_an_order_but_an_unknown_mail_is_unrecognised() -> None:
    notice = "いつも楽天市場をご利用いただきありがとうございます。\nシステムメンテナンスのお知らせです。\n"
    assert refused(notice, subject="【楽天市場】メンテナンス").reason == "not_an_order"
    assert (
        refused(notice, subject="【楽天市場】メンテナンス", sender="info@example.com").reason
        == "unrecognised"
    )
    # from a mall but about an order: a layout we failed to read is worth a look
    assert refused(notice, subject="【楽天市場】注文内容ご確認").reason == "unrecognised"


def test_a_stock_notice_body_is_not_an_order() -> None:
    assert (
        refused("以下の商品の在庫がゼロになりました。\n", subject="", sender="a@b.example").reason
        == "not_an_order"
    )


def test_refusals_name_the_mail() -> None:
    error = refused("hello", subject="こんにちは", sender="someone@example.com")
    assert "someone@example.com" in error.message_en
    assert "こんにちは" in error.message_ja


def test_an_unknown_timezone_is_a_parse_error() -> None:
    with pytest.raises(ParseError) as caught:
        parse_mail(utf8_mail(rakuten()), timezone="Asia/Tokio")
    assert "Asia/Tokio" in caught.value.message_en


# --- forwarded inline ----------------------------------------------------------------------


def test_an_inline_forward_with_quoted_lines() -> None:
    quoted = "\n".join(f"> {line}" for line in YAHOO.split("\n"))
    body = (
        "FYI\n\n-------- Original Message --------\n"
        "件名: 【Yahoo!ショッピング】注文確認\n差出人: Yahoo!ショッピング <shopping-order-master@mail.yahoo.co.jp>\n\n"
        + quoted
    )
    order = parsed(body, sender="staff@shop.example", subject="Fwd: 注文確認")
    assert order.source == "yahoo"
    assert order.customer.email == "hanako@example.ne.jp"
    assert order.items[0].sku == "cherry-1kg"
