"""EventBridgeSchedules against moto's EventBridge Scheduler (and a Stubber for what moto cannot say)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from okaeri.aws.scheduler import EventBridgeSchedules
from okaeri.errors import OkaeriError
from tests.integration.transports.conftest import REGION, FixedClock

GROUP = "okaeri-deliveries"
TARGET = f"arn:aws:lambda:{REGION}:123456789012:function:okaeri-send"
ROLE = "arn:aws:iam::123456789012:role/okaeri-scheduler"
DLQ = f"arn:aws:sqs:{REGION}:123456789012:okaeri-schedule-dlq"
NAME = "sakura-farm.thanks.a3d4fcf2e6a04adb8adc3c434fb5543b"
PAYLOAD = {"shop_id": "sakura-farm", "delivery_id": NAME}
NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)  # 12:00 in Tokyo


@pytest.fixture
def client(mocked_aws: None) -> Any:
    scheduler = boto3.client("scheduler", region_name=REGION)
    scheduler.create_schedule_group(Name=GROUP)
    return scheduler


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def schedules(client: Any, clock: FixedClock) -> EventBridgeSchedules:
    return _schedules(client, clock)


def _schedules(client: Any, clock: FixedClock) -> EventBridgeSchedules:
    return EventBridgeSchedules(
        client, group=GROUP, target_arn=TARGET, role_arn=ROLE, dead_letter_arn=DLQ, clock=clock
    )


def _arguments(at: datetime = datetime(2026, 11, 24, 1, 0, tzinfo=UTC), **overrides: Any) -> dict[str, Any]:
    """What ``create`` and ``update`` are called with: the test's schedule, at ``at``."""
    arguments = {"name": NAME, "at": at, "timezone": "Asia/Tokyo", "payload": PAYLOAD, "window_minutes": 30}
    return arguments | overrides


def _create(schedules: EventBridgeSchedules, at: datetime, **overrides: Any) -> bool:
    return schedules.create(**_arguments(at, **overrides))


def _stored(client: Any, name: str = NAME) -> dict[str, Any]:
    return dict(client.get_schedule(Name=name, GroupName=GROUP))


