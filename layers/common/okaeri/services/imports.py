"""Orders that do not come by mail: a CSV import, a Shopify webhook.

Both end in ``ingest.apply_order`` — the path a mail's order takes — and give every order a
reception entry, so the reception log shows where each order came from: ``import/<shop>/<import
id>#<order key>`` for a CSV row, ``shopify/<shop>/<webhook id>`` for a webhook. Orders are keyed by
(shop, source, order id), so importing the same file again or a webhook Shopify sends twice
changes nothing.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from datetime import datetime

from okaeri.errors import ParseError
from okaeri.import_formats.csv_orders import ParsedCsv
from okaeri.import_formats.models import MAX_ORDERS_LISTED, MAX_REFUSED_LISTED, ImportReport
from okaeri.import_formats.shopify import order_from_shopify
from okaeri.jsonbody import read_json
from okaeri.models import ReceptionEntry, Shop
from okaeri.services.ingest import MAX_SUMMARY_CHARS, IngestDeps, apply_order

IMPORT_PREFIX = "import"
SHOPIFY_PREFIX = "shopify"
_EVENT_ID = re.compile(r"[0-9A-Za-z][0-9A-Za-z_.:-]{0,99}")


def import_key(shop_id: str, import_id: str, order_key: str) -> str:
    """The reception log's ``s3_key`` of an imported order (there is no stored object behind it)."""
    return f"{IMPORT_PREFIX}/{shop_id}/{import_id}#{order_key}"


def webhook_key(shop_id: str, webhook_id: str) -> str:
    return f"{SHOPIFY_PREFIX}/{shop_id}/{webhook_id}"


def _never() -> bool:
    return False


def import_orders(
    deps: IngestDeps,
    shop: Shop,
    parsed: ParsedCsv,
    *,
    import_id: str,
    by: str,
    out_of_time: Callable[[], bool] = _never,
) -> ImportReport:
    """Apply every order of a read CSV file, one reception entry each, and report.

    ``out_of_time`` is asked before each order: when it says so, the import stops and the report
    says how many orders are left (``complete`` false); importing the same file again takes the
    rest, the orders already taken being duplicates.
    """
    at = deps.clock.now()
    layout = parsed.layout
    subject = f"{layout.label_ja} / {layout.label_en} ({import_id})"[:MAX_SUMMARY_CHARS]
    taken: list[str] = []
    outcomes = {"new": 0, "updated": 0, "known": 0}
    for order in parsed.orders:
        if out_of_time():
            break
        base = ReceptionEntry(
            shop_id=shop.id,
            s3_key=import_key(shop.id, import_id, order.key),
            received_at=at,
            result="refused",
            sender=by[:MAX_SUMMARY_CHARS],
            subject=subject,
        )
        entry = apply_order(deps, order, base, shop=shop)
        deps.logs.put_reception(entry)
        taken.append(order.key)
        outcomes[_outcome(entry)] += 1
    return ImportReport(
        import_id=import_id,
        source=layout.source,
        rows=parsed.rows,
        orders_taken=len(taken),
        orders_new=outcomes["new"],
        orders_updated=outcomes["updated"],
        orders_known=outcomes["known"],
        orders=taken[:MAX_ORDERS_LISTED],
        refused_rows=len(parsed.refused),
        refused=parsed.refused[:MAX_REFUSED_LISTED],
        complete=len(taken) == len(parsed.orders),
        orders_left=len(parsed.orders) - len(taken),
    )


def _outcome(entry: ReceptionEntry) -> str:
    if entry.result == "duplicate":
        return "known"
    return "updated" if entry.kind == "shipment" else "new"


def receive_shopify(
    deps: IngestDeps,
    shop: Shop,
    *,
    topic: str,
    body: bytes,
    webhook_id: str | None,
    received_at: datetime,
    shop_domain: str | None = None,
) -> ReceptionEntry:
    """Apply one verified Shopify webhook (its HMAC already checked) and write its reception entry.

    A payload that is not an order is logged as ``failed`` (``bad_payload``), not raised: Shopify
    retries every non-2xx answer and finally drops the subscription, and retrying cannot fix it.
    """
    base = ReceptionEntry(
        shop_id=shop.id,
        s3_key=webhook_key(shop.id, webhook_event_id(webhook_id, body)),
        received_at=received_at,
        result="refused",
        sender=f"Shopify {shop_domain or ''}".strip()[:MAX_SUMMARY_CHARS],
        subject=topic[:MAX_SUMMARY_CHARS],
    )
    try:
        payload = read_json(body)
        if not isinstance(payload, dict):
            raise ParseError("bad_payload", "JSONオブジェクトではありません", "the body is not a JSON object")
        order = order_from_shopify(payload, topic)
    except ValueError:
        entry = _failed(base, "bad_payload", "JSONとして読めません", "the body is not JSON")
    except ParseError as exc:
        entry = _failed(base, exc.reason, exc.message_ja, exc.message_en)
    else:
        entry = apply_order(deps, order, base, shop=shop)
    deps.logs.put_reception(entry)
    return entry


def webhook_event_id(header: str | None, body: bytes) -> str:
    """``X-Shopify-Webhook-Id`` (the same on every retry) when usable, else a hash of the body."""
    if header and _EVENT_ID.fullmatch(header.strip()):
        return header.strip()
    return "sha256-" + hashlib.sha256(body).hexdigest()[:32]


def _failed(base: ReceptionEntry, reason: str, message_ja: str, message_en: str) -> ReceptionEntry:
    return base.model_copy(
        update={"result": "failed", "reason": reason, "message_ja": message_ja, "message_en": message_en}
    )
