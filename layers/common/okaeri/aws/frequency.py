"""``ports.FrequencyCaps`` over the ``customers`` table: item ``cap#<customer_id>`` (issue #16).

The item holds the customer's recent advertising sends (``sends``: delivery id → ISO time, only
those still within the cap's window) and a ``version``. A reservation reads the item (strongly
consistent), decides with ``okaeri.frequency.reserved`` and writes the new list on the condition
that the version is still the one it read (or that there is no item yet); when another send wrote
meanwhile the condition fails and it reads and decides again, at most ``ATTEMPTS`` times. So two
sends racing for one customer at the cap cannot both pass: the second one's write finds the version
moved and its new read counts the first. ``expires_at`` (TTL) lets the item go once its last send has
left the window.
"""

from __future__ import annotations

import random
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

from okaeri.aws.dynamo import SK, CountConflictError, Expression, Table, iso_utc
from okaeri.frequency import expiry, reserved

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

    from okaeri.models.shop import FrequencyCap

CAP_PREFIX: Final = "cap#"
#: Reads and conditional writes one reservation tries before it gives up (an error: the send's
#: claim is released and its wake-up retried).
ATTEMPTS: Final = 8


def cap_sk(customer_id: str) -> str:
    return f"{CAP_PREFIX}{customer_id}"


@dataclass(frozen=True)
class CapState:
    """The item as read: the sends it holds and its version (0: there is no item)."""

    sends: dict[str, datetime] = field(default_factory=dict)
    version: int = 0


class DynamoFrequencyCaps:
    def __init__(self, table_name: str, *, client: DynamoDBClient | None = None) -> None:
        self._table = Table(table_name, client=client)

    def reserve(
        self, shop_id: str, customer_id: str, delivery_id: str, *, at: datetime, cap: FrequencyCap
    ) -> bool:
        for attempt in range(ATTEMPTS):
            state = self.read(shop_id, customer_id)
            sends = reserved(state.sends, delivery_id, at=at, cap=cap)
            if sends is None:
                return False
            if delivery_id in state.sends or self._write(shop_id, customer_id, sends, state, cap):
                return True
            time.sleep(random.uniform(0, 0.01 * 2**attempt))  # a pause, not a secret
        raise CountConflictError(f"the frequency cap of customer {customer_id} stayed busy")

    def release(self, shop_id: str, customer_id: str, delivery_id: str) -> None:
        expr = Expression()
        update = f"REMOVE {expr.member('sends', delivery_id)} ADD {expr.name('version')} {expr.value(1)}"
        # moving the version makes a reservation that read before the release read again
        self._table.update(
            shop_id, cap_sk(customer_id), expr, update=update, condition=f"attribute_exists({SK})"
        )

    def read(self, shop_id: str, customer_id: str) -> CapState:
        item = self._table.get(shop_id, cap_sk(customer_id))
        if item is None:
            return CapState()
        sends: Mapping[str, Any] = item.get("sends") or {}
        return CapState(
            sends={key: datetime.fromisoformat(str(value)) for key, value in sends.items()},
            version=int(item.get("version", 0)),
        )

    def _write(
        self, shop_id: str, customer_id: str, sends: dict[str, datetime], read: CapState, cap: FrequencyCap
    ) -> bool:
        """Write ``sends`` if the item is still at the version ``read`` had; False when it moved."""
        expr = Expression()
        if read.version == 0:
            condition = f"attribute_not_exists({SK})"
        else:
            condition = f"{expr.name('version')} = {expr.value(read.version)}"
        until = expiry(sends, cap)
        item: dict[str, Any] = {
            "pk": shop_id,
            "sk": cap_sk(customer_id),
            "shop_id": shop_id,
            "customer_id": customer_id,
            "sends": {key: iso_utc(value) for key, value in sends.items()},
            "version": read.version + 1,
        }
        if until is not None:
            item["expires_at"] = int(until.timestamp())
        return self._table.put(item, condition=condition, expr=expr)
