"""The public unsubscribe pages (Japanese first, English second): plain HTML, no script, no inline style."""

from __future__ import annotations

from html import escape

_PAGE = """<!doctype html>
<html lang="ja"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{title}</title></head>
<body><main>
{body}
</main></body></html>
"""

_CONFIRM = """<h1>配信停止の確認 / Unsubscribe</h1>
<p>このショップからのクーポン・お知らせメールの配信を停止します。よろしければ下のボタンを押してください。
ご注文に関するご連絡（発送のお知らせなど）は引き続きお届けします。</p>
<p lang="en">You will no longer receive coupons or promotional mail from this shop. Mail about your
orders (such as shipping notices) will still be sent. Press the button to confirm.</p>
<form method="post" action="{action}">
<input type="hidden" name="List-Unsubscribe" value="One-Click">
<button type="submit">配信を停止する / Unsubscribe</button>
</form>"""

_RESULTS = {
    "unsubscribed": (
        "配信を停止しました / Unsubscribed",
        "配信停止を受け付けました。今後、このショップからクーポン・お知らせメールは届きません。",
        "You are unsubscribed: this shop will send you no more coupons or promotional mail.",
    ),
    "already": (
        "配信停止済みです / Already unsubscribed",
        "このアドレスはすでに配信停止になっています。",
        "This address is already unsubscribed.",
    ),
    "refused": (
        "リンクが無効です / Invalid link",
        "このリンクは無効か、期限が切れています。お手数ですが、メールに記載のショップへ直接ご連絡ください。",
        "This link is not valid. Please contact the shop named in the mail directly.",
    ),
}


def confirmation_page(action: str) -> str:
    return _PAGE.format(
        title="配信停止の確認 / Unsubscribe", body=_CONFIRM.format(action=escape(action, quote=True))
    )


def result_page(status: str) -> str:
    title, japanese, english = _RESULTS[status]
    body = f'<h1>{escape(title)}</h1>\n<p>{escape(japanese)}</p>\n<p lang="en">{escape(english)}</p>'
    return _PAGE.format(title=escape(title), body=body)
