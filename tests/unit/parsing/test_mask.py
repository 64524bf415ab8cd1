"""Parse masks: validation of the operator's YAML, and reading mails through it."""

from __future__ import annotations

import base64
from datetime import date
from typing import Any

import pytest

from okaeri.errors import ConfigError, ParseError
from okaeri.models.base import validate_document
from okaeri.parsing import ParseMask, parse_mail
from okaeri.parsing.mask import field_pattern, item_pattern
from okaeri.parsing.view import Doc

BODY = """ご注文ありがとうございます。

注文番号 :  MC-2026-00077
注文日時：2026年11月22日 14:03
お名前： 高橋　三郎様
メールアドレス ： saburo@example.org
お届け先住所：〒１５０－０００１ 東京都渋谷区神宮前１－２－３
合計金額：￥１２，３４０円（税込）

【ご注文商品】
桜の苗木 2年生（sakura-nae） ４，８００円 × １
園芸用肥料 2kg（fert-2） 1,100円 x 2
これは商品の行ではありません
-----
"""

MASK: dict[str, Any] = {
    "name": "mycart",
    "match": {"from": "order@mycart.example", "subject_contains": "ご注文確認"},
    "fields": {
        "order_id": "注文番号：{value}",
        "ordered_at": {"pattern": "注文日時：{value}", "format": "%Y年%m月%d日 %H:%M"},
        "customer.name": "お名前：{value} 様",
        "customer.email": "メールアドレス：{value}",
        "ship_to.address": "お届け先住所：{value}",
        "total": "合計金額：{value}円",
    },
    "items": {
        "start": "【ご注文商品】",
        "end": "-----",
        "line": "{name}（{sku}） {unit_price}円 × {quantity}",
    },
}


def mycart_mail(
    body: str = BODY, *, sender: str = "order@mycart.example", subject: str = "ご注文確認"
) -> bytes:
    head = f"From: MyCart <{sender}>\nSubject: =?utf-8?b?"
    head += base64.b64encode(subject.encode()).decode() + "?=\nContent-Type: text/plain; charset=utf-8\n\n"
    return head.encode() + body.encode()


def mask(**changes: Any) -> ParseMask:
    return ParseMask.model_validate({**MASK, **changes})


def test_a_mask_reads_its_mail_tolerantly() -> None:
    order = parse_mail(mycart_mail(), masks=[mask()])
    assert order.source == "mask:mycart"
    assert order.order_id == "MC-2026-00077"
    assert order.ordered_at is not None
    assert order.ordered_at.isoformat() == "2026-11-22T14:03:00+09:00"
    assert order.customer.name == "高橋 三郎"
    assert order.customer.email == "saburo@example.org"
    assert order.total == 12340
    assert (order.ship_to.postal_code, order.ship_to.prefecture, order.ship_to.address) == (
        "150-0001",
        "東京都",
        "渋谷区神宮前１－２－３",
    )
    assert [(item.sku, item.name, item.quantity, item.unit_price) for item in order.items] == [
        ("sakura-nae", "桜の苗木 2年生", 1, 4800),
        ("fert-2", "園芸用肥料 2kg", 2, 1100),
    ]
    assert order.payment_method is None  # not in the mask: null, never guessed


def test_value_runs_to_the_end_of_the_line_trimmed() -> None:
    pattern = field_pattern("注文番号：{value}")
    assert pattern.find(Doc("注文番号 : A-1  \n次の行")) == "A-1"
    assert pattern.find(Doc("■注文番号:B-2")) == "B-2"  # not at a line start: found anywhere
    assert pattern.find(Doc("■注文番号:B-2\n注文番号：C-3")) == "C-3"  # a line start wins
    assert pattern.find(Doc("注文番号：\n注文番号：  D-4")) == "D-4"  # an empty value is skipped


def test_value_stops_at_the_text_after_it() -> None:
    pattern = field_pattern("合計金額：{value} 円（税込）")
    assert pattern.find(Doc("合計金額：7,000円(税込) 送料込み")) == "7,000"
    assert pattern.find(Doc("合計金額：7,000")) is None  # the text after {value} is part of the pattern
    # one try per line: the line whose first occurrence fails is not searched again
    assert pattern.find(Doc("■合計金額:1 ■合計金額:2\n■合計金額:3円(税込)")) == "3"


def test_item_line_placeholders() -> None:
    pattern = item_pattern("{name}（{sku}） {unit_price}円 × {quantity}")
    match = pattern.match("苗木(n-1)¥4,800円*3")
    assert match is not None
    assert match.groupdict() == {"name": "苗木", "sku": "n-1", "unit_price": "4,800", "quantity": "3"}


def test_the_mask_must_fit_the_sender_and_subject() -> None:
    with pytest.raises(ParseError) as other_sender:
        parse_mail(mycart_mail(sender="order@elsewhere.example"), masks=[mask()])
    assert other_sender.value.reason == "unrecognised"
    with pytest.raises(ParseError):
        parse_mail(mycart_mail(subject="お知らせ"), masks=[mask()])
    # the subject match is width-tolerant
    assert parse_mail(mycart_mail(subject="【ＭｙＣａｒｔ】ご注文確認"), masks=[mask()]).order_id


def test_a_mask_that_finds_no_order_id_yields_the_next_mask() -> None:
    wrong = mask(name="wrong", fields={**MASK["fields"], "order_id": "受付番号：{value}"})
    order = parse_mail(mycart_mail(), masks=[wrong, mask()])
    assert order.source == "mask:mycart"


