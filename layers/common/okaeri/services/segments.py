"""Customer segments on the customers screen: a page, the count, and the CSV export (issue #16).

The segment (``okaeri.segments``) is read from the ``by_last_order`` index through
``AdminCustomers``; "today" is the shop's day in its time zone.

**The export** is for the mail Okaeri may not send (Rakuten's R-Mail, a postal DM): one row per
customer, latest last order first, with Japanese headers

| 名前 | メールアドレス | 最終注文日 | 注文回数 | 購入金額合計 | 配信停止日 |
| --- | --- | --- | --- | --- | --- |
| name | e-mail | last order's day (shop's time zone) | open orders | their total, yen | the day they opted out, or empty |

in UTF-8 with a BOM (``utf-8``) or in CP932 (``cp932``, Shift_JIS as Excel reads it by default).
A text cell that a spreadsheet would take for a formula (``=``, ``+``, ``-``, ``@``, a tab or a
carriage return first) is written after a ``'``, as the results CSV does. CP932 cannot hold every
character: the JIS variants Windows spells differently (〜 − ‖ ¢ £ ¬ —) become their CP932 twins,
which look the same; any other character CP932 lacks (an emoji, 𠮷 …) becomes 〓 (geta), and the
answer says in how many rows that happened. At most ``MAX_EXPORT_ROWS`` rows: a larger segment is
refused (narrow it), never cut. Every export is audited (``customers.export``: who, the segment,
how many rows, the encoding, the rows with a replaced character) — names and addresses never.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, tzinfo
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field

from okaeri.models import CustomerRecord
from okaeri.ports import AdminCustomers, Clock, Logs, ShopConfig, StartKey
from okaeri.segments import Segment
from okaeri.services.documents import audit, shop_of
from okaeri.services.results import csv_cell

Encoding = Literal["utf-8", "cp932"]
ENCODINGS: Final[tuple[Encoding, ...]] = ("utf-8", "cp932")
#: The most rows one export writes (a larger segment is refused: the file must fit one answer).
MAX_EXPORT_ROWS: Final = 20_000
EXPORT_ACTION: Final = "customers.export"
#: The export's columns: (header, its English name in the docs).
EXPORT_COLUMNS: Final = (
    ("名前", "name"),
    ("メールアドレス", "email"),
    ("最終注文日", "last order"),
    ("注文回数", "order count"),
    ("購入金額合計", "total spent"),
    ("配信停止日", "unsubscribed"),
)
BOM: Final = "\ufeff"
#: What stands for a character CP932 cannot hold (〓, geta: the usual mark of a missing glyph).
GETA: Final = "\u3013"
#: JIS X 0208 characters as Unicode spells them → the code points CP932 maps the same glyphs to.
CP932_TWINS: Final = str.maketrans(
    {
        "\u301c": "\uff5e",  # 〜 WAVE DASH → ～
        "\u2212": "\uff0d",  # − MINUS SIGN → －
        "\u2016": "\u2225",  # ‖ DOUBLE VERTICAL LINE → ∥
        "\u00a2": "\uffe0",  # ¢
        "\u00a3": "\uffe1",  # £
        "\u00ac": "\uffe2",  # ¬
        "\u2014": "\u2015",  # — EM DASH → ―
    }
)


@dataclass(frozen=True)
class SegmentDeps:
    customers: AdminCustomers
    config: ShopConfig
    logs: Logs
    clock: Clock


class SegmentCount(BaseModel):
    model_config = ConfigDict(defer_build=True)

    count: int = Field(description="セグメントのお客様の数 / how many customers the segment holds")
    today: date = Field(description="基準日（ショップのタイムゾーン） / the shop's today the days count from")
    last_order_from: date | None = Field(
        default=None, description="最終注文日の下限（含む） / the earliest last order's day taken"
    )
    last_order_to: date | None = Field(
        default=None, description="最終注文日の上限（含む） / the latest last order's day taken"
    )


@dataclass(frozen=True)
class Export:
    """A segment's CSV: its bytes, rows, and the rows where CP932 lacked a character."""

    body: bytes
    rows: int
    replaced_rows: int
    filename: str


def today_of(deps: SegmentDeps, shop_id: str) -> tuple[date, tzinfo]:
    """The shop's today (in its time zone), and the zone."""
    zone = shop_of(deps.config, shop_id).tz
    return deps.clock.now().astimezone(zone).date(), zone


def segment_page(
    deps: SegmentDeps, shop_id: str, segment: Segment, *, limit: int, start: Mapping[str, Any] | None
) -> tuple[list[CustomerRecord], StartKey]:
    today, _ = today_of(deps, shop_id)
    return deps.customers.segment(shop_id, segment, today=today, limit=limit, start=start)


def segment_count(deps: SegmentDeps, shop_id: str, segment: Segment) -> SegmentCount:
    today, _ = today_of(deps, shop_id)
    low, high = segment.day_bounds(today)
    count = deps.customers.segment_count(shop_id, segment, today=today)
    return SegmentCount(count=count, today=today, last_order_from=low, last_order_to=high)


def export_segment(
    deps: SegmentDeps, shop_id: str, segment: Segment, *, encoding: Encoding, by: str
) -> Export:
    """The segment as CSV, audited before it is handed out."""
    today, zone = today_of(deps, shop_id)
    customers = deps.customers.segment_all(shop_id, segment, today=today, max_rows=MAX_EXPORT_ROWS)
    body, replaced = segment_csv(customers, zone=zone, encoding=encoding)
    audit(
        deps.logs,
        deps.clock,
        shop_id,
        EXPORT_ACTION,
        by=by,
        segment=segment.describe(),
        rows=len(customers),
        encoding=encoding,
        replaced_rows=replaced,
    )
    filename = f"okaeri-customers-{shop_id}-{today.isoformat()}-{encoding}.csv"
    return Export(body=body, rows=len(customers), replaced_rows=replaced, filename=filename)


def segment_csv(
    customers: Sequence[CustomerRecord], *, zone: tzinfo, encoding: Encoding
) -> tuple[bytes, int]:
    """The CSV's bytes (CRLF lines) and how many rows had a character CP932 lacks (0 in UTF-8)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([header for header, _ in EXPORT_COLUMNS])
    replaced = 0
    for customer in customers:
        row = [csv_cell(value) for value in _row(customer, zone)]
        if encoding == "cp932":
            row, changed = _cp932_row(row)
            replaced += changed
        writer.writerow(row)
    text = out.getvalue()
    if encoding == "utf-8":
        return (BOM + text).encode("utf-8"), 0
    return text.encode("cp932"), replaced


def _row(customer: CustomerRecord, zone: tzinfo) -> list[object]:
    unsubscribed = customer.unsubscribed_at
    return [
        customer.name or "",
        customer.email,
        customer.last_order_day.isoformat() if customer.last_order_day else "",
        customer.order_count,
        customer.total_spent,
        unsubscribed.astimezone(zone).date().isoformat() if unsubscribed else "",
    ]


def _cp932_row(cells: list[str]) -> tuple[list[str], bool]:
    """The cells as CP932 can hold them, and whether a character had to become 〓."""
    written: list[str] = []
    changed = False
    for cell in cells:
        text = cell.translate(CP932_TWINS)
        try:
            text.encode("cp932")
        except UnicodeEncodeError:
            text = "".join(_cp932_char(char) for char in text)
            changed = True
        written.append(text)
    return written, changed


def _cp932_char(char: str) -> str:
    try:
        char.encode("cp932")
    except UnicodeEncodeError:
        return GETA
    return char
