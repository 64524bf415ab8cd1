"""The opt-out of a mail, and the 特定電子メール法 footer an advertising mail must carry.

Japan's Act on Specified Electronic Mail asks an advertising mail to name the sender, give its
address and a contact for complaints, and say how to refuse further mail. The footer is added by
the renderer (so previews show it), never left to the template author.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from urllib.parse import quote

from okaeri.errors import TemplateError
from okaeri.rendering.context import MailContext

#: the one subject an opt-out mail carries: asked for in the footer and set by List-Unsubscribe's mailto
UNSUBSCRIBE_SUBJECT = "配信停止"
_RULE = "-" * 40


@dataclass(frozen=True, slots=True)
class OptOut:
    """Where a recipient can unsubscribe: the signed link and/or the shop's opt-out mailbox."""

    url: str | None
    mailto: str | None  # a bare address

    @classmethod
    def of(cls, ctx: MailContext) -> OptOut:
        mailbox = ctx.shop.links.unsubscribe_mailto
        if mailbox:
            mailbox = mailbox.removeprefix("mailto:").partition("?")[0].strip() or None
        return cls(ctx.unsubscribe_url or None, mailbox)

    @property
    def mailto_uri(self) -> str | None:
        return None if self.mailto is None else f"mailto:{self.mailto}?subject={quote(UNSUBSCRIBE_SUBJECT)}"


@dataclass(frozen=True, slots=True)
class Footer:
    text: str
    html: str


def legal_footer(ctx: MailContext) -> Footer:
    """The footer for an advertising mail; refused when the shop lacks what the law asks for."""
    legal = ctx.shop.legal
    if legal is None:
        raise TemplateError(
            "広告メールには送信者情報（ショップ設定の legal: 会社名・住所・連絡先）が必要です（特定電子メール法）",
            "an advertising mail needs the sender's legal details (the shop's legal: company, address, "
            "contact) under Japan's Act on Specified Electronic Mail",
            code="legal_footer_missing",
        )
    opt_out = OptOut.of(ctx)
    if opt_out.url is None and opt_out.mailto is None:
        raise TemplateError(
            "広告メールには配信停止の方法（配信停止リンクか links.unsubscribe_mailto）が必要です（特定電子メール法）",
            "an advertising mail needs an opt-out (an unsubscribe link or links.unsubscribe_mailto) under "
            "Japan's Act on Specified Electronic Mail",
            code="opt_out_missing",
        )
    sender = legal.company if ctx.shop.name in legal.company else f"{legal.company}（{ctx.shop.name}）"
    facts = [f"送信者: {sender}", f"住所: {legal.address}", f"お問い合わせ: {legal.contact}"]
    text = [_RULE, *facts]
    markup = [html.escape(line) for line in facts]
    if opt_out.url is not None:
        text += ["今後このようなメールが不要な場合は、こちらから配信を停止できます:", opt_out.url]
        link = html.escape(opt_out.url)
        markup.append(f'配信停止: <a href="{link}">{link}</a>')
    if opt_out.mailto is not None:
        lead = "または " if opt_out.url is not None else "配信停止をご希望の場合は、"
        ask = f"宛てに件名「{UNSUBSCRIBE_SUBJECT}」でメールをお送りください。"
        text.append(f"{lead}{opt_out.mailto} {ask}")
        uri, mailbox = html.escape(opt_out.mailto_uri or ""), html.escape(opt_out.mailto)
        markup.append(f'{lead}<a href="{uri}">{mailbox}</a> {ask}')
    block = "<br>\n".join(markup)
    return Footer("\n".join(text) + "\n", f'<hr>\n<p style="font-size:small">\n{block}\n</p>\n')


def append_text(body: str, footer: Footer) -> str:
    return f"{body.rstrip()}\n\n{footer.text}"


def append_html(body: str, footer: Footer) -> str:
    """Put the footer just before ``</body>`` when there is one, else at the end."""
    end = body.lower().rfind("</body>")
    if end < 0:
        return f"{body.rstrip()}\n{footer.html}"
    return f"{body[:end]}{footer.html}{body[end:]}"
