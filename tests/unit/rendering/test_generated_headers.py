"""Every kind of mail Okaeri writes passes the email generator's strictest header check.

Python's ``email`` generator refuses to write a header that would fold into a new header line
(``HeaderWriteError`` under ``Policy.verify_generated_headers``, on by default in the patch releases
Lambda runs). The interpreter here may be more lenient: 3.13.0's ``BytesGenerator``, which
``bytes(message)`` uses, does not check at all. So each kind of mail is built by the code that
sends it, then written with ``as_string()`` and ``bytes()`` as that code writes it, and again under
its policy and ``email.policy.default`` with the check forced on, every header also checked as
``BytesGenerator`` folds it; then the bytes are read back: the header lines are well formed, the
headers are the ones meant, and they say what was meant.

A new kind of mail is one more function in ``KINDS``.
"""

from __future__ import annotations

import email
import email.policy
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email.errors import HeaderWriteError
from email.header import decode_header, make_header
from email.message import EmailMessage
from email.policy import SMTP, Policy
from email.utils import parseaddr
from typing import Any

import pytest

from okaeri.models import Customer, Order, Shop, Template
from okaeri.rendering import RenderedMail, build_message, render_mail, render_template, single_line
from okaeri.rendering.mime import jis_friendly
from okaeri.services import previews
from okaeri.services import send as send_service
from okaeri.services.previews import TEST_SUBJECT_PREFIX, operator_test_mail, preview_template
from okaeri.unsubscribe_links import make_token, unsubscribe_url
from okaeri_dev import send_sample
from tests.unit.rendering.support import NOW, UNSUBSCRIBE, MakeContext, assert_well_formed_head, template
from tests.unit.services.support import SECRET, SHOP_ID, World, at

PC = "kouji@example.jp"
CARRIER = "kouji@docomo.ne.jp"
SHOP_SENDER = ("みかん山房", "shop@mikan-sanbo.example")
OPT_OUT_MAILBOX = "mailto:optout@mikan-sanbo.example?subject=%E9%85%8D%E4%BF%A1%E5%81%9C%E6%AD%A2"
EVIL = "伊予\r\nBcc: evil@x.example\u2028X-A: 1\x85X-B: 2\vX-C: 3\r"
# the generator's own test (email.generator.NEWLINE_WITHOUT_FWSP): a line break not followed by
# folding white space would start a header of its own
_NEWLINE_WITHOUT_FWSP = re.compile(r"\r\n[^ \t]|\r[^ \n\t]|\n[^ \t]")


@dataclass(frozen=True)
class Meant:
    """What the headers of a mail should say, read back with ``email.policy.default``."""

    names: tuple[str, ...]
    subject: str
    sender: tuple[str, str]  # (display name, address)
    to: tuple[str, str]
    unsubscribe: str | None = None
    part_names: tuple[str, ...] = ("Content-Type", "Content-Transfer-Encoding")


@dataclass(frozen=True)
class Made:
    """A mail as the code built it, the policy it writes it with, and what its headers should say."""

    message: EmailMessage
    policy: Policy[Any]
    meant: Meant
    sent: bytes | None = None  # the bytes the code itself wrote, when it writes them


@dataclass(frozen=True)
class Given:
    make_context: MakeContext
    shop: Shop
    order: Order
    monkeypatch: pytest.MonkeyPatch


def okaeri_names(*, opt_out: bool, one_click: bool, multipart: bool) -> tuple[str, ...]:
    """The headers ``build_message`` writes, in its order."""
    return (
        ("From", "To", "Subject", "Date", "Message-ID", "MIME-Version")
        + ("List-Unsubscribe",) * opt_out
        + ("List-Unsubscribe-Post",) * one_click
        + ("Content-Type",)
        + ("Content-Transfer-Encoding",) * (not multipart)
    )


def okaeri_mail(
    message: EmailMessage,
    rendered: RenderedMail,
    *,
    sender: tuple[str, str] = SHOP_SENDER,
    to: tuple[str, str],
    opt_out: tuple[str, ...] = (UNSUBSCRIBE, OPT_OUT_MAILBOX),
    jis: bool = False,
    sent: bytes | None = None,
) -> Made:
    """A mail of ``build_message``: what it says is what was rendered (mapped for JIS on carriers)."""

    def meant_text(value: str) -> str:
        return jis_friendly(single_line(value)) if jis else single_line(value)

    names = okaeri_names(
        opt_out=bool(opt_out),
        one_click=any(uri.startswith("https://") for uri in opt_out),
        multipart=rendered.html is not None and not rendered.mobile,
    )
    meant = Meant(
        names=names,
        subject=meant_text(rendered.subject),
        sender=(meant_text(sender[0]), sender[1]),
        to=(meant_text(to[0]), to[1]),
        unsubscribe=", ".join(f"<{uri}>" for uri in opt_out) or None,
    )
    return Made(message, SMTP, meant, sent)


