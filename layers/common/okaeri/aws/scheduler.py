"""EventBridge Scheduler: one one-off schedule per delivery, only to wake the send function.

A schedule is named by the delivery id (SPEC §1, decision 2) and lives in the deployment's
schedule group. It says ``at(YYYY-MM-DDTHH:MM:SS)`` in the shop's wall time with the shop's zone as
``ScheduleExpressionTimezone``, deletes itself after it fired (``ActionAfterCompletion=DELETE``)
and may fire anywhere inside the shop's flexible window, so that a sale day's thousands of
"10時頃" mails spread out. Its target is the send function with the delivery as JSON input, a
retry policy, and the dead-letter queue for invocations that never got through.

``at()`` must lie in the future when AWS receives it. A send time that has passed, or is less than
a minute away (the scheduler's precision is a minute anyway), becomes *now + 1 minute*: the
mail is late and goes out at once rather than being refused. DynamoDB stays the truth: the send
function re-reads the delivery when the schedule fires.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Final
from zoneinfo import ZoneInfo

from botocore.exceptions import ClientError

from okaeri.errors import OkaeriError

if TYPE_CHECKING:
    from mypy_boto3_scheduler import EventBridgeSchedulerClient
    from mypy_boto3_scheduler.type_defs import FlexibleTimeWindowTypeDef, TargetTypeDef

    from okaeri.ports import Clock

MIN_LEAD: Final = timedelta(minutes=1)
RETRY_ATTEMPTS: Final = 3  # the scheduler retries a failed invocation of the send function…
RETRY_MAX_EVENT_AGE_SECONDS: Final = 3600  # …for at most an hour, then it goes to the DLQ
_AT_FORMAT: Final = "%Y-%m-%dT%H:%M:%S"


class _UtcClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class EventBridgeSchedules:
    """``ports.Schedules`` over EventBridge Scheduler (one schedule group per deployment)."""

    def __init__(
        self,
        client: EventBridgeSchedulerClient,
        *,
        group: str,
        target_arn: str,
        role_arn: str,
        dead_letter_arn: str,
        clock: Clock | None = None,
    ) -> None:
        self._client = client
        self._group = group
        self._target_arn = target_arn
        self._role_arn = role_arn
        self._dead_letter_arn = dead_letter_arn
        self._clock: Clock = clock or _UtcClock()

    def create(
        self, *, name: str, at: datetime, timezone: str, payload: Mapping[str, str], window_minutes: int
    ) -> bool:
        """A new one-off schedule; False when one of that name exists already (ConflictException)."""
        return self._create(self._request(name, at, timezone, payload, window_minutes))

    def update(
        self, *, name: str, at: datetime, timezone: str, payload: Mapping[str, str], window_minutes: int
    ) -> None:
        """Move a schedule; one that is gone (it fired, or was never made) is created again."""
        request = self._request(name, at, timezone, payload, window_minutes)
        if not self._update(request) and not self._create(request):
            self._update(request)  # created by someone else between our two calls: say what we were asked

    def delete(self, name: str) -> None:
        """Remove a schedule; a missing one (fired, deleted, never made) is fine."""
        request = {"Name": name, "GroupName": self._group}
        self._attempt("delete", self._client.delete_schedule, request, tolerated="ResourceNotFoundException")

    def _create(self, request: dict[str, Any]) -> bool:
        """CreateSchedule; False when a schedule of that name exists already."""
        return self._attempt("create", self._client.create_schedule, request, tolerated="ConflictException")

    def _update(self, request: dict[str, Any]) -> bool:
        """UpdateSchedule; False when there is no such schedule."""
        return self._attempt(
            "update", self._client.update_schedule, request, tolerated="ResourceNotFoundException"
        )

    @staticmethod
    def _attempt(
        action: str, call: Callable[..., object], request: dict[str, Any], *, tolerated: str
    ) -> bool:
        """``call(**request)``; False when Scheduler answers ``tolerated``, an error for any other."""
        try:
            call(**request)
        except ClientError as exc:
            if _code(exc) == tolerated:
                return False
            raise _schedule_error(exc, action, request["Name"]) from exc
        return True

    def _request(
        self, name: str, at: datetime, timezone: str, payload: Mapping[str, str], window_minutes: int
    ) -> dict[str, Any]:
        """The arguments shared by CreateSchedule and UpdateSchedule (an update replaces them all)."""
        target: TargetTypeDef = {
            "Arn": self._target_arn,
            "RoleArn": self._role_arn,
            "Input": json.dumps(dict(payload), sort_keys=True),
            "RetryPolicy": {
                "MaximumRetryAttempts": RETRY_ATTEMPTS,
                "MaximumEventAgeInSeconds": RETRY_MAX_EVENT_AGE_SECONDS,
            },
            "DeadLetterConfig": {"Arn": self._dead_letter_arn},
        }
        return {
            "Name": name,
            "GroupName": self._group,
            "ScheduleExpression": at_expression(at, timezone, now=self._clock.now()),
            "ScheduleExpressionTimezone": timezone,
            "FlexibleTimeWindow": flexible_window(window_minutes),
            "ActionAfterCompletion": "DELETE",
            "State": "ENABLED",
            "Target": target,
        }


def at_expression(at: datetime, timezone: str, *, now: datetime) -> str:
    """``at(…)`` in the zone's wall time, never less than a minute after ``now`` (see the module)."""
    if at.tzinfo is None or now.tzinfo is None:
        raise ValueError("schedule times must be timezone-aware")
    when = max(at, now + MIN_LEAD)
    return f"at({when.astimezone(ZoneInfo(timezone)).strftime(_AT_FORMAT)})"


def flexible_window(minutes: int) -> FlexibleTimeWindowTypeDef:
    """FLEXIBLE with the shop's minutes (1…1440, what the scheduler allows), OFF for 0."""
    if not 0 <= minutes <= 1440:
        raise ValueError(f"a flexible window is 0…1440 minutes, not {minutes}")
    if minutes == 0:
        return {"Mode": "OFF"}
    return {"Mode": "FLEXIBLE", "MaximumWindowInMinutes": minutes}


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def _schedule_error(exc: ClientError, action: str, name: str) -> OkaeriError:
    code = _code(exc)
    message = exc.response.get("Error", {}).get("Message", "")
    return OkaeriError(
        f"配信予約（スケジュール {name}）の{_ACTIONS_JA[action]}に失敗しました: {code} {message}",
        f"could not {action} the schedule {name}: {code} {message}",
        code="schedule_failed",
    )


_ACTIONS_JA: Final = {"create": "作成", "update": "変更", "delete": "削除"}
