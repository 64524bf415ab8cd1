"""The CDK app (``cdk.json`` runs ``python -m infra.app``): settings from the context, the stack, and
cdk-nag's AwsSolutions and Serverless packs as policy validation (synth fails on an unacknowledged
finding; each acknowledgement in infra/ carries its reason)."""

from __future__ import annotations

import sys
from pathlib import Path

from aws_cdk import App, Validations
from cdk_nag import AwsSolutionsChecks, ServerlessChecks

from infra.settings import CONTEXT_KEY, DeploymentSettings, load_settings
from infra.stack import OkaeriStack
from okaeri.errors import ConfigError

STACK_NAME = "Okaeri"


def build_app(*, context: dict[str, object] | None = None, outdir: Path | None = None) -> App:
    """The app with its stack; ``context`` stands in for cdk.json's (tests)."""
    app = App(context=context, outdir=str(outdir) if outdir else None)
    settings: DeploymentSettings = load_settings(app.node.try_get_context(CONTEXT_KEY))
    OkaeriStack(app, STACK_NAME, settings=settings)
    Validations.of(app).add_plugins(AwsSolutionsChecks(app), ServerlessChecks(app))
    return app


def main() -> int:
    try:
        app = build_app()
    except ConfigError as exc:
        print(exc.message_ja, exc.message_en, sep="\n", file=sys.stderr)
        return 2
    app.synth()
    return 0


if __name__ == "__main__":
    sys.exit(main())
