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

from bench.report import Spread, Table, print_table
from okaeri.models import Order, Scenario, Shop, Template, load_document

ROOT = Path(__file__).resolve().parents[1]
MAILS = ROOT / "tests" / "fixtures" / "mail"
CONFIG = ROOT / "tests" / "fixtures" / "config"
BENCH_DATA = Path(__file__).resolve().parent / "data"
ROUNDS = 7  # a rate is measured in this many rounds: the median round, with the slowest and fastest
REPEATS = 5  # a hostile mail is parsed this many times
IMPORT_RUNS = 15


def per_second(work: Callable[[], int], *, seconds: float = 2.0) -> Spread:
    """Run ``work`` (which returns how many items it did) repeatedly for about ``seconds``, in
    ``ROUNDS`` rounds: the rate of each round."""
    rates = []
    for _ in range(ROUNDS):
        done = 0
        start = time.perf_counter()
        while (elapsed := time.perf_counter() - start) < seconds / ROUNDS:
            done += work()
        rates.append(done / elapsed)
    return Spread.of(rates)


def parse_rate() -> tuple[Spread, int]:
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


def _slowest_ms(mails: list[bytes]) -> Spread:
    """The slowest of ``mails`` to parse (by its median of ``REPEATS``), in ms: what the parsing
    tests bound as work."""
    from okaeri.errors import ParseError
    from okaeri.parsing import parse_mail

    def ms(raw: bytes) -> float:
        start = time.perf_counter()
        with contextlib.suppress(ParseError):
            parse_mail(raw)
        return (time.perf_counter() - start) * 1000

    return max(
        (Spread.of([ms(raw) for _ in range(REPEATS)]) for raw in mails), key=lambda spread: spread.median
    )


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


def plan_rate() -> Spread:
    from okaeri.planner import plan_order

    shop, scenarios, _, order = _bench_inputs()
    now = datetime.fromisoformat("2026-11-20T11:06:00+09:00")
    orders = [order.model_copy(update={"order_id": f"B-{n}"}) for n in range(100)]

    def work() -> int:
        for each in orders:
            plan_order(shop, scenarios, each, now=now, order_count=2)
        return len(orders)

    return per_second(work)


def render_rate() -> Spread:
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


def import_ms(statement: str, *, runs: int = IMPORT_RUNS) -> Spread:
    """Wall time of a fresh interpreter running ``statement``, minus a bare interpreter's median;
    the two take turns, ``runs`` each."""
    samples: dict[str, list[float]] = {statement: [], "pass": []}
    for _ in range(runs):
        for code, times in samples.items():
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], check=True)
            times.append((time.perf_counter() - start) * 1000)
    return Spread.of(samples[statement]).shifted(-statistics.median(samples["pass"]))


def run() -> list[tuple[str, str, str]]:
    """(figure, measured: median (min–max), target) rows."""
    parsed, mail_count = parse_rate()
    return [
        (f"mails parsed per second (the {mail_count} test mails in turn)", parsed.show(",.0f"), "≥ 500"),
        ("orders planned per second (3 scenarios, 3-step plan)", plan_rate().show(",.0f"), "≥ 5,000"),
        ("mails rendered per second (text + HTML, MIME bytes)", render_rate().show(",.0f"), "≥ 1,000"),
        *(
            (f"hostile mail: {what} (ms)", _slowest_ms(mails).show(",.0f"), target)
            for what, mails, target in hostile_mails()
        ),
        ("`import okaeri` (ms)", import_ms("import okaeri").show(), "≤ 150"),
        (
            "`import okaeri.parsing, okaeri.planner, okaeri.rendering, okaeri.compliance` (ms)",
            import_ms("import okaeri.parsing, okaeri.planner, okaeri.rendering, okaeri.compliance").show(),
            "≤ 150",
        ),
        (
            "cold start: those imports + reading the inputs + first parse, plan and render (ms)",
            import_ms("from bench.domain import first_use; first_use()").show(),
            "—",
        ),
    ]


def table(rows: list[tuple[str, str, str]]) -> Table:
    return Table("Domain core (one core)", ("figure", "measured: median (min–max)", "target"), rows, "lrr")


NOTES = (
    f"Rates: {ROUNDS} rounds of about 2 s in all, the median round's rate with the slowest and the",
    f"fastest. A hostile mail: the slowest kind by its median of {REPEATS} parses. Import times: a fresh",
    "interpreter running the import, minus a bare interpreter's median start-up, the two taking turns",
    f"({IMPORT_RUNS} runs each). `import okaeri` loads nothing but the package marker; the second import",
    "is what a Lambda handler pays on a cold start; most of it is pydantic and Jinja2 themselves",
    "(`python -X importtime` shows them). Models are built lazily (`defer_build`), so the cold-start",
    "row adds the first parse, plan and render to show where that cost lands.",
)


if __name__ == "__main__":
    print_table(table(run()))
