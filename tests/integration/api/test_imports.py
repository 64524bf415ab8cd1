"""``/imports``: order CSVs through the API on the moto stack → orders, reception entries, deliveries."""

from __future__ import annotations

import base64
from collections import Counter
from datetime import date
from typing import Any

import boto3
from boto3.dynamodb.conditions import Key

from okaeri.import_formats import MAX_CSV_BYTES
from tests.integration.api.conftest import OTHER_SHOP, Api
from tests.integration.conftest import REGION
from tests.integration.pipeline.conftest import SHOP_ID, stream_records
from tests.integration.pipeline.test_pipeline import all_deliveries, pump_stream, receptions
from tests.support.api_client import ApiResponse
from tests.support.csv_imports import MAPPING, csv_file

BASE = f"/api/shops/{SHOP_ID}/imports"
OCTETS = {"content-type": "application/octet-stream"}
RMS_KEYS = [
    "rakuten#338361-20261128-0100000001",
    "rakuten#338361-20261128-0100000002",
    "rakuten#338361-20261129-0100000006",
]


def upload(api: Api, kind: str, data: bytes, *, user: str = "manager", **headers: str) -> ApiResponse:
    return api.client(user).request("POST", f"{BASE}/{kind}", body=data, headers=OCTETS | headers)


def audits(api: Api) -> list[dict[str, Any]]:
    table = boto3.resource("dynamodb", region_name=REGION).Table(api.stack.tables["logs"])
    return list(table.query(KeyConditionExpression=Key("pk").eq(f"{SHOP_ID}#audit"))["Items"])


def orders_per_day(api: Api, day: date) -> dict[str, int]:
    return {
        name: value
        for stats in api.stack.admin.config.stats(SHOP_ID, day, day)
        if stats.scenario_id == "*"
        for name, value in stats.counters.items()
    }


def test_an_rms_csv_becomes_orders_reception_entries_and_planned_mails(api: Api) -> None:
    answer = upload(api, "rakuten", csv_file("rakuten-rms.csv"))

    assert answer.status == 200, answer.text
    report = answer.json()
    assert (report["source"], report["rows"], report["orders_taken"], report["orders_new"]) == (
        "rakuten",
        9,
        3,
        3,
    )
    assert report["orders"] == RMS_KEYS
    assert [(r["line"], r["reason"]) for r in report["refused"]] == [
        (6, "bad_date"),
        (7, "bad_number"),
        (8, "other_row_refused"),
        (9, "missing_field"),
        (10, "bad_email"),
    ]
    assert all(r["message_ja"] and r["message_en"] for r in report["refused"])
    for key in RMS_KEYS:
        record = api.stack.admin.orders.get(SHOP_ID, key)
        assert record is not None, key
        assert record.raw_keys == [f"import/{SHOP_ID}/{report['import_id']}#{key}"]
    shipped = api.stack.admin.orders.get(SHOP_ID, RMS_KEYS[1])
    assert shipped is not None
    assert str(shipped.order.shipped_at) == "2026-11-30"
    assert orders_per_day(api, date(2026, 11, 30)) == {"orders": 3}

    assert pump_stream(api.stack) == 3
    planned = all_deliveries(api.stack)
    assert Counter(str(d["order_key"]) for d in planned) == dict.fromkeys(RMS_KEYS, 3)
    assert {str(d["status"]) for d in planned} == {"scheduled"}

    logged = receptions(api.stack)  # by the last part of the key
    assert sorted(logged.values()) == ["parsed"] * 3
    [audit] = [item for item in audits(api) if item["action"] == "orders.import"]
    assert audit["detail"]["by"] == "manager@okaeri.test"
    assert (audit["detail"]["orders_new"], audit["detail"]["refused_rows"]) == (3, 5)
    assert "refused" not in audit["detail"]  # counts only: no buyer's data in the audit log


def test_importing_the_same_file_again_takes_nothing_new(api: Api) -> None:
    upload(api, "rakuten", csv_file("rakuten-rms.csv"))
    pump_stream(api.stack)
    planned = len(all_deliveries(api.stack))

    again = upload(api, "rakuten", csv_file("rakuten-rms.csv")).json()

    assert (again["orders_taken"], again["orders_new"], again["orders_known"]) == (3, 0, 3)
    assert stream_records(api.stack) == []  # no order changed: nothing to plan
    assert len(all_deliveries(api.stack)) == planned
    assert orders_per_day(api, date(2026, 11, 30)) == {"orders": 3}


