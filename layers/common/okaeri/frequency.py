"""The shop's frequency cap on advertising mails (issue #16): pure rules, no I/O.

A customer's recent advertising sends are kept as delivery id → when (``ports.FrequencyCaps``).
A new advertising mail at ``at`` may go out when fewer than ``cap.mails`` of the others fall within
the ``cap.days`` days up to it (``(at - days, at]``: a window sliding with each send, not calendar
days). A delivery already holding a slot keeps it (a throttled or retried send asks again), so the
same reservation twice is one.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from okaeri.models.shop import FrequencyCap


def window(cap: FrequencyCap) -> timedelta:
    return timedelta(days=cap.days)


def in_window(sends: Mapping[str, datetime], *, at: datetime, cap: FrequencyCap) -> dict[str, datetime]:
    """The sends that still count at ``at`` (later ones too: a send stamped after ``at`` by another
    process's clock counts until it leaves the window)."""
    since = at - window(cap)
    return {delivery_id: sent for delivery_id, sent in sends.items() if sent > since}


def allows(sends: Mapping[str, datetime], delivery_id: str, *, at: datetime, cap: FrequencyCap) -> bool:
    """Whether ``delivery_id`` may take (or keeps) a slot at ``at``."""
    if delivery_id in sends:
        return True
    return len(in_window(sends, at=at, cap=cap)) < cap.mails


def reserved(
    sends: Mapping[str, datetime], delivery_id: str, *, at: datetime, cap: FrequencyCap
) -> dict[str, datetime] | None:
    """The sends after reserving a slot for ``delivery_id`` at ``at`` (those out of the window
    dropped), or None when the cap refuses it. A slot held already keeps its time."""
    if not allows(sends, delivery_id, at=at, cap=cap):
        return None
    kept = in_window(sends, at=at, cap=cap)
    kept[delivery_id] = sends.get(delivery_id, at)
    return kept


def expiry(sends: Mapping[str, datetime], cap: FrequencyCap) -> datetime | None:
    """When the record of these sends may go (the last one out of the window), or None (empty)."""
    return max(sends.values()) + window(cap) if sends else None
