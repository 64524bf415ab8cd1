"""The local stack's front door: sign-in as against AWS, the JWT authorizer, /config.json, /dev/*."""

from __future__ import annotations

import base64
import json
import time
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urljoin, urlsplit

import boto3
import pytest
from botocore import UNSIGNED
from botocore.config import Config
from joserfc import jwt
from joserfc.jwk import RSAKey
from moto.utilities.utils import load_resource

from okaeri.aws.config_cache import CONFIG_TTL_SECONDS
from okaeri_dev import send_sample
from okaeri_dev import token as token_command
from okaeri_dev.stack import LocalStack
from tests.e2e.conftest import OWNER_PASSWORD, START
from tests.e2e.local import LocalClient


def payload_of(token: str) -> dict[str, Any]:
    part = token.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))))


def b64(claims: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")


def mint(claims: dict[str, Any], key: RSAKey | None = None) -> str:
    """A token signed with the emulated pool's own key (moto's, which is public), or another key."""
    signing = key or RSAKey.import_key(load_resource("cognitoidp/resources/jwks-private.json"))
    return jwt.encode({"alg": "RS256", "kid": "dummy"}, claims, signing)


# --- /config.json and signing in --------------------------------------------------------------------


def test_config_json_says_where_and_how_to_sign_in(stack: LocalStack, local: LocalClient) -> None:
    reply = local.get("/config.json")
    assert reply.status == 200
    assert reply.json() == {
        "region": "ap-northeast-1",
        "user_pool_id": stack.user_pool_id,
        "user_pool_client_id": stack.user_pool_client_id,
        "cognito_endpoint": "/cognito/",
        "api_base": "/api",
        "changes_apply_within_seconds": CONFIG_TTL_SECONDS,
    }


def test_the_page_signs_in_on_its_own_origin(stack: LocalStack, local: LocalClient) -> None:
    """The page resolves ``cognito_endpoint`` against its own URL: the gateway, never the emulator's
    port (moto answers no CORS preflight). The page's policy: ``tests/browser/test_shell.py``."""
    endpoint = urljoin(stack.gateway_url + "/", local.get("/config.json").json()["cognito_endpoint"])
    assert urlsplit(endpoint)[:2] == urlsplit(stack.gateway_url)[:2]
    assert endpoint == f"{stack.gateway_url}/cognito/"


def test_the_demo_operators_sign_in_as_against_aws(local: LocalClient, staff_password: str) -> None:
    owner = local.get("/api/me", token=local.sign_in("owner@okaeri.local", OWNER_PASSWORD))
    assert owner.status == 200
    assert owner.json()["role"] == "owner"
    assert owner.json()["email"] == "owner@okaeri.local"
    assert owner.json()["shops"] == [{"id": "demo", "name": "おかえり茶舗（デモ）", "role": "owner"}]
    assert owner.json()["invitations"] == []
    staff = local.get("/api/me", token=local.sign_in("staff@okaeri.local", staff_password))
    assert staff.status == 200
    assert (staff.json()["role"], staff.json()["shops"][0]["id"]) == ("staff", "demo")
    assert staff.json()["shops"][0]["role"] == "staff"  # a role belongs to (operator, shop)


def test_a_wrong_password_is_refused_by_the_user_pool(local: LocalClient) -> None:
    with pytest.raises(boto3.client("cognito-idp", region_name="ap-northeast-1").exceptions.ClientError):
        local.sign_in("owner@okaeri.local", "Not-the-password-1!")


# --- the JWT authorizer ---------------------------------------------------------------------------------


def test_the_gateway_passes_the_claims_as_api_gateway_does(local: LocalClient, owner_token: str) -> None:
    claims = payload_of(owner_token)
    assert claims["token_use"] == "id"
    minted = mint({**claims, "iat": int(time.time()), "exp": int(time.time()) + 600})
    reply = local.get("/api/me", token=minted)
    assert reply.status == 200, reply.body  # a token made like moto's passes: the refusals below are real
    assert reply.json()["sub"] == claims["sub"]


@pytest.mark.parametrize(
    ("case", "expected_reason"),
    [
        ("missing", "no token"),
        ("garbage", "not a signed JWT"),
        ("tampered", "not valid"),
        ("other_key", "not valid"),
        ("expired", "not valid"),
        ("other_audience", "not valid"),
        ("other_issuer", "not valid"),
        ("access_token", "not valid"),
        ("no_signature", "not valid"),
    ],
)
def test_the_gateway_refuses_tokens_api_gateway_refuses(
    local: LocalClient, owner_token: str, case: str, expected_reason: str
) -> None:
    claims = payload_of(owner_token)
    now = int(time.time())
    header, payload, signature = owner_token.split(".")
    tokens: dict[str, str | None] = {
        "missing": None,
        "garbage": "not-a-token",
        "tampered": f"{header}.{b64({**claims, 'custom:shops': 'other-shop'})}.{signature}",
        "other_key": mint(claims, RSAKey.generate_key(2048)),
        "expired": mint({**claims, "iat": now - 7200, "exp": now - 3600}),
        "other_audience": mint({**claims, "aud": "some-other-client"}),
        "other_issuer": mint(
            {**claims, "iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_other"}
        ),
        "access_token": mint({**claims, "token_use": "access"}),
        "no_signature": f"{header}.{payload}.",
    }
    reply = local.get("/api/me", token=tokens[case])
    assert reply.status == 401
    assert reply.json() == {"message": "Unauthorized"}  # API Gateway's own answer, not the API's
    assert expected_reason in reply.headers["www-authenticate"]


def test_a_real_access_token_is_refused(stack: LocalStack, local: LocalClient) -> None:
    cognito = boto3.client(
        "cognito-idp",
        endpoint_url=f"{stack.gateway_url}/cognito/",
        region_name="ap-northeast-1",
        config=Config(signature_version=UNSIGNED),
    )
    answer = cognito.initiate_auth(
        ClientId=stack.user_pool_client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "owner@okaeri.local", "PASSWORD": OWNER_PASSWORD},
    )
    reply = local.get("/api/me", token=answer["AuthenticationResult"]["AccessToken"])
    assert reply.status == 401


