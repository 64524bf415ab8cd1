"""schemathesis against ``/api/openapi.json`` on the running local stack: no 5xx, answers match.

Every operation of the served document gets generated requests (valid and invalid bodies, query
strings, headers), sent over HTTP to the gateway with the demo owner's token, so they pass the
JWT check and reach the routes; ``shop_id`` is pinned to the demo shop so the requests get past
the shop check into validation and the handlers. Checks: never a server error; every answer of a
documented status matches its schema; content types as documented.

Hostile bodies the generator does not make (nesting thousands deep, one level past the bound, not
UTF-8, a number Python will not convert) go to every operation the document gives a JSON body, and
to the Shopify webhook, which reads its body itself: each gets a 4xx in the API's error shape. A
body past the size bound is the gateway's 413 here (its limit is API Gateway's, and the API's);
tests/integration/api/test_hostile_bodies.py sends one to every route in process.
"""

from __future__ import annotations

import collections
import re
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from okaeri.jsonbody import MAX_JSON_DEPTH
from okaeri_dev.stack import LocalStack
from tests.e2e.conftest import OWNER_PASSWORD, running_stack
from tests.e2e.local import LocalClient

EXAMPLES_PER_OPERATION = 12
SHOP_ID = "demo"
CALLS: list[int] = []  # every status the generated requests got
MIN_OPERATIONS = 60  # the document's operations (a lost registration would shrink it)


@pytest.fixture(scope="module")
def stack() -> Iterator[LocalStack]:
    with running_stack() as running:
        yield running


def fuzz(operation: Any, token: str) -> None:
    """Generated cases of one operation, each sent over HTTP and checked (hypothesis shrinks a failure)."""

    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def check(case: Any) -> None:
        if case.path_parameters and "shop_id" in case.path_parameters:
            case.path_parameters["shop_id"] = SHOP_ID
        response = case.call(headers={"Authorization": f"Bearer {token}"}, timeout=60)
        CALLS.append(response.status_code)
        case.validate_response(
            response, checks=[not_a_server_error, response_schema_conformance, content_type_conformance]
        )

    check()


def test_generated_requests_never_meet_a_server_error(stack: LocalStack) -> None:
    client = LocalClient(gateway_url=stack.gateway_url, smtp_port=stack.smtp_port, aws_url=stack.aws_url)
    token = client.sign_in("owner@okaeri.local", OWNER_PASSWORD)
    schema = schemathesis.openapi.from_url(f"{stack.gateway_url}/api/openapi.json")
    failures: dict[str, str] = {}
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        try:
            fuzz(operation, token)
        except (Exception, BaseExceptionGroup) as failure:  # schemathesis raises a group of check failures
            failures[operation.label] = str(failure)[:1500]
    assert operations >= MIN_OPERATIONS
    assert failures == {}
    statuses = collections.Counter(CALLS)
    # The generated requests got past the gateway and the shop check into the routes.
    assert statuses[403] + statuses[401] < len(CALLS) / 10, statuses
    assert sum(count for status, count in statuses.items() if status < 300) > len(CALLS) / 5, statuses


def json_operations(document: dict[str, Any]) -> list[tuple[str, str]]:
    """(METHOD, path) of every operation with a JSON body, the demo shop's and placeholders filled."""
    found = []
    for template, operations in document["paths"].items():
        for method, operation in operations.items():
            if "application/json" in (operation.get("requestBody") or {}).get("content", {}):
                path = re.sub(r"\{[^}]+\}", "x1", template.replace("{shop_id}", SHOP_ID))
                found.append((method.upper(), path))
    return found


HOSTILE = {
    "5,000 [": b"[" * 5_000,
    "100,000 levels": b'{"a":' * 50_000 + b"[" * 50_000,
    "one level too deep": b"[" * (MAX_JSON_DEPTH + 1) + b"]" * (MAX_JSON_DEPTH + 1),
    "not UTF-8": b'{"name": "\xff\xfe"}',
    "a number past Python's digit limit": b"9" * 5_000,
}


def test_hostile_bodies_get_a_4xx_on_every_json_operation(stack: LocalStack) -> None:
    client = LocalClient(gateway_url=stack.gateway_url, smtp_port=stack.smtp_port, aws_url=stack.aws_url)
    token = client.sign_in("owner@okaeri.local", OWNER_PASSWORD)
    operations = json_operations(client.get("/api/openapi.json").json())
    assert len(operations) >= 20
    targets = [*operations, ("POST", f"/api/webhooks/shopify/{SHOP_ID}")]
    answers: dict[tuple[str, str, str], int] = {}
    for (method, path), (why, body) in ((target, case) for target in targets for case in HOSTILE.items()):
        reply = client.request(
            method, path, body=body, token=token, headers={"Content-Type": "application/json"}
        )
        answers[(method, path, why)] = reply.status
        assert 400 <= reply.status < 500, (method, path, why, reply.status, reply.body[:200])
        assert set(reply.json()["error"]) == {"code", "message_ja", "message_en", "details"}
    for method, path in operations:
        assert answers[(method, path, "5,000 [")] == 400
        assert answers[(method, path, "one level too deep")] == 400
