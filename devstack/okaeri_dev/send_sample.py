"""Send the demo shop an order mail through the local stack's SMTP port (``python -m okaeri_dev`` prints this).

    python -m okaeri_dev.send_sample [--smtp-port 2525] [--port 8080] [--masked] [--count N]
    python -m okaeri_dev.send_sample --file tests/fixtures/mail/rakuten-utf8-qp.eml

Without ``--file`` each mail is a new Rakuten order (its own order number and buyer) placed at the
local stack's current time (read from ``GET /dev/clock``, else the real time), so its thanks mail
is planned for the coming days; ``--masked`` gives the buyer a Rakuten masked address, which goes
out through the shop's relay. The SMTP answer says what ingest made of each mail.
"""

from __future__ import annotations

import argparse
import json
import re
import secrets
import smtplib
import sys
import urllib.request
from collections.abc import Sequence
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from string import Template
from typing import Final
from zoneinfo import ZoneInfo

from infra.resources import inbound_recipient

DEMO = Path(__file__).resolve().parent / "demo"
LOCAL_DOMAIN: Final = "okaeri.local"
RAKUTEN_SHOP_NUMBER: Final = 400123
TOKYO: Final = ZoneInfo("Asia/Tokyo")
BUYERS: Final = (
    ("山田 花子", "ヤマダ ハナコ"),
    ("佐藤 一郎", "サトウ イチロウ"),
    ("鈴木 美咲", "スズキ ミサキ"),
    ("高橋 健", "タカハシ ケン"),
)
SMTP_TIMEOUT_SECONDS: Final = 60
_LINE_END: Final = re.compile(rb"\r\n|\r|\n")


def rakuten_order_id(ordered_at: datetime, serial: int) -> str:
    """A Rakuten 受注番号 of the demo shop: shop number, order day, a 10-digit serial."""
    return f"{RAKUTEN_SHOP_NUMBER}-{ordered_at.astimezone(TOKYO):%Y%m%d}-{serial % 10**10:010d}"


def order_mail(
    *, ordered_at: datetime, serial: int, masked: bool = False, buyer_tag: str | None = None
) -> bytes:
    """A Rakuten 注文内容ご確認 mail for the demo shop: order ``serial``, placed at ``ordered_at``."""
    tag = buyer_tag or secrets.token_hex(8)
    email = f"{tag}@pc.fw.rakuten.ne.jp" if masked else f"buyer-{tag}@example.jp"
    name, kana = BUYERS[serial % len(BUYERS)]
    local = ordered_at.astimezone(TOKYO)
    body = Template((DEMO / "order-mail.txt").read_text(encoding="utf-8")).substitute(
        order_id=rakuten_order_id(ordered_at, serial),
        ordered_at=f"{local:%Y-%m-%d %H:%M:%S}",
        buyer_name=name,
        buyer_kana=kana,
        buyer_email=email,
    )
    return _rakuten_mail("【楽天市場】注文内容ご確認（自動配信メール）", to=email, body=body, at=local)


def cancel_mail(*, order_id: str, at: datetime) -> bytes:
    """Rakuten's notice to the shop that order ``order_id`` was cancelled at ``at``."""
    body = Template((DEMO / "cancel-mail.txt").read_text(encoding="utf-8")).substitute(order_id=order_id)
    return _rakuten_mail("【楽天市場】ご注文のキャンセルについて", to="shop@okaeri.local", body=body, at=at)


def _rakuten_mail(subject: str, *, to: str, body: str, at: datetime) -> bytes:
    message = EmailMessage()
    message["From"] = "楽天市場 <order@rakuten.co.jp>"
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(at.astimezone(TOKYO))
    message["Message-ID"] = make_msgid(domain="order.rakuten.example")
    message.set_content(body, charset="utf-8", cte="quoted-printable")
    return message.as_bytes(policy=policy.SMTP)  # CRLF line ends, as on the wire


def send(raw: bytes, *, host: str, port: int, shop: str = "demo", sender: str = "order@rakuten.co.jp") -> str:
    """One SMTP transaction; the server's final answer (what ingest made of the mail).

    Line ends become CRLF, as SMTP requires (a saved ``.eml`` often has bare LFs)."""
    raw = _LINE_END.sub(b"\r\n", raw)
    with smtplib.SMTP(host, port, timeout=SMTP_TIMEOUT_SECONDS) as smtp:
        smtp.ehlo("okaeri-send-sample")
        smtp.mail(sender)
        code, answer = smtp.rcpt(inbound_recipient(shop, LOCAL_DOMAIN))
        if code != 250:
            raise smtplib.SMTPRecipientsRefused({shop: (code, answer)})
        code, answer = smtp.data(raw)
        if code != 250:
            raise smtplib.SMTPDataError(code, answer)
        return answer.decode("utf-8", errors="replace")


def stack_time(host: str, port: int) -> datetime:
    """The local stack's clock (``GET /dev/clock``), or the real time when it cannot be read."""
    try:
        with urllib.request.urlopen(f"http://{host}:{port}/dev/clock", timeout=5) as answer:
            return datetime.fromisoformat(json.load(answer)["now"])
    except (OSError, ValueError, KeyError):
        return datetime.now(UTC)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m okaeri_dev.send_sample", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--smtp-port", type=int, default=2525, help="the local stack's SMTP port")
    parser.add_argument("--port", type=int, default=8080, help="the local stack's HTTP port (for its clock)")
    parser.add_argument("--shop", default="demo")
    parser.add_argument("--masked", action="store_true", help="a Rakuten masked buyer address (relay)")
    parser.add_argument("--count", type=int, default=1, help="how many orders to send")
    parser.add_argument("--file", type=Path, help="send this .eml as it is instead")
    args = parser.parse_args(argv)
    try:
        if args.file:
            print(send(args.file.read_bytes(), host=args.host, port=args.smtp_port, shop=args.shop))
            return 0
        now = stack_time(args.host, args.port)
        first = int(now.timestamp() * 1000)
        for n in range(max(args.count, 1)):
            raw = order_mail(ordered_at=now, serial=first + n, masked=args.masked)
            print(send(raw, host=args.host, port=args.smtp_port, shop=args.shop))
    except (OSError, smtplib.SMTPException) as exc:
        print(f"送信できませんでした / could not send: {exc}", file=sys.stderr)
        print(
            "python -m okaeri_dev（make dev）は動いていますか？ / is `python -m okaeri_dev` (make dev) running?",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
