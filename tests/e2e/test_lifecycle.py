"""Starting and stopping the local stack: ports, threads, the environment, Ctrl-C, busy ports."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from okaeri.errors import ConfigError
from okaeri_dev import stack as stack_module
from okaeri_dev.stack import LocalStack, MotoServer
from tests.e2e.conftest import running_stack

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_SECONDS = 120  # a cold interpreter importing moto on a busy 2-core machine
STOP_TIMEOUT_SECONDS = 60


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def listening(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(2)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def stack_threads(before: set[threading.Thread]) -> list[str]:
    """Threads the stack started that are still alive (its own, and aiosmtpd's controller)."""
    return [
        thread.name
        for thread in threading.enumerate()
        if thread not in before and (thread.name.startswith("okaeri-dev") or thread.name.endswith("(_run)"))
    ]


def wait_until(condition: object, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if callable(condition) and condition():
            return True
        time.sleep(0.1)
    return False


@contextmanager
def occupied() -> Iterator[int]:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        yield int(busy.getsockname()[1])


def test_stop_closes_every_port_and_thread_and_restores_the_environment() -> None:
    before = set(threading.enumerate())
    endpoint = os.environ.get("AWS_ENDPOINT_URL")
    with running_stack(tick_seconds=0.2) as stack:
        ports = [
            int(stack.gateway_url.rsplit(":", 1)[1]),
            stack.smtp_port,
            int(stack.aws_url.rsplit(":", 1)[1]),
        ]
        assert all(listening(port) for port in ports)
        assert os.environ["AWS_ENDPOINT_URL"] == stack.aws_url
        assert "okaeri-dev-dispatcher" in stack_threads(before)
    assert not any(listening(port) for port in ports)
    assert wait_until(lambda: not stack_threads(before), 10), stack_threads(before)
    assert os.environ.get("AWS_ENDPOINT_URL") == endpoint
    stack.stop()  # twice is fine


def test_only_one_stack_runs_in_a_process() -> None:
    with running_stack(tick_seconds=0), pytest.raises(ConfigError, match="already running"):
        LocalStack().start()


@pytest.mark.parametrize("which", ["port", "smtp_port", "aws_port"])
def test_a_busy_port_is_refused_at_once_and_nothing_is_left_open(
    which: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[int] = []

    class CountedMotoServer(MotoServer):
        def __init__(self, host: str, port: int) -> None:
            built.append(port)
            super().__init__(host, port)

    monkeypatch.setattr(stack_module, "MotoServer", CountedMotoServer)
    before = set(threading.enumerate())
    others = {name: free_port() for name in ("port", "smtp_port", "aws_port") if name != which}
    with occupied() as busy, pytest.raises(ConfigError) as refused:
        running_stack(**{which: busy, **others}, tick_seconds=0).__enter__()
    assert built == []  # at once: every port was tried before the first server was built
    option = "--" + which.replace("_", "-")
    assert option in refused.value.message_en
    assert option in refused.value.message_ja
    assert str(busy) in refused.value.message_en
    assert not any(listening(port) for port in others.values())
    assert wait_until(lambda: not stack_threads(before), 10), stack_threads(before)


def test_okaeri_dev_runs_until_ctrl_c_and_then_closes_its_ports() -> None:
    ports = {"--port": free_port(), "--smtp-port": free_port(), "--aws-port": free_port()}
    command = [sys.executable, "-m", "okaeri_dev", "--owner-password", "Okaeri-ctrl-c-1!", "--no-history"]
    for option, port in ports.items():
        command += [option, str(port)]
    process = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, encoding="utf-8"
    )
    lines: list[str] = []
    ready = threading.Event()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line)
            if "local stack ready" in line:
                ready.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        assert ready.wait(START_TIMEOUT_SECONDS), "".join(lines)
        gateway = f"http://127.0.0.1:{ports['--port']}"
        with urllib.request.urlopen(f"{gateway}/config.json", timeout=30) as answer:
            assert answer.status == 200
        process.send_signal(signal.SIGINT)
        assert process.wait(STOP_TIMEOUT_SECONDS) == 0, "".join(lines)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(STOP_TIMEOUT_SECONDS)
    reader.join(10)
    output = "".join(lines)
    assert "owner@okaeri.local  Okaeri-ctrl-c-1!" in output
    assert f"--smtp-port {ports['--smtp-port']} --port {ports['--port']}" in output  # the ready command
    assert "stopping" in output
    assert "Traceback" not in output
    assert not any(listening(port) for port in ports.values())
