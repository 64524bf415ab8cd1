"""``okaeri dev`` (``make dev``; also ``python -m okaeri_dev``): the local stack's command line, its
options and its run.

It lives with the local stack, not in ``okaeri.cli``: the Lambda layer's code never imports the
development infrastructure. The installed ``okaeri`` command is :func:`okaeri_main`: the layer's
commands (``okaeri.cli``) and ``dev``. The stack itself (moto, werkzeug, the handlers) is imported only when it
runs, so ``--help`` answers at once.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from okaeri.errors import OkaeriError

EXIT_REFUSED = 1


def _port(value: str) -> int:
    port = int(value)
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"not a port: {value}")
    return port


def build_parser(prog: str = "okaeri dev") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="run all of Okaeri on this machine (the local stack; Ctrl-C stops it)",
    )
    parser.add_argument("--port", type=_port, default=8080, help="admin page, API and /dev/ (default 8080)")
    parser.add_argument(
        "--smtp-port", type=_port, default=2525, help="order mail in, as SES inbound (default 2525)"
    )
    parser.add_argument("--aws-port", type=_port, default=5000, help="the AWS emulator, moto (default 5000)")
    parser.add_argument(
        "--owner-password", help="owner@okaeri.local's password (default: a fresh one, printed)"
    )
    parser.add_argument(
        "--no-history",
        dest="history",
        action="store_false",
        help="start the demo shop without its 120 days of orders and mails (faster; default: with them)",
    )
    parser.add_argument(
        "--log-level",
        default="INFO",
        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        help="the handlers' JSON log lines and the stack's own (default INFO)",
    )
    return parser


def okaeri_main(argv: Sequence[str] | None = None) -> int:
    """The ``okaeri`` command (pyproject's script): ``okaeri dev …`` runs the local stack, any other
    command is ``okaeri.cli``'s (parse, plan, render, lint, add-shop, …)."""
    from okaeri import cli

    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["dev"]:
        return main(args[1:])
    return cli.main(args)


def main(argv: Sequence[str] | None = None, *, prog: str = "okaeri dev") -> int:
    args = build_parser(prog).parse_args(argv)
    from okaeri_dev.stack import StackOptions, serve

    try:
        return serve(
            StackOptions(
                port=args.port,
                smtp_port=args.smtp_port,
                aws_port=args.aws_port,
                owner_password=args.owner_password,
                history=args.history,
            ),
            log_level=args.log_level,
        )
    except OkaeriError as exc:
        print(f"okaeri_dev: [{exc.code}] {exc.message_ja}", file=sys.stderr)
        print(f"okaeri_dev: [{exc.code}] {exc.message_en}", file=sys.stderr)
        return EXIT_REFUSED
