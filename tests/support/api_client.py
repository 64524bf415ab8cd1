"""Call the admin API in process, as API Gateway would: payload 2.0 events, claims as strings."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any

from functions.admin.handler import handle
from okaeri.api import AdminApi
from okaeri_dev.apigw import http_event
from tests.support.json_reply import JsonReply


@dataclass
class ApiResponse(JsonReply):
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


@dataclass
class ApiClient:
    app: AdminApi
    claims: dict[str, str] | None = None
    headers: dict[str, str] = field(default_factory=dict)

    def as_user(self, claims: dict[str, str] | None) -> ApiClient:
        return ApiClient(self.app, claims, dict(self.headers))

    def request(
        self,
        method: str,
        path: str,
        *,
        query: dict[str, Any] | None = None,
        json_body: Any = None,
        body: bytes | str | None = None,
        headers: dict[str, str] | None = None,
    ) -> ApiResponse:
        sent_headers = {**self.headers, **(headers or {})}
        if json_body is not None:
            body = json.dumps(json_body, ensure_ascii=False)
            sent_headers.setdefault("content-type", "application/json")
        event = http_event(
            method,
            path,
            query={name: str(value) for name, value in (query or {}).items() if value is not None},
            headers=sent_headers,
            body=body,
            claims=self.claims,
        )
        answer = handle(event, self.app)
        raw = answer.get("body") or ""
        data = base64.b64decode(raw) if answer.get("isBase64Encoded") else raw.encode("utf-8")
        headers_out = {name.lower(): str(value) for name, value in (answer.get("headers") or {}).items()}
        for name, values in (answer.get("multiValueHeaders") or {}).items():
            headers_out[name.lower()] = ", ".join(str(value) for value in values)
        return ApiResponse(int(answer["statusCode"]), headers_out, data)

    def get(self, path: str, **params: Any) -> ApiResponse:
        return self.request("GET", path, query=params or None)

    def post(self, path: str, json_body: Any = None, **kwargs: Any) -> ApiResponse:
        return self.request("POST", path, json_body=json_body, **kwargs)

    def put(self, path: str, json_body: Any = None, **kwargs: Any) -> ApiResponse:
        return self.request("PUT", path, json_body=json_body, **kwargs)

    def patch(self, path: str, json_body: Any = None, **kwargs: Any) -> ApiResponse:
        return self.request("PATCH", path, json_body=json_body, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> ApiResponse:
        return self.request("DELETE", path, **kwargs)
