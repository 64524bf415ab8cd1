"""The user pool on the gateway's origin: ``POST /cognito/`` reaches moto's Cognito as the page
sends it (no boto3: the bytes and headers a browser's ``fetch`` sends), and nothing else does."""

from __future__ import annotations

import json
import socket
from typing import Any
from urllib.parse import urljoin, urlsplit

import boto3
import pytest

from okaeri_dev.cognito_proxy import MAX_BODY_BYTES, CognitoProxy
from okaeri_dev.gateway import HttpRequest
from okaeri_dev.stack import LocalStack
from tests.e2e.conftest import OWNER_PASSWORD
from tests.e2e.local import LocalClient, Reply

AMZ_JSON = "application/x-amz-json-1.1"


def call(local: LocalClient, operation: str, document: Any, **headers: str) -> Reply:
    """A Cognito call as the page's ``fetch`` makes it (``web/src/lib/auth.ts``)."""
    sent = {"Content-Type": AMZ_JSON, "X-Amz-Target": f"AWSCognitoIdentityProviderService.{operation}"}
    body = document if isinstance(document, bytes) else json.dumps(document).encode()
    return local.request("POST", "/cognito/", body=body, headers={**sent, **headers})


def password_auth(stack: LocalStack, password: str) -> dict[str, Any]:
    return {
        "ClientId": stack.user_pool_client_id,
        "AuthFlow": "USER_PASSWORD_AUTH",
        "AuthParameters": {"USERNAME": "owner@okaeri.local", "PASSWORD": password},
    }


def test_initiate_auth_through_the_gateway_gives_a_token_the_api_takes(
    stack: LocalStack, local: LocalClient
) -> None:
    reply = call(local, "InitiateAuth", password_auth(stack, OWNER_PASSWORD))
    assert reply.status == 200, reply.body
    token = reply.json()["AuthenticationResult"]["IdToken"]
    me = local.get("/api/me", token=token)
    assert (me.status, me.json()["email"]) == (200, "owner@okaeri.local")


def test_moto_s_refusal_comes_back_as_moto_gave_it(stack: LocalStack, local: LocalClient) -> None:
    reply = call(local, "InitiateAuth", password_auth(stack, "Not-the-password-1!"))
    assert reply.status == 400
    assert reply.json()["__type"] == "NotAuthorizedException"  # what the page shows its message for
    assert reply.headers["x-amzn-errortype"] == "NotAuthorizedException"


def test_a_preflight_and_other_methods_are_refused(local: LocalClient) -> None:
    preflight = local.request(
        "OPTIONS",
        "/cognito/",
        headers={"Origin": "http://elsewhere.example", "Access-Control-Request-Method": "POST"},
    )
    assert (preflight.status, preflight.headers["allow"]) == (405, "POST")
    assert "access-control-allow-origin" not in preflight.headers  # same origin only: no CORS at all
    assert local.get("/cognito/").status == 405


def test_other_paths_types_and_operations_are_refused(stack: LocalStack, local: LocalClient) -> None:
    assert local.request("POST", "/cognito/moto-api/reset", body=b"").status == 404
    assert (
        call(
            local, "InitiateAuth", password_auth(stack, OWNER_PASSWORD), **{"Content-Type": "text/plain"}
        ).status
        == 415
    )
    admin_call = {"UserPoolId": stack.user_pool_id, "Username": "intruder@example.com"}
    refused = call(local, "AdminCreateUser", admin_call)
    assert (refused.status, refused.json()["__type"]) == (400, "UnknownOperationException")
    assert call(local, "ListUserPools", {"MaxResults": 10}).status == 400
    administrator = boto3.client(  # as an operator with the AWS CLI reads the pool
        "cognito-idp",
        endpoint_url=local.aws_url,
        region_name="ap-northeast-1",
        aws_access_key_id="e2e",
        aws_secret_access_key="e2e",
    )
    with pytest.raises(administrator.exceptions.UserNotFoundException):
        administrator.admin_get_user(UserPoolId=stack.user_pool_id, Username="intruder@example.com")


def test_an_oversized_body_is_refused_before_moto_sees_it(stack: LocalStack, local: LocalClient) -> None:
    padded = password_auth(stack, OWNER_PASSWORD) | {"ClientMetadata": {"pad": "x" * MAX_BODY_BYTES}}
    reply = call(local, "InitiateAuth", padded)
    assert (reply.status, reply.json()["__type"]) == (413, "RequestEntityTooLarge")


def test_no_answer_from_the_emulator_is_a_502() -> None:
    with socket.socket() as placeholder:  # a loopback port nobody listens on
        placeholder.bind(("127.0.0.1", 0))
        port = placeholder.getsockname()[1]
    request = HttpRequest(
        "POST",
        "/cognito/",
        headers={"content-type": AMZ_JSON, "x-amz-target": "AWSCognitoIdentityProviderService.InitiateAuth"},
        body=b"{}",
    )
    reply = CognitoProxy(aws_url=f"http://127.0.0.1:{port}", timeout=5)(request)
    assert (reply.status, json.loads(reply.body)["__type"]) == (502, "BadGateway")


def test_a_signed_in_user_cannot_write_their_own_shops(
    stack: LocalStack, local: LocalClient, staff_password: str
) -> None:
    """As in AWS (the app client's ``WriteAttributes`` is ``email``): the staff user's own access
    token does not let them write ``custom:shops`` through the page's path to the user pool, and
    the other shop's API stays closed to them."""
    endpoint = urljoin(stack.gateway_url + "/", local.get("/config.json").json()["cognito_endpoint"])
    assert urlsplit(endpoint)[:2] == urlsplit(stack.gateway_url)[:2] != urlsplit(stack.aws_url)[:2]
    staff = {
        "ClientId": stack.user_pool_client_id,
        "AuthFlow": "USER_PASSWORD_AUTH",
        "AuthParameters": {"USERNAME": "staff@okaeri.local", "PASSWORD": staff_password},
    }
    signed_in = call(local, "InitiateAuth", staff)
    assert signed_in.status == 200, signed_in.body
    access_token = signed_in.json()["AuthenticationResult"]["AccessToken"]

    def own_shops() -> str:
        user = call(local, "GetUser", {"AccessToken": access_token})
        assert user.status == 200, user.body
        return str({item["Name"]: item["Value"] for item in user.json()["UserAttributes"]}["custom:shops"])

    before = own_shops()
    for value in ("demo,elsewhere", "demo:owner,elsewhere:owner"):
        for attributes in (
            [{"Name": "custom:shops", "Value": value}],
            [{"Name": "email", "Value": "staff@okaeri.local"}, {"Name": "custom:shops", "Value": value}],
        ):
            refused = call(
                local, "UpdateUserAttributes", {"AccessToken": access_token, "UserAttributes": attributes}
            )
            assert (refused.status, refused.json()["__type"]) == (400, "NotAuthorizedException")
    assert own_shops() == before

    id_token = local.sign_in("staff@okaeri.local", staff_password)  # a new token: the same claims
    for path in ("/api/shops/elsewhere/orders", "/api/shops/elsewhere/settings"):
        reply = local.get(path, token=id_token)
        assert (reply.status, reply.error_code) == (403, "forbidden_shop"), reply.body
    owner_only = local.request(
        "PUT", "/api/shops/demo/integrations/shopify", json_body={"secret": "x" * 16}, token=id_token
    )
    assert owner_only.status == 403, owner_only.body
