"""API Gateway (HTTP API, payload 2.0) played on loopback, in front of the very admin handler.

A route guarded by the Cognito JWT authorizer (``infra.resources.GATEWAY_ROUTES``) needs a token
that the emulated user pool signed: RS256 with a key of the pool's JWKS (fetched from the moto
server, refetched once for an unknown key id), not expired (real time, as AWS checks it, whatever
the local stack's clock says), ``iss`` the pool, ``aud`` the app client, ``token_use`` ``id``.
Anything else is answered as API Gateway answers it: ``401 {"message": "Unauthorized"}`` with a
``www-authenticate`` header that says why. The verified claims go on exactly as API Gateway
passes them (``okaeri_dev.apigw.gateway_claims``) in a payload 2.0 event to
``functions.admin.handler.handle``. ``/dev/*`` are the local stack's own endpoints, and
``/cognito/`` carries the user pool's client calls to the moto server (``cognito_proxy.py``), so the
page in the browser talks to this one origin only.
"""

from __future__ import annotations

import base64
import json
import logging
import re
import threading
import traceback
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Final

from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet

from infra.resources import AUTHORIZER_TOKEN_USE, GATEWAY_ROUTES, GatewayRoute
from okaeri_dev.apigw import gateway_claims, http_event

log = logging.getLogger("okaeri_dev.gateway")

#: API Gateway refuses request bodies over 10 MB.
MAX_BODY_BYTES: Final = 10 * 1024 * 1024
JWKS_TIMEOUT_SECONDS: Final = 5
JSON_TYPE: Final = "application/json"
#: Where the local ``/config.json`` sends clients to sign in (``okaeri_dev.cognito_proxy``).
COGNITO_PATH: Final = "/cognito/"


@dataclass(frozen=True)
class HttpRequest:
    method: str
    path: str  # as sent, without the query
    query: str = ""
    headers: Mapping[str, str] = field(default_factory=dict)  # lower-case names
    body: bytes = b""
    source_ip: str = "127.0.0.1"


@dataclass(frozen=True)
class HttpReply:
    status: int
    headers: Sequence[tuple[str, str]] = ()
    body: bytes = b""


def json_reply(status: int, document: Any, headers: Sequence[tuple[str, str]] = ()) -> HttpReply:
    body = json.dumps(document, ensure_ascii=False, indent=1).encode()
    return HttpReply(status, [("content-type", f"{JSON_TYPE}; charset=utf-8"), *headers], body)


# --- routes -------------------------------------------------------------------------------------------


@lru_cache(maxsize=64)
def _route_pattern(template: str) -> tuple[re.Pattern[str], int, bool]:
    """The template as a regex, its number of literal segments, and whether it ends greedy."""
    parts: list[str] = []
    literal, greedy = 0, False
    for segment in template.strip("/").split("/"):
        if segment.startswith("{") and segment.endswith("+}"):
            parts.append(".+")
            greedy = True
        elif segment.startswith("{") and segment.endswith("}"):
            parts.append("[^/]+")
        else:
            parts.append(re.escape(segment))
            literal += 1
    return re.compile("/" + "/".join(parts)), literal, greedy


def match_route(method: str, path: str, routes: Sequence[GatewayRoute] = GATEWAY_ROUTES) -> GatewayRoute:
    """The route API Gateway picks: the most specific match (no greedy tail, more literal segments,
    an explicit method over ``ANY``), else ``$default``."""
    best: tuple[tuple[bool, int, bool], GatewayRoute] | None = None
    default = GatewayRoute(
        "$default", authorized=False, why_public="API Gateway's catch-all when no route matches"
    )
    for route in routes:
        if route.key == "$default":
            default = route
            continue
        verb, _, template = route.key.partition(" ")
        if verb not in ("ANY", method.upper()):
            continue
        pattern, literal, greedy = _route_pattern(template)
        if not pattern.fullmatch(path):
            continue
        rank = (not greedy, literal, verb != "ANY")
        if best is None or rank > best[0]:
            best = (rank, route)
    return best[1] if best else default