def test_a_mask_that_finds_no_order_id_yields_the_built_in_parsers() -> None:
    body = "[受注番号] 338361-20261120-0912345678\n[注文者]   山辺 太郎 (ヤマノベ タロウ)\n"
    wrong = mask(match={"from": "rakuten.co.jp"})
    order = parse_mail(mycart_mail(body, sender="order@rakuten.co.jp"), masks=[wrong])
    assert order.source == "rakuten"


def test_a_fitting_mask_without_an_order_id_is_a_missing_field() -> None:
    with pytest.raises(ParseError) as caught:
        parse_mail(mycart_mail(BODY.replace("注文番号", "受付番号")), masks=[mask()])
    assert caught.value.reason == "missing_field"
    assert "mycart" in caught.value.message_en
    assert "order_id" in caught.value.message_ja


def test_masks_come_before_the_built_in_layouts() -> None:
    body = "[受注番号] 338361-20261120-0912345678\n注文番号：OWN-1\n合計金額：1,000円\n"
    own = mask(match={"from": "rakuten.co.jp"})
    assert parse_mail(mycart_mail(body, sender="order@rakuten.co.jp"), masks=[own]).order_id == "OWN-1"


def test_a_mask_timezone_and_a_shipment_mask() -> None:
    body = (
        "出荷番号：S-9\n出荷日：2026/11/24\n運送会社：ヤマト運輸\n伝票：1234-5678\n注文日：2026/11/20 10:00\n"
    )
    shipment = ParseMask.model_validate(
        {
            "name": "ship.v2",
            "kind": "shipment",
            "timezone": "America/New_York",
            "match": {"subject_contains": "出荷"},
            "fields": {
                "order_id": "出荷番号：{value}",
                "shipped_at": {"pattern": "出荷日：{value}", "format": "%Y/%m/%d"},
                "carrier": "運送会社：{value}",
                "tracking_number": "伝票：{value}",
                "ordered_at": "注文日：{value}",
            },
        }
    )
    order = parse_mail(mycart_mail(body, subject="出荷のお知らせ"), masks=[shipment])
    assert order.kind == "shipment"
    assert order.shipped_at == date(2026, 11, 24)
    assert (order.carrier, order.tracking_number) == ("ヤマト運輸", "1234-5678")
    assert order.ordered_at is not None
    assert order.ordered_at.isoformat() == "2026-11-20T10:00:00-05:00"
    loose = shipment.model_copy(update={"fields": {**shipment.fields, "shipped_at": "出荷日：{value}"}})
    assert parse_mail(mycart_mail(body, subject="出荷"), masks=[loose]).shipped_at == date(2026, 11, 24)


def test_a_written_prefecture_and_postal_code() -> None:
    fields = {
        **MASK["fields"],
        "ship_to.prefecture": "都道府県：{value}",
        "ship_to.postal_code": "郵便：{value}",
    }
    body = BODY + "都道府県：北海道\n郵便：060-0001\n"
    order = parse_mail(mycart_mail(body), masks=[mask(fields=fields)])
    assert (order.ship_to.prefecture, order.ship_to.postal_code) == ("北海道", "060-0001")
    wrong = body.replace("都道府県：北海道", "都道府県：北海")
    assert parse_mail(mycart_mail(wrong), masks=[mask(fields=fields)]).ship_to.prefecture == "東京都"


def test_an_unparseable_time_is_null() -> None:
    order = parse_mail(mycart_mail(BODY.replace("2026年11月22日 14:03", "未定")), masks=[mask()])
    assert order.ordered_at is None


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"fields": {"order_id": "番号：{value}", "customer.nmae": "名前：{value}"}}, "customer.nmae"),
        ({"fields": {"total": "合計：{value}"}}, "order_id"),
        ({"fields": {"order_id": "番号："}}, "{value}"),
        ({"fields": {"order_id": "番号：{value} {sku}"}}, "{value}"),
        ({"fields": {"order_id": {"pattern": "番号：{value}", "format": "%Y"}}}, "format"),
        ({"timezone": "Asia/Tokio"}, "Asia/Tokio"),
        ({"items": {"start": "a", "line": "{name} {price}"}}, "price"),
        ({"items": {"start": "a", "line": "{quantity}個"}}, "{name}"),
        ({"items": {"start": "a", "line": "{name} {name}"}}, "twice"),
        ({"name": "my cart!"}, "name"),
        ({"matches": {}}, "matches"),
    ],
)
def test_a_bad_mask_is_refused_with_a_bilingual_message(changes: dict[str, Any], fragment: str) -> None:
    with pytest.raises(ConfigError) as caught:
        validate_document(ParseMask, {**MASK, **changes}, what="mask.yaml")
    assert fragment in caught.value.message_en
    assert "mask.yaml" in caught.value.message_ja


def test_a_mask_that_reads_only_an_order_number_is_not_an_order() -> None:
    """Issue #13: a notice about an order (no buyer, items or total) is never an order, mask or not."""
    own = mask(match={"from": "rakuten.co.jp"})
    with pytest.raises(ParseError) as caught:
        parse_mail(mycart_mail("注文番号：OWN-1\n", sender="order@rakuten.co.jp"), masks=[own])
    assert caught.value.reason == "not_an_order"
    assert "OWN-1" in caught.value.message_en
