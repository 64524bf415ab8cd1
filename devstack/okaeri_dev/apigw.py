"""API Gateway HTTP API (payload 2.0) as the admin function sees it: events and JWT claims.

The local stack's gateway and the tests build their events here, so both pass exactly what API
Gateway passes: a JWT authorizer turns every claim into a string, a list into ``[a b]``.
"""

from __future__ import annotations

import base64
import time
import uuid
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

TEXT_TYPES = ("application/json", "text/", "application/x-www-form-urlencoded", "application/xml")


def gateway_claims(payload: Mapping[str, Any]) -> dict[str, str]:
    """A verified token's payload as the JWT authorizer hands it on."""
    claims: dict[str, str] = {}
    for name, value in payload.items():
        if isinstance(value, list | tuple):
            claims[name] = "[" + " ".join(str(item) for item in value) + "]"
        elif isinstance(value, bool):
            claims[name] = "true" if value else "false"
        else:
            claims[name] = str(value)
    return claims


def http_event(
    method: str,
    path: str,
    *,
    query: Mapping[str, str] | str | None = None,
    headers: Mapping[str, str] | None = None,
    body: bytes | str | None = None,
    claims: Mapping[str, str] | None = None,
    source_ip: str = "127.0.0.1",
) -> dict[str, Any]:
    """A payload 2.0 event; a body that is not text goes base64-encoded, as API Gateway does."""
    raw_query = query if isinstance(query, str) else urlencode(dict(query or {}))
    lowered = {name.lower(): value for name, value in (headers or {}).items()}
    lowered.setdefault("host", "127.0.0.1")
    content_type = lowered.get("content-type", "")
    encoded = False
    text: str | None = None
    if isinstance(body, bytes):
        if content_type.startswith(TEXT_TYPES):
            try:
                text = body.decode("utf-8")
            except UnicodeDecodeError:
                text, encoded = base64.b64encode(body).decode("ascii"), True
        else:
            text, encoded = base64.b64encode(body).decode("ascii"), True
    elif body is not None:
        text = body
    now = time.time()
    context: dict[str, Any] = {
        "accountId": "000000000000",
        "apiId": "local",
        "domainName": lowered["host"],
        "requestId": str(uuid.uuid4()),
        "routeKey": "$default",
        "stage": "$default",
        "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
        "timeEpoch": int(now * 1000),
        "http": {
            "method": method.upper(),
            "path": path,
            "protocol": "HTTP/1.1",
            "sourceIp": source_ip,
            "userAgent": lowered.get("user-agent", ""),
        },
    }
    if claims is not None:
        context["authorizer"] = {"jwt": {"claims": dict(claims), "scopes": None}}
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": raw_query,
        "headers": lowered,
        "requestContext": context,
        "isBase64Encoded": encoded,
    }
    if raw_query:
        event["queryStringParameters"] = _query_parameters(raw_query)
    if text is not None:
        event["body"] = text
    return event


def _query_parameters(raw_query: str) -> dict[str, str]:
    """As API Gateway: repeated parameters joined with commas."""
    from urllib.parse import parse_qsl

    joined: dict[str, str] = {}
    for name, value in parse_qsl(raw_query, keep_blank_values=True):
        joined[name] = f"{joined[name]},{value}" if name in joined else value
    return joined