def test_public_api_routes_pass_the_gateway_without_a_token(local: LocalClient) -> None:
    assert local.get("/api/openapi.json").status == 200
    webhook = local.request("POST", "/api/webhooks/shopify/demo", body=b"{}")
    assert "error" in webhook.json()  # the API's own refusal (no signature), not the gateway's 401
    assert local.get("/config.json").status == 200


def test_everything_outside_dev_goes_to_the_admin_handler(local: LocalClient, owner_token: str) -> None:
    reply = local.get("/api/no-such-route", token=owner_token)
    assert (reply.status, reply.error_code) == (404, "no_route")  # the API's error shape
    assert local.get("/u/abc").status == 400  # the unsubscribe page (public): a forged link refused
    assert "text/html" in local.get("/u/abc").headers["content-type"]


# --- the ready command, /dev/clock, /dev/outbox ---------------------------------------------------------


def test_the_banner_gives_urls_logins_and_a_ready_command(stack: LocalStack, local: LocalClient) -> None:
    banner = stack.banner()
    for text in (
        stack.gateway_url,
        stack.aws_url,
        f"smtp://127.0.0.1:{stack.smtp_port}",
        "orders+demo@okaeri.local",
    ):
        assert text in banner
    for login in stack.logins:
        assert f"{login.email}  {login.password}" in banner
    command = next(line.strip() for line in banner.splitlines() if "okaeri_dev.send_sample" in line)
    arguments = command.split("okaeri_dev.send_sample", 1)[1].split()
    assert arguments == ["--smtp-port", str(stack.smtp_port), "--port", stack.gateway_url.rsplit(":", 1)[1]]

    before = {item["sk"] for item in local.deliveries()}
    assert send_sample.main(arguments) == 0  # what the printed command runs
    planned = [item for item in local.deliveries() if item["sk"] not in before]
    assert sorted(item["step_id"] for item in planned) == ["like", "love", "thanks"]
    assert {item["status"] for item in planned} == {"scheduled"}
    assert local.get("/dev/metrics").json()["metrics"]["OrderIngested"] >= 1


def test_dev_clock_moves_forward_only(local: LocalClient) -> None:
    now = local.get("/dev/clock").json()
    assert now["ticking"] is False
    start = now["now"]
    moved = local.post("/dev/clock", {"advance": "1h30m"})
    assert moved.status == 200
    assert moved.json()["previous"] == start
    assert _moment(moved.json()["now"]) - _moment(start) == timedelta(hours=1, minutes=30)
    target = (_moment(moved.json()["now"]) + timedelta(days=1)).isoformat()
    assert _moment(local.post("/dev/clock", {"set": target}).json()["now"]) == _moment(target)
    back = local.post("/dev/clock", {"set": START.isoformat()})
    assert (back.status, back.error_code) == (409, "conflict")
    assert back.json()["error"]["message_ja"]
    assert back.json()["error"]["message_en"]
    for body in ({"advance": "2w"}, {"advance": "0d"}, {"advance": "500d"}, {}, {"advance": "1d", "set": target},
                 {"set": "2026-12-01T10:00:00"}, {"advance": "1d", "extra": 1}):  # fmt: skip
        reply = local.post("/dev/clock", body)
        assert (reply.status, reply.error_code) == (400, "bad_request"), body
    not_json = local.request("POST", "/dev/clock", body=b"{", headers={"Content-Type": "application/json"})
    assert not_json.status == 400
    assert _moment(local.now()) == _moment(target)  # none of the refusals moved it


def test_dev_outbox_and_unknown_dev_paths(local: LocalClient) -> None:
    reply = local.get("/dev/outbox")
    assert reply.status == 200
    assert reply.json()["count"] == len(reply.json()["messages"])
    assert local.get("/dev/outbox?since=x").status == 400
    assert local.get("/dev/nothing").status == 404
    assert local.request("PUT", "/dev/clock", body=b"{}").status == 405
    assert "POST /dev/clock" in local.get("/dev").json()["endpoints"]


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text)


def test_the_token_command_the_readme_uses_signs_in(
    stack: LocalStack, local: LocalClient, capsys: pytest.CaptureFixture[str]
) -> None:
    port = int(stack.gateway_url.rsplit(":", 1)[1])
    assert token_command.main(["owner@okaeri.local", OWNER_PASSWORD, "--port", str(port)]) == 0
    token = capsys.readouterr().out.strip()
    assert local.get("/api/me", token=token).json()["role"] == "owner"
    assert token_command.main(["owner@okaeri.local", "wrong-Password-1!", "--port", str(port)]) == 1
    assert "cannot sign in" in capsys.readouterr().err
