"""Coupon pools through the admin API: counts, CSV uploads with bad rows, spent codes refused."""

from __future__ import annotations

from typing import Any

from tests.integration.api.conftest import Api
from tests.integration.api.ops_helpers import audit_entries
from tests.integration.pipeline.conftest import SHOP_ID

BASE = f"/api/shops/{SHOP_ID}"
CSV = {"content-type": "text/csv"}


def upload(api: Api, pool: str, body: str | bytes, **headers: str) -> Any:
    return api.manager.request("POST", f"{BASE}/coupons/{pool}", body=body, headers={**CSV, **headers})


def pools(api: Api) -> dict[str, tuple[int, int]]:
    answer = api.staff.get(f"{BASE}/coupons")
    assert answer.status == 200, answer.text
    return {pool["pool"]: (pool["free"], pool["used"]) for pool in answer.json()}


def test_staff_see_each_pool_with_free_and_used_codes(api: Api) -> None:
    assert pools(api) == {"MIKAN5": (23, 0)}
    api.stack.admin.coupons.code_for(SHOP_ID, "MIKAN5", "delivery-1")
    assert pools(api) == {"MIKAN5": (22, 1)}


def test_a_csv_upload_loads_good_codes_and_reports_the_rest(api: Api) -> None:
    long_code = "L" * 65
    text = f"code\nWIN-001\nWIN-002\nWIN-001\nWIN 003\n{long_code}\n\nWIN-004\n"
    answer = upload(api, "WINTER", text)
    assert answer.status == 200, answer.text
    assert answer.json() == {
        "pool": "WINTER",
        "loaded": 3,
        "skipped": [
            {"code": "WIN-001", "reason": "duplicate"},
            {"code": "WIN 003", "reason": "has_space"},
            {"code": long_code, "reason": "too_long"},
        ],
        "free": 3,
        "used": 0,
    }
    assert pools(api)["WINTER"] == (3, 0)
    again = upload(api, "WINTER", text)  # the same file again changes nothing
    assert (again.json()["loaded"], again.json()["free"]) == (3, 3)
    [entry] = [e for e in audit_entries(api) if e["action"] == "coupons.load"]  # the same entry twice
    assert entry["detail"]["by"] == "manager@okaeri.test"
    assert (entry["detail"]["pool"], entry["detail"]["loaded"], entry["detail"]["skipped"]) == (
        "WINTER",
        3,
        3,
    )


def test_a_code_already_given_is_never_loaded_again(api: Api) -> None:
    given = api.stack.admin.coupons.code_for(SHOP_ID, "MIKAN5", "delivery-1")
    answer = upload(api, "MIKAN5", f"{given}\nMIKAN5-NEW-1\n")
    assert answer.status == 200, answer.text
    assert answer.json()["skipped"] == [{"code": given, "reason": "used"}]
    assert answer.json()["loaded"] == 1
    assert (answer.json()["free"], answer.json()["used"]) == (23, 1)


def test_an_excel_shift_jis_file_is_read(api: Api) -> None:
    answer = upload(api, "SPRING", "クーポンコード,備考\nSPR-1,春\nSPR-2,春\n".encode("cp932"))
    assert answer.status == 200, answer.text
    assert (answer.json()["loaded"], answer.json()["skipped"]) == (2, [])


def test_a_retried_upload_with_its_key_answers_the_same(api: Api) -> None:
    key = "upload-winter-1"
    first = upload(api, "WINTER", "W-1\nW-2\n", **{"Idempotency-Key": key})
    second = upload(api, "WINTER", "W-1\nW-2\n", **{"Idempotency-Key": key})
    assert second.json() == first.json()
    assert second.headers["idempotent-replayed"] == "true"
    assert len([e for e in audit_entries(api) if e["action"] == "coupons.load"]) == 1
    other = upload(api, "WINTER", "W-3\n", **{"Idempotency-Key": key})
    assert (other.status, other.error_code) == (400, "idempotency_key_reused")


def test_unusable_uploads_are_refused(api: Api) -> None:
    answer = api.manager.post(f"{BASE}/coupons/WINTER", {"codes": ["A"]})
    assert (answer.status, answer.error_code) == (400, "unsupported_content_type")
    assert upload(api, "WINTER", "").error_code == "empty_upload"
    assert upload(api, "WINTER", "a,b\n1,2\n").error_code == "bad_csv"
    answer = upload(api, "冬", "A-1\n")
    assert (answer.status, answer.error_code) == (422, "invalid_config")
    assert answer.json()["error"]["details"][0].startswith("pool: ")
    assert "WINTER" not in pools(api)


def test_a_pool_a_template_uses_shows_even_when_empty(api: Api) -> None:
    template = {"id": "spring", "subject": "春", "text": "コード {{ coupon('SPRING') }}"}
    assert api.manager.post(f"{BASE}/templates", template).status == 201
    assert pools(api)["SPRING"] == (0, 0)


def test_staff_cannot_upload_and_outsiders_see_nothing(api: Api) -> None:
    answer = api.staff.request("POST", f"{BASE}/coupons/WINTER", body="W-1\n", headers=CSV)
    assert (answer.status, answer.error_code) == (403, "forbidden_role")
    answer = api.outsider.get(f"{BASE}/coupons")
    assert (answer.status, answer.error_code) == (403, "forbidden_shop")
    assert "MIKAN5" not in answer.text
    assert "WINTER" not in pools(api)
