"""Domain throughput on one core: mails parsed, orders planned, mails rendered per second; hostile mails; import time."""

from __future__ import annotations

import contextlib
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from okaeri.models import Order, Scenario, Shop, Template, load_document

ROOT = Path(__file__).resolve().parents[1]
MAILS = ROOT / "tests" / "fixtures" / "mail"
CONFIG = ROOT / "tests" / "fixtures" / "config"
BENCH_DATA = Path(__file__).resolve().parent / "data"


def per_second(work: Callable[[], int], *, seconds: float = 2.0) -> float:
    """Run ``work`` (which returns how many items it did) repeatedly for about ``seconds``; best of 3."""
    rates = []
    for _ in range(3):
        done = 0
        start = time.perf_counter()
        while (elapsed := time.perf_counter() - start) < seconds / 3:
            done += work()
        rates.append(done / elapsed)
    return max(rates)


def parse_rate() -> tuple[float, int]:
    from okaeri.errors import ParseError
    from okaeri.parsing import ParseMask, parse_mail

    mails = [path.read_bytes() for path in sorted(MAILS.glob("*.eml"))]
    masks = [load_document(ParseMask, path) for path in sorted(MAILS.glob("*mask*.yaml"))]

    def work() -> int:
        for raw in mails:
            # refusals (not an order, caps) are work done too
            with contextlib.suppress(ParseError):
                parse_mail(raw, masks=masks)
        return len(mails)

    return per_second(work), len(mails)


def _slowest_ms(mails: list[bytes]) -> float:
    """The slowest of ``mails`` to parse (best of 3 each), in ms: what the parsing tests bound as work."""
    from okaeri.errors import ParseError
    from okaeri.parsing import parse_mail

    def ms(raw: bytes) -> float:
        start = time.perf_counter()
        with contextlib.suppress(ParseError):
            parse_mail(raw)
        return (time.perf_counter() - start) * 1000

    return max(min(ms(raw) for _ in range(3)) for raw in mails)


