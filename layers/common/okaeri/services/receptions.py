"""Reading a received mail again ("parse again", typically after a mask was added).

Ingest runs once more on the stored mail, in place of its reception entry: the entry keeps its time
of receipt (so a failure that is now read well is no longer counted as one), its earlier readings go
to its history, and any other entry of the same mail is merged into it. A new order goes on to be
planned like any other. A mail that is gone is a 404, not a "failed" entry. Audited
(``reception.reparse``, with the result and the one before).
"""

from __future__ import annotations

from dataclasses import dataclass

from okaeri.models import ReceptionEntry
from okaeri.ports import AdminLogs, Clock, MailStore
from okaeri.services.documents import audit
from okaeri.services.ingest import IngestDeps, ingest_object


@dataclass(frozen=True)
class ReparseDeps:
    ingest: IngestDeps
    logs: AdminLogs
    raw_mail: MailStore
    clock: Clock


def read_again(deps: ReparseDeps, shop_id: str, key: str, *, by: str) -> ReceptionEntry:
    """The mail ``key`` of the shop ingested again; its entry as it is now."""
    deps.raw_mail.head_size(key)  # a mail that is gone is a 404
    entry = _ingest_again(deps, shop_id, key)
    audit(
        deps.logs,
        deps.clock,
        shop_id,
        "reception.reparse",
        by=by,
        key=key,
        result=entry.result,
        was=entry.history[-1].result if entry.history else None,
    )
    return entry


def _ingest_again(deps: ReparseDeps, shop_id: str, key: str) -> ReceptionEntry:
    now = deps.clock.now()
    earlier = deps.logs.receptions_of(shop_id, key)
    if not earlier:
        return ingest_object(deps.ingest, shop_id=shop_id, key=key, event_time=now)
    first = earlier[-1]  # the oldest: the mail's time of receipt
    history = [attempt for old in reversed(earlier) for attempt in (*old.history, old.attempt())]
    entry = ingest_object(deps.ingest, shop_id=shop_id, key=key, event_time=first.received_at)
    entry = entry.model_copy(update={"history": history, "read_again_at": now})
    deps.logs.put_reception(entry)
    for other in earlier[:-1]:
        deps.logs.forget_reception(other)
    return entry
