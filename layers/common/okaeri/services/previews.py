"""Template previews and test sends: the mail a template makes for an order, as the send Lambda
would build it, without spending a coupon code.

The renderer does tell phones apart: a legacy carrier address (docomo, au, SoftBank, …) gets the
``mobile`` variant, which is ``mobile_text`` (or ``text`` when the template has none) as one plain
ISO-2022-JP part, without HTML; any other address gets the ``pc`` variant, UTF-8 text plus the HTML
part when the template has one. A preview renders both, the mobile one addressed to a sample
carrier address. Coupons show as ``PREVIEW-<POOL>`` (``PreviewCoupons``): no code is taken.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from email.message import EmailMessage

from pydantic import BaseModel, ConfigDict

from okaeri.models import Order, Scenario, Shop, Template
from okaeri.rendering import (
    MailContext,
    PreviewCoupons,
    RenderedMail,
    build_message,
    check_template,
    is_mobile_address,
    render_template,
)
from okaeri.samples import SAMPLE_EMAIL
from okaeri.unsubscribe_links import make_token, unsubscribe_url

PREVIEW_DELIVERY_ID = "preview"
TEST_DELIVERY_ID = "test-send"
TEST_SUBJECT_PREFIX = "[テスト送信 / TEST] "
PREVIEW_MOBILE_ADDRESS = "hanako.yamada@docomo.ne.jp"
_FOLD = re.compile(r"\r?\n[ \t]+")


class MailHeader(BaseModel):
    model_config = ConfigDict(defer_build=True)

    name: str
    value: str


class MailVariant(BaseModel):
    """One rendering of the template: what the recipient reads and the message's headers (as sent,
    RFC 2047-encoded, unfolded)."""

    model_config = ConfigDict(defer_build=True)

    to: str
    mobile: bool
    charset: str
    subject: str
    text: str
    html: str | None
    headers: list[MailHeader]


class TemplatePreview(BaseModel):
    model_config = ConfigDict(defer_build=True)

    template_id: str
    version: int | None  # None: unsaved edits
    advertising: bool
    pools: list[str]
    order: Order
    pc: MailVariant
    mobile: MailVariant


def advertising_template(template_id: str, scenarios: Sequence[Scenario], pools: Sequence[str]) -> bool:
    """Whether the template goes out as advertising (with the legal footer): it hands out coupon
    codes, or a step of a current scenario that uses it has a coupon or promotion purpose."""
    used_for_ads = any(
        step.is_advertising
        for scenario in scenarios
        for step in scenario.steps
        if template_id in step.templates
    )
    return used_for_ads or bool(pools)


def preview_template(
    shop: Shop,
    template: Template,
    order: Order,
    *,
    now: datetime,
    secret: bytes,
    advertising: bool,
    order_count: int = 1,
    saved: bool = True,
) -> TemplatePreview:
    """Both variants of the mail ``template`` makes for ``order`` (raises TemplateError)."""
    pools = check_template(template)
    pc_to = order.customer.email or SAMPLE_EMAIL
    variants = {}
    for name, to in (("pc", pc_to), ("mobile", PREVIEW_MOBILE_ADDRESS)):
        ctx = _context(
            shop,
            order,
            secret=secret,
            to=to,
            delivery_id=PREVIEW_DELIVERY_ID,
            advertising=advertising,
            order_count=order_count,
        )
        rendered = render_template(template, ctx, mobile=is_mobile_address(to))
        variants[name] = _variant(rendered, build_message(rendered, ctx, to=to, now=now), to)
    return TemplatePreview(
        template_id=template.id,
        version=template.version if saved else None,
        advertising=advertising,
        pools=pools,
        order=order,
        pc=variants["pc"],
        mobile=variants["mobile"],
    )


def operator_test_mail(
    shop: Shop, template: Template, order: Order, *, to: str, now: datetime, secret: bytes, advertising: bool
) -> tuple[RenderedMail, bytes]:
    """The mail for a test send to an operator: the sample order, ``[テスト送信 / TEST]`` in the
    subject, the variant ``to`` would get, preview coupons."""
    ctx = _context(
        shop,
        order,
        secret=secret,
        to=to,
        delivery_id=TEST_DELIVERY_ID,
        advertising=advertising,
        order_count=1,
    )
    rendered = render_template(template, ctx, mobile=is_mobile_address(to))
    rendered = replace(rendered, subject=f"{TEST_SUBJECT_PREFIX}{rendered.subject}")
    return rendered, bytes(build_message(rendered, ctx, to=to, now=now))


def _context(
    shop: Shop, order: Order, *, secret: bytes, to: str, delivery_id: str, advertising: bool, order_count: int
) -> MailContext:
    token = make_token(secret, shop_id=shop.id, delivery_id=delivery_id, email=to)
    return MailContext(
        shop=shop,
        order=order,
        delivery_id=delivery_id,
        customer_order_count=order_count,
        advertising=advertising,
        unsubscribe_url=unsubscribe_url(shop, token),
        coupons=PreviewCoupons(),
    )


def _variant(rendered: RenderedMail, message: EmailMessage, to: str) -> MailVariant:
    text_part = next(part for part in message.walk() if part.get_content_type() == "text/plain")
    return MailVariant(
        to=to,
        mobile=rendered.mobile,
        charset=text_part.get_content_charset() or "utf-8",
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
        headers=[MailHeader(name=name, value=_FOLD.sub(" ", str(value))) for name, value in message.items()],
    )
