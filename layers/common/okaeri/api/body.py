"""The request body as the bytes the client sent (a CSV upload, a signed webhook).

API Gateway passes a binary body base64-encoded (``isBase64Encoded``) and a text body as a string;
Powertools' ``decoded_body`` decodes to ``str`` as UTF-8, which would break a Shift_JIS file and
change the bytes a signature was computed over, so the bytes are taken here instead.
"""

from __future__ import annotations

import base64
import binascii

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver

from okaeri.errors import BadRequestError


def request_bytes(app: APIGatewayHttpResolver) -> bytes:
    event = app.current_event
    body = event.body or ""
    if not event.is_base64_encoded:
        return body.encode("utf-8")
    try:
        return base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError):
        raise BadRequestError(
            "リクエストの本文を読めません。", "The request body cannot be read.", code="bad_body"
        ) from None