def test_a_retry_with_the_same_idempotency_key_is_answered_from_the_first_run(api: Api) -> None:
    first = upload(api, "rakuten", csv_file("rakuten-rms.csv"), **{"Idempotency-Key": "upload-1"})
    second = upload(api, "rakuten", csv_file("rakuten-rms.csv"), **{"Idempotency-Key": "upload-1"})
    assert first.status == second.status == 200
    assert second.json() == first.json()  # the same import id: it did not run twice
    assert second.headers.get("idempotent-replayed") == "true"


def test_a_yahoo_csv_sent_as_utf8_text_and_a_mapped_csv(api: Api) -> None:
    yahoo = api.manager.request(
        "POST", f"{BASE}/yahoo", body=csv_file("yahoo-orders.csv"), headers={"content-type": "text/csv"}
    )
    assert yahoo.status == 200, yahoo.text
    assert yahoo.json()["orders"] == ["yahoo#MIKAN-SANBO-10000101", "yahoo#MIKAN-SANBO-10000102"]
    assert [(r["line"], r["reason"]) for r in yahoo.json()["refused"]] == [(5, "bad_number"), (6, "bad_date")]
    merged = api.stack.admin.orders.get(SHOP_ID, "yahoo#MIKAN-SANBO-10000101")
    assert merged is not None
    assert len(merged.order.items) == 3

    mapped = api.manager.post(
        f"{BASE}/mapped",
        {"mapping": MAPPING, "csv_base64": base64.b64encode(csv_file("mapped-orders.csv")).decode()},
    )
    assert mapped.status == 200, mapped.text
    assert mapped.json()["orders"] == ["csv#EC-1001", "csv#EC-1002"]
    assert [r["line"] for r in mapped.json()["refused"]] == [4, 5, 6]


def test_files_refused_as_a_whole_say_why(api: Api) -> None:
    not_csv = upload(api, "rakuten", b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00")
    assert (not_csv.status, not_csv.error_code) == (400, "not_csv")
    assert not_csv.json()["error"]["message_ja"]
    wrong_kind = upload(api, "rakuten", csv_file("yahoo-orders.csv"))
    assert (wrong_kind.status, wrong_kind.error_code) == (400, "missing_columns")
    too_big = upload(api, "yahoo", csv_file("yahoo-orders.csv") + b"x" * MAX_CSV_BYTES)
    assert (too_big.status, too_big.error_code) == (413, "too_large")
    empty = upload(api, "yahoo", b"")
    assert (empty.status, empty.error_code) == (400, "empty")
    bad_base64 = api.manager.post(f"{BASE}/mapped", {"mapping": MAPPING, "csv_base64": "***"})
    assert (bad_base64.status, bad_base64.error_code) == (400, "bad_base64")
    bad_mapping = api.manager.post(
        f"{BASE}/mapped", {"mapping": {"columns": {"order_id": "x"}}, "csv_base64": "eA=="}
    )
    assert (bad_mapping.status, bad_mapping.error_code) == (422, "invalid_request")
    assert api.stack.admin.orders.get(SHOP_ID, RMS_KEYS[0]) is None
    assert [item for item in audits(api) if item["action"] == "orders.import"] == []


def test_only_managers_and_owners_of_the_shop_import(api: Api) -> None:
    data = csv_file("rakuten-rms.csv")
    assert upload(api, "rakuten", data, user="staff").error_code == "forbidden_role"
    assert upload(api, "rakuten", data, user="outsider").error_code == "forbidden_shop"
    assert upload(api, "rakuten", data, user="anonymous").status == 401
    assert (
        api.owner.request(
            "POST", f"/api/shops/{OTHER_SHOP}/imports/rakuten", body=data, headers=OCTETS
        ).status
        == 200
    )
    assert api.stack.admin.orders.get(SHOP_ID, RMS_KEYS[0]) is None  # into sakura-farm, not mikan-sanbo
    assert api.stack.admin.orders.get(OTHER_SHOP, RMS_KEYS[0]) is not None


def test_the_openapi_document_describes_the_uploads(api: Api) -> None:
    paths = api.anonymous.get("/api/openapi.json").json()["paths"]
    rakuten = paths["/api/shops/{shop_id}/imports/rakuten"]["post"]
    assert rakuten["x-okaeri-role"] == "manager"
    assert "application/octet-stream" in rakuten["requestBody"]["content"]
    assert "ImportReport" in str(rakuten["responses"]["200"])
    assert "MappedImport" in str(paths["/api/shops/{shop_id}/imports/mapped"]["post"]["requestBody"])
