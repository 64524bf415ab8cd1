"""The ``logs`` table: reception, send and audit logs, newest first per shop.

Keys: ``pk`` = ``<shop>#reception`` / ``<shop>#send`` / ``<shop>#audit``; ``sk`` = ``<ISO UTC time>#<id>``.
The id makes a repeated event rewrite its own entry: the S3 key for a reception, the delivery id
for a send, a hash of the action and its detail for an audit entry.

An audit entry on one mail (an operator's stop, reschedule, edit, resend or drop) is written twice:
in the shop's log and under the mail, ``pk`` = ``<shop>#audit#<delivery id>``, with the same
``sk`` and expiry. The mail's history reads that partition whole, so however busy the shop's log,
none of the mail's actions falls outside a bounded pass over it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel

from okaeri.aws.dynamo import Expression, Table, expires_at, iso_utc
from okaeri.aws.search import CHUNK, every_item, search_page
from okaeri.models import ReceptionEntry, SendLogEntry

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

EntryT = TypeVar("EntryT", bound=BaseModel)
DEFAULT_PAGE = 50
IDEMPOTENCY_DAYS = 1
_AUDIT_HASH_HEX = 16


def _log_pk(shop_id: str, log: str) -> str:
    return f"{shop_id}#{log}"


def _delivery_audit_pk(shop_id: str, delivery_id: str) -> str:
    return _log_pk(shop_id, f"audit#{delivery_id}")


class DynamoLogs:
    """``ports.Logs`` over the ``logs`` table, plus the paged reads of the admin screens."""

    def __init__(self, table_name: str, *, retention_days: int, client: DynamoDBClient | None = None) -> None:
        self._table = Table(table_name, client=client)
        self._retention_days = retention_days

    def put_reception(self, entry: ReceptionEntry) -> None:
        self._put(entry.shop_id, "reception", entry.received_at, entry.s3_key, entry)

    def put_send(self, entry: SendLogEntry) -> None:
        self._put(entry.shop_id, "send", entry.at, entry.delivery_id, entry)

    def put_audit(
        self,
        shop_id: str,
        *,
        action: str,
        at: datetime,
        detail: Mapping[str, Any],
        delivery: str | None = None,
    ) -> None:
        canonical = json.dumps([action, detail], sort_keys=True, ensure_ascii=False, default=str)
        digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:_AUDIT_HASH_HEX]
        item = {
            "pk": _log_pk(shop_id, "audit"),
            "sk": f"{iso_utc(at)}#{action}#{digest}",
            "shop_id": shop_id,
            "action": action,
            "at": iso_utc(at),
            "detail": json.loads(json.dumps(detail, ensure_ascii=False, default=str)),
            "expires_at": expires_at(at, self._retention_days),
        }
        if delivery is not None:
            # The mail's copy first: a retry after a failure in between rewrites both, the same.
            self._table.put(item | {"pk": _delivery_audit_pk(shop_id, delivery), "delivery_id": delivery})
        self._table.put(item)

    # --- Idempotency-Key records of the admin API (``<shop>#idempotency``, kept one day) ---------

    def start_request(
        self, shop_id: str, key: str, *, fingerprint: str, at: datetime
    ) -> dict[str, Any] | None:
        """Record a request as in progress; None when new, else the record already there."""
        return self._table.insert(
            {
                "pk": _log_pk(shop_id, "idempotency"),
                "sk": key,
                "fingerprint": fingerprint,
                "state": "in_progress",
                "at": iso_utc(at),
                "expires_at": expires_at(at, IDEMPOTENCY_DAYS),
            }
        )

    def finish_request(
        self, shop_id: str, key: str, *, status: int, body: str, headers: Mapping[str, str]
    ) -> None:
        expr = Expression()
        update = expr.update(
            set_values={"state": "done", "status": status, "body": body, "headers": dict(headers)}
        )
        self._table.update(_log_pk(shop_id, "idempotency"), key, expr, update=update)

    def forget_request(self, shop_id: str, key: str) -> None:
        self._table.delete(_log_pk(shop_id, "idempotency"), key)

    def receptions(
        self, shop_id: str, *, limit: int = DEFAULT_PAGE, start_key: str | None = None
    ) -> tuple[list[ReceptionEntry], str | None]:
        """A page of the reception log, newest first, and the ``start_key`` of the next page."""
        return self._page(shop_id, "reception", ReceptionEntry, limit=limit, start_key=start_key)

    def sends(
        self, shop_id: str, *, limit: int = DEFAULT_PAGE, start_key: str | None = None
    ) -> tuple[list[SendLogEntry], str | None]:
        """A page of the send log, newest first, and the ``start_key`` of the next page."""
        return self._page(shop_id, "send", SendLogEntry, limit=limit, start_key=start_key)

    # --- the admin screens: pages with a test, a period ------------------------------------------

    def reception_page(
        self,
        shop_id: str,
        *,
        keep: Callable[[ReceptionEntry], bool] | None,
        limit: int,
        start: Mapping[str, Any] | None,
    ) -> tuple[list[ReceptionEntry], dict[str, Any] | None]:
        """A page of the reception log, newest first, of the entries ``keep`` accepts."""
        return self._search(shop_id, "reception", ReceptionEntry, keep=keep, limit=limit, start=start)

    def send_page(
        self, shop_id: str, *, limit: int, start: Mapping[str, Any] | None
    ) -> tuple[list[SendLogEntry], dict[str, Any] | None]:
        """A page of the send log, newest first."""
        return self._search(shop_id, "send", SendLogEntry, keep=None, limit=limit, start=start)

    def receptions_since(self, shop_id: str, since: datetime) -> Iterator[ReceptionEntry]:
        """Every reception from ``since`` on, newest first (bounded by ``search.MAX_PASS``)."""
        pk = _log_pk(shop_id, "reception")
        expr = Expression()
        condition = f"pk = {expr.value(pk)} AND sk >= {expr.value(iso_utc(since))}"
        for item in every_item(self._table, expr, condition, forward=False):
            yield ReceptionEntry.model_validate(item)

    def receptions_of(self, shop_id: str, s3_key: str) -> list[ReceptionEntry]:
        """The entries of one stored mail, newest first (one, unless it was read again before
        entries were merged; bounded by ``search.MAX_PASS``)."""
        pk = _log_pk(shop_id, "reception")
        expr = Expression()
        condition = f"pk = {expr.value(pk)}"
        return [
            ReceptionEntry.model_validate(item)
            for item in every_item(self._table, expr, condition, forward=False)
            if item.get("s3_key") == s3_key
        ]

    def forget_reception(self, entry: ReceptionEntry) -> None:
        """Delete one entry (a reading merged into another entry's history)."""
        pk = _log_pk(entry.shop_id, "reception")
        self._table.delete(pk, f"{iso_utc(entry.received_at)}#{entry.s3_key}")

    def delivery_audit(self, shop_id: str, delivery_id: str) -> Iterator[dict[str, Any]]:
        """Every audit entry kept under one mail (``put_audit(..., delivery=...)``), oldest first:
        its own partition, read page after page to the end (a mail's actions are few; no bound cuts
        them short, whatever the rest of the shop's log holds)."""
        pk = _delivery_audit_pk(shop_id, delivery_id)
        expr = Expression()
        condition = f"pk = {expr.value(pk)}"
        cursor: Mapping[str, Any] | None = None
        while True:
            items, cursor = self._table.query_page(expr, condition, limit=CHUNK, start=cursor, forward=True)
            yield from items
            if cursor is None:
                return

    def _search(
        self,
        shop_id: str,
        log: str,
        model: type[EntryT],
        *,
        keep: Callable[[EntryT], bool] | None,
        limit: int,
        start: Mapping[str, Any] | None,
    ) -> tuple[list[EntryT], dict[str, Any] | None]:
        pk = _log_pk(shop_id, log)
        expr = Expression()
        return search_page(
            self._table,
            expr,
            f"pk = {expr.value(pk)}",
            convert=model.model_validate,
            key_names=("pk", "sk"),
            fixed={"pk": pk},
            limit=limit,
            start=start,
            forward=False,
            keep=keep,
        )

    def _put(self, shop_id: str, log: str, at: datetime, entry_id: str, entry: BaseModel) -> None:
        item = entry.model_dump(mode="json") | {
            "pk": _log_pk(shop_id, log),
            "sk": f"{iso_utc(at)}#{entry_id}",
            "expires_at": expires_at(at, self._retention_days),
        }
        self._table.put(item)

    def _page(
        self, shop_id: str, log: str, model: type[EntryT], *, limit: int, start_key: str | None
    ) -> tuple[list[EntryT], str | None]:
        pk = _log_pk(shop_id, log)
        expr = Expression()
        start = {"pk": pk, "sk": start_key} if start_key is not None else None
        items, last = self._table.query_page(
            expr, f"pk = {expr.value(pk)}", limit=limit, start=start, forward=False
        )
        return [model.model_validate(item) for item in items], (str(last["sk"]) if last else None)
