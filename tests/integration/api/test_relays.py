"""``/relays``: SMTP relays with write-only credentials, through the API on the moto stack."""

from __future__ import annotations

import json
from typing import Any

import boto3
from boto3.dynamodb.conditions import Key

from tests.integration.api.conftest import Api
from tests.integration.conftest import REGION
from tests.integration.pipeline.conftest import SHOP_ID

RELAYS = f"/api/shops/{SHOP_ID}/relays"
NEW = {
    "host": "smtp.relay.example",
    "port": 2525,
    "domains": ["docomo.ne.jp", "*.ezweb.ne.jp"],
    "mail_from": "shop@mikan-sanbo.example",
    "username": "relay-user",
    "password": "relay-password-1",
}


def stored_credentials(name: str) -> dict[str, str]:
    client = boto3.client("secretsmanager", region_name=REGION)
    document: dict[str, str] = json.loads(
        client.get_secret_value(SecretId=f"okaeri/relay/{SHOP_ID}/{name}")["SecretString"]
    )
    return document


def audit_text(api: Api) -> str:
    table = boto3.resource("dynamodb", region_name=REGION).Table(api.stack.tables["logs"])
    items = table.query(KeyConditionExpression=Key("pk").eq(f"{SHOP_ID}#audit"))["Items"]
    return json.dumps([item for item in items if str(item["action"]).startswith("relays.")], default=str)


def test_staff_see_the_relays_without_their_credentials(api: Api) -> None:
    answer = api.staff.get(RELAYS)

    assert answer.status == 200, answer.text
    [relay] = answer.json()["items"]
    assert relay == {
        "name": "rakuten",
        "host": "127.0.0.1",
        "port": api.stack.relay.port,
        "domains": ["*.fw.rakuten.ne.jp"],
        "mail_from": relay["mail_from"],
        "credentials_set": True,
    }
    assert api.stack.relay.username not in answer.text
    assert api.stack.relay.password not in answer.text
    assert "secret" not in answer.text


def test_a_manager_adds_a_relay_its_credentials_go_to_secrets_manager_only(api: Api) -> None:
    answer = api.manager.put(f"{RELAYS}/docomo", NEW)

    assert answer.status == 200, answer.text
    shown = answer.json()
    assert shown == {
        "name": "docomo",
        "host": "smtp.relay.example",
        "port": 2525,
        "domains": ["docomo.ne.jp", "*.ezweb.ne.jp"],
        "mail_from": "shop@mikan-sanbo.example",
        "credentials_set": True,
    }
    assert stored_credentials("docomo") == {"username": "relay-user", "password": "relay-password-1"}
    relay = api.stack.admin.config.named_relays(SHOP_ID)["docomo"]
    assert f"okaeri/relay/{SHOP_ID}/docomo" in relay.secret_arn
    assert [item["name"] for item in api.staff.get(RELAYS).json()["items"]] == ["docomo", "rakuten"]
    listed = api.staff.get(RELAYS).text
    assert "relay-password-1" not in listed
    assert "relay-user" not in listed
    assert "relay-password-1" not in audit_text(api)
    assert '"credentials_changed": true' in audit_text(api)


def test_an_edit_without_credentials_keeps_them_and_a_partial_one_merges(api: Api) -> None:
    api.manager.put(f"{RELAYS}/docomo", NEW)
    edit = {key: value for key, value in NEW.items() if key not in {"username", "password"}} | {"port": 587}

    kept = api.manager.put(f"{RELAYS}/docomo", edit)
    assert (kept.status, kept.json()["port"], kept.json()["credentials_set"]) == (200, 587, True)
    assert stored_credentials("docomo") == {"username": "relay-user", "password": "relay-password-1"}

    merged = api.manager.put(f"{RELAYS}/docomo", edit | {"password": "relay-password-2"})
    assert merged.status == 200
    assert stored_credentials("docomo") == {"username": "relay-user", "password": "relay-password-2"}


def test_editing_the_rakuten_relay_keeps_its_secret_for_the_sender(api: Api) -> None:
    before = api.stack.admin.config.named_relays(SHOP_ID)["rakuten"]
    edit = {"host": "127.0.0.1", "port": before.port, "domains": ["*.fw.rakuten.ne.jp", "fw.rakuten.ne.jp"]}
    assert api.manager.put(f"{RELAYS}/rakuten", edit).status == 200
    after = api.stack.admin.config.named_relays(SHOP_ID)["rakuten"]
    assert after.secret_arn == before.secret_arn
    assert after.domains == ["*.fw.rakuten.ne.jp", "fw.rakuten.ne.jp"]


def test_a_new_relay_needs_both_credentials(api: Api) -> None:
    without = {key: value for key, value in NEW.items() if key != "password"}
    answer = api.manager.put(f"{RELAYS}/docomo", without)
    assert (answer.status, answer.error_code) == (400, "credentials_required")
    assert "docomo" not in api.stack.admin.config.named_relays(SHOP_ID)


def test_bad_relays_are_refused(api: Api) -> None:
    cases: list[tuple[str, dict[str, Any]]] = [
        ("docomo", NEW | {"domains": []}),
        ("docomo", NEW | {"domains": ["not a domain"]}),
        ("docomo", NEW | {"host": "bad host"}),
        ("docomo", NEW | {"port": 70000}),
        ("docomo", NEW | {"mail_from": "nobody"}),
        ("docomo", NEW | {"secret_arn": "arn:aws:secretsmanager:x"}),
        ("Bad_Name", NEW),
    ]
    for name, body in cases:
        answer = api.manager.put(f"{RELAYS}/{name}", body)
        assert (answer.status, answer.error_code) == (422, "invalid_request"), (name, body, answer.text)


def test_staff_cannot_change_relays_and_outsiders_cannot_see_them(api: Api) -> None:
    assert api.staff.put(f"{RELAYS}/docomo", NEW).error_code == "forbidden_role"
    assert api.staff.delete(f"{RELAYS}/rakuten").error_code == "forbidden_role"
    assert api.outsider.get(RELAYS).error_code == "forbidden_shop"
    assert api.outsider.put(f"{RELAYS}/docomo", NEW).error_code == "forbidden_shop"
    assert set(api.stack.admin.config.named_relays(SHOP_ID)) == {"rakuten"}


def test_a_manager_deletes_a_relay_and_its_credentials(api: Api) -> None:
    api.manager.put(f"{RELAYS}/docomo", NEW)

    answer = api.manager.delete(f"{RELAYS}/docomo")

    assert answer.status == 204
    assert [item["name"] for item in api.staff.get(RELAYS).json()["items"]] == ["rakuten"]
    assert not api.stack.admin.secrets.is_set(f"okaeri/relay/{SHOP_ID}/docomo")
    assert api.manager.delete(f"{RELAYS}/docomo").status == 404
    again = api.manager.put(f"{RELAYS}/docomo", NEW)  # the name can be used again at once
    assert again.status == 200
