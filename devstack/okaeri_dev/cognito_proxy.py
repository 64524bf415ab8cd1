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
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from email.message import Message
from typing import Final

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
    target = request.headers.get("x-amz-target", "")
    operation = target.removeprefix(TARGET_PREFIX)
    if not target.startswith(TARGET_PREFIX) or operation not in CLIENT_OPERATIONS:
        return cognito_error(
            400,
            "UnknownOperationException",
            f"X-Amz-Target {target[:80]!r} is not a client call of the user pool "
            f"(forwarded: {', '.join(sorted(CLIENT_OPERATIONS))})",
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
