"""Helpers for the parsing tests: sample mails with their expectations, and a subset comparison."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from okaeri.errors import ParseError
from okaeri.models.base import validate_document
from okaeri.parsing import ParseMask, parse_mail


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
