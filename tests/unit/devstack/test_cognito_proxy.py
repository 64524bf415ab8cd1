"""What the user pool's proxy refuses before anything is sent (no sockets: a refusal never forwards)."""

from __future__ import annotations

import dataclasses
import json

import pytest

from okaeri_dev.cognito_proxy import AMZ_JSON, MAX_BODY_BYTES, CognitoProxy, refusal
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