def recorded(monkeypatch: pytest.MonkeyPatch, owner: object, name: str) -> list[Any]:
    """From now on, what each call of ``owner.name`` returns (the code keeps using the real one)."""
    made: list[Any] = []
    real = getattr(owner, name)

    def recording(*args: Any, **kwargs: Any) -> Any:
        result = real(*args, **kwargs)
        made.append(result)
        return result

    monkeypatch.setattr(owner, name, recording)
    return made


# --- the kinds of mail ----------------------------------------------------------------------------


def rendered_mail(given: Given, mail: Template, *, to: str = PC, jis: bool = False, **context: Any) -> Made:
    """A delivery's mail as ``render_mail`` makes it for the send Lambda."""
    ctx = given.make_context(**context)
    rendered, message = render_mail(mail, ctx, to=to, now=NOW)
    opt_out = tuple(uri for uri in (ctx.unsubscribe_url, OPT_OUT_MAILBOX) if uri)
    return okaeri_mail(message, rendered, to=("", to), opt_out=opt_out, jis=jis)


def subject_only(subject: str) -> Template:
    return Template(id="t", subject=subject, text="{{ customer.name }}様\nご注文ありがとうございました。")


def text_only_utf8(given: Given) -> Made:
    return rendered_mail(given, subject_only("{{ customer.name }}様、ありがとうございました"))


def text_and_html(given: Given) -> Made:
    return rendered_mail(given, template("thanks"))


def carrier_iso_2022_jp(given: Given) -> Made:
    mail = template("thanks").model_copy(
        update={"subject": "【{{ shop.name }}】ご注文～ｶﾞｰﾃﾞﾝｾｯﾄ－発送しました"}
    )
    return rendered_mail(given, mail, to=CARRIER, jis=True)


def carrier_falling_back_to_utf8(given: Given) -> Made:
    return rendered_mail(given, subject_only("①{{ customer.name }}様 🍊"), to=CARRIER)


def advertising_with_footer(given: Given) -> Made:
    return rendered_mail(given, template("love"), advertising=True)


def advertising_on_a_carrier(given: Given) -> Made:
    return rendered_mail(given, template("love"), to=CARRIER, jis=True, advertising=True)


def advertising_with_a_mailbox_opt_out_only(given: Given) -> Made:
    return rendered_mail(given, template("love"), advertising=True, unsubscribe_url=None)


def without_any_opt_out(given: Given) -> Made:
    links = given.shop.links.model_copy(update={"unsubscribe_mailto": None})
    ctx = given.make_context(shop=given.shop.model_copy(update={"links": links}), unsubscribe_url=None)
    rendered, message = render_mail(template("like"), ctx, to=PC, now=NOW)
    return okaeri_mail(message, rendered, to=("", PC), opt_out=())


LONG_JAPANESE = (
    "{{ customer.name }}様、" + "このたびはみかん山房をご利用いただきありがとうございました。" * 12
)
LONG_ENGLISH = "Thank you for your order, {{ customer.name }}. " * 16
LONG_WORD = "https://mikan-sanbo.example/orders/{{ order.order_id }}?" + "x" * 940


def long_japanese_subject(given: Given) -> Made:
    return rendered_mail(given, subject_only(LONG_JAPANESE))


def long_japanese_subject_on_a_carrier(given: Given) -> Made:
    return rendered_mail(given, subject_only(LONG_JAPANESE), to=CARRIER, jis=True)


def long_english_subject(given: Given) -> Made:
    return rendered_mail(given, subject_only(LONG_ENGLISH))


def ascii_word_longer_than_a_line(given: Given) -> Made:
    return rendered_mail(given, subject_only(LONG_WORD))


def named_sender(given: Given, name: str, *, to: str, jis: bool = False) -> Made:
    sender = given.shop.sender.model_copy(update={"name": name})
    ctx = given.make_context(shop=given.shop.model_copy(update={"sender": sender}))
    rendered, message = render_mail(subject_only("ご注文ありがとうございました"), ctx, to=to, now=NOW)
    return okaeri_mail(message, rendered, sender=(name, SHOP_SENDER[1]), to=("", to), jis=jis)


