"""JSON responses and the one mapping from errors to HTTP statuses.

Every error leaves the API as ``{"error": {"code", "message_ja", "message_en", "details"}}`` with
a 4xx status; a 500 is a bug (it is logged with its trace and answered without internals).
"""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from botocore.exceptions import ClientError
from pydantic import BaseModel, ConfigDict

from okaeri.errors import (
    BadRequestError,
    ConfigError,
    ConflictError,
    ForbiddenError,
    InvalidAddressError,
    NotFoundError,
    OkaeriError,
    PayloadTooLargeError,
    UnauthorizedError,
    UnsupportedMediaTypeError,
)
from okaeri.models.base import describe_errors
from okaeri.observability import logger

JSON_HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
#: Domain errors not listed answer 422: the request was understood but cannot be acted on.
STATUS_BY_ERROR: tuple[tuple[type[OkaeriError], int], ...] = (
    (UnauthorizedError, 401),
    (ForbiddenError, 403),
    (NotFoundError, 404),
    (ConflictError, 409),
    (BadRequestError, 400),
    (PayloadTooLargeError, 413),
    (UnsupportedMediaTypeError, 415),
    (ConfigError, 422),
    (InvalidAddressError, 422),
)


class ErrorBody(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid")

    code: str
    message_ja: str
    message_en: str
    details: list[str] = []


class ErrorResponse(BaseModel):
    """What every 4xx carries."""

    model_config = ConfigDict(defer_build=True)

    error: ErrorBody


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> Response[Any]:
    if isinstance(body, BaseModel):
        text = body.model_dump_json()
    else:
        text = json.dumps(body, ensure_ascii=False, default=str)
    return Response(
        status_code=status,
        content_type=content_types.APPLICATION_JSON,
        body=text,
        headers={**JSON_HEADERS, **(headers or {})},
    )


def error_response(
    status: int, code: str, message_ja: str, message_en: str, details: list[str] | None = None
) -> Response[Any]:
    body = ErrorResponse(
        error=ErrorBody(code=code, message_ja=message_ja, message_en=message_en, details=details or [])
    )
    return json_response(status, body)


def status_for(exc: OkaeriError) -> int:
    for error_type, status in STATUS_BY_ERROR:
        if isinstance(exc, error_type):
            return status
    return 422


def _without_body(location: Any) -> tuple[Any, ...]:
    parts = tuple(location or ())
    return parts[1:] if len(parts) > 1 and parts[0] == "body" else parts


def _validation_details(errors: Any) -> list[str]:
    """Each problem as ``where.field: 日本語 / English`` (``body.`` dropped: the body is the default)."""
    return describe_errors({**error, "loc": _without_body(error.get("loc"))} for error in errors)


def register_error_handlers(app: APIGatewayHttpResolver) -> None:
    def domain_error(exc: OkaeriError) -> Response[Any]:
        details = list(getattr(exc, "problems", None) or [])
        return error_response(status_for(exc), exc.code, exc.message_ja, exc.message_en, details)

    def invalid_request(exc: RequestValidationError) -> Response[Any]:
        return error_response(
            422,
            "invalid_request",
            "リクエストの内容が正しくありません。",
            "The request is not valid.",
            _validation_details(exc.errors()),
        )

    def aws_refused(exc: ClientError) -> Response[Any]:
        code = exc.response.get("Error", {}).get("Code", "")
        if code == "ValidationException":  # e.g. a forged pagination cursor
            return error_response(
                400,
                "bad_request",
                "リクエストの値が正しくありません。",
                "A value in the request is not valid.",
            )
        if code in {"ThrottlingException", "ProvisionedThroughputExceededException", "RequestLimitExceeded"}:
            return error_response(
                503,
                "busy",
                "混み合っています。少し待ってからやり直してください。",
                "Busy; please retry shortly.",
            )
        logger.exception("aws_error")
        return error_response(500, "internal", "内部エラーが発生しました。", "Internal error.")

    @app.not_found
    def no_route(exc: Exception) -> Response[Any]:
        return error_response(404, "no_route", "そのようなAPIはありません。", "There is no such API route.")

    def unexpected(exc: Exception) -> Response[Any]:
        logger.exception("unexpected_error")
        return error_response(500, "internal", "内部エラーが発生しました。", "Internal error.")

    for error_type, handler in (
        (OkaeriError, domain_error),
        (RequestValidationError, invalid_request),
        (ClientError, aws_refused),
        (Exception, unexpected),
    ):
        app.exception_handler(error_type)(handler)
