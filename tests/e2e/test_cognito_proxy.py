"""The user pool on the gateway's origin: ``POST /cognito/`` reaches moto's Cognito as the page
sends it (no boto3: the bytes and headers a browser's ``fetch`` sends), and nothing else does."""

from __future__ import annotations

import json
import socket
from typing import Any

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