def test_create_stores_a_one_off_schedule_in_the_shops_wall_time(
    schedules: EventBridgeSchedules, client: Any
) -> None:
    assert _create(schedules, datetime(2026, 11, 24, 1, 0, tzinfo=UTC)) is True

    stored = _stored(client)
    assert stored["ScheduleExpression"] == "at(2026-11-24T10:00:00)"
    assert stored["ScheduleExpressionTimezone"] == "Asia/Tokyo"
    assert stored["FlexibleTimeWindow"] == {"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 30}
    assert stored["ActionAfterCompletion"] == "DELETE"
    assert stored["GroupName"] == GROUP
    target = stored["Target"]
    assert (target["Arn"], target["RoleArn"]) == (TARGET, ROLE)
    assert json.loads(target["Input"]) == PAYLOAD
    assert target["RetryPolicy"] == {"MaximumRetryAttempts": 3, "MaximumEventAgeInSeconds": 3600}
    assert target["DeadLetterConfig"] == {"Arn": DLQ}


def test_the_expression_is_in_the_zone_given_not_the_zone_of_the_datetime(
    schedules: EventBridgeSchedules, client: Any
) -> None:
    tokyo_time = datetime(2027, 7, 1, 19, 30, 15, 999, tzinfo=timezone(timedelta(hours=9)))

    _create(schedules, tokyo_time, timezone="Europe/London")

    stored = _stored(client)
    assert stored["ScheduleExpression"] == "at(2027-07-01T11:30:15)"  # BST, microseconds dropped
    assert stored["ScheduleExpressionTimezone"] == "Europe/London"


def test_a_window_of_zero_turns_the_flexible_window_off(schedules: EventBridgeSchedules, client: Any) -> None:
    _create(schedules, datetime(2026, 11, 24, 1, 0, tzinfo=UTC), window_minutes=0)

    assert _stored(client)["FlexibleTimeWindow"] == {"Mode": "OFF"}


@pytest.mark.parametrize("minutes", [-1, 1441])
def test_a_window_the_scheduler_cannot_take_is_refused(schedules: EventBridgeSchedules, minutes: int) -> None:
    with pytest.raises(ValueError, match="0…1440"):
        _create(schedules, datetime(2026, 11, 24, 1, 0, tzinfo=UTC), window_minutes=minutes)


def test_a_naive_time_is_refused(schedules: EventBridgeSchedules) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        _create(schedules, datetime(2026, 11, 24, 10, 0))


@pytest.mark.parametrize(
    "at",
    [
        datetime(2026, 11, 19, 3, 0, tzinfo=UTC),  # a day late
        NOW,  # due now
        datetime(2026, 11, 20, 3, 0, 30, tzinfo=UTC),  # less than a minute ahead
    ],
)
def test_a_time_passed_or_about_to_pass_becomes_one_minute_from_now(
    schedules: EventBridgeSchedules, client: Any, at: datetime
) -> None:
    _create(schedules, at)

    assert _stored(client)["ScheduleExpression"] == "at(2026-11-20T12:01:00)"


def test_creating_twice_is_a_no_op_that_says_so(schedules: EventBridgeSchedules, client: Any) -> None:
    assert _create(schedules, datetime(2026, 11, 24, 1, 0, tzinfo=UTC)) is True
    assert _create(schedules, datetime(2026, 11, 25, 1, 0, tzinfo=UTC), window_minutes=5) is False

    stored = _stored(client)
    assert stored["ScheduleExpression"] == "at(2026-11-24T10:00:00)"
    assert stored["FlexibleTimeWindow"]["MaximumWindowInMinutes"] == 30


def test_update_moves_the_schedule_and_replaces_its_input(
    schedules: EventBridgeSchedules, client: Any
) -> None:
    _create(schedules, datetime(2026, 11, 24, 1, 0, tzinfo=UTC))

    schedules.update(
        name=NAME,
        at=datetime(2026, 11, 24, 1, 15, tzinfo=UTC),
        timezone="Asia/Tokyo",
        payload={**PAYLOAD, "reason": "throttled"},
        window_minutes=10,
    )

    stored = _stored(client)
    assert stored["ScheduleExpression"] == "at(2026-11-24T10:15:00)"
    assert stored["FlexibleTimeWindow"] == {"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 10}
    assert json.loads(stored["Target"]["Input"]) == {**PAYLOAD, "reason": "throttled"}
    assert stored["Target"]["DeadLetterConfig"] == {"Arn": DLQ}


def test_update_of_a_schedule_that_is_gone_creates_it(schedules: EventBridgeSchedules, client: Any) -> None:
    schedules.update(**_arguments())

    stored = _stored(client)
    assert stored["ScheduleExpression"] == "at(2026-11-24T10:00:00)"
    assert stored["ActionAfterCompletion"] == "DELETE"


def test_delete_removes_the_schedule_and_a_missing_one_is_fine(
    schedules: EventBridgeSchedules, client: Any
) -> None:
    _create(schedules, datetime(2026, 11, 24, 1, 0, tzinfo=UTC))

    schedules.delete(NAME)
    schedules.delete(NAME)

    assert client.list_schedules(GroupName=GROUP)["Schedules"] == []


# --- what moto does not say: a Stubber plays the scheduler's other answers ----------------------


@pytest.fixture
def stubbed(aws_env: None) -> Iterator[tuple[EventBridgeSchedules, Stubber]]:
    client = boto3.client("scheduler", region_name=REGION, endpoint_url="http://127.0.0.1:9")
    with Stubber(client) as stubber:
        yield _schedules(client, FixedClock(NOW)), stubber
        stubber.assert_no_pending_responses()


def test_update_that_races_a_creation_updates_the_schedule_the_other_side_made(
    stubbed: tuple[EventBridgeSchedules, Stubber],
) -> None:
    schedules, stubber = stubbed
    stubber.add_client_error("update_schedule", "ResourceNotFoundException", http_status_code=404)
    stubber.add_client_error("create_schedule", "ConflictException", http_status_code=409)
    stubber.add_response("update_schedule", {"ScheduleArn": f"arn:aws:scheduler:{REGION}:1:schedule/g/n"})

    schedules.update(**_arguments())


@pytest.mark.parametrize(
    ("operation", "code"),
    [
        ("create_schedule", "ValidationException"),
        ("create_schedule", "ResourceNotFoundException"),  # the schedule group is not there
        ("update_schedule", "ThrottlingException"),
        ("delete_schedule", "InternalServerException"),
    ],
)
def test_other_scheduler_errors_become_a_schedule_failure(
    stubbed: tuple[EventBridgeSchedules, Stubber], operation: str, code: str
) -> None:
    schedules, stubber = stubbed
    stubber.add_client_error(operation, code, service_message="nope", http_status_code=400)
    arguments = _arguments()

    calls = {
        "create_schedule": lambda: schedules.create(**arguments),
        "update_schedule": lambda: schedules.update(**arguments),
        "delete_schedule": lambda: schedules.delete(NAME),
    }

    with pytest.raises(OkaeriError) as caught:
        calls[operation]()

    assert caught.value.code == "schedule_failed"
    assert code in caught.value.message_en
    assert NAME in caught.value.message_ja
