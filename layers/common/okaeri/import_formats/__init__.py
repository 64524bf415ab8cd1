"""Orders from files and webhooks: order CSVs (Rakuten RMS, Yahoo!ショッピング, any CSV with a column
mapping) and Shopify webhooks, read into ``Order``s. Pure: no AWS, no clock.

``okaeri.services.imports`` applies what these read, the way ingest applies a mail's order.
"""

from __future__ import annotations

from okaeri.import_formats.csv_file import MAX_CSV_BYTES, MAX_CSV_ROWS, CsvFileError
from okaeri.import_formats.csv_orders import RAKUTEN_RMS, YAHOO, Layout, ParsedCsv, mapped_layout, read_orders
from okaeri.import_formats.models import ColumnMapping, ImportReport, MappedColumns, RefusedRow
from okaeri.import_formats.shopify import KIND_BY_TOPIC, order_from_shopify, verify_hmac

__all__ = [
    "KIND_BY_TOPIC",
    "MAX_CSV_BYTES",
    "MAX_CSV_ROWS",
    "RAKUTEN_RMS",
    "YAHOO",
    "ColumnMapping",
    "CsvFileError",
    "ImportReport",
    "Layout",
    "MappedColumns",
    "ParsedCsv",
    "RefusedRow",
    "mapped_layout",
    "order_from_shopify",
    "read_orders",
    "verify_hmac",
]
