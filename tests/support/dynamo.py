"""Reading DynamoDB tables in tests as an operator would: every page of a query or a scan."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def all_items(read: Callable[..., Any], **request: Any) -> list[dict[str, Any]]:
    """Every item ``read`` (a boto3 table's ``query`` or ``scan``) gives for ``request``, page after page."""
    items: list[dict[str, Any]] = []
    while True:
        page = read(**request)
        items += page["Items"]
        if "LastEvaluatedKey" not in page:
            return items
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