def long_japanese_sender_name(given: Given) -> Made:
    return named_sender(given, "みかん山房 本店 お客様相談室（愛媛県松山市）" * 5, to=PC)


def long_japanese_sender_name_on_a_carrier(given: Given) -> Made:
    return named_sender(given, "みかん山房 本店 お客様相談室（愛媛県松山市）" * 5, to=CARRIER, jis=True)


def long_ascii_sender_name(given: Given) -> Made:
    return named_sender(given, "Mikan Sanbo, the orchard shop of Matsuyama " * 25, to=PC)


def recipient_named(given: Given, name: str, *, to: str = PC, jis: bool = False) -> Made:
    ctx = given.make_context()
    rendered = render_template(subject_only("ご注文ありがとうございました"), ctx, mobile=to == CARRIER)
    message = build_message(rendered, ctx, to=to, now=NOW, to_name=name)
    return okaeri_mail(message, rendered, to=(name, to), jis=jis)


def recipient_display_names(given: Given) -> Made:
    return recipient_named(given, "伊予 柑子（いよ かんこ）様 " * 8)


def recipient_ascii_display_name(given: Given) -> Made:
    return recipient_named(given, 'Iyo "Kanko", of Ehime')


def ascii_merge_values_that_try_to_start_headers(given: Given) -> Made:
    # plain ASCII is written as it is, not encoded: only single_line keeps it on its line
    evil = "Iyo\r\nBcc: evil@x.example\nX-A: 1\rX-B: 2"
    sender = given.shop.sender.model_copy(update={"name": f"Mikan Sanbo{evil}"})
    order = given.order.model_copy(update={"customer": Customer(name=evil)})
    ctx = given.make_context(shop=given.shop.model_copy(update={"sender": sender}), order=order)
    rendered = render_template(subject_only("Thanks, {{ customer.name }}"), ctx)
    message = build_message(rendered, ctx, to=PC, now=NOW, to_name=evil)
    flat = "Iyo Bcc: evil@x.example X-A: 1 X-B: 2"
    assert rendered.subject == f"Thanks, {flat}"
    return okaeri_mail(message, rendered, sender=(f"Mikan Sanbo{flat}", SHOP_SENDER[1]), to=(flat, PC))


def merge_values_that_try_to_start_headers(given: Given, *, to: str = PC, jis: bool = False) -> Made:
    evil_sender = given.shop.sender.model_copy(update={"name": f"みかん山房{EVIL}"})
    links = given.shop.links.model_copy(update={"unsubscribe_mailto": f"optout@mikan-sanbo.example{EVIL}"})
    shop = given.shop.model_copy(update={"sender": evil_sender, "links": links})
    order = given.order.model_copy(update={"customer": Customer(name=EVIL)})
    ctx = given.make_context(shop=shop, order=order)
    mail = subject_only("{{ customer.name }}様\r\nBcc: evil@x.example {{ order.order_id }}")
    rendered = render_template(mail, ctx, mobile=to == CARRIER)
    message = build_message(rendered, ctx, to=to, now=NOW, to_name=EVIL)
    # every line break became a space; the opt-out mailbox is %-escaped inside its URI
    flat = "伊予 Bcc: evil@x.example X-A: 1 X-B: 2 X-C: 3"
    mailbox = "mailto:optout@mikan-sanbo.example%E4%BC%8A%E4%BA%88%20Bcc:%20evil@x.example%20X-A:%201%20X-B:%202%20X-C:%203"
    return okaeri_mail(
        message,
        rendered,
        sender=(f"みかん山房{flat}", SHOP_SENDER[1]),
        to=(flat, to),
        opt_out=(UNSUBSCRIBE, f"{mailbox}?subject=%E9%85%8D%E4%BF%A1%E5%81%9C%E6%AD%A2"),
        jis=jis,
    )


def merge_values_on_a_carrier(given: Given) -> Made:
    return merge_values_that_try_to_start_headers(given, to=CARRIER, jis=True)


def signed_link(shop: Shop, delivery_id: str, to: str) -> str:
    """The unsubscribe link of one delivery to ``to``, signed as the code signs it."""
    link = unsubscribe_url(shop, make_token(SECRET, shop_id=shop.id, delivery_id=delivery_id, email=to))
    assert link is not None
    return link


