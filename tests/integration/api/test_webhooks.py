"""The Shopify webhook and its secret, through the API on the moto stack."""

from __future__ import annotations

import json
from datetime import datetime

import boto3
import pytest

from okaeri.api.routes.webhooks import MAX_WEBHOOK_BYTES
from okaeri.import_formats.shopify import sign
from tests.conftest import FIXTURES
from tests.integration.api.conftest import OTHER_SHOP, Api
from tests.integration.conftest import REGION
from tests.integration.pipeline.conftest import SHOP_ID, stream_records
from tests.integration.pipeline.test_pipeline import all_deliveries, pump_stream, receptions
from tests.support.api_client import ApiResponse

SECRET = "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"
HOOK = f"/api/webhooks/shopify/{SHOP_ID}"
INTEGRATION = f"/api/shops/{SHOP_ID}/integrations/shopify"
KEY = "shopify##1042"


def body(name: str) -> bytes:
    return (FIXTURES / "imports" / f"shopify-{name}.json").read_bytes()


def deliver(
    api: Api,
    topic: str,
    data: bytes,
    *,
    webhook_id: str = "b5e1f3a0-0001",
    secret: str = SECRET,
    path: str = HOOK,
    signature: str | None = None,
) -> ApiResponse:
    headers = {
        "content-type": "application/json",
        "X-Shopify-Topic": topic,
        "X-Shopify-Hmac-Sha256": signature if signature is not None else sign(secret.encode(), data),
        "X-Shopify-Shop-Domain": "mikan-sanbo.myshopify.com",
        "X-Shopify-Webhook-Id": webhook_id,
        "X-Shopify-Triggered-At": "2026-11-29T22:00:00.123456789Z",
        "X-Shopify-API-Version": "2025-10",
    }
    return api.anonymous.request("POST", path, body=data, headers=headers)


@pytest.fixture
def with_secret(api: Api) -> Api:
    answer = api.owner.put(INTEGRATION, {"secret": SECRET})
    assert answer.status == 200, answer.text
    return api


def test_the_owner_sets_the_secret_and_nobody_reads_it_back(api: Api) -> None:
    assert api.staff.get(INTEGRATION).json() == {
        "secret_set": False,
        "webhook_url_path": HOOK,
        "topics": ["orders/create", "orders/fulfilled", "orders/cancelled"],
    }
    assert api.manager.put(INTEGRATION, {"secret": SECRET}).error_code == "forbidden_role"
    assert api.staff.put(INTEGRATION, {"secret": SECRET}).error_code == "forbidden_role"
    assert api.outsider.get(INTEGRATION).error_code == "forbidden_shop"
    assert api.owner.put(INTEGRATION, {"secret": "short"}).status == 422

    answer = api.owner.put(INTEGRATION, {"secret": SECRET})

    assert answer.status == 200
    assert answer.json()["secret_set"] is True
    assert SECRET not in answer.text
    shown = api.staff.get(INTEGRATION)
    assert shown.json()["secret_set"] is True
    assert SECRET not in shown.text
    stored = boto3.client("secretsmanager", region_name=REGION).get_secret_value(
        SecretId=f"okaeri/shopify/{SHOP_ID}"
    )
    assert stored["SecretString"] == SECRET


def test_a_signed_order_webhook_creates_the_order_once(with_secret: Api) -> None:
    api = with_secret
    answer = deliver(api, "orders/create", body("orders-create"))

    assert answer.status == 200, answer.text
    assert answer.json() == {"result": "parsed", "order_key": KEY, "reason": None}
    record = api.stack.admin.orders.get(SHOP_ID, KEY)
    assert record is not None
    assert record.raw_keys == [f"shopify/{SHOP_ID}/b5e1f3a0-0001"]
    assert record.received_at == datetime.fromisoformat("2026-11-29T22:00:00.123456+00:00")
    assert pump_stream(api.stack) == 1
    assert len(all_deliveries(api.stack)) == 3

    again = deliver(api, "orders/create", body("orders-create"))  # Shopify retries

    assert again.json() == answer.json()
    assert stream_records(api.stack) == []
    assert len(all_deliveries(api.stack)) == 3
    assert receptions(api.stack) == {"b5e1f3a0-0001": "parsed"}  # one entry, rewritten