# --- tokens ---------------------------------------------------------------------------------------------


class TokenRejectedError(Exception):
    """What the JWT authorizer says in ``www-authenticate`` (``error_description``)."""


class TokenVerifier:
    """Checks an ID token as the HTTP API's JWT authorizer does, with the user pool's JWKS."""

    def __init__(
        self,
        *,
        jwks_url: str,
        issuer: str,
        audience: str,
        token_use: str = AUTHORIZER_TOKEN_USE,
        fetch: Callable[[str], Mapping[str, Any]] | None = None,
    ) -> None:
        self._jwks_url = jwks_url
        self._issuer = issuer
        self._audience = audience
        self._token_use = token_use
        self._fetch = fetch or _fetch_json
        self._lock = threading.Lock()
        self._keys: KeySet | None = None

    def claims(self, token: str) -> dict[str, Any]:
        """The verified token's claims; ``TokenRejectedError`` with the reason otherwise."""
        if token.count(".") != 2:
            raise TokenRejectedError("the token is not a signed JWT")
        try:
            decoded = self._decode(token)
        except JoseError as exc:
            raise TokenRejectedError(f"the token is not valid: {exc.error}") from exc
        except (ValueError, TypeError) as exc:  # whatever else a malformed token may raise
            raise TokenRejectedError("the token is not valid: malformed") from exc
        registry = jwt.JWTClaimsRegistry(
            iss={"essential": True, "value": self._issuer},
            aud={"essential": True, "value": self._audience},
            token_use={"essential": True, "value": self._token_use},
            exp={"essential": True},
            sub={"essential": True},
        )
        try:
            registry.validate(decoded.claims)
        except JoseError as exc:
            raise TokenRejectedError(f"the token is not valid: {exc.description or exc.error}") from exc
        return dict(decoded.claims)

    def _decode(self, token: str) -> jwt.Token:
        try:
            return jwt.decode(token, self._key_set(refresh=False), algorithms=["RS256"])
        except InvalidKeyIdError:  # a key id the pool's keys did not have: read them again, once
            return jwt.decode(token, self._key_set(refresh=True), algorithms=["RS256"])

    def _key_set(self, *, refresh: bool) -> KeySet:
        with self._lock:
            if self._keys is None or refresh:
                try:
                    document = self._fetch(self._jwks_url)
                except OSError as exc:
                    raise TokenRejectedError(f"the user pool's keys could not be read: {exc}") from exc
                self._keys = KeySet.import_key_set(dict(document))  # type: ignore[arg-type]
            return self._keys


def _fetch_json(url: str) -> Mapping[str, Any]:
    with urllib.request.urlopen(url, timeout=JWKS_TIMEOUT_SECONDS) as answer:
        document: Mapping[str, Any] = json.load(answer)
        return document


def unauthorized(reason: str) -> HttpReply:
    """API Gateway's own answer when its JWT authorizer refuses the request."""
    description = reason.replace('"', "'")
    challenge = f'Bearer scope="" error="invalid_token" error_description="{description}"'
    return json_reply(401, {"message": "Unauthorized"}, [("www-authenticate", challenge)])


def bearer_token(headers: Mapping[str, str]) -> str | None:
    value = headers.get("authorization", "").strip()
    if value[:7].lower() == "bearer ":
        value = value[7:].strip()
    return value or None


# --- the gateway ----------------------------------------------------------------------------------------

AdminInvoke = Callable[[dict[str, Any]], dict[str, Any]]
DevHandler = Callable[[HttpRequest], HttpReply]


