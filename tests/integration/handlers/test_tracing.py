"""X-Ray tracing of the handlers: made on the first call and only when tracing is on.

Each case runs in a fresh interpreter (the X-Ray SDK patches botocore for the whole process, and
what a cold start imports is the point), with the handlers' own decorator stack. With tracing on,
as Lambda runs a function with active tracing, the segment goes to an X-Ray daemon address where
this test listens on UDP and reads what the SDK sent.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator

import pytest

from okaeri.observability import tracing_on

TRACE_ROOT = "1-5759e988-bd862e3fe1be46a994272793"
#: A traced Lambda invocation's header, as Lambda sets it for the invocation.
TRACE_HEADER = f"Root={TRACE_ROOT};Parent=53995c3f42cd8ad8;Sampled=1"

SCRIPT = """\
import json, sys
from okaeri.observability import logger, metrics, tracer

@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event, context):
    return {"echo": event["n"] * 2}

class Context:
    function_name = "okaeri-probe"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:ap-northeast-1:123456789012:function:okaeri-probe"
    aws_request_id = "req-1"

imported_on_import = "aws_xray_sdk" in sys.modules
results = [handler({"n": n}, Context()) for n in (1, 2)]
print(json.dumps({"imported_on_import": imported_on_import, "results": results,
                  "xray_loaded": "aws_xray_sdk" in sys.modules}))
"""


def run(env: dict[str, str]) -> dict[str, object]:
    base = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "AWS_DEFAULT_REGION": "ap-northeast-1",
            "POWERTOOLS_METRICS_NAMESPACE": "Okaeri", "POWERTOOLS_SERVICE_NAME": "okaeri"}  # fmt: skip
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report: dict[str, object] = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["results"] == [{"echo": 2}, {"echo": 4}]
    return report


@pytest.fixture
def daemon() -> Iterator[socket.socket]:
    """A UDP socket where an X-Ray daemon would listen."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.settimeout(20)
        yield sock


@pytest.mark.parametrize(
    "env",
    [{}, {"LAMBDA_TASK_ROOT": "/var/task", "POWERTOOLS_TRACE_DISABLED": "true"},
     {"LAMBDA_TASK_ROOT": "/var/task", "AWS_SAM_LOCAL": "true"}],
    ids=["outside Lambda", "disabled by Powertools' setting", "SAM local"],
)  # fmt: skip
def test_with_tracing_off_nothing_of_x_ray_is_imported(env: dict[str, str]) -> None:
    assert not tracing_on(env)
    report = run(env)
    assert report == {
        "imported_on_import": False,
        "results": [{"echo": 2}, {"echo": 4}],
        "xray_loaded": False,
    }


def test_with_tracing_on_the_handler_is_traced_and_x_ray_waits_for_the_first_call(
    daemon: socket.socket,
) -> None:
    host, port = daemon.getsockname()
    env = {
        "LAMBDA_TASK_ROOT": "/var/task",
        "AWS_LAMBDA_FUNCTION_NAME": "okaeri-probe",
        "_X_AMZN_TRACE_ID": TRACE_HEADER,
        "AWS_XRAY_DAEMON_ADDRESS": f"{host}:{port}",
        "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR",
    }
    assert tracing_on(env)
    report = run(env)
    assert report["imported_on_import"] is False
    assert report["xray_loaded"] is True
    segments = []
    for _ in range(2):  # one subsegment per call, streamed as it closes
        header, _, body = daemon.recv(65536).decode().partition("\n")
        assert json.loads(header) == {"format": "json", "version": 1}
        segments.append(json.loads(body))
    assert [s["name"] for s in segments] == ["## handler", "## handler"]
    assert {s["trace_id"] for s in segments} == {TRACE_ROOT}
    assert [s["annotations"]["ColdStart"] for s in segments] == [True, False]
    assert {s["annotations"]["Service"] for s in segments} == {"okaeri"}
    assert segments[0]["metadata"]["okaeri"]["handler response"] == {"echo": 2}


def test_tracing_on_follows_powertools_rule() -> None:
    assert tracing_on({"LAMBDA_TASK_ROOT": "/var/task"})
    assert tracing_on({"LAMBDA_TASK_ROOT": "/var/task", "POWERTOOLS_TRACE_DISABLED": "false"})
    assert not tracing_on({"LAMBDA_TASK_ROOT": "/var/task", "POWERTOOLS_TRACE_DISABLED": "1"})
    assert not tracing_on({"LAMBDA_TASK_ROOT": "/var/task", "AWS_CHALICE_CLI_MODE": "local"})
    assert not tracing_on({})
