"""The public unsubscribe pages (Japanese first, English second): plain HTML that names the shop,
no script; their one style sheet is inline and allowed by its hash (``PAGE_CSP``), nothing else."""

from __future__ import annotations

import base64
import hashlib
from html import escape
from typing import Final

_STYLE: Final = """
:root { color-scheme: light dark; --accent: #b45309; }
body { margin: 0; font-family: system-ui, "Hiragino Sans", "Noto Sans CJK JP", "Yu Gothic", sans-serif;
  line-height: 1.7; background: Canvas; color: CanvasText; }
main { max-width: 34rem; margin: 3rem auto; padding: 2rem 1.5rem; border: 1px solid #d6d3d1;
  border-radius: 12px; }
.shop { margin: 0 0 .5rem; font-size: .95rem; font-weight: 600; color: var(--accent); }
h1 { margin: 0 0 1rem; font-size: 1.35rem; line-height: 1.4; }
p { margin: 0 0 1rem; }
p[lang="en"] { color: GrayText; font-size: .92rem; }
button { font: inherit; font-weight: 600; padding: .6rem 1.4rem; border: 0; border-radius: 8px;
  background: var(--accent); color: #fff; cursor: pointer; }
button:focus-visible { outline: 3px solid CanvasText; outline-offset: 2px; }
"""
STYLE_HASH: Final = "sha256-" + base64.b64encode(hashlib.sha256(_STYLE.encode()).digest()).decode()
#: no script, no other source; the page's own style sheet by its hash; the form posts to this origin
PAGE_CSP: Final = f"default-src 'none'; style-src '{STYLE_HASH}'; form-action 'self'; base-uri 'none'"

_PAGE = """<!doctype html>
<html lang="ja"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{title}</title>
<style>{style}</style></head>
<body><main>
{shop}{body}
</main></body></html>
"""

_CONFIRM = """<h1>配信停止の確認 / Unsubscribe</h1>
<p>{shop_ja}からのクーポン・お知らせメールの配信を停止します。よろしければ下のボタンを押してください。
ご注文に関するご連絡（発送のお知らせなど）は引き続きお届けします。</p>
<p lang="en">You will no longer receive coupons or promotional mail from {shop_en}. Mail about your
orders (such as shipping notices) will still be sent. Press the button to confirm.</p>
<form method="post" action="{action}">
<input type="hidden" name="List-Unsubscribe" value="One-Click">
<button type="submit">配信を停止する / Unsubscribe</button>
</form>"""

_RESULTS = {
    "unsubscribed": (
        "配信を停止しました / Unsubscribed",
        "配信停止を受け付けました。今後、{shop_ja}からクーポン・お知らせメールは届きません。",
        "You are unsubscribed: {shop_en} will send you no more coupons or promotional mail.",
    ),
    "already": (
        "配信停止済みです / Already unsubscribed",
        "このアドレスはすでに{shop_ja}の配信停止になっています。",
        "This address is already unsubscribed from {shop_en}.",
    ),
    "test": (
        "テスト送信のリンクです / A test mail's link",
        "これは{shop_ja}のテスト送信（またはプレビュー）のメールに付いたリンクです。配信停止は行われません。",
        "This link comes from a test mail (or a preview) of {shop_en}: nothing is unsubscribed.",
    ),
    "refused": (
        "リンクが無効です / Invalid link",
        "このリンクは無効か、期限が切れています。お手数ですが、メールに記載のショップへ直接ご連絡ください。",
        "This link is not valid. Please contact the shop named in the mail directly.",
    ),
}


def _names(shop_name: str | None) -> dict[str, str]:
    if not shop_name:
        return {"shop_ja": "このショップ", "shop_en": "this shop"}
    return {"shop_ja": f"「{shop_name}」", "shop_en": shop_name}


def _page(title: str, body: str, shop_name: str | None) -> str:
    shop = f'<p class="shop">{escape(shop_name)}</p>\n' if shop_name else ""
    return _PAGE.format(title=escape(title), style=_STYLE, shop=shop, body=body)


def confirmation_page(action: str, shop_name: str | None = None) -> str:
    names = {key: escape(value) for key, value in _names(shop_name).items()}
    body = _CONFIRM.format(action=escape(action, quote=True), **names)
    return _page("配信停止の確認 / Unsubscribe", body, shop_name)


def result_page(status: str, shop_name: str | None = None) -> str:
    title, japanese, english = _RESULTS[status]
    names = _names(shop_name)
    body = (
        f"<h1>{escape(title)}</h1>\n<p>{escape(japanese.format(**names))}</p>\n"
        f'<p lang="en">{escape(english.format(**names))}</p>'
    )
    return _page(title, body, shop_name)
