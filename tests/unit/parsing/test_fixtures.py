"""Sample mails as data: the parser's own (tests/fixtures/mail) and the shared ones (../shared)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, SHARED_FIXTURES, shared_fixtures_or_skip
from tests.unit.parsing.support import check_mail, masks_for, mismatches

OWN_MAILS = sorted((FIXTURES / "mail").glob("*.eml"))
SHARED_MAILS = sorted((SHARED_FIXTURES / "mail").glob("*.eml"))


@pytest.mark.parametrize("mail", OWN_MAILS, ids=lambda path: path.stem)
def test_own_sample(mail: Path) -> None:
    check_mail(mail)


@pytest.mark.shared
@pytest.mark.parametrize("mail", SHARED_MAILS, ids=lambda path: path.stem)
def test_shared_sample(mail: Path) -> None:
    check_mail(mail)


@pytest.mark.shared
def test_every_shared_sample_is_checked() -> None:
    folder = shared_fixtures_or_skip() / "mail"
    mails = sorted(folder.glob("*.eml"))
    assert len(mails) >= 7
    assert all(mail.with_suffix(".expected.json").is_file() for mail in mails)
    assert [mask.name for mask in masks_for(folder / "mycart-order.eml")] == ["mycart"]


def test_own_samples_cover_the_layouts_and_refusals() -> None:
    expected = [json.loads(mail.with_suffix(".expected.json").read_text("utf-8")) for mail in OWN_MAILS]
    seen = {(case["source"], case.get("kind", "order")) for case in expected if "error" not in case}
    for needed in [
        ("rakuten", "order"),
        ("rakuten", "shipment"),
        ("yahoo", "order"),
        ("ec-cube", "order"),
        ("ec-cube", "shipment"),
        ("ec-cube", "cancellation"),
        ("mask:kurashi", "order"),
    ]:
        assert needed in seen
    errors = {case["error"] for case in expected if "error" in case}
    assert errors >= {"not_an_order", "missing_field", "unrecognised"}
    iso2022 = [mail.read_bytes() for mail in OWN_MAILS if b"ISO-2022-JP" in mail.read_bytes().upper()]
    # ① ㈱ Ⅱ as CP50220 writes them: ESC $ B then row 13 (0x2D21, 0x2D6A, 0x2D36)
    assert any(b"\x2d\x21" in raw and b"\x2d\x6a" in raw and b"\x2d\x36" in raw for raw in iso2022)


def test_the_comparison_is_a_subset_match() -> None:
    actual = {"a": 1, "b": {"c": 2, "d": 3}, "items": [{"x": 1, "y": 2}]}
    assert mismatches({"b": {"c": 2}, "items": [{"x": 1}]}, actual) == []
    assert mismatches({"b": {"c": 3}}, actual) == [".b.c: expected 3, got 2"]
    assert mismatches({"items": [{"x": 1}, {"x": 2}]}, actual)
    assert mismatches({"missing": None}, actual) == [".missing: missing from the result"]
    assert mismatches({"a": None}, {"a": 0})
