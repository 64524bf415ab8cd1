"""Templates through the admin API: versions, compile checks, PC and mobile previews, test sends."""

from __future__ import annotations

import email
from email.policy import default
from typing import Any

from tests.integration.api.conftest import Api
from tests.integration.api.ops_helpers import audit_entries
from tests.integration.pipeline.conftest import SHOP_ID

BASE = f"/api/shops/{SHOP_ID}"


def template(api: Api, template_id: str) -> dict[str, Any]:
    answer = api.staff.get(f"{BASE}/templates/{template_id}")
    assert answer.status == 200, answer.text
    return dict(answer.json())


def free_codes(api: Api) -> int:
    return api.stack.admin.coupons.counts(SHOP_ID, "MIKAN5")[1]


def test_staff_read_templates_and_an_edit_is_a_new_version(api: Api) -> None:
    listed = api.staff.get(f"{BASE}/templates").json()
    assert [t["id"] for t in listed] == ["like", "love", "thanks"]
    love = template(api, "love")
    answer = api.manager.put(f"{BASE}/templates/love", {**love, "subject": "{{ customer.name }}様へクーポン"})
    assert answer.status == 200, answer.text
    saved = answer.json()
    assert (saved["version"], saved["changed"]) == (2, True)
    assert saved["pools"] == [{"pool": "MIKAN5", "free": free_codes(api), "used": 0}]
    assert saved["message_ja"].startswith("これ以降に計画される配信から新しい内容で送信されます")
    same = api.manager.put(f"{BASE}/templates/love", {**love, "subject": "{{ customer.name }}様へクーポン"})
    assert (same.json()["version"], same.json()["changed"]) == (2, False)
    assert api.staff.get(f"{BASE}/templates/love", version=1).json()["subject"] == love["subject"]
    assert [v["version"] for v in api.staff.get(f"{BASE}/templates/love/versions").json()] == [1, 2]
    assert api.staff.get(f"{BASE}/templates/nope").status == 404
    assert api.staff.get(f"{BASE}/templates/love", version=5).status == 404
    assert [e["detail"]["version"] for e in audit_entries(api) if e["action"] == "template.save"] == [2]


def test_a_save_warns_about_sale_words_in_a_rakuten_follow_up(api: Api) -> None:
    thanks = template(api, "thanks")
    answer = api.manager.put(
        f"{BASE}/templates/thanks", {**thanks, "text": thanks["text"] + "\n年末セール開催中！"}
    )
    assert answer.status == 200, answer.text
    [warning] = answer.json()["findings"]
    assert (warning["step"], warning["rule"], warning["severity"]) == (
        "thanks",
        "rakuten.sale_words",
        "warning",
    )


def test_a_template_that_does_not_compile_is_refused_with_its_reason(api: Api) -> None:
    thanks = template(api, "thanks")
    answer = api.manager.put(f"{BASE}/templates/thanks", {**thanks, "text": "{% if %}"})
    assert (answer.status, answer.error_code) == (422, "syntax")
    assert answer.json()["error"]["details"][0].startswith("syntax: 本文（text）")
    answer = api.manager.put(f"{BASE}/templates/thanks", {**thanks, "subject": "{{ customer.nmae }}"})
    assert (answer.status, answer.error_code) == (422, "unknown_tag")
    assert "customer.nmae" in answer.json()["error"]["message_en"]
    answer = api.manager.put(f"{BASE}/templates/thanks", {**thanks, "text": "{{ ''.__class__ }}"})
    assert (answer.status, answer.error_code) == (422, "sandbox")
    answer = api.manager.put(f"{BASE}/templates/thanks", {**thanks, "html": "<p>{{ 1 / 0 }}</p>"})
    assert (answer.status, answer.error_code) == (422, "render_failed")
    assert answer.json()["error"]["details"][0].startswith("render_failed: HTML 本文（html）")
    assert template(api, "thanks")["version"] == 1


def test_a_template_is_created_once(api: Api) -> None:
    body = {
        "id": "winter",
        "name": "冬のご挨拶",
        "subject": "{{ shop.name }}より",
        "text": "{{ customer.name }}様",
    }
    answer = api.manager.post(f"{BASE}/templates", body)
    assert answer.status == 201, answer.text
    assert answer.json()["version"] == 1
    answer = api.manager.post(f"{BASE}/templates", body)
    assert (answer.status, answer.error_code) == (409, "exists")
    answer = api.manager.post(f"{BASE}/templates", {**body, "id": "bad id"})
    assert answer.status == 422
    assert answer.json()["error"]["details"][0].startswith("id:")


