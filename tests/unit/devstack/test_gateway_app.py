"""The gateway's request handling without sockets: routing, claims as API Gateway passes them, failures."""

from __future__ import annotations

import base64
import time
from collections.abc import Mapping
from typing import Any

from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from okaeri_dev.gateway import GatewayApp, HttpReply, HttpRequest, TokenVerifier, reply_from

ISSUER = "https://cognito-idp.ap-northeast-1.amazonaws.com/ap-northeast-1_pool"
KEY = RSAKey.generate_key(2048, parameters={"kid": "k1", "alg": "RS256", "use": "sig"})


def keys(url: str) -> Mapping[str, Any]:
    return KeySet([KEY]).as_dict(private=False)


class Admin:
    def __init__(self, *, fail: bool = False) -> None:
        self.events: list[dict[str, Any]] = []
        self.fail = fail

    def __call__(self, event: dict[str, Any]) -> dict[str, Any]:
        if self.fail:
            raise RuntimeError("the admin function crashed")
        self.events.append(event)
        return {"statusCode": 201, "headers": {"content-type": "application/json"}, "body": '{"ok": true}'}


def app(admin: Admin) -> GatewayApp:
    verifier = TokenVerifier(jwks_url="http://pool/jwks.json", issuer=ISSUER, audience="client", fetch=keys)
    return GatewayApp(
        admin=admin,
        verifier=verifier,
        dev=lambda request: HttpReply(299, body=b"dev"),
        cognito=lambda request: HttpReply(298, body=b"cognito"),
    )


def id_token() -> str:
    now = int(time.time())
    claims = {
        "iss": ISSUER, "aud": "client", "token_use": "id", "sub": "u1", "iat": now, "exp": now + 600,
        "cognito:groups": ["owner", "staff"], "custom:shops": "demo", "email_verified": True,
    }  # fmt: skip
    return jwt.encode({"alg": "RS256", "kid": "k1"}, claims, KEY)


def test_dev_paths_never_reach_the_admin_function() -> None:
    admin = Admin()
    assert app(admin).handle(HttpRequest("POST", "/dev/clock")).status == 299
    assert app(admin).handle(HttpRequest("GET", "/dev")).status == 299
    assert admin.events == []


def test_cognito_paths_go_to_the_user_pools_proxy_only() -> None:
    admin = Admin()
    for path in ("/cognito/", "/cognito", "/cognito/anything"):
        assert app(admin).handle(HttpRequest("POST", path)).status == 298
    assert app(admin).handle(HttpRequest("GET", "/cognitoish")).status == 201  # not the proxy's
    assert [event["rawPath"] for event in admin.events] == ["/cognitoish"]


def test_a_verified_token_reaches_the_admin_function_as_string_claims() -> None:
    admin = Admin()
    request = HttpRequest(
        "POST",
        "/api/shops/demo/deliveries/d1/stop",
        query="a=1&a=2",
        headers={"authorization": f"Bearer {id_token()}", "content-type": "application/json"},
        body=b'{"x": 1}',
        source_ip="127.0.0.9",
    )
    reply = app(admin).handle(request)
    assert (reply.status, reply.body) == (201, b'{"ok": true}')
    [event] = admin.events
    claims = event["requestContext"]["authorizer"]["jwt"]["claims"]
    assert claims["cognito:groups"] == "[owner staff]"
    assert claims["email_verified"] == "true"
    assert claims["custom:shops"] == "demo"
    assert event["rawPath"] == "/api/shops/demo/deliveries/d1/stop"
    assert event["queryStringParameters"] == {"a": "1,2"}
    assert event["body"] == '{"x": 1}'
    assert event["requestContext"]["http"]["sourceIp"] == "127.0.0.9"


def test_public_routes_pass_without_claims_and_guarded_ones_stop_at_the_gateway() -> None:
    admin = Admin()
    assert app(admin).handle(HttpRequest("GET", "/config.json")).status == 201
    assert "authorizer" not in admin.events[0]["requestContext"]
    refused = app(admin).handle(HttpRequest("GET", "/api/me"))
    assert refused.status == 401
    assert len(admin.events) == 1


def test_a_crashing_function_is_a_500_with_api_gateways_body() -> None:
    reply = app(Admin(fail=True)).handle(HttpRequest("GET", "/config.json"))
    assert (reply.status, reply.body) == (500, b'{\n "message": "Internal Server Error"\n}')


def test_a_lambda_answer_is_written_out_as_api_gateway_does() -> None:
    reply = reply_from(
        {
            "statusCode": 200,
            "headers": {"content-type": "image/png"},
            "multiValueHeaders": {"vary": ["origin", "accept"]},
            "cookies": ["a=1; Secure"],
            "isBase64Encoded": True,
            "body": base64.b64encode(b"\x89PNG").decode(),
        }
    )
    assert reply.body == b"\x89PNG"
    assert ("vary", "origin") in reply.headers
    assert ("vary", "accept") in reply.headers
    assert ("set-cookie", "a=1; Secure") in reply.headers
