"""A template tells a confirmed ship date (the shop's mail gave ``shipped_at``) from an estimated one
(accept day + lead time: the goods have not gone out yet), and the tag help says how."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from okaeri.models import Order, Template
from okaeri.rendering import check_template, render_template
from tests.unit.rendering.support import MakeContext

ROOT = Path(__file__).resolve().parents[3]
SOURCE = (
    "{% if order.ship_date_confirmed %}発送しました{% else %}発送予定です{% endif %}"
    "|{{ order.ship_date_estimated }}"
)


def line(make_context: MakeContext, order: Order) -> str:
    template = Template(id="t", name="t", subject="s", text=SOURCE)
    check_template(template)  # the static check knows both names
    return render_template(template, make_context(order=order)).text.strip()


@pytest.mark.parametrize(
    ("shipped_at", "expected"), [(None, "発送予定です|True"), (date(2026, 12, 3), "発送しました|False")]
)
def test_confirmed_and_estimated_ship_dates_read_differently(
    make_context: MakeContext, order: Order, shipped_at: date | None, expected: str
) -> None:
    assert line(make_context, order.model_copy(update={"shipped_at": shipped_at})) == expected


def test_the_merge_tags_are_documented_and_offered_in_the_editor() -> None:
    tags = (ROOT / "web/src/screens/templates/tags.ts").read_text(encoding="utf-8")
    assert "{% if order.ship_date_confirmed %}{% else %}{% endif %}" in tags
    for lang in ("ja", "en"):
        help_text = (ROOT / f"web/src/messages/{lang}/templates.json").read_text(encoding="utf-8")
        assert '"tag_if_ship_date_confirmed"' in help_text
        assert "order.ship_date_estimated" in help_text
    docs = (ROOT / "docs/domain.md").read_text(encoding="utf-8")
    assert "`order.ship_date_confirmed`" in docs
    assert "`order.ship_date_estimated`" in docs
