"""The request body: as the bytes the client sent (a CSV upload, a signed webhook), or as JSON.

API Gateway passes a binary body base64-encoded (``isBase64Encoded``) and a text body as a string;
Powertools' ``decoded_body`` decodes to ``str`` as UTF-8, which would break a Shift_JIS file and
change the bytes a signature was computed over, so the bytes are taken here instead.

Every JSON body the resolver validates is read here too: ``RequestEvent`` decodes it (a body that
is not base64 or not UTF-8 is a 400, not a ``UnicodeDecodeError``) and ``read_request_json`` parses
it within ``okaeri.jsonbody``'s bounds (too large 413, too deep 400) before ``json.loads`` runs;
a body of another type on a route that takes a JSON body is a 415 (``require_json``).
"""

from __future__ import annotations

import base64
import binascii
import json
from functools import cached_property
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.event_handler.api_gateway import Route
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2

from okaeri.errors import BadRequestError, UnsupportedMediaTypeError
from okaeri.jsonbody import read_json

JSON_MEDIA_TYPE = "application/json"


def _unreadable() -> BadRequestError:
    return BadRequestError(
        "リクエストの本文を読めません。", "The request body cannot be read.", code="bad_body"
    )


def request_bytes(app: APIGatewayHttpResolver) -> bytes:
    event = app.current_event
    body = event.body or ""
    if not event.is_base64_encoded:
        return body.encode("utf-8")
    try:
        return base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError):
        raise _unreadable() from None


def require_json(route: Route, content_type: str | None) -> None:
    """A route with a body model reads JSON only (the OpenAPI document says so): another type is a
    415 before Powertools would try it as a form or a multipart upload."""
    if not route.dependant.body_params:
        return
    media = (content_type or "").split(";", 1)[0].strip().lower()
    if media not in ("", JSON_MEDIA_TYPE):
        raise UnsupportedMediaTypeError(
            "本文はJSON（Content-Type: application/json）で送ってください。",
            "Send the body as JSON (Content-Type: application/json).",
        )


def read_request_json(text: str) -> Any:
    """The resolver's JSON deserializer: bounds first; any body ``json.loads`` cannot read (a number
    past Python's digit limit too) is the ``JSONDecodeError`` Powertools answers as a 422."""
    try:
        return read_json(text)
    except json.JSONDecodeError:
        raise
    except ValueError as exc:
        raise json.JSONDecodeError(str(exc), text, 0) from None


class RequestEvent(APIGatewayProxyEventV2):
    """The HTTP API event with a body that decodes as text or is refused with a 400."""

    @cached_property
    def decoded_body(self) -> str | None:
        body = self.body
        if not (self.is_base64_encoded and body):
            return body
        try:
            return base64.b64decode(body, validate=True).decode("utf-8")
        except (binascii.Error, ValueError):
            raise _unreadable() from None
