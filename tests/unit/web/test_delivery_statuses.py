"""The admin page lists the delivery statuses the API has (``okaeri.models.DeliveryStatus``), in its order.

``web/src/screens/deliveries/common.tsx`` writes them out for the status filter; the type checker holds
each to the API's type, but not that none is missing.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from okaeri.models import DeliveryStatus

COMMON = Path(__file__).resolve().parents[3] / "web" / "src" / "screens" / "deliveries" / "common.tsx"


def test_the_page_lists_every_delivery_status() -> None:
    found = re.search(r"export const STATUSES: [^=]+= (\[[^\]]*\]);", COMMON.read_text("utf-8"))
    assert found, f"STATUSES not found in {COMMON}"
    assert json.loads(found.group(1)) == [status.value for status in DeliveryStatus]
