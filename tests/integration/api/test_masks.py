"""Parse masks through the admin API, and trying one on a pasted or a received mail."""

from __future__ import annotations

from typing import Any

import yaml

from tests.conftest import FIXTURES
from tests.integration.api.conftest import Api
from tests.integration.api.ops_helpers import audit_entries
from tests.integration.pipeline.conftest import SHOP_ID, put_mail
from tests.integration.pipeline.test_pipeline import ingest

BASE = f"/api/shops/{SHOP_ID}"
MAILS = FIXTURES / "mail"


def kurashi() -> dict[str, Any]:
    return dict(yaml.safe_load((MAILS / "kurashi-mask.yaml").read_text(encoding="utf-8")))


def mail_text(name: str) -> str:
    return (MAILS / f"{name}.eml").read_text(encoding="ascii")


def test_a_manager_saves_lists_and_deletes_a_mask(api: Api) -> None:
    assert api.staff.get(f"{BASE}/masks").json() == []
    answer = api.manager.put(f"{BASE}/masks/kurashi", kurashi())
    assert answer.status == 200, answer.text
    [listed] = api.staff.get(f"{BASE}/masks").json()
    assert listed["name"] == "kurashi"
    assert listed["match"]["subject_contains"] == "ご注文"
    assert listed["fields"]["order_id"] == "■ご注文番号：{value}"
    again = api.manager.put(f"{BASE}/masks/kurashi", listed)  # what was read saves back unchanged
    assert again.status == 200, again.text
    assert [e["action"] for e in audit_entries(api)].count("mask.save") == 1
    deleted = api.manager.delete(f"{BASE}/masks/kurashi")
    assert deleted.json() == {"name": "kurashi", "deleted": True}
    assert api.staff.get(f"{BASE}/masks").json() == []
    assert api.manager.delete(f"{BASE}/masks/kurashi").status == 404


def test_bad_masks_are_refused_naming_the_field(api: Api) -> None:
    answer = api.manager.put(f"{BASE}/masks/other", kurashi())
    assert (answer.status, answer.error_code) == (422, "invalid_config")
    assert answer.json()["error"]["details"][0].startswith("name: ")
    bad = {**kurashi(), "fields": {"order_id": "番号：{value}", "colour": "{value}"}}
    answer = api.manager.put(f"{BASE}/masks/kurashi", bad)
    assert answer.status == 422
    assert any(line.startswith("fields") and "colour" in line for line in answer.json()["error"]["details"])
    assert api.staff.get(f"{BASE}/masks").json() == []


def test_staff_cannot_save_or_delete_masks(api: Api) -> None:
    answer = api.staff.put(f"{BASE}/masks/kurashi", kurashi())
    assert (answer.status, answer.error_code) == (403, "forbidden_role")
    assert api.manager.put(f"{BASE}/masks/kurashi", kurashi()).status == 200
    answer = api.staff.delete(f"{BASE}/masks/kurashi")
    assert (answer.status, answer.error_code) == (403, "forbidden_role")
    answer = api.outsider.get(f"{BASE}/masks")
    assert (answer.status, answer.error_code) == (403, "forbidden_shop")
    assert len(api.staff.get(f"{BASE}/masks").json()) == 1


def test_trying_a_mask_on_a_pasted_mail_answers_the_order(api: Api) -> None:
    answer = api.staff.post(f"{BASE}/masks/try", {"mask": kurashi(), "mail": mail_text("kurashi-order")})
    assert answer.status == 200, answer.text
    tried = answer.json()
    assert (tried["ok"], tried["used_mask"]) == (True, True)
    assert tried["order"]["source"] == "mask:kurashi"
    assert tried["order"]["order_id"] == "KC-0412"
    assert tried["order"]["customer"]["name"] == "森 さくら"
    assert api.staff.get(f"{BASE}/masks").json() == []  # trying saves nothing


def test_a_mask_that_does_not_fit_answers_the_reason(api: Api) -> None:
    elsewhere = {**kurashi(), "match": {"from": "@another-cart.example"}}
    answer = api.staff.post(f"{BASE}/masks/try", {"mask": elsewhere, "mail": mail_text("kurashi-order")})
    assert answer.status == 200, answer.text
    tried = answer.json()
    assert (tried["ok"], tried["reason"], tried["order"]) == (False, "unrecognised", None)
    assert tried["message_ja"]
    assert tried["message_en"]
    # a mall mail is read by the built-in reader whatever the mask
    rakuten = api.staff.post(f"{BASE}/masks/try", {"mask": kurashi(), "mail": mail_text("rakuten-utf8-qp")})
    assert (rakuten.json()["ok"], rakuten.json()["used_mask"]) == (True, False)
    assert rakuten.json()["order"]["source"] == "rakuten"


def test_trying_a_mask_on_a_received_mail(api: Api) -> None:
    assert ingest(api.stack, "kurashi-order")["result"] == "failed"  # no mask yet: unrecognised
    key = f"inbound/{SHOP_ID}/kurashi-order"
    answer = api.staff.post(f"{BASE}/masks/try", {"mask": kurashi(), "reception_key": key})
    assert answer.status == 200, answer.text
    assert answer.json()["order"]["order_id"] == "KC-0412"


def test_a_received_mail_of_another_shop_is_not_found(api: Api) -> None:
    put_mail("inbound/sakura-farm/secret", (MAILS / "kurashi-order.eml").read_bytes())
    for key in (
        "inbound/sakura-farm/secret",
        f"inbound/{SHOP_ID}/../sakura-farm/secret",
        f"inbound/{SHOP_ID}-x/secret",
        f"inbound/{SHOP_ID}/missing",
        "secret",
    ):
        answer = api.staff.post(f"{BASE}/masks/try", {"mask": kurashi(), "reception_key": key})
        assert answer.status == 404, key
        assert "KC-0412" not in answer.text
    neither = api.staff.post(f"{BASE}/masks/try", {"mask": kurashi()})
    assert neither.status == 422
