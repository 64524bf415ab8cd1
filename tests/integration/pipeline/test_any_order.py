"""Issue #13 in moto: the shipping mail before its order mail, every S3 event and stream batch twice.

The stub the shipment leaves is planned on what it knows (the shop's catch-all scenario); the order
mail brings the items, and the higher-priority scenario for them takes the run over: the stub's
pending deliveries end ``cancelled`` (``replanned``) with their schedules deleted, the new ones
are scheduled, and each side keeps the change in its ``history``.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from functions.ingest import handler as ingest_handler
from functions.schedule import handler as schedule_handler
from okaeri.api.support import operations
from okaeri.aws.config import DynamoConfig
from okaeri.identity import customer_id_for
from okaeri.models import Scenario
from okaeri.services.ingest import ORDERS_COUNTER
from okaeri.services.operations import order_detail
from tests.integration.pipeline.conftest import SHOP_ID, Stack, put_mail, s3_event, schedules, stream_records
from tests.integration.pipeline.test_pipeline import MAILS, all_deliveries
from tests.support.customers import counted_order

TOKYO = ZoneInfo("Asia/Tokyo")
KEY = "rakuten#512034-20261205-1000000077"
IKURA = Scenario.model_validate(
    {
        "id": "ikura-fans",
        "name": "いくらのお客さま",
        "trigger": "shipped",
        "conditions": {"skus": ["ikura-*"]},
        "priority": 20,
        "steps": [
            {"id": "thanks", "offset_days": 0, "hour": 10, "template": "thanks", "purposes": ["thanks"]}
        ],
    }
)


def arrive_twice(stack: Stack, name: str) -> None:
    key = f"inbound/{SHOP_ID}/{name}"
    put_mail(key, (MAILS / f"{name}.eml").read_bytes())
    for _ in range(2):
        [result] = ingest_handler.handle(s3_event(key), stack.ingest)["results"]
        assert result["result"] == "parsed"
    records = stream_records(stack)
    for _ in range(2):  # Lambda may hand the same batch over again
        for record in records:
            schedule_handler.handle_record(record, stack.schedule)


def test_the_order_after_its_shipment_replans_the_stubs_run(stack: Stack) -> None:
    DynamoConfig(stack.tables["config"]).save_scenario(SHOP_ID, IKURA)
    stack.clock.set(datetime(2026, 12, 7, 9, tzinfo=TOKYO))

    arrive_twice(stack, "rakuten-shipped")
    stub_plan = {str(d["sk"]): str(d["scenario_id"]) for d in all_deliveries(stack)}
    assert set(stub_plan.values()) == {"thanks-like-love"}  # the stub has no items yet

    arrive_twice(stack, "rakuten-utf8-qp")

    final = {str(d["sk"]): d for d in all_deliveries(stack)}
    live = {sk for sk, d in final.items() if d["status"] == "scheduled"}
    assert {str(final[sk]["scenario_id"]) for sk in live} == {"ikura-fans"}
    assert len(live) == 1
    for sk in stub_plan:
        assert (final[sk]["status"], final[sk]["reason"]) == ("cancelled", "replanned")
        [note] = final[sk]["history"]
        assert (note["change"], note["scenario_to"]) == ("superseded", "ikura-fans")
    assert set(schedules()) == live
    [new] = live
    [note] = final[new]["history"]
    assert (note["change"], note["reason"], note["scenario_from"]) == (
        "replaces",
        "order_arrived",
        "thanks-like-love",
    )

    detail = order_detail(operations(stack.admin), SHOP_ID, KEY)
    assert [change.change for change in detail.plan_changes] == ["superseded"] * 3 + ["replaces"]


def test_a_repeat_customers_shipment_stub_is_planned_with_their_rank_and_counted_once(stack: Stack) -> None:
    """The shipment names the buyer: the order is counted for them when the stub is made, so the stub
    is planned as their third order; the order mail later finds the same count, and the shop's orders
    of the day count it once."""
    loyal = Scenario.model_validate(
        IKURA.model_dump(mode="json") | {"id": "loyal", "conditions": {"min_order_count": 3}}
    )
    DynamoConfig(stack.tables["config"]).save_scenario(SHOP_ID, loyal)
    stack.clock.set(datetime(2026, 12, 7, 9, tzinfo=TOKYO))
    buyer = "b0c1d2e3f4a5b6c7@pc.fw.rakuten.ne.jp"
    for earlier in ("rakuten#1", "rakuten#2"):
        stack.ingest.customers.record_order(
            SHOP_ID, customer_id_for(buyer), email=buyer, name=None, order=counted_order(earlier)
        )

    arrive_twice(stack, "rakuten-shipped")
    stub = stack.ingest.orders.get(SHOP_ID, KEY)
    assert stub is not None
    assert (stub.order.kind, stub.order_rank) == ("shipment", 3)
    assert {str(d["scenario_id"]) for d in all_deliveries(stack)} == {"loyal"}

    arrive_twice(stack, "rakuten-utf8-qp")

    order = stack.ingest.orders.get(SHOP_ID, KEY)
    assert order is not None
    assert (order.order.kind, order.order_rank) == ("order", 3)
    customer = stack.ingest.customers.get(SHOP_ID, customer_id_for(buyer))
    assert customer is not None
    assert customer.order_count == 3
    final = all_deliveries(stack)
    assert [(str(d["scenario_id"]), d["status"], d.get("history", [])) for d in final] == [
        ("loyal", "scheduled", [])
    ]
    day = datetime(2026, 12, 7, tzinfo=TOKYO).date()
    stats = DynamoConfig(stack.tables["config"]).stats(SHOP_ID, day.replace(day=1), day)
    assert sum(s.counters.get(ORDERS_COUNTER, 0) for s in stats) == 1