class GatewayApp:
    """One request in, one reply out: ``/dev/*`` to the local endpoints, ``/cognito/*`` to the user
    pool's proxy, the rest to the admin handler."""

    def __init__(
        self, *, admin: AdminInvoke, verifier: TokenVerifier, dev: DevHandler, cognito: DevHandler
    ) -> None:
        self._admin = admin
        self._verifier = verifier
        self._dev = dev
        self._cognito = cognito

    def handle(self, request: HttpRequest) -> HttpReply:
        try:
            if request.path == "/dev" or request.path.startswith("/dev/"):
                return self._dev(request)
            if request.path == COGNITO_PATH.rstrip("/") or request.path.startswith(COGNITO_PATH):
                return self._cognito(request)
            return self._through_authorizer(request)
        except Exception:  # a bug: answered as API Gateway answers a failed function, the trace logged
            log.error("%s %s failed:\n%s", request.method, request.path, traceback.format_exc())
            return json_reply(500, {"message": "Internal Server Error"})

    def _through_authorizer(self, request: HttpRequest) -> HttpReply:
        claims: dict[str, str] | None = None
        if match_route(request.method, request.path).authorized:
            token = bearer_token(request.headers)
            if token is None:
                return unauthorized("no token: send Authorization: Bearer <Cognito ID token>")
            try:
                claims = gateway_claims(self._verifier.claims(token))
            except TokenRejectedError as exc:
                return unauthorized(str(exc))
        event = http_event(
            request.method,
            request.path,
            query=request.query,
            headers=request.headers,
            body=request.body or None,
            claims=claims,
            source_ip=request.source_ip,
        )
        return reply_from(self._admin(event))


def reply_from(answer: Mapping[str, Any]) -> HttpReply:
    """A payload 2.0 Lambda answer as API Gateway writes it out."""
    raw = answer.get("body") or ""
    body = base64.b64decode(raw) if answer.get("isBase64Encoded") else str(raw).encode("utf-8")
    headers = [(str(name), str(value)) for name, value in (answer.get("headers") or {}).items()]
    for name, values in (answer.get("multiValueHeaders") or {}).items():
        headers += [(str(name), str(value)) for value in values]
    headers += [("set-cookie", str(cookie)) for cookie in answer.get("cookies") or []]
    return HttpReply(int(answer.get("statusCode", 200)), headers, body)


class GatewayServer:
    """The gateway on ``host:port`` (0 picks a free port); bound at construction, serving after ``start``."""

    def __init__(self, app: GatewayApp, *, host: str, port: int) -> None:
        self._httpd = ThreadingHTTPServer((host, port), _handler_class(app))
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, name="okaeri-dev-gateway", daemon=True
        )
        self._thread.start()

    def stop(self, timeout: float = 10) -> None:
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout)
            self._thread = None
        self._httpd.server_close()


def _handler_class(app: GatewayApp) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "okaeri-dev-gateway"
        protocol_version = "HTTP/1.1"

        def _serve(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            if length > MAX_BODY_BYTES:
                self._write(json_reply(413, {"message": "Request Entity Too Large"}), close=True)
                return
            body = self.rfile.read(length) if length > 0 else b""
            path, _, query = self.path.partition("?")
            headers: dict[str, str] = {}
            for name, value in self.headers.items():
                key = name.lower()
                headers[key] = f"{headers[key]},{value}" if key in headers else value
            request = HttpRequest(self.command, path, query, headers, body, self.client_address[0])
            self._write(app.handle(request))

        def _write(self, reply: HttpReply, *, close: bool = False) -> None:
            self.send_response(reply.status)
            names = {name.lower() for name, _ in reply.headers}
            for name, value in reply.headers:
                if name.lower() not in ("content-length", "connection", "transfer-encoding"):
                    self.send_header(name, value)
            if "content-type" not in names and reply.body:
                self.send_header("content-type", JSON_TYPE)
            self.send_header("content-length", str(0 if self.command == "HEAD" else len(reply.body)))
            if close:
                self.send_header("connection", "close")
                self.close_connection = True
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(reply.body)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_HEAD = _serve

        def log_message(self, format: str, *args: Any) -> None:
            log.info("%s %s", self.address_string(), format % args)

    return Handler
