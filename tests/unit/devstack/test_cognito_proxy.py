"""What the user pool's proxy refuses before anything is sent (no sockets: a refusal never forwards)."""

from __future__ import annotations

import dataclasses
import json

import pytest

from infra.identity import create_client_request
from okaeri_dev.cognito_proxy import (
    AMZ_JSON,
    ATTRIBUTE_WRITES,
    CLIENT_OPERATIONS,
    MAX_BODY_BYTES,
    WRITE_ATTRIBUTES,
    CognitoProxy,
    refusal,
)
from okaeri_dev.gateway import HttpRequest

#: Nothing listens here, and nothing may be sent here: every request below is refused first.
NOWHERE = "http://127.0.0.1:9"
PAGE_CALLS = ("InitiateAuth", "RespondToAuthChallenge", "AssociateSoftwareToken", "VerifySoftwareToken")


def headers(
    target: str = "AWSCognitoIdentityProviderService.InitiateAuth", content_type: str = AMZ_JSON
) -> dict[str, str]:
    sent = {"content-type": content_type, "x-amz-target": target}
    return {name: value for name, value in sent.items() if value}


CALL = HttpRequest("POST", "/cognito/", headers=headers(), body=b'{"ClientId": "c"}')


def test_the_pages_calls_are_forwarded() -> None:
    for operation in PAGE_CALLS:
        call = dataclasses.replace(CALL, headers=headers(f"AWSCognitoIdentityProviderService.{operation}"))
        assert refusal(call) is None
    with_charset = dataclasses.replace(CALL, headers=headers(content_type=f"{AMZ_JSON}; charset=utf-8"))
    assert refusal(with_charset) is None


REFUSED = {
    "get": (dataclasses.replace(CALL, method="GET", body=b""), 405, "MethodNotAllowed"),
    "preflight": (dataclasses.replace(CALL, method="OPTIONS", body=b""), 405, "MethodNotAllowed"),
    "put": (dataclasses.replace(CALL, method="PUT"), 405, "MethodNotAllowed"),
    "no-slash": (dataclasses.replace(CALL, path="/cognito"), 404, "NotFound"),
    "sub-path": (dataclasses.replace(CALL, path="/cognito/moto-api/reset"), 404, "NotFound"),
    "oversized": (dataclasses.replace(CALL, body=b" " * (MAX_BODY_BYTES + 1)), 413, "RequestEntityTooLarge"),
    "no-type": (dataclasses.replace(CALL, headers=headers(content_type="")), 415, "UnsupportedMediaType"),
    "json-type": (
        dataclasses.replace(CALL, headers=headers(content_type="application/json")),
        415,
        "UnsupportedMediaType",
    ),
    "admin-call": (
        dataclasses.replace(CALL, headers=headers("AWSCognitoIdentityProviderService.AdminCreateUser")),
        400,
        "UnknownOperationException",
    ),
    "pool-listing": (
        dataclasses.replace(CALL, headers=headers("AWSCognitoIdentityProviderService.ListUserPools")),
        400,
        "UnknownOperationException",
    ),
    "other-service": (
        dataclasses.replace(CALL, headers=headers("DynamoDB_20120810.ListTables")),
        400,
        "UnknownOperationException",
    ),
    "no-target": (dataclasses.replace(CALL, headers=headers(target="")), 400, "UnknownOperationException"),
}


@pytest.mark.parametrize(("request_", "status", "code"), list(REFUSED.values()), ids=list(REFUSED))
def test_anything_else_is_a_4xx_in_cognitos_error_shape(
    request_: HttpRequest, status: int, code: str
) -> None:
    reply = CognitoProxy(aws_url=NOWHERE)(request_)
    assert reply.status == status
    document = json.loads(reply.body)
    assert document["__type"] == code
    assert document["message"]
    assert ("x-amzn-errortype", code) in reply.headers
    assert (("allow", "POST") in reply.headers) == (status == 405)


def attribute_write(operation: str, *names: str) -> HttpRequest:
    document = {"AccessToken": "t", "UserAttributes": [{"Name": name, "Value": "v"} for name in names]}
    return dataclasses.replace(
        CALL,
        headers=headers(f"AWSCognitoIdentityProviderService.{operation}"),
        body=json.dumps(document).encode(),
    )


def test_the_app_client_writes_only_email_as_in_aws() -> None:
    assert {"email"} == WRITE_ATTRIBUTES
    assert create_client_request("pool")["WriteAttributes"] == ["email"]


@pytest.mark.parametrize("operation", sorted(ATTRIBUTE_WRITES))
@pytest.mark.parametrize(
    "names",
    [("custom:shops",), ("email", "custom:shops"), ("custom:invitations",), ("name",), ("",)],
    ids=["shops", "email-and-shops", "invitations", "name", "empty-name"],
)
def test_writing_any_attribute_but_email_is_refused_as_cognito_does(
    operation: str, names: tuple[str, ...]
) -> None:
    reply = CognitoProxy(aws_url=NOWHERE)(attribute_write(operation, *names))
    assert (reply.status, json.loads(reply.body)["__type"]) == (400, "NotAuthorizedException")
    assert json.loads(reply.body)["message"] == "A client attempted to write unauthorized attribute"


def test_attribute_writes_are_not_forwarded_even_for_email() -> None:
    """The page changes no attribute: the calls are not among the client calls forwarded."""
    assert not ATTRIBUTE_WRITES & CLIENT_OPERATIONS
    for operation in sorted(ATTRIBUTE_WRITES):
        reply = CognitoProxy(aws_url=NOWHERE)(attribute_write(operation, "email"))
        assert (reply.status, json.loads(reply.body)["__type"]) == (400, "UnknownOperationException")


@pytest.mark.parametrize("body", [b"[" * 60_000, b"{", b'"x"', b'{"UserAttributes": [1, "custom:shops"]}'])
def test_an_unreadable_attribute_write_is_refused(body: bytes) -> None:
    request = dataclasses.replace(
        CALL, headers=headers("AWSCognitoIdentityProviderService.UpdateUserAttributes"), body=body
    )
    reply = CognitoProxy(aws_url=NOWHERE)(request)
    assert reply.status == 400
