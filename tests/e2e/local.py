"""Driving the local stack as its users do: HTTP to the gateway, SMTP in, Cognito sign-in.

Nothing here reaches into the stack's objects: every call goes over a socket on 127.0.0.1 —
the gateway (``/api``, ``/config.json``, ``/dev``, and Cognito for signing in at the endpoint
``/config.json`` names), the SMTP port, and the moto server (DynamoDB for looking at the tables,
as an operator with the AWS CLI would).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

import boto3
from boto3.dynamodb.conditions import Attr, Key

from okaeri_dev.send_sample import send
from okaeri_dev.token import id_token
from tests.support.dynamo import all_items
from tests.support.json_reply import JsonReply

HTTP_TIMEOUT_SECONDS = 60  # a clock move fires many wake-ups; a loaded machine is slow
REGION = "ap-northeast-1"


@dataclass
class Reply(JsonReply):
    status: int
    headers: dict[str, str]
    body: bytes


class LocalClient:
    def __init__(self, *, gateway_url: str, smtp_port: int, aws_url: str) -> None:
        self.gateway_url = gateway_url
        self.smtp_port = smtp_port
        self.aws_url = aws_url

    # --- HTTP ---

    def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        body: bytes | None = None,
        token: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> Reply:
        sent = dict(headers or {})
        if json_body is not None:
            body = json.dumps(json_body, ensure_ascii=False).encode()
            sent.setdefault("Content-Type", "application/json")
        if token is not None:
            sent["Authorization"] = f"Bearer {token}"
        request = urllib.request.Request(self.gateway_url + path, data=body, method=method, headers=sent)
        try:
            with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT_SECONDS) as answer:
                return Reply(answer.status, {k.lower(): v for k, v in answer.headers.items()}, answer.read())
        except urllib.error.HTTPError as error:
            return Reply(error.code, {k.lower(): v for k, v in error.headers.items()}, error.read())

    def get(self, path: str, *, token: str | None = None) -> Reply:
        return self.request("GET", path, token=token)

    def post(self, path: str, json_body: Any = None, *, token: str | None = None) -> Reply:
        return self.request("POST", path, json_body=json_body if json_body is not None else {}, token=token)

    # --- signing in, as the admin page does ---

    def sign_in(self, email: str, password: str) -> str:
        """``/config.json`` → Cognito ``InitiateAuth`` (USER_PASSWORD_AUTH, unsigned) at the endpoint it
        names, resolved as a browser resolves it → the ID token."""
        config_url = self.gateway_url + "/config.json"
        return id_token(self.get("/config.json").json(), config_url, email, password)

    # --- mail in, time, mail out ---

    def send_mail(self, raw: bytes, *, shop: str = "demo") -> str:
        return send(raw, host="127.0.0.1", port=self.smtp_port, shop=shop)

    def now(self) -> str:
        return str(self.get("/dev/clock").json()["now"])

    def advance(self, duration: str) -> dict[str, Any]:
        reply = self.post("/dev/clock", {"advance": duration})
        assert reply.status == 200, reply.body
        result: dict[str, Any] = reply.json()
        return result

    def outbox(self, since: int = 0) -> list[dict[str, Any]]:
        reply = self.get(f"/dev/outbox?since={since}")
        assert reply.status == 200, reply.body
        messages: list[dict[str, Any]] = reply.json()["messages"]
        return messages

    def outbox_count(self) -> int:
        return int(self.get("/dev/outbox").json()["count"])

    # --- the tables, read through the AWS emulator ---

    def table(self, logical: str) -> Any:
        dynamodb = boto3.resource(
            "dynamodb",
            endpoint_url=self.aws_url,
            region_name=REGION,
            aws_access_key_id="e2e",
            aws_secret_access_key="e2e",
        )
        return dynamodb.Table(f"okaeri-{logical}")

    def items(self, logical: str, pk: str) -> list[dict[str, Any]]:
        return all_items(self.table(logical).query, KeyConditionExpression=Key("pk").eq(pk))

    def orders(self, shop: str = "demo") -> list[dict[str, Any]]:
        """The shop's orders, stubs included: each order is its own partition (``<shop>#<order key>``,
        docs/data-model.md), so they are read by a scan kept to the shop (a test's few items)."""
        return all_items(self.table("orders").scan, FilterExpression=Attr("shop_id").eq(shop))

    def deliveries(self, shop: str = "demo") -> list[dict[str, Any]]:
        return self.items("deliveries", shop)

    def receptions(self, shop: str = "demo") -> list[dict[str, Any]]:
        return self.items("logs", f"{shop}#reception")
