"""Coupon sources for rendering: a visible placeholder for previews, and in-memory CSV pools.

Both follow :class:`okaeri.ports.CouponSource`: asking twice for the same (pool, delivery) gives the
same code, so a re-render or a retried send never spends a second code.
"""

from __future__ import annotations

import csv
import re
import threading
from collections import Counter, deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from okaeri.errors import ConfigError, CouponPoolEmptyError
from okaeri.ports import Coupons

POOL_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,39}")
"""What a coupon pool name may look like: ``coupon("THANKS10")``, ``@coupon_THANKS10@``."""


@dataclass(frozen=True)
class ShopCoupons:
    """A shop's pools (:class:`okaeri.ports.Coupons`) as the renderer's ``CouponSource``.

    One is made for each render: a template asks for its code once per part (text, HTML, the
    mobile text), and each (pool, delivery) is looked up in the pools only the first time."""

    coupons: Coupons
    shop_id: str
    _given: dict[tuple[str, str], str] = field(default_factory=dict, init=False, repr=False, compare=False)

    def code_for(self, pool: str, delivery_id: str) -> str:
        key = (pool, delivery_id)
        if key not in self._given:
            self._given[key] = self.coupons.code_for(self.shop_id, pool, delivery_id)
        return self._given[key]


class PreviewCoupons:
    """For previews and ``okaeri render`` without pools: a code that says what it is, none spent."""

    def code_for(self, pool: str, delivery_id: str) -> str:
        return f"PREVIEW-{pool}"


class CsvCoupons:
    """Coupon pools held in memory, each read from CSV lines with a ``code`` header (or bare codes).

    ``pools`` maps a pool name to the lines of its CSV file, or to a path to read. Every delivery
    gets the next unused code of a pool once; a pool with no code left raises
    :class:`~okaeri.errors.CouponPoolEmptyError`.
    """

    def __init__(self, pools: Mapping[str, Iterable[str] | Path]) -> None:
        self._unused: dict[str, deque[str]] = {
            pool: deque(read_coupon_csv(source, pool=pool)) for pool, source in pools.items()
        }
        self._given: dict[tuple[str, str], str] = {}
        self._lock = threading.Lock()

    def code_for(self, pool: str, delivery_id: str) -> str:
        with self._lock:
            given = self._given.get((pool, delivery_id))
            if given is not None:
                return given
            unused = self._unused.get(pool)
            if not unused:
                what = "がありません" if unused is None else "のコードを使い切りました"
                raise CouponPoolEmptyError(
                    f"クーポンプール {pool} {what}（配信 {delivery_id}）",
                    f"coupon pool {pool} {'does not exist' if unused is None else 'has no unused code left'} "
                    f"(delivery {delivery_id})",
                )
            code = unused.popleft()
            self._given[(pool, delivery_id)] = code
            return code

    def remaining(self, pool: str) -> int:
        """How many codes of ``pool`` are still unused."""
        with self._lock:
            return len(self._unused.get(pool, ()))


def read_coupon_csv(source: Iterable[str] | Path, *, pool: str) -> list[str]:
    """The codes of a coupon CSV: the ``code`` column (or the only column when there is no header).

    Blank rows are skipped; a duplicated code is an error (a unique code must not go out twice).
    A path is read as UTF-8 (with or without BOM) or, failing that, as Shift_JIS (Excel in Japan).
    """
    lines = _read_lines(source) if isinstance(source, Path) else list(source)
    rows = [row for row in csv.reader(lines) if any(cell.strip() for cell in row)]
    if not rows:
        return []
    header = [cell.strip().lstrip("\ufeff").lower() for cell in rows[0]]
    if "code" in header:
        column = header.index("code")
        rows = rows[1:]
    elif len(header) == 1:
        column = 0
    else:
        raise ConfigError(
            f"クーポンプール {pool} の CSV に code 列がありません",
            f"coupon pool {pool}: the CSV has no 'code' column",
        )
    codes = [row[column].strip() for row in rows if len(row) > column and row[column].strip()]
    duplicates = sorted(code for code, count in Counter(codes).items() if count > 1)
    if duplicates:
        listed = ", ".join(duplicates[:5])
        raise ConfigError(
            f"クーポンプール {pool} に同じコードが複数あります: {listed}",
            f"coupon pool {pool} lists a code more than once: {listed}",
        )
    return codes


def _read_lines(path: Path) -> list[str]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(
            f"{path} を読み込めません: {exc.strerror}", f"cannot read {path}: {exc.strerror}"
        ) from exc
    for encoding in ("utf-8-sig", "cp932"):
        try:
            return data.decode(encoding).splitlines()
        except UnicodeDecodeError:
            continue
    raise ConfigError(
        f"{path} の文字コードが読めません（UTF-8 か Shift_JIS）", f"{path} is neither UTF-8 nor Shift_JIS"
    )
