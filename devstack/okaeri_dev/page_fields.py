"""The field lists the admin page offers, as the API takes them: ``web/src/api/fields.json``.

The page's CSV column mapping and its parse-mask editor list the fields the API reads; the page
imports them from this generated file instead of writing them again. ``make api-types`` writes it
with the OpenAPI snapshot (``python -m okaeri_dev.openapi_dump``);
``tests/unit/web/test_page_fields.py`` fails when it and the API drift apart.
"""

from __future__ import annotations

import json

from okaeri.import_formats.csv_orders import FIELD_NAMES
from okaeri.parsing.mask import MASK_FIELDS, MASK_TIME_FIELDS

#: The file's name, next to the OpenAPI snapshot.
NAME = "fields.json"


def page_fields() -> dict[str, list[str]]:
    return {
        "order_columns": list(FIELD_NAMES),
        "mask_fields": list(MASK_FIELDS),
        "mask_time_fields": list(MASK_TIME_FIELDS),
    }


def page_fields_text() -> str:
    """The file's exact text."""
    return json.dumps(page_fields(), indent=2) + "\n"
