"""Templates through the admin API over the fakes: versions, refusals, previews, test sends."""

from __future__ import annotations

import email
from email.policy import default
from typing import Any

from tests.fakes import AuditEntry
from tests.unit.api.conftest import BASE, Admin
from tests.unit.services.support import SHOP_ID


def template(admin: Admin, template_id: str) -> dict[str, Any]:
    answer = admin.staff.get(f"{BASE}/templates/{template_id}")
    assert answer.status == 200, answer.text
    return dict(answer.json())


def audits(admin: Admin, action: str) -> list[AuditEntry]:
    return [entry for entry in admin.world.logs.audits if entry.action == action]


def test_an_edit_is_a_new_version_and_the_same_content_is_not(admin: Admin) -> None:
    assert [t["id"] for t in admin.staff.get(f"{BASE}/templates").json()] == ["like", "love", "thanks"]
    love = template(admin, "love")
    edited = {**love, "subject": "{{ customer.name }}様へクーポン"}
    saved = admin.manager.put(f"{BASE}/templates/love", edited)
    assert saved.status == 200, saved.text
    assert (saved.json()["version"], saved.json()["changed"]) == (2, True)
    assert saved.json()["pools"] == [{"pool": "MIKAN5", "free": 3, "used": 0}]
    same = admin.manager.put(f"{BASE}/templates/love", edited)
    assert (same.json()["version"], same.json()["changed"]) == (2, False)
    assert same.json()["message_en"] == "Nothing changed; the version stays as it was."
    versions = admin.staff.get(f"{BASE}/templates/love/versions").json()
    assert versions == [
        {"version": 1, "name": love["name"], "current": False},
        {"version": 2, "name": love["name"], "current": True},
    ]
    assert admin.staff.get(f"{BASE}/templates/love", version=1).json()["subject"] == love["subject"]
    assert admin.staff.get(f"{BASE}/templates/love", version=5).status == 404
    assert admin.staff.get(f"{BASE}/templates/nope").status == 404
    assert admin.staff.get(f"{BASE}/templates/nope/versions").status == 404
    [entry] = audits(admin, "template.save")
    assert entry.detail == {"template": "love", "version": 2, "by": "manager@okaeri.test"}


def test_a_template_is_created_once(admin: Admin) -> None:
    body = {
        "id": "winter",
        "name": "冬のご挨拶",
        "subject": "{{ shop.name }}より",
        "text": "{{ customer.name }}様",
    }
    answer = admin.manager.post(f"{BASE}/templates", body)
    assert (answer.status, answer.json()["version"], answer.json()["changed"]) == (201, 1, True)
    answer = admin.manager.post(f"{BASE}/templates", body)
    assert (answer.status, answer.error_code) == (409, "exists")
    assert [entry.detail["template"] for entry in audits(admin, "template.create")] == ["winter"]


def test_a_template_that_fails_to_compile_or_render_is_refused_and_not_saved(admin: Admin) -> None:
    thanks = template(admin, "thanks")
    for change, code in (
        ({"text": "{% if %}"}, "syntax"),
        ({"subject": "{{ customer.nmae }}"}, "unknown_tag"),
        ({"text": "{{ ''.__class__ }}"}, "sandbox"),
        ({"html": "<p>{{ 1 / 0 }}</p>"}, "render_failed"),
    ):
        answer = admin.manager.put(f"{BASE}/templates/thanks", {**thanks, **change})
        assert (answer.status, answer.error_code) == (422, code), change
    assert template(admin, "thanks")["version"] == 1
    assert admin.world.logs.audits == []


def test_a_save_warns_about_sale_words_in_a_rakuten_follow_up(admin: Admin) -> None:
    thanks = template(admin, "thanks")
    answer = admin.manager.put(
        f"{BASE}/templates/thanks", {**thanks, "text": thanks["text"] + "\n年末セール開催中！"}
    )
    assert answer.status == 200, answer.text
    assert [(f["step"], f["rule"]) for f in answer.json()["findings"]] == [("thanks", "rakuten.sale_words")]


def test_a_preview_takes_no_code(admin: Admin) -> None:
    answer = admin.staff.post(f"{BASE}/templates/preview", {"template_id": "love"})
    assert answer.status == 200, answer.text
    preview = answer.json()
    assert (preview["template_id"], preview["version"], preview["advertising"]) == ("love", 1, True)
    assert "PREVIEW-MIKAN5" in preview["pc"]["text"]
    assert preview["mobile"]["charset"] == "iso-2022-jp"
    assert admin.world.coupons.counts(SHOP_ID, "MIKAN5") == (0, 3)
    draft = {**template(admin, "thanks"), "subject": "ご注文 {{ order.order_id }}"}
    answer = admin.staff.post(f"{BASE}/templates/preview", {"template": draft})
    assert (answer.status, answer.json()["version"]) == (200, None)
    assert admin.staff.post(f"{BASE}/templates/preview", {"template_id": "nope"}).status == 404


def test_a_test_send_goes_once_to_the_operator(admin: Admin) -> None:
    key = {"Idempotency-Key": "test-love-1"}
    first = admin.manager.post(f"{BASE}/templates/love/test-send", {"to": "tencho@example.org"}, headers=key)
    assert first.status == 200, first.text
    second = admin.manager.post(f"{BASE}/templates/love/test-send", {"to": "tencho@example.org"}, headers=key)
    assert second.json() == first.json()
    assert second.headers["idempotent-replayed"] == "true"
    [sent] = admin.world.ses.accepted
    message = email.message_from_bytes(sent.raw, policy=default)
    assert str(message["Subject"]) == first.json()["subject"]
    assert first.json()["subject"].startswith("[テスト送信 / TEST] ")
    assert first.json()["message_id"] == "ses-000001"
    [entry] = audits(admin, "template.test_send")
    assert entry.detail["to"] == "tencho@example.org"


def test_a_throttled_test_send_is_a_503_and_not_audited(admin: Admin) -> None:
    admin.world.ses.throttle()
    answer = admin.manager.post(f"{BASE}/templates/love/test-send", {"to": "tencho@example.org"})
    assert answer.status == 503
    assert audits(admin, "template.test_send") == []
    again = admin.manager.post(f"{BASE}/templates/love/test-send", {"to": "tencho@example.org"})
    assert again.status == 200, again.text


def test_roles(admin: Admin) -> None:
    love = template(admin, "love")
    answer = admin.staff.put(f"{BASE}/templates/love", {**love, "subject": "x"})
    assert (answer.status, answer.error_code) == (403, "forbidden_role")
    answer = admin.staff.post(f"{BASE}/templates/love/test-send", {"to": "tencho@example.org"})
    assert (answer.status, answer.error_code) == (403, "forbidden_role")
    answer = admin.outsider.get(f"{BASE}/templates")
    assert (answer.status, answer.error_code) == (403, "forbidden_shop")
    assert admin.world.ses.accepted == []
