"""The local stack's own endpoints under ``/dev/`` (no sign-in: loopback only, never deployed).

- ``GET /dev/clock`` → the clock; ``POST /dev/clock`` ``{"advance": "3d"}`` or ``{"set": ISO}``
  moves it forward, firing every wake-up that falls due on the way, and answers what happened;
- ``GET /dev/outbox[?since=N]`` → every mail sent (SES and relay), envelope and raw MIME;
- ``GET /dev/metrics`` → the business metrics the handlers counted (what CloudWatch would get).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, Final
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError, model_validator

from okaeri.api.responses import ErrorBody, ErrorResponse, status_for
from okaeri.errors import BadRequestError, NotFoundError, OkaeriError
from okaeri_dev.clock import DevClock, parse_duration
from okaeri_dev.dispatcher import Dispatcher
from okaeri_dev.gateway import HttpReply, HttpRequest, json_reply
from okaeri_dev.outbox import Outbox

TOKYO: Final = ZoneInfo("Asia/Tokyo")
ENDPOINTS: Final = {
    "GET /dev/clock": "the local stack's clock / 時計",
    "POST /dev/clock": '{"advance": "3d"} or {"set": "2026-12-24T10:00:00+09:00"}: move it forward / 時計を進める',
    "GET /dev/outbox": "every mail sent, SES and relay (?since=N) / 送信したメール",
    "GET /dev/metrics": "business metrics counted so far / メトリクス",
}


class MethodNotAllowedError(BadRequestError):
    code = "method_not_allowed"


class InvalidDevRequestError(BadRequestError):
    def __init__(self, message_ja: str, message_en: str, *, problems: list[str]) -> None:
        super().__init__(message_ja, message_en)
        self.problems = problems


class ClockChange(BaseModel):
    """``POST /dev/clock``: exactly one of ``advance`` (a duration) and ``set`` (a moment)."""

    model_config = ConfigDict(extra="forbid")

    advance: str | None = Field(default=None, max_length=40)
    set_to: AwareDatetime | None = Field(default=None, alias="set")

    @model_validator(mode="after")
    def _one_of(self) -> ClockChange:
        if (self.advance is None) == (self.set_to is None):
            raise ValueError('give exactly one of "advance" and "set"')
        return self


class DevEndpoints:
    def __init__(
        self,
        *,
        clock: DevClock,
        dispatcher: Dispatcher,
        outbox: Outbox,
        metrics: Callable[[], Mapping[str, float]],
    ) -> None:
        self._clock = clock
        self._dispatcher = dispatcher
        self._outbox = outbox
        self._metrics = metrics

    def __call__(self, request: HttpRequest) -> HttpReply:
        try:
            return self._route(request)
        except OkaeriError as exc:
            body = ErrorResponse(
                error=ErrorBody(
                    code=exc.code,
                    message_ja=exc.message_ja,
                    message_en=exc.message_en,
                    details=list(getattr(exc, "problems", None) or []),
                )
            )
            status = 405 if isinstance(exc, MethodNotAllowedError) else status_for(exc)
            return json_reply(status, body.model_dump())

    def _route(self, request: HttpRequest) -> HttpReply:
        route = f"{request.method.upper()} {request.path.rstrip('/')}"
        if route == "GET /dev":
            return json_reply(200, {"endpoints": ENDPOINTS})
        if route == "GET /dev/clock":
            return json_reply(200, self._time())
        if route == "POST /dev/clock":
            return self._move_clock(request.body)
        if route == "GET /dev/outbox":
            return self._outbox_reply(request.query)
        if route == "GET /dev/metrics":
            return json_reply(200, {"metrics": dict(self._metrics())})
        if route.split(" ", 1)[1] in {key.split(" ", 1)[1] for key in ENDPOINTS}:
            raise MethodNotAllowedError(
                f"{request.method} はこのエンドポイントでは使えません",
                f"{request.method} is not allowed here",
            )
        raise NotFoundError(
            f"{request.path} はありません（GET /dev で一覧）",
            f"there is no {request.path} (GET /dev lists them)",
        )

    def _time(self) -> dict[str, Any]:
        now = self._clock.now()
        return {
            "now": now.isoformat(),
            "tokyo": now.astimezone(TOKYO).isoformat(),
            "ticking": self._clock.ticking,
        }

    def _move_clock(self, body: bytes) -> HttpReply:
        change = _clock_change(body)
        previous = self._clock.now()
        target: datetime = (
            change.set_to if change.set_to is not None else previous + parse_duration(change.advance or "")
        )
        result = self._dispatcher.advance_to(target)
        return json_reply(200, {"previous": previous.isoformat(), **self._time(), **result.as_json()})

    def _outbox_reply(self, query: str) -> HttpReply:
        raw_since = (parse_qs(query).get("since") or ["0"])[0]
        if not raw_since.isdigit():
            raise BadRequestError(
                f"since には送信番号（0 以上の整数）を指定してください: {raw_since[:20]}",
                f"since takes a message number (an integer, 0 or more): {raw_since[:20]}",
            )
        messages = self._outbox.since(int(raw_since))
        return json_reply(
            200, {"count": len(self._outbox), "messages": [message.as_json() for message in messages]}
        )


def _clock_change(body: bytes) -> ClockChange:
    try:
        document = json.loads(body or b"{}")
        return ClockChange.model_validate(document)
    except (ValueError, ValidationError) as exc:
        details = (
            [f"{'.'.join(map(str, error['loc'])) or 'body'}: {error['msg']}" for error in exc.errors()]
            if isinstance(exc, ValidationError)
            else ["body: not JSON"]
        )
        raise InvalidDevRequestError(
            '時計の指定が正しくありません。{"advance": "3d"} または {"set": "2026-12-24T10:00:00+09:00"} を送ってください',
            'not a clock change: send {"advance": "3d"} or {"set": "2026-12-24T10:00:00+09:00"}',
            problems=details,
        ) from exc
