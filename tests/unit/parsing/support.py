"""Helpers for the parsing tests: sample mails with their expectations, and a subset comparison."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from okaeri.errors import ParseError
from okaeri.models.base import validate_document
from okaeri.parsing import ParseMask, parse_mail

ORDER_TEXT = """[受注番号] 338361-20261120-0912345678
[日時]     2026-11-20 11:05:12
[注文者]   山辺 太郎 (ヤマノベ タロウ)
           〒990-0301 山形県東村山郡山辺町大字山辺1234
[商品]
佐藤錦 500g ①箱(cherry-500)
価格 3,240(円) x 2(個) = 6,480(円)
**********
合計   7,360(円)
**********
"""


def mail(body: bytes, *, headers: str = "", content_type: str | None = "text/plain; charset=utf-8") -> bytes:
    """A Rakuten-looking mail around ``body``; ``headers`` go between Subject and Content-Type."""
    head = "From: Rakuten <order@rakuten.co.jp>\nSubject: order\n" + headers
    if content_type is not None:
        head += f"Content-Type: {content_type}\n"
    return head.encode("ascii") + b"\n" + body


def refusal(raw: bytes) -> ParseError:
    """The ParseError that parsing ``raw`` raises."""
    with pytest.raises(ParseError) as caught:
        parse_mail(raw)
    return caught.value


def masks_for(mail: Path) -> list[ParseMask]:
    """``NAME-mask.yaml`` files beside ``mail`` whose NAME starts the mail's file name."""
    found = []
    for path in sorted(mail.parent.glob("*-mask.yaml")):
        prefix = path.name.removesuffix("-mask.yaml")
        if mail.name.startswith(f"{prefix}-"):
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            found.append(validate_document(ParseMask, data, what=path.name))
    return found


def mismatches(expected: Any, actual: Any, where: str = "") -> list[str]:
    """Where ``actual`` differs from ``expected``: dicts on the expected keys, lists element-wise."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{where or '.'}: expected an object, got {actual!r}"]
        return [
            problem
            for key, value in expected.items()
            for problem in (
                mismatches(value, actual[key], f"{where}.{key}")
                if key in actual
                else [f"{where}.{key}: missing from the result"]
            )
        ]
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return [f"{where}: expected {len(expected)} elements, got {actual!r}"]
        return [
            problem
            for index, (want, got) in enumerate(zip(expected, actual, strict=True))
            for problem in mismatches(want, got, f"{where}[{index}]")
        ]
    if expected != actual:
        return [f"{where}: expected {expected!r}, got {actual!r}"]
    return []


def outcome(mail: Path) -> dict[str, Any]:
    """What parsing ``mail`` gives: the Order JSON, or ``{"error": reason}``."""
    try:
        order = parse_mail(mail.read_bytes(), masks=masks_for(mail))
    except ParseError as refusal:
        return {"error": refusal.reason, "message": str(refusal)}
    return order.to_json_dict()


def check_mail(mail: Path) -> None:
    expected = json.loads(mail.with_suffix(".expected.json").read_text(encoding="utf-8"))
    result = outcome(mail)
    problems = mismatches(expected, result)
    assert not problems, f"{mail.name}:\n  " + "\n  ".join(problems) + f"\n  result: {result}"
