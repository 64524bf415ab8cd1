"""``python -m okaeri_dev``'s command line: its options, and the local stack imported only when it runs."""

from __future__ import annotations

import subprocess
import sys

import pytest

from okaeri_dev.cli import build_parser


def test_the_options_and_their_defaults() -> None:
    args = build_parser().parse_args([])
    assert (args.port, args.smtp_port, args.aws_port, args.owner_password) == (8080, 2525, 5000, None)
    args = build_parser().parse_args(
        [
            "--port",
            "0",
            "--smtp-port",
            "2526",
            "--aws-port",
            "5001",
            "--owner-password",
            "Pw-1234567890!",
        ]
    )
    assert (args.port, args.smtp_port, args.aws_port, args.owner_password) == (
        0,
        2526,
        5001,
        "Pw-1234567890!",
    )


@pytest.mark.parametrize("port", ["65536", "-1", "http"])
def test_a_port_that_is_not_one_is_refused(port: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as refused:
        build_parser().parse_args(["--port", port])
    assert refused.value.code == 2
    assert "--port" in capsys.readouterr().err


def test_the_command_line_does_not_load_the_local_stack_until_it_runs() -> None:
    code = (
        "import sys, okaeri_dev.cli; okaeri_dev.cli.build_parser(); print('okaeri_dev.stack' in sys.modules)"
    )
    answer = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert answer.stdout.strip() == "False"
