"""What the CSV import tests share: the fixture files and the column mapping of ``mapped-orders.csv``."""

from __future__ import annotations

from typing import Any

from tests.conftest import FIXTURES

IMPORTS = FIXTURES / "imports"
#: The mapping (``ColumnMapping``) that reads ``mapped-orders.csv``.
MAPPING: dict[str, Any] = {
    "source": "csv",
    "columns": {
        "order_id": "注文ID",
        "ordered_at": "注文日",
        "customer_name": ["姓", "名"],
        "customer_email": "メール",
        "item_sku": "商品コード",
        "item_name": "商品",
        "quantity": "数量",
        "unit_price": "価格",
        "total": "合計",
        "shipped_at": "出荷日",
    },
    "date_format": "%Y/%m/%d %H:%M",
}


def csv_file(name: str) -> bytes:
    """A CSV of ``tests/fixtures/imports``, byte for byte."""
    return (IMPORTS / name).read_bytes()
