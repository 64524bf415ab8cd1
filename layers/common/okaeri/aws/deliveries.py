"""The ``deliveries`` table: one item per planned mail, and the conditional send state machine.

Every transition is one conditional UpdateItem, so two senders (a schedule and the sweeper, or a
retried invocation) can never both act on a delivery::

    scheduled ──claim──▶ sending ──mark_sent──▶ sent
        ▲                   │ └──release (nothing was sent)──▶ scheduled
        └──reschedule       └──mark_unknown (lease expired: SES may have taken it)──▶ unknown
    scheduled / sending / unknown ──finish──▶ failed | skipped | cancelled | unknown
    skipped (by the planner: past, beyond_max_window) ──revive (better order data)──▶ scheduled

Times are stored as fixed-width ISO UTC strings, so conditions and sort keys compare them as text.
The sparse ``due`` index holds only ``scheduled``, ``sending`` and ``unknown`` items: ``due_shard``
is ``scheduled#N`` or ``sending#N`` (N from the id's hash, spreading a sale day's load over
``DUE_SHARDS`` keys) and ``due_at`` is the send time or the lease's end; an ``unknown`` item is
under ``unknown#<shop>`` by its send time (the dashboard's latest few, newest first). Leaving those
states removes both attributes, so the sweeper reads only what may need it.

The shop's counts (``COUNTED``: ``waiting`` = ``scheduled`` or ``sending``, and ``unknown``) are
kept by the transitions themselves: a write that moves a delivery into or out of a counted state
is one ``TransactWriteItems`` holding the conditional write of the delivery and an ``ADD`` to the
counter items of the old and new state (``pk`` = ``<shop>#counts``, ``sk`` = ``<counter>#N``, N the
id's shard: a partition of their own, so no query of the shop's deliveries meets them), so
a repeated transition (refused by its condition) counts nothing and a crash cannot leave the
counts apart from the deliveries. A transition within one counter (claim, release, reschedule) or
between uncounted states stays one UpdateItem. ``recount`` sets the counters from a full scan
(existing deployments; see docs/operations.md).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Final

from okaeri.aws.dynamo import PK, SK, Expression, Table, expires_at, from_item, iso_utc, to_item
from okaeri.aws.orders import customer_ref
from okaeri.aws.search import by_time_page
from okaeri.models import Delivery, DeliveryStatus, PlanChange
from okaeri.models.delivery import FINAL_STATUSES, Conversion
from okaeri.ports import CLAIM_TOLERANCE, Claim

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import ScanInputTypeDef, TransactWriteItemTypeDef

DUE_SHARDS = 10  # must equal infra.tables.DUE_SHARDS (the layer cannot import infra; a test checks)
STATUSES: frozenset[str] = frozenset(DeliveryStatus)
DUE_KEYS = ("due_shard", "due_at")
LEASE_EXPIRED = "lease_expired"
#: What an operator may change of one pending mail.
EDITABLE = ("edited_subject", "edited_text")
#: The shop's counts: each counted status → the counter it is counted in (the dashboard's numbers).
COUNTED: Final[Mapping[str, str]] = {
    DeliveryStatus.SCHEDULED: "waiting",
    DeliveryStatus.SENDING: "waiting",
    DeliveryStatus.UNKNOWN: "unknown",
}
COUNTERS: Final = ("waiting", "unknown")
COUNTS_SUFFIX: Final = "#counts"
UNKNOWN_SHARD_PREFIX: Final = "unknown#"
#: At most this many deliveries in one ``put_all`` transaction (with up to ``2 × DUE_SHARDS`` counter
#: items, within DynamoDB's 100 actions); more are written one by one.
MAX_PUT_ALL: Final = 50


def counts_pk(shop_id: str) -> str:
    """The partition of the shop's counter items (apart from its deliveries, under ``shop_id``)."""
    return f"{shop_id}{COUNTS_SUFFIX}"


def counter_key(counter: str, delivery_id: str) -> str:
    """The sort key of the counter item a delivery's transitions add to (one of ``DUE_SHARDS``)."""
    return f"{counter}#{due_shard(delivery_id)}"


