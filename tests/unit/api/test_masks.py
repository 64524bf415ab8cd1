"""Parse masks through the admin API over the fakes, and trying one on a pasted or a received mail."""

from __future__ import annotations

from typing import Any

import yaml

from tests.conftest import FIXTURES
from tests.unit.api.conftest import BASE, Admin
from tests.unit.services.support import SHOP_ID

MAILS = FIXTURES / "mail"


def kurashi() -> dict[str, Any]:
    return dict(yaml.safe_load((MAILS / "kurashi-mask.yaml").read_text(encoding="utf-8")))


def test_a_mask_is_saved_once_and_deleted(admin: Admin) -> None:
    answer = admin.manager.put(f"{BASE}/masks/kurashi", kurashi())
    assert answer.status == 200, answer.text
    [listed] = admin.staff.get(f"{BASE}/masks").json()
    assert admin.manager.put(f"{BASE}/masks/kurashi", listed).status == 200  # read, saved back: no change
    assert admin.manager.put(f"{BASE}/masks/other", listed).status == 422  # the name is the path's
    assert admin.manager.delete(f"{BASE}/masks/kurashi").json() == {"name": "kurashi", "deleted": True}
    assert admin.manager.delete(f"{BASE}/masks/kurashi").status == 404
    assert admin.staff.get(f"{BASE}/masks").json() == []
    assert [e.action for e in admin.world.logs.audits] == ["mask.save", "mask.delete"]


def test_a_mask_is_tried_on_a_received_mail_of_the_shop_only(admin: Admin) -> None:
    raw = (MAILS / "kurashi-order.eml").read_bytes()
    admin.world.raw_mail.put(f"inbound/{SHOP_ID}/kurashi-order", raw)
    admin.world.raw_mail.put("inbound/sakura-farm/secret", raw)
    answer = admin.staff.post(
        f"{BASE}/masks/try", {"mask": kurashi(), "reception_key": f"inbound/{SHOP_ID}/kurashi-order"}
    )
    assert answer.status == 200, answer.text
    assert (answer.json()["used_mask"], answer.json()["order"]["order_id"]) == (True, "KC-0412")
    for key in (
        "inbound/sakura-farm/secret",
        f"inbound/{SHOP_ID}/../sakura-farm/secret",
        f"inbound/{SHOP_ID}/missing",
    ):
        answer = admin.staff.post(f"{BASE}/masks/try", {"mask": kurashi(), "reception_key": key})
        assert answer.status == 404, key
    elsewhere = {**kurashi(), "match": {"from": "@another-cart.example"}}
    answer = admin.staff.post(f"{BASE}/masks/try", {"mask": elsewhere, "mail": raw.decode("ascii")})
    assert (answer.json()["ok"], answer.json()["reason"]) == (False, "unrecognised")
    assert admin.staff.get(f"{BASE}/masks").json() == []  # trying saves nothing
