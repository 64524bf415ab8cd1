"""Parse again through the admin API over the fakes: one entry per mail, its readings as history."""

from __future__ import annotations

from tests.conftest import FIXTURES
from tests.unit.api.conftest import BASE, Admin
from tests.unit.services.support import SHOP_ID, kurashi_mask

RECEPTIONS = f"{BASE}/receptions"
KURASHI = f"inbound/{SHOP_ID}/kurashi-order"


def test_a_failure_read_again_well_is_one_entry_with_its_history(admin: Admin) -> None:
    failed = admin.world.receive("kurashi-order")
    assert failed.result == "failed"
    assert admin.staff.post(f"{RECEPTIONS}/reparse", {"key": KURASHI}).error_code == "forbidden_role"
    admin.world.config.add_mask(SHOP_ID, kurashi_mask())
    answer = admin.manager.post(f"{RECEPTIONS}/reparse", {"key": KURASHI})
    assert answer.status == 200, answer.text
    entry = answer.json()
    assert (entry["result"], entry["order_key"]) == ("parsed", "mask:kurashi#KC-0412")
    assert [(h["result"], h["reason"]) for h in entry["history"]] == [("failed", "unrecognised")]
    [kept] = admin.world.logs.receptions_of(SHOP_ID, KURASHI)
    assert (kept.result, kept.received_at) == ("parsed", failed.received_at)
    again = admin.manager.post(f"{RECEPTIONS}/reparse", {"key": KURASHI}).json()
    assert [h["result"] for h in again["history"]] == ["failed", "parsed"]
    audits = [e.detail for e in admin.world.logs.audits if e.action == "reception.reparse"]
    assert [(a["was"], a["result"]) for a in audits] == [("failed", "parsed"), ("parsed", "parsed")]


def test_a_missing_mail_or_another_shops_is_not_found(admin: Admin) -> None:
    admin.world.raw_mail.put(
        "inbound/sakura-farm/theirs", (FIXTURES / "mail" / "eccube-html-gift.eml").read_bytes()
    )
    for key in ("inbound/sakura-farm/theirs", f"inbound/{SHOP_ID}/no-such-mail", f"inbound/{SHOP_ID}/../x"):
        assert admin.manager.post(f"{RECEPTIONS}/reparse", {"key": key}).status == 404, key
    assert admin.world.logs.receptions == {}