def test_orders_fulfilled_moves_the_planned_mails_to_the_ship_date(with_secret: Api) -> None:
    api = with_secret
    deliver(api, "orders/create", body("orders-create"))
    pump_stream(api.stack)

    answer = deliver(api, "orders/fulfilled", body("orders-fulfilled"), webhook_id="b5e1f3a0-0002")

    assert answer.json()["result"] == "parsed"
    record = api.stack.admin.orders.get(SHOP_ID, KEY)
    assert record is not None
    assert (record.order.tracking_number, record.order.carrier) == ("4321-0000-9876", "Yamato (JA)")
    assert record.order.shipped_at == datetime.fromisoformat("2026-11-30T16:20:00+09:00")
    like_at = {str(d["step_id"]): str(d["send_at"]) for d in all_deliveries(api.stack)}["like"]
    assert datetime.fromisoformat(like_at) == datetime.fromisoformat("2026-12-15T19:00:00+09:00")  # estimated
    pump_stream(api.stack)
    like_at = {str(d["step_id"]): str(d["send_at"]) for d in all_deliveries(api.stack)}["like"]
    assert datetime.fromisoformat(like_at) == datetime.fromisoformat(
        "2026-12-14T19:00:00+09:00"
    )  # shipped + 14


def test_a_bad_or_missing_signature_is_401_and_changes_nothing(with_secret: Api) -> None:
    api = with_secret
    data = body("orders-create")
    for answer in (
        deliver(api, "orders/create", data, secret="another-secret-value"),
        deliver(api, "orders/create", data, signature=""),
        deliver(api, "orders/create", data, signature="%%%"),
        deliver(api, "orders/create", data + b"\n", signature=sign(SECRET.encode(), data)),
    ):
        assert (answer.status, answer.error_code) == (401, "unauthorized")
        assert set(answer.json()["error"]) == {"code", "message_ja", "message_en", "details"}
        assert answer.json()["error"]["details"] == []
    assert api.stack.admin.orders.get(SHOP_ID, KEY) is None
    assert receptions(api.stack) == {}


def test_other_topics_are_acknowledged_and_ignored(with_secret: Api) -> None:
    answer = deliver(with_secret, "products/update", b'{"id": 1}')
    assert (answer.status, answer.json()["result"]) == (200, "ignored")
    assert receptions(with_secret.stack) == {}


def test_a_signed_payload_that_is_no_order_is_logged_and_acknowledged(with_secret: Api) -> None:
    answer = deliver(with_secret, "orders/create", json.dumps({"name": "#1"}).encode())
    assert (answer.status, answer.json()["result"], answer.json()["reason"]) == (200, "failed", "bad_payload")
    assert receptions(with_secret.stack) == {"b5e1f3a0-0001": "failed"}


def test_no_webhook_at_the_address_is_404_and_tells_no_more(with_secret: Api) -> None:
    """An unknown shop and a shop without a secret get the same 404 (not the 401 of a bad
    signature, which Shopify would retry as if the secret were wrong): nothing tells them apart."""
    api = with_secret
    data = body("orders-create")
    answers = [
        deliver(api, "orders/create", data, path="/api/webhooks/shopify/no-such-shop"),
        deliver(api, "orders/create", data, path="/api/webhooks/shopify/Bad_Id"),
        deliver(api, "orders/create", data, path=f"/api/webhooks/shopify/{OTHER_SHOP}"),  # no secret
        deliver(api, "orders/create", data, path=f"/api/webhooks/shopify/{OTHER_SHOP}", signature=""),
    ]
    for answer in answers:
        assert (answer.status, answer.error_code) == (404, "no_webhook"), answer.text
        assert answer.json()["error"]["message_ja"]
        assert answer.json()["error"]["message_en"]
        assert (answer.body, answer.headers) == (answers[0].body, answers[0].headers)
    bad_signature = deliver(api, "orders/create", data, secret="another-secret-value")
    assert (bad_signature.status, bad_signature.error_code) == (401, "unauthorized")
    assert receptions(api.stack) == {}


def test_a_body_past_the_size_bound_is_413(with_secret: Api) -> None:
    data = b'{"name": "' + b"x" * MAX_WEBHOOK_BYTES + b'"}'
    answer = deliver(with_secret, "orders/create", data)
    assert (answer.status, answer.error_code) == (413, "too_large")
    assert set(answer.json()["error"]) == {"code", "message_ja", "message_en", "details"}


def test_removing_the_secret_closes_the_webhook(with_secret: Api) -> None:
    api = with_secret
    assert api.manager.delete(INTEGRATION).error_code == "forbidden_role"
    removed = api.owner.delete(INTEGRATION)
    assert (removed.status, removed.json()["secret_set"]) == (200, False)
    closed = deliver(api, "orders/create", body("orders-create"))
    assert (closed.status, closed.error_code) == (404, "no_webhook")
    assert api.staff.get(INTEGRATION).json()["secret_set"] is False


def test_the_webhook_is_public_in_the_openapi_document(api: Api) -> None:
    operation = api.anonymous.get("/api/openapi.json").json()["paths"]["/api/webhooks/shopify/{shop_id}"][
        "post"
    ]
    assert "x-okaeri-role" not in operation
