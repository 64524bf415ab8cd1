"""Coupon pools through the admin API over the fakes: counts, CSV uploads and their refusals, roles."""

from __future__ import annotations

from typing import Any

from tests.support.api_client import ApiResponse
from tests.unit.api.conftest import BASE, Admin, audited, refused_below
from tests.unit.services.support import SHOP_ID

CSV = {"content-type": "text/csv"}


def load(admin: Admin, pool: str, body: str | bytes, **headers: str) -> ApiResponse:
    return admin.manager.request("POST", f"{BASE}/coupons/{pool}", body=body, headers=CSV | headers)


def pool_counts(admin: Admin) -> dict[str, tuple[int, int]]:
    listed = admin.staff.get(f"{BASE}/coupons")
    assert listed.status == 200, listed.text
    return {entry["pool"]: (entry["free"], entry["used"]) for entry in listed.json()}


def test_a_code_given_moves_from_free_to_used(admin: Admin) -> None:
    free, used = pool_counts(admin)["MIKAN5"]
    assert free > 0
    admin.world.coupons.code_for(SHOP_ID, "MIKAN5", "delivery-1")
    assert pool_counts(admin)["MIKAN5"] == (free - 1, used + 1)


def test_an_upload_loads_good_codes_reports_the_others_and_is_audited_once(admin: Admin) -> None:
    text = "code\nAKI-1\nAKI-2\nAKI-1\nAKI 3\n" + "L" * 65 + "\n\nAKI-4\n"
    answer = load(admin, "AUTUMN", text)
    assert answer.status == 200, answer.text
    report: dict[str, Any] = answer.json()
    assert (report["pool"], report["loaded"], report["free"], report["used"]) == ("AUTUMN", 3, 3, 0)
    assert [s["reason"] for s in report["skipped"]] == ["duplicate", "has_space", "too_long"]
    assert pool_counts(admin)["AUTUMN"] == (3, 0)
    assert load(admin, "AUTUMN", text).json()["free"] == 3  # the same file again adds nothing
    [entry] = audited(admin, "coupons.load")
    assert (entry["pool"], entry["loaded"], entry["by"]) == ("AUTUMN", 3, "manager@okaeri.test")


def test_a_code_once_given_is_not_loaded_again_and_cp932_is_read(admin: Admin) -> None:
    given = admin.world.coupons.code_for(SHOP_ID, "MIKAN5", "delivery-9")
    again = load(admin, "MIKAN5", f"{given}\nNEW-1\n")
    assert (again.json()["loaded"], again.json()["skipped"]) == (1, [{"code": given, "reason": "used"}])
    shift_jis = load(admin, "HARU", "クーポンコード,備考\nH-1,春\nH-2,春\n".encode("cp932"))
    assert (shift_jis.status, shift_jis.json()["loaded"]) == (200, 2)


def test_a_retry_with_its_key_is_answered_from_the_first(admin: Admin) -> None:
    key = {"Idempotency-Key": "coupons-1"}
    first, second = load(admin, "AUTUMN", "A-1\n", **key), load(admin, "AUTUMN", "A-1\n", **key)
    assert second.json() == first.json()
    assert second.headers["idempotent-replayed"] == "true"
    assert len(audited(admin, "coupons.load")) == 1
    assert load(admin, "AUTUMN", "A-2\n", **key).error_code == "idempotency_key_reused"


def test_unusable_uploads_are_refused_and_load_nothing(admin: Admin) -> None:
    refusals = {
        "unsupported_content_type": admin.manager.post(f"{BASE}/coupons/AUTUMN", {"codes": ["A"]}),
        "empty_upload": load(admin, "AUTUMN", ""),
        "bad_csv": load(admin, "AUTUMN", "a,b\n1,2\n"),
        "invalid_config": load(admin, "秋", "A-1\n"),  # a pool's name is ASCII
    }
    assert {code: answer.error_code for code, answer in refusals.items()} == {code: code for code in refusals}
    assert [answer.status for answer in refusals.values()] == [400, 400, 400, 422]
    assert "AUTUMN" not in pool_counts(admin)


def test_staff_read_and_managers_load(admin: Admin) -> None:
    refused_below(admin, "staff", "GET", f"{BASE}/coupons")
    refused_below(admin, "manager", "POST", f"{BASE}/coupons/AUTUMN", body="A-1\n", headers=CSV)
    assert "AUTUMN" not in pool_counts(admin)
