"""Templates into mails: the sandboxed Jinja2 renderer, ``@tags@``, the legal footer, MIME.

The CLI (``okaeri render``), the send Lambda and the admin preview use this API::

    ctx = MailContext(shop=shop, order=order, delivery_id=delivery.id, coupons=coupons, ...)
    rendered, message = render_mail(template, ctx, to=address, now=clock.now())
    raw = bytes(message)

Error codes (:class:`~okaeri.errors.TemplateError`): ``syntax``, ``unknown_tag``,
``coupon_pool_name``, ``sandbox``, ``too_large``, ``too_slow``, ``render_failed``,
``legal_footer_missing``, ``opt_out_missing``.
"""

from okaeri.rendering.context import MailContext
from okaeri.rendering.coupons import CsvCoupons, PreviewCoupons, ShopCoupons, read_coupon_csv
from okaeri.rendering.mime import build_message, is_mobile_address, render_mail
from okaeri.rendering.render import RenderedMail, check_template, render_template, single_line

__all__ = [
    "CsvCoupons",
    "MailContext",
    "PreviewCoupons",
    "RenderedMail",
    "ShopCoupons",
    "build_message",
    "check_template",
    "is_mobile_address",
    "read_coupon_csv",
    "render_mail",
    "render_template",
    "single_line",
]
