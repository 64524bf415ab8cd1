"""The admin page offers the fields the API reads, from one list (``okaeri_dev.page_fields``).

The CSV column mapping (``web/src/screens/imports/csv.ts``) and the parse-mask editor
(``web/src/screens/receptions/types.ts``) import ``web/src/api/fields.json``, which ``make api-types``
writes from ``okaeri.import_formats.csv_orders.FIELD_NAMES`` and ``okaeri.parsing.mask.MASK_FIELDS``.
"""

from __future__ import annotations

from pathlib import Path

from okaeri_dev.page_fields import NAME, page_fields_text

FIELDS = Path(__file__).resolve().parents[3] / "web" / "src" / "api" / NAME


def test_the_committed_field_lists_are_the_apis() -> None:
    assert FIELDS.read_text("utf-8") == page_fields_text(), (
        f"{FIELDS.name} differs from the API's field lists: run `make api-types` and commit web/src/api/"
    )
