"""Real orders and deliveries for the operations API tests: fixture mails through the pipeline."""

from __future__ import annotations

from typing import Any

import boto3
from boto3.dynamodb.conditions import Key

from okaeri.models import Delivery
from tests.integration.api.conftest import Api
from tests.integration.conftest import REGION
from tests.integration.pipeline.conftest import SHOP_ID, schedules
from tests.integration.pipeline.test_pipeline import all_deliveries, ingest, pump_stream
from tests.support.operations import HIKARI, NAKAJIMA, ORDER_MAILS, Planned, all_pages, path_key
from tests.support.operations import make_unknown as in_doubt

BASE = f"/api/shops/{SHOP_ID}"
__all__ = ["HIKARI", "NAKAJIMA", "Planned", "all_pages", "path_key"]


def plan_orders(api: Api, mails: tuple[str, ...] = ORDER_MAILS) -> Planned:
    for name in mails:
        assert ingest(api.stack, name)["result"] == "parsed", name
    pump_stream(api.stack)
    return Planned.of_all(stored(api, str(item["sk"])) for item in all_deliveries(api.stack))


def stored(api: Api, delivery_id: str) -> Delivery:
    delivery = api.stack.admin.deliveries.get(SHOP_ID, delivery_id)
    assert delivery is not None
    return delivery


def schedule_names() -> set[str]:
    return set(schedules())


def audit_entries(api: Api, shop_id: str = SHOP_ID) -> list[dict[str, Any]]:
    """The shop's audit log as stored, oldest first."""
    table = boto3.resource("dynamodb", region_name=REGION).Table(api.stack.tables["logs"])
    items = table.query(KeyConditionExpression=Key("pk").eq(f"{shop_id}#audit"))["Items"]
    return [dict(item) for item in items]


def make_unknown(api: Api, delivery: Delivery) -> Delivery:
    """Claim the delivery at its send time and let its lease run out: a send in doubt."""
    return in_doubt(api.stack.admin.deliveries, delivery)