def operator_test_send(given: Given, *, to: str = PC, jis: bool = False) -> Made:
    built = recorded(given.monkeypatch, previews, "build_message")
    rendered, raw = operator_test_mail(
        given.shop, template("love"), given.order, to=to, now=NOW, secret=SECRET, advertising=True
    )
    assert rendered.subject.startswith(TEST_SUBJECT_PREFIX)
    [message] = built
    link = signed_link(given.shop, previews.TEST_DELIVERY_ID, to)
    return okaeri_mail(message, rendered, to=("", to), opt_out=(link, OPT_OUT_MAILBOX), jis=jis, sent=raw)


def operator_test_send_to_a_carrier(given: Given) -> Made:
    return operator_test_send(given, to=CARRIER, jis=True)


def preview_variant(given: Given, which: int) -> Made:
    built = recorded(given.monkeypatch, previews, "build_message")
    preview = preview_template(
        given.shop, template("thanks"), given.order, now=NOW, secret=SECRET, advertising=False
    )
    variant = (preview.pc, preview.mobile)[which]
    rendered = RenderedMail(variant.subject, variant.text, variant.html, variant.mobile)
    link = signed_link(given.shop, previews.PREVIEW_DELIVERY_ID, variant.to)
    opt_out = (link, OPT_OUT_MAILBOX)
    return okaeri_mail(built[which], rendered, to=("", variant.to), opt_out=opt_out, jis=variant.mobile)


def preview_for_a_pc(given: Given) -> Made:
    return preview_variant(given, 0)


def preview_for_a_carrier(given: Given) -> Made:
    return preview_variant(given, 1)


def sent_by_the_send_service(
    given: Given, mail: str, ordered: str, step: str, when: str, **edits: Any
) -> Made:
    """A delivery sent by ``send_delivery`` through its transport (SES, or the shop's relay)."""
    made = recorded(given.monkeypatch, send_service, "render_mail")
    world = World.create(at(ordered))
    world.receive(mail)
    world.pump()
    delivery_id = world.delivery_of(step)
    if edits:  # an operator's edit of this one delivery
        world.deliveries.items[(SHOP_ID, delivery_id)] = world.delivery(delivery_id).model_copy(update=edits)
    world.clock.set(at(when))
    assert world.send(delivery_id).status == "sent"
    [accepted] = world.ses.accepted + world.relay.accepted
    [(rendered, message)] = made
    opt_out = (signed_link(given.shop, delivery_id, accepted.recipient), OPT_OUT_MAILBOX)
    return okaeri_mail(message, rendered, to=("", accepted.recipient), opt_out=opt_out, sent=accepted.raw)


def send_service_thanks(given: Given) -> Made:
    return sent_by_the_send_service(
        given, "yahoo-forwarded-inline", "2026-12-03 09:25", "thanks", "2026-12-04 10:00"
    )


def send_service_coupon(given: Given) -> Made:
    return sent_by_the_send_service(
        given, "yahoo-forwarded-inline", "2026-12-03 09:25", "love", "2026-12-24 19:00"
    )


def send_service_through_the_rakuten_relay(given: Given) -> Made:
    return sent_by_the_send_service(
        given, "rakuten-utf8-qp", "2026-12-05 07:10", "thanks", "2026-12-07 10:00"
    )


def send_service_edited_subject(given: Given) -> Made:
    edited = "{{ customer.name }}様へ\r\nBcc: evil@x.example\u2028個別のご連絡"
    return sent_by_the_send_service(
        given,
        "yahoo-forwarded-inline",
        "2026-12-03 09:25",
        "thanks",
        "2026-12-04 10:00",
        edited_subject=edited,
    )


def local_stack_sample_order(given: Given) -> Made:
    """The order mail ``okaeri_dev.send_sample`` hands the local stack's SMTP port."""
    made = recorded(given.monkeypatch, send_sample, "EmailMessage")
    raw = send_sample.order_mail(ordered_at=NOW, serial=7, buyer_tag="tag")
    [message] = made
    meant = Meant(
        names=(
            "From",
            "To",
            "Subject",
            "Date",
            "Message-ID",
            "Content-Type",
            "Content-Transfer-Encoding",
            "MIME-Version",
        ),
        subject="【楽天市場】注文内容ご確認（自動配信メール）",
        sender=("楽天市場", "order@rakuten.co.jp"),
        to=("", "buyer-tag@example.jp"),
    )
    return Made(message, SMTP, meant, raw)


