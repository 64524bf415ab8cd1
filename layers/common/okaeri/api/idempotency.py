"""``Idempotency-Key``: a write sent twice with the same key is done once and answered twice alike.

The key is scoped to the shop, the caller and the route; the request's body is fingerprinted, so
the same key with another body is refused (422) instead of silently answering the first result.
While the first request is still running, a second one gets a 409. A request that fails with a
4xx leaves no record: fixing it and sending again with the same key works. Records last a day.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.event_handler import Response

from okaeri.api.auth import Caller
from okaeri.api.responses import json_response
from okaeri.errors import BadRequestError, ConflictError
from okaeri.ports import Clock, RequestRecords

HEADER = "idempotency-key"
MAX_KEY = 128
REPLAYED_HEADER = "Idempotent-Replayed"


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def run_once(
    records: RequestRecords,
    clock: Clock,
    *,
    shop_id: str,
    caller: Caller,
    method: str,
    path: str,
    headers: dict[str, str],
    body: str | None,
    action: Callable[[], Response[Any]],
) -> Response[Any]:
    """Run ``action`` once per Idempotency-Key (if the request has one) and replay its answer."""
    key = next((value for name, value in headers.items() if name.lower() == HEADER), None)
    if key is None:
        return action()
    if not key or len(key) > MAX_KEY or not key.isprintable():
        raise BadRequestError(
            f"Idempotency-Key は1〜{MAX_KEY}文字の印字可能な文字列にしてください。",
            f"Idempotency-Key must be 1–{MAX_KEY} printable characters.",
            code="bad_idempotency_key",
        )
    record_key = _digest(caller.sub, method, path, key)
    fingerprint = _digest(body or "")
    existing = records.start_request(shop_id, record_key, fingerprint=fingerprint, at=clock.now())
    if existing is not None:
        return _replay(existing, fingerprint)
    try:
        response = action()
    except BaseException:
        records.forget_request(shop_id, record_key)
        raise
    if response.status_code >= 400:
        records.forget_request(shop_id, record_key)
        return response
    text = response.body if isinstance(response.body, str) else json.dumps(response.body, ensure_ascii=False)
    kept = {name: str(value) for name, value in (response.headers or {}).items() if isinstance(value, str)}
    records.finish_request(shop_id, record_key, status=response.status_code, body=text, headers=kept)
    return response


def _replay(existing: dict[str, Any], fingerprint: str) -> Response[Any]:
    if existing.get("fingerprint") != fingerprint:
        raise BadRequestError(
            "この Idempotency-Key は別の内容のリクエストに使われています。新しいキーを使ってください。",
            "This Idempotency-Key was used for a different request. Use a new key.",
            code="idempotency_key_reused",
        )
    if existing.get("state") != "done":
        raise ConflictError(
            "同じ Idempotency-Key のリクエストを処理中です。少し待ってからやり直してください。",
            "A request with this Idempotency-Key is still in progress. Retry shortly.",
            code="idempotency_in_progress",
        )
    response = json_response(
        int(existing["status"]), json.loads(existing["body"]), dict(existing.get("headers") or {})
    )
    response.headers[REPLAYED_HEADER] = "true"
    return response