def hostile_mails() -> list[tuple[str, list[bytes], str]]:
    """Mails made to be slow to read, as the parsing tests make them: (what, the mails, target)."""
    from okaeri.parsing import MAX_MIME_HEADER_BYTES, MAX_MIME_HEADERS_TOTAL

    head = b"From: <order@mycart.example>\nSubject: x\nContent-Type: text/plain; charset=utf-8\n\n"
    order_id = "[受注番号] 338361-20261120-0912345678"
    lines = [
        prefix + fill * (100_000 // len(fill))
        for prefix in ("", "[注文者]   ", "お名前：", "注文番号：", "〒")
        for fill in (" ", "\t", "(", "1,", "a@", "¥1 ")
    ]
    long_lines = [head + f"【楽天市場】\n{line}\n{order_id}\n{line}\n".encode() for line in lines]
    crafted = b"Content-Type: text/plain; " + b'"' * (MAX_MIME_HEADER_BYTES - 26)
    parts = [b"Content-Type: text/plain; charset=utf-8\n\n%s\n" % order_id.encode()]
    parts += [crafted + b"\n\nx\n"] * (MAX_MIME_HEADERS_TOTAL // MAX_MIME_HEADER_BYTES - 1)
    multipart = head.replace(b"text/plain; charset=utf-8", b'multipart/mixed; boundary="b"')
    at_the_bound = multipart + b"".join(b"--b\n" + part for part in parts) + b"--b--\n"
    folded = b"X-Folded: a" + b"\n " * 4_000 + b"\n"
    many_folds = head.replace(b"Content-Type", folded * 25 + b"Content-Type") + f"{order_id}\n".encode()
    return [
        (f"a 100 KB line in an order mail, slowest of {len(lines)} kinds", long_lines, "≤ 1,000"),
        ("3 crafted Content-Type fields of 8 KiB (the header bound)", [at_the_bound], "≤ 2,000"),
        ("200 KB of headers folded over 100,000 lines", [many_folds], "≤ 1,000"),
    ]


def _bench_inputs() -> tuple[Shop, list[Scenario], Template, Order]:
    shop = load_document(Shop, BENCH_DATA / "shop.yaml")
    scenarios = [load_document(Scenario, path) for path in sorted(BENCH_DATA.glob("scenario-*.yaml"))]
    template = load_document(Template, BENCH_DATA / "template.yaml")
    order = load_document(Order, BENCH_DATA / "order.json")
    return shop, scenarios, template, order


def plan_rate() -> float:
    from okaeri.planner import plan_order

    shop, scenarios, _, order = _bench_inputs()
    now = datetime.fromisoformat("2026-11-20T11:06:00+09:00")
    orders = [order.model_copy(update={"order_id": f"B-{n}"}) for n in range(100)]

    def work() -> int:
        for each in orders:
            plan_order(shop, scenarios, each, now=now, order_count=2)
        return len(orders)

    return per_second(work)


def render_rate() -> float:
    from okaeri.rendering import MailContext, PreviewCoupons, render_mail

    shop, _, template, order = _bench_inputs()
    now = datetime.fromisoformat("2026-11-24T10:00:00+09:00")
    contexts = [
        MailContext(
            shop=shop,
            order=order,
            delivery_id=f"d-{n}",
            customer_order_count=1 + n % 3,
            advertising=n % 2 == 0,
            unsubscribe_url=f"https://okaeri.example/u/token{n}",
            coupons=PreviewCoupons(),
        )
        for n in range(100)
    ]

    def work() -> int:
        for ctx in contexts:
            _, message = render_mail(template, ctx, to="buyer@example.jp", now=now)
            bytes(message)
        return len(contexts)

    return per_second(work)


def first_use() -> None:
    """What a cold Lambda does after its imports: one parse, one plan, one render."""
    from okaeri.parsing import parse_mail
    from okaeri.planner import plan_order
    from okaeri.rendering import MailContext, PreviewCoupons, render_mail

    shop, scenarios, template, order = _bench_inputs()
    parse_mail(next(iter(sorted(MAILS.glob("rakuten*.eml")))).read_bytes())
    now = datetime.fromisoformat("2026-11-20T11:06:00+09:00")
    plan_order(shop, scenarios, order, now=now)
    ctx = MailContext(shop=shop, order=order, delivery_id="d", coupons=PreviewCoupons())
    bytes(render_mail(template, ctx, to="buyer@example.jp", now=now)[1])


def import_ms(statement: str, *, runs: int = 15) -> float:
    """Median wall time of a fresh interpreter running ``statement``, minus a bare interpreter's."""

    def median_ms(code: str) -> float:
        samples = []
        for _ in range(runs):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], check=True)
            samples.append((time.perf_counter() - start) * 1000)
        return statistics.median(samples)

    return median_ms(statement) - median_ms("pass")


def run() -> list[tuple[str, str, str]]:
    """(figure, measured, target) rows."""
    parsed, mail_count = parse_rate()
    return [
        (f"mails parsed per second (the {mail_count} test mails in turn)", f"{parsed:,.0f}", "≥ 500"),
        ("orders planned per second (3 scenarios, 3-step plan)", f"{plan_rate():,.0f}", "≥ 5,000"),
        ("mails rendered per second (text + HTML, MIME bytes)", f"{render_rate():,.0f}", "≥ 1,000"),
        *(
            (f"hostile mail: {what} (ms)", f"{_slowest_ms(mails):,.0f}", target)
            for what, mails, target in hostile_mails()
        ),
        ("`import okaeri` (ms)", f"{import_ms('import okaeri'):.1f}", "≤ 150"),
        (
            "`import okaeri.parsing, okaeri.planner, okaeri.rendering, okaeri.compliance` (ms)",
            f"{import_ms('import okaeri.parsing, okaeri.planner, okaeri.rendering, okaeri.compliance'):.1f}",
            "≤ 150",
        ),
        (
            "cold start: those imports + reading the inputs + first parse, plan and render (ms)",
            f"{import_ms('from bench.domain import first_use; first_use()'):.1f}",
            "—",
        ),
    ]
