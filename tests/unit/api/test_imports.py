"""Order CSV imports through the admin API over the fakes: orders, reception entries, planned mails,
the same file twice, retries with a key, files refused as a whole, and who may import."""

from __future__ import annotations

import base64
from collections import Counter

from okaeri.import_formats import MAX_CSV_BYTES
from tests.support.api_client import ApiResponse
from tests.support.csv_imports import MAPPING, csv_file
from tests.unit.api.conftest import BASE, OTHER_SHOP, Admin, audited, refused_below
from tests.unit.services.support import SHOP_ID

OCTETS = {"content-type": "application/octet-stream"}
RMS_ORDERS = [
    "rakuten#338361-20261128-0100000001",
    "rakuten#338361-20261128-0100000002",
    "rakuten#338361-20261129-0100000006",
]


def post_csv(admin: Admin, kind: str, data: bytes, **headers: str) -> ApiResponse:
    return admin.manager.request("POST", f"{BASE}/imports/{kind}", body=data, headers=OCTETS | headers)


def test_an_rms_file_becomes_orders_and_their_mails(admin: Admin) -> None:
    answer = post_csv(admin, "rakuten", csv_file("rakuten-rms.csv"))
    assert answer.status == 200, answer.text
    report = answer.json()
    assert (report["rows"], report["orders_new"], report["orders"]) == (9, 3, RMS_ORDERS)
    assert [r["reason"] for r in report["refused"]] == [
        "bad_date", "bad_number", "other_row_refused", "missing_field", "bad_email",
    ]  # fmt: skip
    assert all(admin.world.orders.get(SHOP_ID, key) is not None for key in RMS_ORDERS)
    admin.world.pump()
    assert Counter(d.order_key for d in admin.world.deliveries.all()) == dict.fromkeys(RMS_ORDERS, 3)
    [detail] = audited(admin, "orders.import")
    assert (detail["by"], detail["orders_new"], detail["refused_rows"]) == ("manager@okaeri.test", 3, 5)


def test_the_same_file_again_and_a_retry_with_its_key_take_nothing_new(admin: Admin) -> None:
    key = {"Idempotency-Key": "import-1"}
    first = post_csv(admin, "rakuten", csv_file("rakuten-rms.csv"), **key)
    replayed = post_csv(admin, "rakuten", csv_file("rakuten-rms.csv"), **key)
    assert (replayed.json(), replayed.headers["idempotent-replayed"]) == (first.json(), "true")
    admin.world.pump()
    planned = len(admin.world.deliveries.all())
    again = post_csv(admin, "rakuten", csv_file("rakuten-rms.csv")).json()
    assert (again["orders_new"], again["orders_known"]) == (0, 3)
    admin.world.pump()
    assert len(admin.world.deliveries.all()) == planned


def test_a_yahoo_file_as_text_and_a_mapped_file(admin: Admin) -> None:
    text = {"content-type": "text/csv"}
    yahoo = admin.manager.request(
        "POST", f"{BASE}/imports/yahoo", body=csv_file("yahoo-orders.csv"), headers=text
    )
    assert yahoo.json()["orders"] == ["yahoo#MIKAN-SANBO-10000101", "yahoo#MIKAN-SANBO-10000102"]
    encoded = base64.b64encode(csv_file("mapped-orders.csv")).decode()
    mapped = admin.manager.post(f"{BASE}/imports/mapped", {"mapping": MAPPING, "csv_base64": encoded})
    assert (mapped.json()["orders"], [r["line"] for r in mapped.json()["refused"]]) == (
        ["csv#EC-1001", "csv#EC-1002"],
        [4, 5, 6],
    )


def test_files_refused_as_a_whole_take_nothing(admin: Admin) -> None:
    refusals = {
        "not_csv": post_csv(admin, "rakuten", b"PK\x03\x04\x14\x00\x06\x00"),
        "missing_columns": post_csv(admin, "rakuten", csv_file("yahoo-orders.csv")),
        "too_large": post_csv(admin, "yahoo", b"x" * (MAX_CSV_BYTES + 1)),
        "empty": post_csv(admin, "yahoo", b""),
        "bad_base64": admin.manager.post(f"{BASE}/imports/mapped", {"mapping": MAPPING, "csv_base64": "***"}),
    }
    assert {code: answer.error_code for code, answer in refusals.items()} == {code: code for code in refusals}
    assert [answer.status for answer in refusals.values()] == [400, 400, 413, 400, 400]
    assert admin.world.orders.get(SHOP_ID, RMS_ORDERS[0]) is None
    assert audited(admin, "orders.import") == []


def test_managers_import_into_their_own_shop_only(admin: Admin) -> None:
    data = csv_file("rakuten-rms.csv")
    refused_below(admin, "manager", "POST", f"{BASE}/imports/rakuten", body=data, headers=OCTETS)
    into_other = admin.owner.request(
        "POST", f"/api/shops/{OTHER_SHOP}/imports/rakuten", body=data, headers=OCTETS
    )
    assert into_other.status == 200, into_other.text
    assert admin.world.orders.get(SHOP_ID, RMS_ORDERS[0]) is None
    assert admin.world.orders.get(OTHER_SHOP, RMS_ORDERS[0]) is not None
