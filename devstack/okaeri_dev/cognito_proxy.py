"""The user pool's JSON API on the gateway's own origin: ``POST /cognito/`` → the moto server.

The admin page signs in by calling Cognito from the browser. Against AWS it calls
``https://cognito-idp.<region>.amazonaws.com/``, which answers CORS. Locally the emulator listens
on another port, and moto does not answer the CORS preflight (5.2.6 fails it with a 500), so the
local ``/config.json`` names this path instead: the page talks to one origin, needs no CORS, and
its CSP ``connect-src`` is ``'self'``.

Only what a client sends without AWS credentials goes through (``CLIENT_OPERATIONS``): a ``POST``
of Cognito's JSON (``application/x-amz-json-1.1``, at most ``MAX_BODY_BYTES``) with its
``X-Amz-Target``. Those two headers and the body are passed on; moto's status, body and error type
come back as moto gave them. Anything else is refused with a 4xx in Cognito's error shape
(``{"__type": …, "message": …}``), which both the page and botocore read.

Attributes: in AWS the page's app client may write only ``email`` (``WriteAttributes`` in
``infra/identity.py``), so a user cannot write their own ``custom:shops``; moto does not enforce
the client's ``WriteAttributes``. So a call that writes attributes (``UpdateUserAttributes``,
``SignUp``) naming any other attribute is refused here as Cognito refuses it (400
``NotAuthorizedException``), whatever the operation list says; and neither call is forwarded at
all, since the page changes no attribute (an operator's address is changed by an administrator).
The moto server's own port is the administrator's (it checks no credentials, like having AWS
keys): the page never calls it (``/config.json`` names ``/cognito/`` and its ``connect-src`` is
``'self'``), and it listens on loopback only.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from email.message import Message
from typing import Final

from infra.identity import create_client_request
from okaeri.errors import OkaeriError
from okaeri.jsonbody import read_json
from okaeri_dev.gateway import COGNITO_PATH, HttpReply, HttpRequest

#: Cognito's requests are a few hundred bytes (a token or a session string at most a few KB).
MAX_BODY_BYTES: Final = 64 * 1024
TIMEOUT_SECONDS: Final = 30
AMZ_JSON: Final = "application/x-amz-json-1.1"
TARGET_PREFIX: Final = "AWSCognitoIdentityProviderService."
#: The calls a client makes with no AWS credentials (its own tokens or session at most). The
#: administrator's calls (``Admin*``, pools, clients, groups) stay on the emulator's own port.
CLIENT_OPERATIONS: Final = frozenset(
    {
        "InitiateAuth",
        "RespondToAuthChallenge",
        "AssociateSoftwareToken",
        "VerifySoftwareToken",
        "SetUserMFAPreference",
        "GetUser",
        "ChangePassword",
        "ForgotPassword",
        "ConfirmForgotPassword",
        "GlobalSignOut",
        "RevokeToken",
    }
)
#: The attributes the page's app client may write: the one list the CDK stack and the local pool use.
WRITE_ATTRIBUTES: Final = frozenset(create_client_request("local")["WriteAttributes"])
#: Client calls that write attributes (``UserAttributes``): checked against ``WRITE_ATTRIBUTES``.
ATTRIBUTE_WRITES: Final = frozenset({"UpdateUserAttributes", "SignUp"})
#: moto's answer headers worth passing on (the rest are its web server's own).
ANSWER_HEADERS: Final = ("content-type", "x-amzn-requestid", "x-amzn-errortype")


def cognito_error(
    status: int, code: str, message: str, headers: tuple[tuple[str, str], ...] = ()
) -> HttpReply:
    body = json.dumps({"__type": code, "message": message}).encode()
    return HttpReply(status, [("content-type", AMZ_JSON), ("x-amzn-errortype", code), *headers], body)


def refusal(request: HttpRequest) -> HttpReply | None:
    """Why the proxy will not forward ``request`` (a 4xx), or ``None`` when it will."""
    if request.path != COGNITO_PATH:
        return cognito_error(404, "NotFound", f"only {COGNITO_PATH} is forwarded to the user pool")
    if request.method.upper() != "POST":
        return cognito_error(
            405, "MethodNotAllowed", "the user pool takes POST only", headers=(("allow", "POST"),)
        )
    if len(request.body) > MAX_BODY_BYTES:
        return cognito_error(413, "RequestEntityTooLarge", f"the body is over {MAX_BODY_BYTES} bytes")
    content_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if content_type != AMZ_JSON:
        return cognito_error(415, "UnsupportedMediaType", f"send Content-Type: {AMZ_JSON}")
    return operation_refusal(request.headers.get("x-amz-target", ""), request.body)


def operation_refusal(target: str, body: bytes) -> HttpReply | None:
    """A call that writes an attribute the app client may not write, or one not in ``CLIENT_OPERATIONS``."""
    operation = target.removeprefix(TARGET_PREFIX) if target.startswith(TARGET_PREFIX) else ""
    if operation in ATTRIBUTE_WRITES and (refused := attribute_refusal(body)) is not None:
        return refused
    if operation not in CLIENT_OPERATIONS:
        return cognito_error(
            400,
            "UnknownOperationException",
            f"X-Amz-Target {target[:80]!r} is not a client call of the user pool "
            f"(forwarded: {', '.join(sorted(CLIENT_OPERATIONS))})",
        )
    return None


def attribute_refusal(body: bytes) -> HttpReply | None:
    """Cognito's refusal of a write of an attribute the app client may not write (or of a body
    that cannot be read), or ``None`` when every attribute named is in ``WRITE_ATTRIBUTES``."""
    try:
        document = read_json(body, max_bytes=MAX_BODY_BYTES)
    except (ValueError, OkaeriError):
        return cognito_error(400, "SerializationException", "the body is not a JSON document")
    attributes = document.get("UserAttributes") if isinstance(document, dict) else None
    if not isinstance(attributes, list):
        return None  # nothing written (moto refuses the call on its own)
    names = {str(item.get("Name")) if isinstance(item, dict) else "" for item in attributes}
    if names - WRITE_ATTRIBUTES:
        return cognito_error(
            400, "NotAuthorizedException", "A client attempted to write unauthorized attribute"
        )
    return None


class CognitoProxy:
    """``POST /cognito/`` forwarded to the moto server at ``aws_url``; everything else refused."""

    def __init__(self, *, aws_url: str, timeout: float = TIMEOUT_SECONDS) -> None:
        self._url = aws_url.rstrip("/") + "/"
        self._timeout = timeout
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback, direct

    def __call__(self, request: HttpRequest) -> HttpReply:
        refused = refusal(request)
        if refused is not None:
            return refused
        forwarded = urllib.request.Request(
            self._url,
            data=request.body,
            method="POST",
            headers={
                "Content-Type": request.headers["content-type"],
                "X-Amz-Target": request.headers["x-amz-target"],
            },
        )
        try:
            with self._opener.open(forwarded, timeout=self._timeout) as answer:
                return HttpReply(answer.status, _answer_headers(answer.headers), answer.read())
        except urllib.error.HTTPError as error:  # moto's own 4xx/5xx: passed on as it is
            with error:
                return HttpReply(error.code, _answer_headers(error.headers), error.read())
        except OSError as exc:  # no answer at all (stopped, timed out)
            return cognito_error(502, "BadGateway", f"the AWS emulator did not answer: {exc}")


def _answer_headers(headers: Message) -> list[tuple[str, str]]:
    return [(name, str(headers[name])) for name in ANSWER_HEADERS if headers.get(name)]
