"""``python -m okaeri_dev``'s command line: its options, and the local stack imported only when it runs."""

from __future__ import annotations

import subprocess
import sys

import pytest

from okaeri_dev.cli import build_parser


def test_the_options_and_their_defaults() -> None:
    args = build_parser().parse_args([])
    assert (args.port, args.smtp_port, args.aws_port, args.owner_password) == (8080, 2525, 5000, None)
    assert args.history is True  # the demo shop starts with its history
    assert build_parser().parse_args(["--no-history"]).history is False
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


def test_the_okaeri_command_runs_dev_and_the_layers_commands(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``okaeri dev`` (what ``make dev`` runs, pyproject's script) is the local stack; every other
    command is ``okaeri.cli``'s, which the Lambda layer holds without the local stack."""
    from okaeri_dev import cli

    started: list[list[str]] = []
    monkeypatch.setattr(cli, "main", lambda argv, **_: started.append(list(argv)) or 0)
    assert cli.okaeri_main(["dev", "--port", "0"]) == 0
    assert started == [["--port", "0"]]

    monkeypatch.undo()
    with pytest.raises(SystemExit) as shown:
        cli.okaeri_main(["dev", "--help"])
    assert shown.value.code == 0
    assert "usage: okaeri dev" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        cli.okaeri_main(["--help"])
    assert "parse" in capsys.readouterr().out
    assert started == [["--port", "0"]]  # neither went to the local stack


def test_pyprojects_okaeri_script_is_that_command() -> None:
    import tomllib

    from tests.conftest import ROOT

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["scripts"]["okaeri"] == "okaeri_dev.cli:okaeri_main"
