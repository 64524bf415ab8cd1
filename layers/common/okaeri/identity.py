"""Who a buyer is within a shop: one normalised address, one customer id.

Pure and dependency-free, so the services and the DynamoDB adapter (``okaeri.aws.customers``)
compute the same id for the same address, and suppression entries match whatever case or
width the address was written in.
"""

from __future__ import annotations

import hashlib
import unicodedata

CUSTOMER_ID_HEX = 32


def normalise_address(address: str) -> str:
    """NFKC (full-width → ASCII), surrounding spaces dropped, lower case."""
    return unicodedata.normalize("NFKC", address).strip().lower()


def customer_id_for(email: str) -> str:
    """The first 32 hex digits of the SHA-256 of the normalised address (never the address itself)."""
    return hashlib.sha256(normalise_address(email).encode("utf-8")).hexdigest()[:CUSTOMER_ID_HEX]
