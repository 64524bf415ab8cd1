"""SMTP relays through the admin API over the fakes: credentials are written, never read back."""

from __future__ import annotations

from tests.unit.api.conftest import BASE, Admin

RELAYS = f"{BASE}/relays"
NEW = {
    "host": "smtp.relay.example",
    "port": 2525,
    "domains": ["docomo.ne.jp"],
    "mail_from": "shop@mikan-sanbo.example",
    "username": "relay-user",
    "password": "relay-password-1",
}


def test_a_relay_is_added_edited_and_deleted_with_its_credentials(admin: Admin) -> None:
    secrets = admin.world.admin_secrets
    answer = admin.manager.put(f"{RELAYS}/docomo", NEW)
    assert answer.status == 200, answer.text
    assert answer.json()["credentials_set"] is True
    assert "relay-password-1" not in answer.text
    assert secrets.get_json("okaeri/relay/mikan-sanbo/docomo") == {
        "username": "relay-user",
        "password": "relay-password-1",
    }
    edited = admin.manager.put(
        f"{RELAYS}/docomo", {**NEW, "port": 587, "username": None, "password": "new-pass"}
    )
    assert (edited.status, edited.json()["port"]) == (200, 587)
    assert secrets.get_json("okaeri/relay/mikan-sanbo/docomo") == {
        "username": "relay-user",
        "password": "new-pass",
    }
    listed = {relay["name"]: relay for relay in admin.staff.get(RELAYS).json()["items"]}
    assert (listed["docomo"]["credentials_set"], listed["rakuten"]["credentials_set"]) == (True, False)
    assert admin.manager.delete(f"{RELAYS}/docomo").status == 204
    assert not secrets.is_set("okaeri/relay/mikan-sanbo/docomo")
    assert admin.manager.delete(f"{RELAYS}/docomo").status == 404
    actions = [(entry.action, entry.detail.get("credentials_changed")) for entry in admin.world.logs.audits]
    assert actions == [("relays.put", True), ("relays.put", True), ("relays.delete", None)]


def test_a_new_relay_needs_both_credentials_and_staff_cannot_write(admin: Admin) -> None:
    answer = admin.manager.put(f"{RELAYS}/docomo", {**NEW, "password": None})
    assert (answer.status, answer.error_code) == (400, "credentials_required")
    answer = admin.staff.put(f"{RELAYS}/docomo", NEW)
    assert (answer.status, answer.error_code) == (403, "forbidden_role")
    assert "docomo" not in admin.world.config.named_relays("mikan-sanbo")
