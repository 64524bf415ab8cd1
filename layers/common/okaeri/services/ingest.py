"""Ingest: one received mail (an S3 object SES stored) → an order change and one reception entry.

The shop comes only from the key prefix SES's receipt rule writes (``inbound/<shop-id>/…``),
never from a header of the mail (SPEC §1, decision 4). Every mail gets exactly one reception
entry, keyed by the S3 event time and key, so a repeated event rewrites the same entry with the
same result.

``apply_order`` is the one way an order change reaches the orders and customers tables: mail
ingest, CSV imports and the Shopify webhook (``okaeri.services.imports``) all go through it.
It also notes which malls' orders the shop receives (``ShopConfig.record_mall_source``), which the
scenario lint reads (issue #16).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Any

from okaeri.compliance import order_mall
from okaeri.customer_figures import customer_order
from okaeri.errors import NotFoundError, ParseError
from okaeri.identity import customer_id_for
from okaeri.models import Order, OrderRecord, ReceptionEntry, Shop
from okaeri.models.order import SHIPMENT_FIELDS
from okaeri.models.shop import SHOP_ID_PATTERN
from okaeri.parsing import ParseMask, parse_mail
from okaeri.parsing.decode import decode_header_value
from okaeri.ports import Clock, Customers, Logs, Orders, RawMail, ShopConfig

INBOUND_PREFIX = "inbound"
#: The object SES writes under a receipt rule's prefix when the rule is made, to check it may write.
SES_SETUP_NOTICE = "AMAZON_SES_SETUP_NOTIFICATION"
VIRUS_VERDICT = "x-ses-virus-verdict"
MAX_HEADER_BYTES = 256 * 1024
MAX_SUMMARY_CHARS = 200
ORDERS_COUNTER = "orders"  # new orders per shop-local day: stats#<day>#*#* in the config table
_SHOP_ID = re.compile(SHOP_ID_PATTERN)
_HEADER_END = re.compile(rb"\r?\n\r?\n")
_LINE_END = re.compile(r"\r?\n")
_FIELD = re.compile(r"([!-9;-~]+)[ \t]*:(.*)", re.DOTALL)


@dataclass(frozen=True)
class IngestDeps:
    orders: Orders
    customers: Customers
    logs: Logs
    config: ShopConfig
    raw_mail: RawMail
    clock: Clock


def shop_from_key(key: str) -> str:
    """The shop id of ``inbound/<shop-id>/<object>``; any other key is refused (reason ``bad_key``)."""
    prefix, _, rest = key.partition("/")
    shop_id, _, name = rest.partition("/")
    if prefix != INBOUND_PREFIX or not _SHOP_ID.fullmatch(shop_id) or not name:
        raise ParseError(
            "bad_key",
            f"受信メールの保存先がショップの受信フォルダ（inbound/<ショップID>/）ではありません: {key[:200]}",
            f"the mail is not stored under a shop's inbound folder (inbound/<shop-id>/): {key[:200]}",
        )
    return shop_id


def ingest_object(deps: IngestDeps, *, shop_id: str, key: str, event_time: datetime) -> ReceptionEntry:
    """Read, check and parse one stored mail, apply it, and write (and return) its reception entry."""
    base = ReceptionEntry(shop_id=shop_id, s3_key=key, received_at=event_time, result="refused")
    try:
        raw = deps.raw_mail.get(key)
    except (ParseError, NotFoundError) as exc:
        # Refused before reading (too large) or gone: the entry says so; the object stays as it is.
        reason = exc.reason if isinstance(exc, ParseError) else "raw_missing"
        entry = base.model_copy(
            update={
                "result": "failed",
                "reason": reason,
                "message_ja": exc.message_ja,
                "message_en": exc.message_en,
            }
        )
    else:
        headers = top_headers(raw)
        summary = {"sender": _summary(headers, "from"), "subject": _summary(headers, "subject")}
        entry = _receive(deps, base.model_copy(update=summary), raw, headers)
    deps.logs.put_reception(entry)
    return entry


def _receive(
    deps: IngestDeps, base: ReceptionEntry, raw: bytes, headers: Sequence[tuple[str, str]]
) -> ReceptionEntry:
    if virus_verdict(headers) == "FAIL":
        return _refused(
            base,
            "virus",
            "ウイルスが検出されたため、メールを読みませんでした",
            "a virus was found: the mail was not read",
        )
    shop = deps.config.shop(base.shop_id)
    if shop is None:
        return _refused(
            base,
            "unknown_shop",
            f"ショップ {base.shop_id} は登録されていません",
            f"shop {base.shop_id} is not set up",
        )
    try:
        order = parse_mail(raw, masks=_masks(deps.config.masks(base.shop_id)), timezone=shop.timezone)
    except ParseError as exc:
        result = "not_an_order" if exc.reason == "not_an_order" else "failed"
        return base.model_copy(
            update={
                "result": result,
                "reason": exc.reason,
                "message_ja": exc.message_ja,
                "message_en": exc.message_en,
            }
        )
    return apply_order(deps, order, base, shop=shop)


def apply_order(deps: IngestDeps, order: Order, base: ReceptionEntry, *, shop: Shop) -> ReceptionEntry:
    """Apply one order change — from a mail, a CSV import or a webhook — and say what became of it.

    ``base`` tells where the order came from (``s3_key``: the stored mail, or a key naming the
    import or the webhook) and when (``received_at``). An order is stored once per (shop, order
    key); a shipment or a cancellation updates its order (or leaves a stub; a shipment naming its
    buyer counts the order for the customer first, so its stub has the customer's rank). An order
    already known that brings shipment facts the stored one lacks (a CSV with a ship date) updates
    them. A new order is counted in the shop's orders per day (a stub is not: the order mail that
    replaces it is). The entry is returned, not written: the caller writes one entry per thing
    received.
    """
    parsed = base.model_copy(
        update={"result": "parsed", "kind": order.kind, "order_key": order.key, "order_id": order.order_id}
    )
    _note_mall(deps, order, base.shop_id)
    if order.kind == "shipment":
        # Counted for its buyer now, so a stub made from it is planned with the customer's rank (a
        # repeat customer's stub is not a first order); the order mail later gets the same count.
        _, rank = _count_for_buyer(deps, order, base, shop=shop)
        deps.orders.apply_shipment(
            base.shop_id, order, raw_key=base.s3_key, at=base.received_at, order_rank=rank
        )
        return parsed
    if order.kind == "cancellation":
        cancelled = deps.orders.mark_cancelled(base.shop_id, order, raw_key=base.s3_key, at=base.received_at)
        _uncount_for_buyer(deps, cancelled, shop=shop)
        return parsed
    stored = _put_order(deps, order, base, shop=shop)
    if stored is not None and stored.status == "cancelled" and order.customer.email:
        # cancelled before its order mail came (a stub): counted just now, so taken back again
        _uncount_for_buyer(
            deps, stored.model_copy(update={"customer_id": customer_id_for(order.customer.email)}), shop=shop
        )
    if stored is None:
        day = base.received_at.astimezone(shop.tz).date()
        deps.config.count(base.shop_id, day=day, scenario_id="*", step_id="*", counter=ORDERS_COUNTER)
        return parsed
    if _brings_shipment(order, stored.order, shop.tz):
        shipment = order.model_copy(update={"kind": "shipment"})
        deps.orders.apply_shipment(base.shop_id, shipment, raw_key=base.s3_key, at=base.received_at)
        return parsed.model_copy(update={"kind": "shipment"})
    if base.s3_key in stored.raw_keys:
        return parsed  # the same event again: reported as it was the first time
    return parsed.model_copy(update={"result": "duplicate"})


def _note_mall(deps: IngestDeps, order: Order, shop_id: str) -> None:
    """An order of a mall (Rakuten's or Yahoo's, ``order_mall``) is noted with its source, before it is
    stored (a retry notes it again, which changes nothing), so the lint checks the shop's scenarios
    under that mall's rules too (``okaeri.compliance.scenario_profiles``). The pipeline's config
    writes a (shop, mall, source) once per container: a known source costs no call."""
    mall = order_mall(order.source, order.customer.email)
    if mall is not None:
        deps.config.record_mall_source(shop_id, mall, order.source)


def _put_order(deps: IngestDeps, order: Order, base: ReceptionEntry, *, shop: Shop) -> OrderRecord | None:
    """Store a new order (None), or the record already there (a shop's resend, a repeated event).

    The customer is counted first (once per order key), then the order is stored with that rank:
    a repeat of the same event gives the same count and the same record.
    """
    customer_id, rank = _count_for_buyer(deps, order, base, shop=shop)
    record = OrderRecord(
        shop_id=base.shop_id,
        order=order,
        customer_id=customer_id,
        order_rank=rank,
        received_at=base.received_at,
        raw_keys=[base.s3_key],
    )
    if (written := deps.orders.put_new(record)) is not None:
        if written.status == "cancelled":  # a cancellation came before its order: counted, so taken back
            _uncount_for_buyer(deps, written, shop=shop)
        return None
    stored = deps.orders.get(base.shop_id, order.key)
    return stored or record.model_copy(update={"raw_keys": []})  # deleted meanwhile: a duplicate


def _count_for_buyer(
    deps: IngestDeps, order: Order, base: ReceptionEntry, *, shop: Shop
) -> tuple[str | None, int]:
    """The buyer's customer id and the customer's order count with this order (once per order key,
    its figures kept: ``okaeri.customer_figures``); (None, 1) when the mail names no buyer."""
    email = order.customer.email
    if not email:
        return None, 1
    customer_id = customer_id_for(email)
    counted = customer_order(order, received_at=base.received_at, zone=shop.tz)
    rank = deps.customers.record_order(
        base.shop_id, customer_id, email=email, name=order.customer.name, order=counted
    )
    return customer_id, rank


def _uncount_for_buyer(deps: IngestDeps, cancelled: OrderRecord, *, shop: Shop) -> None:
    """A cancelled order taken back from its customer's figures (once), recomputed from their
    other open orders (one query: cancellations are few)."""
    if cancelled.customer_id is None:
        return
    others = deps.orders.by_customer(shop.id, cancelled.customer_id)
    deps.customers.cancel_order(
        shop.id,
        cancelled.customer_id,
        customer_order(cancelled.order, received_at=cancelled.received_at, zone=shop.tz),
        others=[
            customer_order(other.order, received_at=other.received_at, zone=shop.tz)
            for other in others
            if other.status == "open" and other.order_key != cancelled.order_key
        ],
    )


def _brings_shipment(order: Order, stored: Order, zone: tzinfo) -> bool:
    """Whether ``order`` carries a shipment fact (ship date, carrier, …) the stored order lacks.

    A ship date is news only when it names another day: a file's plain date does not replace the
    ship time a shipping mail gave for that same day.
    """
    for name in SHIPMENT_FIELDS:
        given, known = getattr(order, name), getattr(stored, name)
        if given is None or given == known:
            continue
        if name == "shipped_at" and known is not None and _local_day(given, zone) == _local_day(known, zone):
            continue
        return True
    return False


def _local_day(moment: date | datetime, zone: tzinfo) -> date:
    return moment.astimezone(zone).date() if isinstance(moment, datetime) else moment


def _refused(base: ReceptionEntry, reason: str, message_ja: str, message_en: str) -> ReceptionEntry:
    return base.model_copy(
        update={"result": "refused", "reason": reason, "message_ja": message_ja, "message_en": message_en}
    )


def _masks(stored: Sequence[Any]) -> list[ParseMask]:
    return [mask if isinstance(mask, ParseMask) else ParseMask.model_validate(mask) for mask in stored]


# --- headers ------------------------------------------------------------------------------------


def top_headers(raw: bytes) -> list[tuple[str, str]]:
    """The mail's own header fields, top to bottom, unfolded (names lower-cased, values raw)."""
    end = _HEADER_END.search(raw, 0, MAX_HEADER_BYTES)
    block = raw[: end.start() if end else MAX_HEADER_BYTES].decode("utf-8", "surrogateescape")
    fields: list[tuple[str, str]] = []
    for line in _LINE_END.split(block):
        if line[:1] in (" ", "\t") and fields:
            name, value = fields[-1]
            fields[-1] = (name, f"{value} {line.strip()}".strip())
            continue
        field = _FIELD.fullmatch(line)
        if field:
            fields.append((field.group(1).lower(), field.group(2).strip()))
    return fields


def virus_verdict(headers: Sequence[tuple[str, str]]) -> str | None:
    """SES's virus verdict: the topmost ``X-SES-Virus-Verdict`` only.

    SES prepends its verdicts to the stored mail, above the sender's own headers, so a verdict
    written lower down by the sender can never override it.
    """
    for name, value in headers:
        if name == VIRUS_VERDICT:
            words = value.split()
            return words[0].upper() if words else ""
    return None


def _summary(headers: Sequence[tuple[str, str]], name: str) -> str | None:
    """The first ``name`` header, decoded and cut short, for the reception log."""
    for field, value in headers:
        if field == name:
            return decode_header_value(value[: MAX_SUMMARY_CHARS * 8])[:MAX_SUMMARY_CHARS] or None
    return None