def test_staff_preview_a_saved_template_for_pc_and_mobile_without_taking_a_code(api: Api) -> None:
    before = free_codes(api)
    answer = api.staff.post(f"{BASE}/templates/preview", {"template_id": "love"})
    assert answer.status == 200, answer.text
    preview = answer.json()
    assert (preview["template_id"], preview["version"], preview["advertising"]) == ("love", 1, True)
    assert preview["order"]["customer"]["name"] == "山田 花子"
    pc, mobile = preview["pc"], preview["mobile"]
    assert pc["subject"] == "山田 花子様へ、次回使えるクーポンです"
    assert "PREVIEW-MIKAN5" in pc["text"]
    assert "PREVIEW-MIKAN5" in pc["html"]
    assert "送信者: 有限会社みかん山房" in pc["text"]  # the legal footer of an advertising mail
    assert (mobile["mobile"], mobile["charset"], mobile["html"]) == (True, "iso-2022-jp", None)
    headers = {h["name"]: h["value"] for h in pc["headers"]}
    assert headers["From"].endswith("<shop@mikan-sanbo.example>")
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert free_codes(api) == before


def test_unsaved_edits_preview_for_a_given_order(api: Api) -> None:
    draft = {**template(api, "thanks"), "subject": "ご注文 {{ order.order_id }}", "version": 1}
    order = {"source": "yahoo", "order_id": "mikan-10000077", "customer": {"name": "伊予 柑子"}}
    answer = api.staff.post(
        f"{BASE}/templates/preview", {"template": draft, "order": order, "order_count": 2}
    )
    assert answer.status == 200, answer.text
    preview = answer.json()
    assert preview["version"] is None
    assert preview["advertising"] is False
    assert preview["pc"]["subject"] == "ご注文 mikan-10000077"
    assert "いつも" in preview["pc"]["text"]  # the second order's wording
    assert template(api, "thanks")["subject"] != draft["subject"]


def test_bad_previews_are_refused(api: Api) -> None:
    answer = api.staff.post(f"{BASE}/templates/preview", {})
    assert answer.status == 422
    assert "template_id" in answer.json()["error"]["details"][0]
    both = {"template_id": "love", "template": template(api, "love")}
    assert api.staff.post(f"{BASE}/templates/preview", both).status == 422
    assert api.staff.post(f"{BASE}/templates/preview", {"template_id": "nope"}).status == 404
    broken = {**template(api, "love"), "text": "{{ 1 / 0 }}"}
    answer = api.staff.post(f"{BASE}/templates/preview", {"template": broken})
    assert (answer.status, answer.error_code) == (422, "render_failed")


def test_a_test_send_goes_once_to_the_operator_and_takes_no_code(api: Api) -> None:
    before, outbox = free_codes(api), len(api.stack.ses_outbox())
    key = {"Idempotency-Key": "test-love-1"}
    first = api.manager.post(f"{BASE}/templates/love/test-send", {"to": "tencho@example.org"}, headers=key)
    assert first.status == 200, first.text
    second = api.manager.post(f"{BASE}/templates/love/test-send", {"to": "tencho@example.org"}, headers=key)
    assert second.json() == first.json()
    assert second.headers["idempotent-replayed"] == "true"
    sent = api.stack.ses_outbox()[outbox:]
    assert len(sent) == 1
    assert set(sent[0].destinations) == {"tencho@example.org"}
    message = email.message_from_string(sent[0].raw_data, policy=default)
    assert str(message["Subject"]) == "[テスト送信 / TEST] 山田 花子様へ、次回使えるクーポンです"
    assert first.json()["subject"] == str(message["Subject"])
    assert free_codes(api) == before
    [entry] = [e for e in audit_entries(api) if e["action"] == "template.test_send"]
    assert entry["detail"]["to"] == "tencho@example.org"


def test_a_test_send_to_a_carrier_address_is_the_mobile_variant(api: Api) -> None:
    answer = api.manager.post(f"{BASE}/templates/thanks/test-send", {"to": "tencho@docomo.ne.jp"})
    assert answer.status == 200, answer.text
    assert answer.json()["mobile"] is True
    message = email.message_from_string(api.stack.ses_outbox()[-1].raw_data, policy=default)
    assert message.get_content_charset() == "iso-2022-jp"


def test_test_sends_need_a_manager_and_a_real_address(api: Api) -> None:
    outbox = len(api.stack.ses_outbox())
    answer = api.staff.post(f"{BASE}/templates/love/test-send", {"to": "tencho@example.org"})
    assert (answer.status, answer.error_code) == (403, "forbidden_role")
    answer = api.outsider.post(f"{BASE}/templates/love/test-send", {"to": "tencho@example.org"})
    assert (answer.status, answer.error_code) == (403, "forbidden_shop")
    for bad in ("not-an-address", "a@b", "x@example.org\r\nBcc: y@example.org"):
        answer = api.manager.post(f"{BASE}/templates/love/test-send", {"to": bad})
        assert answer.status == 422, bad
        assert answer.json()["error"]["details"][0].startswith("to:"), bad
    assert api.manager.post(f"{BASE}/templates/nope/test-send", {"to": "a@example.org"}).status == 404
    assert len(api.stack.ses_outbox()) == outbox


def test_staff_cannot_save_templates(api: Api) -> None:
    love = template(api, "love")
    answer = api.staff.put(f"{BASE}/templates/love", {**love, "subject": "x"})
    assert (answer.status, answer.error_code) == (403, "forbidden_role")
    answer = api.outsider.get(f"{BASE}/templates")
    assert (answer.status, answer.error_code) == (403, "forbidden_shop")
    assert template(api, "love") == love