def unknown_shard(shop_id: str) -> str:
    """The ``due`` index key of the shop's ``unknown`` deliveries (by send time)."""
    return f"{UNKNOWN_SHARD_PREFIX}{shop_id}"


def due_shard(delivery_id: str) -> int:
    """The delivery's shard of the ``due`` index: stable, and even across ids."""
    return int.from_bytes(hashlib.sha256(delivery_id.encode("utf-8")).digest()[:4], "big") % DUE_SHARDS


def order_ref(shop_id: str, order_key: str) -> str:
    return f"{shop_id}#{order_key}"


def delivery_from_item(item: Mapping[str, Any]) -> Delivery:
    return Delivery.model_validate(item)


class DynamoDeliveries:
    """``ports.Deliveries`` over the ``deliveries`` table; items expire ``retention_days`` after the
    send time (or after the send, once sent)."""

    def __init__(self, table_name: str, *, retention_days: int, client: DynamoDBClient | None = None) -> None:
        self._table = Table(table_name, client=client)
        self._retention_days = retention_days

    # --- reads ---------------------------------------------------------------------------------

    def get(self, shop_id: str, delivery_id: str) -> Delivery | None:
        item = self._table.get(shop_id, delivery_id)
        return delivery_from_item(item) if item is not None else None

    def by_order(self, shop_id: str, order_key: str) -> list[Delivery]:
        return self._by_index("by_order", "order_ref", order_ref(shop_id, order_key))

    def by_customer(self, shop_id: str, customer_id: str) -> list[Delivery]:
        return self._by_index("by_customer", "customer_ref", customer_ref(shop_id, customer_id))

    def due(self, now: datetime, *, limit: int) -> list[Delivery]:
        return self._from_due_index(DeliveryStatus.SCHEDULED, "<=", now, limit=limit)

    def expired_leases(self, now: datetime, *, limit: int) -> list[Delivery]:
        return self._from_due_index(DeliveryStatus.SENDING, "<", now, limit=limit)

    def counts(self, shop_id: str) -> dict[str, int]:
        """The shop's counters (``COUNTERS``), each the sum of its shards: one strongly consistent
        query of at most ``len(COUNTERS) * DUE_SHARDS`` small items, whatever the volume."""
        expr = Expression()
        condition = f"{expr.name(PK)} = {expr.value(counts_pk(shop_id))}"
        totals = dict.fromkeys(COUNTERS, 0)
        for item in self._table.query_all(expr, condition):
            counter = str(item[SK]).split("#")[0]
            if counter in totals:
                totals[counter] += int(item.get("n", 0))
        return totals

    def latest_unknown(self, shop_id: str, *, limit: int) -> list[Delivery]:
        """The shop's ``limit`` latest ``unknown`` deliveries by send time, newest first (one query of
        the ``due`` index's ``unknown#<shop>`` key, at most ``limit`` items read)."""
        expr = Expression()
        condition = f"{expr.name('due_shard')} = {expr.value(unknown_shard(shop_id))}"
        items, _ = self._table.query_page(expr, condition, index="due", forward=False, limit=limit)
        return [delivery_from_item(item) for item in items]

    def _by_index(self, index: str, attribute: str, value: str) -> list[Delivery]:
        expr = Expression()
        items = self._table.query_all(expr, f"{expr.name(attribute)} = {expr.value(value)}", index=index)
        return [delivery_from_item(item) for item in items]

    def _from_due_index(
        self, state: DeliveryStatus, operator: str, now: datetime, *, limit: int
    ) -> list[Delivery]:
        """The ``limit`` earliest items of every shard of ``state`` (each shard read once)."""
        items: list[dict[str, Any]] = []
        for shard in range(DUE_SHARDS):
            expr = Expression()
            condition = (
                f"{expr.name('due_shard')} = {expr.value(f'{state}#{shard}')} "
                f"AND {expr.name('due_at')} {operator} {expr.value(iso_utc(now))}"
            )
            items += self._table.query_all(expr, condition, index="due", max_items=limit)
        items.sort(key=lambda item: str(item["due_at"]))
        return [delivery_from_item(item) for item in items[:limit]]

    # --- writes --------------------------------------------------------------------------------

    def put_new(self, delivery: Delivery) -> bool:
        counter = COUNTED.get(delivery.status)
        if counter is None:
            return self._table.insert(self._item(delivery)) is None
        return self._transact(
            [self._put_new_action(delivery), self._count_action(delivery.shop_id, counter, delivery.id, 1)]
        )

    def put_all(self, deliveries: Sequence[Delivery]) -> list[bool]:
        """An order's new deliveries in one TransactWriteItems: each put on the condition that its id is
        free, and the shop's counters added once per counter shard. When any is there already (the
        same event again) or the request is refused, each is written alone by :meth:`put_new`, so the
        answer still says, per delivery, whether it was new."""
        ids = [delivery.id for delivery in deliveries]
        if not 1 < len(deliveries) <= MAX_PUT_ALL or len(set(ids)) != len(ids):
            return [self.put_new(delivery) for delivery in deliveries]
        counted: Counter[tuple[str, str]] = Counter()
        actions = []
        for delivery in deliveries:
            actions.append(self._put_new_action(delivery))
            counter = COUNTED.get(delivery.status)
            if counter is not None:
                counted[(delivery.shop_id, counter_key(counter, delivery.id))] += 1
        actions += [self._add_action(shop_id, key, n) for (shop_id, key), n in counted.items()]
        if self._table.transact(actions) is None:
            return [True] * len(deliveries)
        return [self.put_new(delivery) for delivery in deliveries]

    def claim(self, shop_id: str, delivery_id: str, *, now: datetime, lease_until: datetime) -> Claim:
        """One conditional UpdateItem, no read first: a refused claim carries the item as it was
        (``ReturnValuesOnConditionCheckFailure=ALL_OLD``), so the caller knows why."""
        expr = Expression()
        update = expr.update(
            set_values={"status": DeliveryStatus.SENDING, "lease_until": iso_utc(lease_until)}
            | _due_keys(DeliveryStatus.SENDING, delivery_id, lease_until),
            add={"attempts": 1},
        )
        condition = (
            f"{expr.name('status')} = {expr.value(DeliveryStatus.SCHEDULED)} "
            f"AND {expr.name('send_at')} <= {expr.value(iso_utc(now + CLAIM_TOLERANCE))}"
        )
        updated = self._table.update_or_old(shop_id, delivery_id, expr, update=update, condition=condition)
        return Claim(updated.done, delivery_from_item(updated.item) if updated.item is not None else None)

    def mark_sent(
        self, shop_id: str, delivery_id: str, *, message_id: str, transport: str, at: datetime
    ) -> bool:
        changes = {
            "status": DeliveryStatus.SENT,
            "message_id": message_id,
            "transport": transport,
            "sent_at": iso_utc(at),
            "reason": None,
            "expires_at": expires_at(at, self._retention_days),
        }
        return self._move(shop_id, delivery_id, (DeliveryStatus.SENDING,), changes, remove=DUE_KEYS)

    def release(self, shop_id: str, delivery_id: str, *, send_at: datetime, reason: str) -> bool:
        changes = {"status": DeliveryStatus.SCHEDULED, "send_at": iso_utc(send_at), "reason": reason}
        changes |= _due_keys(DeliveryStatus.SCHEDULED, delivery_id, send_at)
        return self._move(shop_id, delivery_id, (DeliveryStatus.SENDING,), changes, remove=("lease_until",))

    def finish(
        self,
        shop_id: str,
        delivery_id: str,
        *,
        status: DeliveryStatus,
        reason: str,
        from_status: Sequence[DeliveryStatus],
        note: PlanChange | None = None,
    ) -> bool:
        if status not in FINAL_STATUSES:
            raise ValueError(f"finish() moves to one of {sorted(FINAL_STATUSES)}, not {status!r}")
        if not from_status:
            raise ValueError("finish() needs at least one status to move from")
        if status == DeliveryStatus.UNKNOWN:
            return self._move(
                shop_id,
                delivery_id,
                from_status,
                {"status": status, "reason": reason, "due_shard": unknown_shard(shop_id)},
                copy={"due_at": "send_at"},
                note=note,
            )
        return self._move(
            shop_id,
            delivery_id,
            from_status,
            {"status": status, "reason": reason},
            remove=DUE_KEYS,
            note=note,
        )

    def reschedule(
        self, shop_id: str, delivery_id: str, *, send_at: datetime, note: PlanChange | None = None
    ) -> bool:
        changes = {"send_at": iso_utc(send_at)} | _due_keys(DeliveryStatus.SCHEDULED, delivery_id, send_at)
        return self._move(shop_id, delivery_id, (DeliveryStatus.SCHEDULED,), changes, note=note)

    def revive(
        self,
        shop_id: str,
        delivery_id: str,
        *,
        send_at: datetime,
        reasons: Sequence[str],
        note: PlanChange | None = None,
    ) -> bool:
        """A step the planner skipped is planned after all (better order data): ``skipped`` with one of
        ``reasons`` → ``scheduled``, in one conditional write, so a repeated re-plan revives it once."""
        if not reasons:
            raise ValueError("revive() needs at least one skip reason to undo")
        changes = {
            "status": DeliveryStatus.SCHEDULED,
            "send_at": iso_utc(send_at),
            "expires_at": expires_at(send_at, self._retention_days),
        } | _due_keys(DeliveryStatus.SCHEDULED, delivery_id, send_at)
        return self._move(
            shop_id,
            delivery_id,
            (DeliveryStatus.SKIPPED,),
            changes,
            remove=("reason",),
            note=note,
            reasons=reasons,
        )

    def mark_unknown(self, shop_id: str, delivery_id: str, *, now: datetime) -> bool:
        changes = {
            "status": DeliveryStatus.UNKNOWN,
            "reason": LEASE_EXPIRED,
            "due_shard": unknown_shard(shop_id),
        }
        return self._move(
            shop_id,
            delivery_id,
            (DeliveryStatus.SENDING,),
            changes,
            copy={"due_at": "send_at"},
            also=lambda expr: f"{expr.name('lease_until')} < {expr.value(iso_utc(now))}",
        )

    def count_event(self, shop_id: str, delivery_id: str, event: str, *, status: str | None) -> None:
        """Count the event (``events.<event>``). With ``status`` (``bounced``, ``complained``) a
        ``sent`` delivery also records that outcome as its ``reason``, and takes it as its status
        when it is a ``DeliveryStatus`` (a bounce comes after the send: otherwise it stays ``sent``).
        An event for an unknown delivery is ignored."""
        if status is not None:
            expr = Expression()
            outcome = {"reason": status} | ({"status": status} if status in STATUSES else {})
            update = expr.update(set_values=outcome, add={f"events.{event}": 1})
            condition = f"{expr.name('status')} = {expr.value(DeliveryStatus.SENT)}"
            if self._table.update(shop_id, delivery_id, expr, update=update, condition=condition) is not None:
                return
        expr = Expression()
        update = expr.update(add={f"events.{event}": 1})
        self._table.update(shop_id, delivery_id, expr, update=update, condition="attribute_exists(sk)")

    # --- conversions (issue #15) ------------------------------------------------------------------

    def add_conversion(self, shop_id: str, delivery_id: str, conversion: Conversion) -> None:
        """``conversions[<order key>]`` set; an item written before conversions existed gets the map
        first (two conditional writes, each safe to repeat; another writer may make the map between
        them, and then the member is set on the second round)."""
        for _ in range(2):
            expr = Expression()
            member = expr.member("conversions", conversion.order_key)
            update = f"SET {member} = {expr.value(conversion.model_dump(mode='json'))}"
            condition = f"attribute_exists({expr.name('conversions')})"
            if self._table.update(shop_id, delivery_id, expr, update=update, condition=condition) is not None:
                return
            expr = Expression()
            update = expr.update(set_values={"conversions": {}})
            condition = f"attribute_exists({SK}) AND attribute_not_exists({expr.name('conversions')})"
            made = self._table.update_or_old(shop_id, delivery_id, expr, update=update, condition=condition)
            if not made.done and made.item is None:
                return  # no such delivery

    def cancel_conversion(self, shop_id: str, delivery_id: str, order_key: str) -> None:
        expr = Expression()
        member = expr.member("conversions", order_key)
        update = f"SET {member}.{expr.name('cancelled')} = {expr.value(True)}"
        self._table.update(shop_id, delivery_id, expr, update=update, condition=f"attribute_exists({member})")

    # --- the admin screens: search, operators' actions, erasure ---------------------------------

    def search(
        self,
        shop_id: str,
        *,
        since: datetime | None,
        until: datetime | None,
        keep: Callable[[Delivery], bool] | None,
        limit: int,
        start: Mapping[str, Any] | None,
    ) -> tuple[list[Delivery], dict[str, Any] | None]:
        """A page of the shop's deliveries by send time, newest first (``by_time``)."""
        return by_time_page(
            self._table,
            shop_id,
            "send_at",
            since=since,
            until=until,
            convert=delivery_from_item,
            keep=keep,
            limit=limit,
            start=start,
        )

    def count_scheduled(self, shop_id: str, since: datetime, until: datetime) -> int:
        """How many of the shop's deliveries are ``scheduled`` with a send time from ``since`` to just
        before ``until`` (a COUNT query on ``by_time``: no item comes back; the dashboard's pace)."""
        expr = Expression()
        condition = (
            f"{expr.name('shop_id')} = {expr.value(shop_id)} AND {expr.name('send_at')} BETWEEN "
            f"{expr.value(iso_utc(since))} AND {expr.value(iso_utc(until - timedelta(microseconds=1)))}"
        )
        keep = f"{expr.name('status')} = {expr.value(DeliveryStatus.SCHEDULED)}"
        return self._table.count(expr, condition, index="by_time", keep=keep)

    def edit(self, shop_id: str, delivery_id: str, *, changes: Mapping[str, str | None]) -> Delivery | None:
        """Set (a text) or clear (None) ``edited_subject`` / ``edited_text`` of a ``scheduled``
        delivery; None when it is not ``scheduled`` (or not there)."""
        unknown = set(changes) - set(EDITABLE)
        if unknown or not changes:
            raise ValueError(f"edit() changes {sorted(EDITABLE)}, not {sorted(unknown) or 'nothing'}")
        expr = Expression()
        update = expr.update(
            set_values={name: value for name, value in changes.items() if value is not None},
            remove=[name for name, value in changes.items() if value is None],
        )
        condition = f"{expr.name('status')} = {expr.value(DeliveryStatus.SCHEDULED)}"
        item = self._table.update(shop_id, delivery_id, expr, update=update, condition=condition)
        return delivery_from_item(item) if item is not None else None

    def requeue(
        self,
        shop_id: str,
        delivery_id: str,
        *,
        send_at: datetime,
        reason: str,
        from_status: Sequence[DeliveryStatus],
    ) -> bool:
        """An operator sends it again: one of ``from_status`` (``unknown``) → ``scheduled`` at ``send_at``."""
        changes = {"status": DeliveryStatus.SCHEDULED, "send_at": iso_utc(send_at), "reason": reason}
        changes |= _due_keys(DeliveryStatus.SCHEDULED, delivery_id, send_at)
        return self._move(shop_id, delivery_id, from_status, changes, remove=("lease_until",))

    def redact_email(self, shop_id: str, delivery_id: str) -> bool:
        """Blank the recipient (a customer's erasure); False when there is no such delivery."""
        expr = Expression()
        update = expr.update(set_values={"customer_email": None})
        return (
            self._table.update(shop_id, delivery_id, expr, update=update, condition="attribute_exists(sk)")
            is not None
        )

    def _move(
        self,
        shop_id: str,
        delivery_id: str,
        from_status: Sequence[DeliveryStatus],
        changes: Mapping[str, Any],
        *,
        remove: Sequence[str] = (),
        note: PlanChange | None = None,
        reasons: Sequence[str] = (),
        copy: Mapping[str, str] | None = None,
        also: Callable[[Expression], str] | None = None,
    ) -> bool:
        """One conditional transition: apply ``changes`` only if the status is one of ``from_status``
        (and, given ``reasons``, the reason one of them; given ``also``, that condition too); a
        ``note`` is appended to the delivery's ``history`` in the same write; ``copy`` sets an
        attribute to another's value (``due_at`` = ``send_at``).

        The statuses of ``from_status`` are tried by counter (``COUNTED``; usually one group, one
        request): where the transition leaves one counter for another, the write and the two counter
        ``ADD``s are one transaction, else it is one UpdateItem."""
        new_status = changes.get("status")
        for counter, group in _by_counter(from_status):
            expr = Expression()
            update = expr.update(set_values=changes, remove=remove)
            extra = [f"{expr.name(target)} = {expr.name(source)}" for target, source in (copy or {}).items()]
            if note is not None:
                history = expr.name("history")
                extra.append(
                    f"{history} = list_append(if_not_exists({history}, {expr.value([])}), "
                    f"{expr.value([note.model_dump(mode='json')])})"
                )
            if extra:  # every transition sets something
                update = update.replace("SET ", f"SET {', '.join(extra)}, ", 1)
            condition = f"{expr.name('status')} IN {expr.values_in(group)}"
            if reasons:
                condition += f" AND {expr.name('reason')} IN {expr.values_in(reasons)}"
            if also is not None:
                condition += f" AND {also(expr)}"
            target = counter if new_status is None else COUNTED.get(str(new_status))
            if target == counter:
                if self._table.update(shop_id, delivery_id, expr, update=update, condition=condition):
                    return True
                continue
            actions = [self._update_action(shop_id, delivery_id, expr, update=update, condition=condition)]
            if counter is not None:
                actions.append(self._count_action(shop_id, counter, delivery_id, -1))
            if target is not None:
                actions.append(self._count_action(shop_id, target, delivery_id, 1))
            if self._transact(actions):
                return True
        return False

    # --- the counters ---------------------------------------------------------------------------

    def _update_action(
        self, shop_id: str, delivery_id: str, expr: Expression, *, update: str, condition: str
    ) -> TransactWriteItemTypeDef:
        action: dict[str, Any] = {
            "TableName": self._table.name,
            "Key": self._table.key(shop_id, delivery_id),
            "UpdateExpression": update,
            "ConditionExpression": condition,
            "ExpressionAttributeNames": expr.names,
            "ExpressionAttributeValues": expr.values,
        }
        return {"Update": action}  # type: ignore[typeddict-item]

    def _count_action(
        self, shop_id: str, counter: str, delivery_id: str, delta: int
    ) -> TransactWriteItemTypeDef:
        return self._add_action(shop_id, counter_key(counter, delivery_id), delta)

    def _put_new_action(self, delivery: Delivery) -> TransactWriteItemTypeDef:
        """``delivery`` put on the condition that its id is free."""
        return self._table.put_action(self._item(delivery), condition=f"attribute_not_exists({SK})")

    def _add_action(self, shop_id: str, key: str, delta: int) -> TransactWriteItemTypeDef:
        """``delta`` added to the shop's counter item ``key`` (``<counter>#<shard>``)."""
        return {
            "Update": {
                "TableName": self._table.name,
                "Key": self._table.key(counts_pk(shop_id), key),
                "UpdateExpression": "ADD #n :delta",
                "ExpressionAttributeNames": {"#n": "n"},
                "ExpressionAttributeValues": {":delta": {"N": str(delta)}},
            }
        }

    def _transact(self, actions: Sequence[TransactWriteItemTypeDef]) -> bool:
        """All or nothing: False when the delivery's condition (the first action) does not hold."""
        return self._table.transact_if(actions)

    def recount(self, *, page_size: int = 1_000) -> dict[str, dict[str, int]]:
        """Set every shop's counters from a full scan of the table (``okaeri recount``): idempotent,
        for a deployment whose deliveries predate the counters, or to repair them. It also puts every
        ``unknown`` delivery on the ``due`` index under ``unknown#<shop>`` where it is not yet.

        Run it while nothing sends or plans (a transition between the scan and the write of the
        counters is not in them); running it again sets the same numbers. Answers shop → counter →
        count."""
        shards: Counter[tuple[str, str, str]] = Counter()  # (shop, counter, shard key) → count
        shops: set[str] = set()
        request: ScanInputTypeDef = {
            "TableName": self._table.name,
            "ProjectionExpression": "#pk, #sk, #status, #shard",
            "ExpressionAttributeNames": {"#pk": PK, "#sk": SK, "#status": "status", "#shard": "due_shard"},
            "Limit": page_size,
            "ConsistentRead": True,
        }
        while True:
            page = self._table.client.scan(**request)
            for raw in page["Items"]:
                item = from_item(raw)
                shop_id, key = str(item[PK]), str(item[SK])
                if shop_id.endswith(COUNTS_SUFFIX):
                    shops.add(shop_id.removesuffix(COUNTS_SUFFIX))
                    continue
                shops.add(shop_id)
                status = str(item.get("status"))
                counter = COUNTED.get(status)
                if counter is not None:
                    shards[(shop_id, counter, counter_key(counter, key))] += 1
                if status == DeliveryStatus.UNKNOWN and item.get("due_shard") != unknown_shard(shop_id):
                    self._index_unknown(shop_id, key)
            last = page.get("LastEvaluatedKey")
            if not last:
                break
            request["ExclusiveStartKey"] = last
        totals: dict[str, dict[str, int]] = {}
        for shop_id in sorted(shops):
            totals[shop_id] = dict.fromkeys(COUNTERS, 0)
            for counter in COUNTERS:
                for shard in range(DUE_SHARDS):
                    key = f"{counter}#{shard}"
                    n = shards[(shop_id, counter, key)]
                    self._table.client.put_item(
                        TableName=self._table.name, Item=to_item({PK: counts_pk(shop_id), SK: key, "n": n})
                    )
                    totals[shop_id][counter] += n
        return totals

    def _index_unknown(self, shop_id: str, delivery_id: str) -> None:
        expr = Expression()
        update = (
            f"SET {expr.name('due_shard')} = {expr.value(unknown_shard(shop_id))}, "
            f"{expr.name('due_at')} = {expr.name('send_at')}"
        )
        condition = f"{expr.name('status')} = {expr.value(DeliveryStatus.UNKNOWN)}"
        self._table.update(shop_id, delivery_id, expr, update=update, condition=condition)

    def _item(self, delivery: Delivery) -> dict[str, Any]:
        item = delivery.model_dump(mode="json")
        item |= {
            "pk": delivery.shop_id,
            "sk": delivery.id,
            "send_at": iso_utc(delivery.send_at),
            "lease_until": _iso_or_none(delivery.lease_until),
            "sent_at": _iso_or_none(delivery.sent_at),
            "order_ref": order_ref(delivery.shop_id, delivery.order_key),
            "events": {},
            "expires_at": expires_at(delivery.send_at, self._retention_days),
        }
        if delivery.customer_id:
            item["customer_ref"] = customer_ref(delivery.shop_id, delivery.customer_id)
        if delivery.status == DeliveryStatus.SCHEDULED:
            item |= _due_keys(DeliveryStatus.SCHEDULED, delivery.id, delivery.send_at)
        elif delivery.status == DeliveryStatus.SENDING and delivery.lease_until is not None:
            item |= _due_keys(DeliveryStatus.SENDING, delivery.id, delivery.lease_until)
        elif delivery.status == DeliveryStatus.UNKNOWN:
            item |= {"due_shard": unknown_shard(delivery.shop_id), "due_at": iso_utc(delivery.send_at)}
        return item


def _by_counter(statuses: Sequence[str]) -> list[tuple[str | None, list[str]]]:
    """``statuses`` grouped by the counter each is counted in (None: not counted), in first-seen order."""
    groups: dict[str | None, list[str]] = {}
    for status in statuses:
        groups.setdefault(COUNTED.get(status), []).append(status)
    return list(groups.items())


def _due_keys(state: DeliveryStatus, delivery_id: str, at: datetime) -> dict[str, Any]:
    return {"due_shard": f"{state}#{due_shard(delivery_id)}", "due_at": iso_utc(at)}


def _iso_or_none(moment: datetime | None) -> str | None:
    return iso_utc(moment) if moment is not None else None