KINDS: dict[str, Callable[[Given], Made]] = {
    kind.__name__: kind
    for kind in (
        text_only_utf8,
        text_and_html,
        carrier_iso_2022_jp,
        carrier_falling_back_to_utf8,
        advertising_with_footer,
        advertising_on_a_carrier,
        advertising_with_a_mailbox_opt_out_only,
        without_any_opt_out,
        long_japanese_subject,
        long_japanese_subject_on_a_carrier,
        long_english_subject,
        ascii_word_longer_than_a_line,
        long_japanese_sender_name,
        long_japanese_sender_name_on_a_carrier,
        long_ascii_sender_name,
        recipient_display_names,
        recipient_ascii_display_name,
        ascii_merge_values_that_try_to_start_headers,
        merge_values_that_try_to_start_headers,
        merge_values_on_a_carrier,
        operator_test_send,
        operator_test_send_to_a_carrier,
        preview_for_a_pc,
        preview_for_a_carrier,
        send_service_thanks,
        send_service_coupon,
        send_service_through_the_rakuten_relay,
        send_service_edited_subject,
        local_stack_sample_order,
    )
}


# --- writing and reading back ---------------------------------------------------------------------


def check_folded(folded: bytes, policy: Policy[Any]) -> None:
    """Refuse a header as ``BytesGenerator`` writes it the way ``Generator`` refuses one."""
    text = folded.decode("ascii", "surrogateescape")
    if not text.endswith(policy.linesep) or _NEWLINE_WITHOUT_FWSP.search(text.removesuffix(policy.linesep)):
        raise HeaderWriteError(f"a folded header would start a header of its own: {text!r}")


def strict_policies(made: Made) -> Iterator[Policy[Any]]:
    for policy in (made.policy, email.policy.default):
        yield policy.clone(verify_generated_headers=True)


def write(made: Made) -> bytes:
    """The bytes of ``made`` as sent, after writing it every way with the header check on."""
    message = made.message
    message.as_string()
    bytes(message)
    for strict in strict_policies(made):
        message.as_string(policy=strict)
        message.as_bytes(policy=strict)
        for part in message.walk():
            for name, value in part.raw_items():
                check_folded(strict.fold_binary(name, value), strict)
    raw = message.as_bytes(policy=made.policy.clone(verify_generated_headers=True))
    assert raw == message.as_bytes(policy=made.policy)
    if made.sent is not None:
        assert raw == made.sent  # the message checked is the one the code wrote
    return raw


def read_back(raw: bytes) -> EmailMessage:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def mailbox(message: EmailMessage, name: str) -> tuple[str, str]:
    """(display name, address) of the one mailbox in header ``name``.

    The display name is decoded as RFC 2047 §6.2 says, white space between encoded words ignored:
    ``email.policy.default`` keeps it in a display name (python/cpython#128110), so a long name
    folded over encoded words would read back with spaces the sender never wrote.
    """
    [address] = message[name].addresses
    [raw] = [value for key, value in message.raw_items() if key == name]
    phrase, _ = parseaddr(re.sub(r"\r?\n(?=[ \t])", "", str(raw)))  # unfolded
    return str(make_header(decode_header(phrase))), address.addr_spec


@pytest.fixture(params=sorted(KINDS))
def made(
    request: pytest.FixtureRequest,
    make_context: MakeContext,
    shop: Shop,
    order: Order,
    monkeypatch: pytest.MonkeyPatch,
) -> Made:
    kind: Callable[[Given], Made] = KINDS[request.param]
    return kind(Given(make_context, shop, order, monkeypatch))


def test_every_kind_of_mail_is_written_with_the_header_check_on(made: Made) -> None:
    write(made)


def test_every_kind_of_mail_reads_back_as_meant(made: Made) -> None:
    raw = write(made)
    assert_well_formed_head(raw)
    parsed = read_back(raw)
    meant = made.meant
    assert tuple(name for name, _ in parsed.items()) == meant.names
    for part in list(parsed.walk())[1:]:
        assert tuple(name for name, _ in part.items()) == meant.part_names
    for part in parsed.walk():
        assert not [value for _, value in part.items() if re.search(r"[\r\n]", str(value))]
    assert parsed["Subject"] == meant.subject
    assert mailbox(parsed, "From") == meant.sender
    assert mailbox(parsed, "To") == meant.to
    assert parsed.get("List-Unsubscribe") == meant.unsubscribe
    assert parsed["Date"].datetime is not None
