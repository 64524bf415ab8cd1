"""Real orders and deliveries for the operations API tests: fixture mails through the pipeline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import boto3
from boto3.dynamodb.conditions import Key

from okaeri.models import Delivery
from tests.integration.api.conftest import Api
from tests.integration.conftest import REGION
from tests.integration.pipeline.conftest import SHOP_ID, schedules
from tests.integration.pipeline.test_pipeline import all_deliveries, ingest, pump_stream

BASE = f"/api/shops/{SHOP_ID}"
#: Four order mails of four buyers (two of them Rakuten masked addresses): twelve deliveries.
ORDER_MAILS = ("eccube-html-gift", "yahoo-iso2022-company", "rakuten-iso2022-nec", "rakuten-utf8-qp")
NAKAJIMA = "aya.nakajima@example.net"  # eccube-html-gift: 中島 彩, order 2077
HIKARI = "ichiro@hikari-shokai.example"  # yahoo-iso2022-company: ㈱ひかり商会 光 一郎


@dataclass
class Planned:
    """The deliveries the pipeline planned, by id."""

    deliveries: dict[str, Delivery]

    def of(self, email: str, step: str | None = None) -> list[Delivery]:
        return sorted(
            (
                d
                for d in self.deliveries.values()
                if d.customer_email == email and (step is None or d.step_id == step)
            ),
            key=lambda d: d.send_at,
        )

    def one(self, email: str, step: str) -> Delivery:
        [delivery] = self.of(email, step)
        return delivery


def plan_orders(api: Api, mails: tuple[str, ...] = ORDER_MAILS) -> Planned:
    for name in mails:
        assert ingest(api.stack, name)["result"] == "parsed", name
    pump_stream(api.stack)
    return Planned({str(item["sk"]): stored(api, str(item["sk"])) for item in all_deliveries(api.stack)})


def stored(api: Api, delivery_id: str) -> Delivery:
    delivery = api.stack.admin.deliveries.get(SHOP_ID, delivery_id)
    assert delivery is not None
    return delivery


def path_key(order_key: str) -> str:
    """An order key as a client puts it in a path (``#`` → ``%23``)."""
    return quote(order_key, safe="")


def all_pages(client: Any, path: str, **query: Any) -> list[list[dict[str, Any]]]:
    """Every page of a list, following ``next_cursor``; the items of each page."""
    pages: list[list[dict[str, Any]]] = []
    cursor = None
    for _ in range(100):
        answer = client.get(path, **query, **({"cursor": cursor} if cursor else {}))
        assert answer.status == 200, answer.text
        body = answer.json()
        pages.append(body["items"])
        cursor = body["next_cursor"]
        if cursor is None:
            return pages
    raise AssertionError("the pages never end")


def schedule_names() -> set[str]:
    return set(schedules())


def audit_entries(api: Api, shop_id: str = SHOP_ID) -> list[dict[str, Any]]:
    """The shop's audit log as stored, oldest first."""
    table = boto3.resource("dynamodb", region_name=REGION).Table(api.stack.tables["logs"])
    items = table.query(KeyConditionExpression=Key("pk").eq(f"{shop_id}#audit"))["Items"]
    return [dict(item) for item in items]


def make_unknown(api: Api, delivery: Delivery) -> Delivery:
    """Claim the delivery at its send time and let its lease run out: a send in doubt."""
    deliveries = api.stack.admin.deliveries
    lease = delivery.send_at + timedelta(minutes=10)
    assert deliveries.claim(SHOP_ID, delivery.id, now=delivery.send_at, lease_until=lease).claimed
    assert deliveries.mark_unknown(SHOP_ID, delivery.id, now=lease + timedelta(minutes=1))
    return stored(api, delivery.id)
