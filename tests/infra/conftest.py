"""The CDK app synthesized once per session, offline, exactly as ``cdk synth`` runs it.

``make test`` builds the page and the layer first (``make build``); synthesis needs both assets.
The app gets cdk.json's context (feature flags and the example settings), with two shops so the
per-shop rules are exercised; cdk-nag runs as policy validation, so a finding fails the synth.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from infra.paths import LAYER_DIR, PAGE_DIR, ROOT

SETTINGS: dict[str, Any] = {
    "account": "123456789012",
    "region": "ap-northeast-1",
    "sending_domain": "mail.example.jp",
    "receiving_domain": "in.example.jp",
    "shops": [
        {"id": "demo"},
        {"id": "tea-shop", "addresses": ["tea@in.example.jp", "orders+tea@in.example.jp"]},
    ],
    "send_rate": 14,
    "raw_mail_retention_days": 90,
    "data_retention_days": 730,
    "log_retention_days": 90,
    "alarm_email": "ops@example.jp",
}


def cdk_context(settings: dict[str, Any] | None = None) -> dict[str, Any]:
    """cdk.json's context, with ``settings`` as the deployment's (the test settings by default)."""
    context: dict[str, Any] = json.loads((ROOT / "cdk.json").read_text(encoding="utf-8"))["context"]
    return {**context, "okaeri": settings if settings is not None else SETTINGS}


@dataclass(frozen=True)
class Synthesized:
    template: dict[str, Any]
    outdir: Path

    def resources(self, kind: str) -> dict[str, dict[str, Any]]:
        return {name: res for name, res in self.template["Resources"].items() if res["Type"] == kind}


@pytest.fixture(scope="session")
def synthesized(tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    if not (LAYER_DIR / "python").is_dir() or not (PAGE_DIR / "index.html").is_file():
        pytest.skip("the layer or the admin page is not built: run `make build` (make test does)")
    os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")
    os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
    from infra.app import STACK_NAME, build_app

    outdir = tmp_path_factory.mktemp("cdk.out")
    app = build_app(context=cdk_context(), outdir=outdir)
    app.synth()  # cdk-nag: raises on any finding without an acknowledgement
    template = json.loads((outdir / f"{STACK_NAME}.template.json").read_text(encoding="utf-8"))
    return Synthesized(template=template, outdir=outdir)


@pytest.fixture(scope="session")
def template(synthesized: Synthesized) -> Any:
    """``aws_cdk.assertions.Template`` over the synthesized stack."""
    from aws_cdk.assertions import Template

    return Template.from_json(synthesized.template)
