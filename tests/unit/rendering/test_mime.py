"""The produced bytes, read back with the standard library: headers, structure, charsets, opt-out."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from okaeri.errors import InvalidAddressError
from okaeri.models import Customer, Order, Shop, Template
from okaeri.rendering import (
    RenderedMail,
    build_message,
    is_mobile_address,
    render_mail,
    render_template,
    single_line,
)
from okaeri.rendering.mime import jis_friendly
from tests.unit.rendering.support import (
    NOW,
    UNSUBSCRIBE,
    MakeContext,
    assert_well_formed_head,
    body_text,
    parse,
    raw_headers,
    template,
    with_order,
)

CARRIERS = [
    "kouji@docomo.ne.jp",
    "kouji@ezweb.ne.jp",
    "kouji@au.com",
    "kouji@softbank.ne.jp",
    "kouji@i.softbank.jp",
    "kouji@t.vodafone.ne.jp",
    "kouji@ymobile.ne.jp",
    "kouji..x.@disney.ne.jp",
    "Kouji@DoCoMo.NE.JP",
]


def header_names(raw: bytes) -> list[str]:
    return [line.split(":", 1)[0].lower() for line in raw_headers(raw) if not line[:1].isspace()]


def test_a_utf8_mail_with_html_is_multipart_alternative(make_context: MakeContext) -> None:
    rendered, message = render_mail(template("thanks"), make_context(), to="kouji@example.jp", now=NOW)
    raw = bytes(message)
    parsed = parse(raw)
    assert parsed["From"] == "みかん山房 <shop@mikan-sanbo.example>"
    assert parsed["From"].addresses[0].display_name == "みかん山房"
    assert parsed["To"] == "kouji@example.jp"
    assert parsed["Subject"] == rendered.subject == "【みかん山房】伊予 柑子様、ご注文の品を発送しました"
    assert parsed["Date"].datetime == NOW
    assert parsed["Date"].datetime.utcoffset().total_seconds() == 9 * 3600
    assert re.fullmatch(r"<[^<>@\s]+@mikan-sanbo\.example>", parsed["Message-ID"])
    assert parsed["MIME-Version"] == "1.0"
    assert parsed.get_content_type() == "multipart/alternative"
    plain, html = parsed.iter_parts()
    assert (plain.get_content_type(), html.get_content_type()) == ("text/plain", "text/html")
    assert plain.get_content_charset() == html.get_content_charset() == "utf-8"
    assert plain["Content-Transfer-Encoding"] == "base64"
    assert body_text(parsed) == rendered.text.replace("\n", "\r\n") + "\r\n"
    assert "<li>伊予柑 3kg &lt;訳あり&gt; × 2</li>" in body_text(parsed, "html")
    assert b"=?utf-8?" in raw  # Japanese headers are RFC 2047 encoded words
    assert raw.isascii()
    assert_well_formed_head(raw)
    for line in raw.split(b"\r\n\r\n", 1)[1].split(b"\r\n"):
        assert len(line) <= 78


def test_a_mail_without_html_is_one_text_part(make_context: MakeContext) -> None:
    text_only = template("love").model_copy(update={"html": None})
    _, message = render_mail(text_only, make_context(), to="kouji@example.jp", now=NOW)
    parsed = parse(bytes(message))
    assert parsed.get_content_type() == "text/plain"
    assert parsed.get_content_charset() == "utf-8"
    assert "クーポンコード: PREVIEW-MIKAN5" in body_text(parsed)


def test_ascii_bodies_stay_readable(make_context: MakeContext) -> None:
    short = Template(id="t", subject="Thanks", text="Thank you, {{ order.order_id }}!")
    _, message = render_mail(short, make_context(), to="kouji@example.jp", now=NOW)
    raw = bytes(message)
    assert b"Content-Transfer-Encoding: 7bit" in raw
    assert b"Subject: Thanks\r\n" in raw
    assert b"Thank you, 276543-20261203-0000000777!\r\n" in raw
    long = Template(id="t", subject="Thanks", text="word " * 40)
    _, message = render_mail(long, make_context(), to="kouji@example.jp", now=NOW)
    raw = bytes(message)
    assert b"Content-Transfer-Encoding: quoted-printable" in raw
    assert body_text(parse(raw)).strip() == ("word " * 40).strip()


def test_message_ids_are_unique(make_context: MakeContext) -> None:
    ids = {
        parse(bytes(render_mail(template("love"), make_context(), to="k@example.jp", now=NOW)[1]))[
            "Message-ID"
        ]
        for _ in range(50)
    }
    assert len(ids) == 50


def test_list_unsubscribe_offers_https_and_mailto_with_one_click(make_context: MakeContext) -> None:
    _, message = render_mail(template("love"), make_context(), to="kouji@example.jp", now=NOW)
    parsed = parse(bytes(message))
    assert (
        parsed["List-Unsubscribe"]
        == f"<{UNSUBSCRIBE}>, <mailto:optout@mikan-sanbo.example?subject=%E9%85%8D%E4%BF%A1%E5%81%9C%E6%AD%A2>"
    )
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_without_a_link_only_the_mailbox_and_no_one_click(make_context: MakeContext) -> None:
    _, message = render_mail(template("love"), make_context(unsubscribe_url=None), to="k@example.jp", now=NOW)
    parsed = parse(bytes(message))
    assert (
        parsed["List-Unsubscribe"]
        == "<mailto:optout@mikan-sanbo.example?subject=%E9%85%8D%E4%BF%A1%E5%81%9C%E6%AD%A2>"
    )
    assert parsed["List-Unsubscribe-Post"] is None  # RFC 8058 one-click needs an https URI


def test_without_any_opt_out_no_list_unsubscribe(make_context: MakeContext, shop: Shop) -> None:
    no_mailbox = shop.model_copy(update={"links": shop.links.model_copy(update={"unsubscribe_mailto": None})})
    ctx = make_context(shop=no_mailbox, unsubscribe_url=None)
    names = header_names(bytes(render_mail(template("like"), ctx, to="k@example.jp", now=NOW)[1]))
    assert "list-unsubscribe" not in names
    assert "list-unsubscribe-post" not in names


def test_a_long_unsubscribe_link_is_never_encoded(make_context: MakeContext) -> None:
    link = "https://okaeri.mikan-sanbo.example/u/" + "A1b2-_" * 30
    raw = bytes(
        render_mail(template("love"), make_context(unsubscribe_url=link), to="k@example.jp", now=NOW)[1]
    )
    assert f"List-Unsubscribe: <{link}>,\r\n <mailto:".encode() in raw
    assert_well_formed_head(raw)


def test_the_advertising_footer_is_in_the_sent_mail_and_only_there(make_context: MakeContext) -> None:
    sent = parse(
        bytes(render_mail(template("thanks"), make_context(advertising=True), to="k@example.jp", now=NOW)[1])
    )
    assert "有限会社みかん山房" in body_text(sent)
    assert "有限会社みかん山房" in body_text(sent, "html")
    assert UNSUBSCRIBE in body_text(sent, "html")
    plain = parse(bytes(render_mail(template("thanks"), make_context(), to="k@example.jp", now=NOW)[1]))
    assert "有限会社みかん山房" not in body_text(plain)
    assert "有限会社みかん山房" not in body_text(plain, "html")


@pytest.mark.parametrize("address", CARRIERS)
def test_carrier_addresses_get_one_iso_2022_jp_text_part(make_context: MakeContext, address: str) -> None:
    rendered, message = render_mail(template("thanks"), make_context(), to=address, now=NOW)
    raw = bytes(message)
    assert rendered.mobile is True
    parsed = parse(raw)
    assert parsed.get_content_type() == "text/plain"
    assert not parsed.is_multipart()
    assert parsed.get_content_charset() == "iso-2022-jp"
    assert parsed["Content-Transfer-Encoding"] == "7bit"
    assert b"Subject: =?iso-2022-jp?b?" in raw
    assert b"From: =?iso-2022-jp?b?" in raw
    assert parsed["Subject"] == "【みかん山房】伊予 柑子様、ご注文の品を発送しました"
    assert parsed["From"].addresses[0].display_name == "みかん山房"
    assert parsed["To"] == address
    # mobile_text, with the Windows wave dash mapped to the JIS one
    assert body_text(parsed) == "伊予 柑子様\r\nご注文の品を発送しました〜。2点です。\r\nみかん山房\r\n"
    assert "\x1b$B" in raw.decode("ascii")  # JIS X 0208 escape sequences in a 7bit body
    assert_well_formed_head(raw)


def test_the_carrier_variant_carries_the_footer_and_opt_out(make_context: MakeContext) -> None:
    _, message = render_mail(template("love"), make_context(advertising=True), to="k@ezweb.ne.jp", now=NOW)
    parsed = parse(bytes(message))
    assert parsed.get_content_charset() == "iso-2022-jp"
    assert "有限会社みかん山房" in body_text(parsed)
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


@pytest.mark.parametrize("name", ["伊予 ①子", "伊予 柑子🍊", "伊予 柑子 ㈱", "Ünïcødé"])
def test_a_character_without_a_jis_code_falls_back_to_utf8_rather_than_lose_it(
    make_context: MakeContext, order: Order, name: str
) -> None:
    ctx = make_context(order=with_order(order, customer=Customer(name=name)))
    rendered, message = render_mail(template("thanks"), ctx, to="kouji@docomo.ne.jp", now=NOW)
    parsed = parse(bytes(message))
    assert rendered.mobile is True
    assert parsed.get_content_type() == "text/plain"
    assert parsed.get_content_charset() == "utf-8"
    assert body_text(parsed).startswith(f"{name}様\r\n")
    assert parsed["Subject"] == f"【みかん山房】{name}様、ご注文の品を発送しました"


def test_half_width_kana_become_full_width_for_jis(make_context: MakeContext, order: Order) -> None:
    ctx = make_context(order=with_order(order, customer=Customer(name="ｲﾖ ｶﾞｰﾃﾞﾝ")))
    _, message = render_mail(template("thanks"), ctx, to="kouji@au.com", now=NOW)
    parsed = parse(bytes(message))
    assert parsed.get_content_charset() == "iso-2022-jp"
    assert parsed["Subject"] == "【みかん山房】イヨ ガーデン様、ご注文の品を発送しました"


@pytest.mark.parametrize(
    ("address", "mobile"),
    [
        *((address, True) for address in CARRIERS),
        ("kouji@example.jp", False),
        ("kouji@docomo.ne.jp.example.com", False),
        ("kouji@notdocomo.ne.jp", False),
        ("kouji@au.com.example", False),
        ("kouji@pc.fw.rakuten.ne.jp", False),
        ("kouji@gmail.com", False),
        ("no-at-sign", False),
    ],
)
def test_is_mobile_address(address: str, mobile: bool) -> None:
    assert is_mobile_address(address) is mobile


# -- header injection through merge values

INJECTIONS = [
    "伊予\r\nBcc: evil@x.example",
    "伊予\nBcc: evil@x.example",
    "伊予\rBcc: evil@x.example",
    "伊予\x00Bcc: evil@x.example",
    "伊予\u2028Bcc: evil@x.example",
    "伊予\u2029\x0b\x0c\x85Bcc: evil@x.example",
    "Iyo\r\n\r\n<html>body</html>",
    '"Iyo" <evil@x.example>, other@x.example',
    "=?utf-8?b?QmNjOiBldmlsQHguZXhhbXBsZQ==?=",
]
SUBJECT_WITH_EVERYTHING = (
    "{{ customer.name }} {{ order.order_id }} {{ order.carrier }}\r\nBcc: evil@x.example"
)


@pytest.mark.parametrize("evil", INJECTIONS)
@pytest.mark.parametrize("to", ["kouji@example.jp", "kouji@docomo.ne.jp"])
def test_no_header_can_be_injected_through_a_merge_value(
    make_context: MakeContext, order: Order, evil: str, to: str
) -> None:
    bad = with_order(order, customer=Customer(name=evil), order_id=f"A-1{evil}", carrier=evil)
    mail = Template(id="t", subject=SUBJECT_WITH_EVERYTHING, text="{{ customer.name }}様")
    rendered = render_template(mail, make_context(order=bad), mobile=is_mobile_address(to))
    raw = bytes(build_message(rendered, make_context(order=bad), to=to, now=NOW, to_name=evil))
    assert_well_formed_head(raw)
    names = header_names(raw)
    assert names.count("to") == 1
    assert names.count("from") == 1
    assert names.count("subject") == 1
    assert "bcc" not in names
    parsed = parse(raw)
    assert parsed["To"].addresses[0].addr_spec == to
    assert len(parsed["To"].addresses) == 1
    assert not re.search(r"[\x00-\x1f\x7f\u2028\u2029]", parsed["Subject"])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.text(max_size=80), mobile=st.booleans())
def test_any_customer_name_stays_inside_its_headers(
    make_context: MakeContext, order: Order, name: str, mobile: bool
) -> None:
    ctx = make_context(order=with_order(order, customer=Customer(name=name)))
    to = "kouji@docomo.ne.jp" if mobile else "kouji@example.jp"
    mail = Template(id="t", subject="{{ customer.name }}様 {{ customer.name }}", text="{{ customer.name }}様")
    rendered = render_template(mail, ctx, mobile=mobile)
    raw = bytes(build_message(rendered, ctx, to=to, now=NOW, to_name=name))
    assert_well_formed_head(raw)
    names = header_names(raw)
    assert [names.count(header) for header in ("from", "to", "subject", "date", "message-id")] == [1] * 5
    assert "bcc" not in names
    parsed = parse(raw)
    assert [address.addr_spec for address in parsed["To"].addresses] == [to]
    jis = parsed.get_content_charset() == "iso-2022-jp"
    assert parsed["Subject"] == (jis_friendly(rendered.subject) if jis else rendered.subject)


def test_a_recipient_address_with_a_header_in_it_is_refused(make_context: MakeContext) -> None:
    rendered = render_template(template("like"), make_context())
    for bad in (
        "kouji@example.jp\r\nBcc: evil@x.example",
        "kouji@example.jp, evil@x.example",
        "kouji",
        "<k@x.jp>",
    ):
        with pytest.raises(InvalidAddressError) as caught:
            build_message(rendered, make_context(), to=bad, now=NOW)
        assert caught.value.code == "invalid_address"


def test_build_message_needs_an_aware_time(make_context: MakeContext) -> None:
    with pytest.raises(ValueError, match="aware"):
        build_message(
            RenderedMail("s", "t", None), make_context(), to="k@example.jp", now=datetime(2026, 12, 5)
        )


def test_a_display_name_for_the_recipient(make_context: MakeContext) -> None:
    rendered = RenderedMail(subject="件名", text="本文", html=None)
    parsed = parse(
        bytes(build_message(rendered, make_context(), to="k@example.jp", now=NOW, to_name="伊予 柑子"))
    )
    assert parsed["To"].addresses[0].display_name == "伊予 柑子"
    ascii_name = parse(
        bytes(build_message(rendered, make_context(), to="k@example.jp", now=NOW, to_name='A "B", C'))
    )
    assert ascii_name["To"].addresses[0].display_name == 'A "B", C'


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("a\r\nb\x00c\u2028d\u0085e\tf\x0bg\x0ch", "a b c d e f g h"),
        ("  伊予\n\n  柑子  ", "伊予 柑子"),
        ("山田　太郎", "山田　太郎"),  # a full-width space is part of a Japanese name, not a line break
        ("\u202eevil\u202c", "evil"),  # bidi overrides cannot disguise a display name
    ],
)
def test_single_line(value: str, expected: str) -> None:
    assert single_line(value) == expected


def test_the_shop_name_stands_in_for_a_sender_without_a_name(make_context: MakeContext, shop: Shop) -> None:
    unnamed = shop.model_copy(update={"sender": shop.sender.model_copy(update={"name": None})})
    rendered = RenderedMail(subject="件名", text="本文", html=None)
    parsed = parse(bytes(build_message(rendered, make_context(shop=unnamed), to="k@example.jp", now=NOW)))
    assert parsed["From"] == "みかん山房 <shop@mikan-sanbo.example>"


def test_the_opt_out_subject_is_the_one_the_footer_asks_for(make_context: MakeContext) -> None:
    """The footer asks for 件名「配信停止」; List-Unsubscribe's mailto sets that same subject."""
    from urllib.parse import parse_qs, urlsplit

    context = make_context(unsubscribe_url=None, advertising=True)
    _, message = render_mail(template("love"), context, to="k@example.jp", now=NOW)
    parsed = parse(bytes(message))
    mailto = str(parsed["List-Unsubscribe"]).strip("<>")
    (subject,) = parse_qs(urlsplit(mailto).query)["subject"]
    text = next(part for part in parsed.walk() if part.get_content_type() == "text/plain").get_content()
    assert f"件名「{subject}」" in text
    assert subject == "配信停止"
