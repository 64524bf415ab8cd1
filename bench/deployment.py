"""What the bench knows of the deployment: read from the CDK app, never typed again here.

``deployment()`` synthesizes the app offline once per process, as ``cdk synth`` runs it (without
cdk-nag's checks, which ``tests/infra`` makes), with cdk.json's context (the example settings a deployment starts from), the same way the tests of
``tests/infra`` do (``tests/infra/conftest.py``), into a temporary cloud assembly. It reads from the
template each function's memory size, timeout and reserved concurrency (a function is found by the
``functions/`` folder its code comes from and its handler, through ``tests/infra/cfn.py``), the
orders stream's event source mapping (batch size, parallelization factor, maximum record age)
and the orders table's partition key; and the SES send rate from the validated settings. When
``infra/`` changes a memory size, a concurrency or a stream setting, the bench follows.
"""

from __future__ import annotations

import atexit
import functools
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from infra.paths import ROOT
from infra.settings import CONTEXT_KEY, load_settings

if TYPE_CHECKING:
    from tests.infra.cfn import Function

#: What CloudFormation assumes when an event source mapping leaves a property out.
STREAM_DEFAULTS = {"BatchSize": 100, "ParallelizationFactor": 1, "MaximumBatchingWindowInSeconds": 0}


@dataclass(frozen=True)
class FunctionConfig:
    """One Lambda function of the template: ``<folder>:<handler>`` and what it is given."""

    entry: str
    memory_mb: int
    timeout_s: int
    reserved_concurrency: int | None
    synthesized: Function  # tests/infra/cfn.py's view: the asset folder, the environment


@dataclass(frozen=True)
class StreamSource:
    """The orders table's stream → a function: the event source mapping's settings."""

    function: str  # entry
    batch_size: int
    parallelization_factor: int
    batching_window_s: int
    max_record_age_s: int | None  # None: records are retried until they expire (24 hours)


@dataclass(frozen=True)
class Deployment:
    functions: dict[str, FunctionConfig]  # by entry, e.g. "send:handler.handler"
    orders_stream: StreamSource
    orders_partition_key: str  # the orders table's HASH attribute
    orders_billing: str  # PAY_PER_REQUEST or PROVISIONED
    send_rate: int  # mails a second SES allows (the deployment's settings)
    source: str  # where the figures come from, for the report

    def function(self, folder: str, handler: str = "handler.handler") -> FunctionConfig:
        return self.functions[f"{folder}:{handler}"]


def _context() -> dict[str, Any]:
    context: dict[str, Any] = json.loads((ROOT / "cdk.json").read_text(encoding="utf-8"))["context"]
    return context


def _synthesize() -> tuple[dict[str, Any], Path]:
    """The template and the cloud assembly's folder (removed when the process ends)."""
    os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")
    os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
    from aws_cdk import App

    from infra.app import STACK_NAME
    from infra.stack import OkaeriStack

    outdir = Path(tempfile.mkdtemp(prefix="okaeri-bench-cdk."))
    atexit.register(shutil.rmtree, outdir, ignore_errors=True)
    # infra.app.build_app without its cdk-nag validation: tests/infra judges the policies; the bench
    # only reads the template, and should not stop on a finding another change has yet to answer.
    app = App(context=_context(), outdir=str(outdir))
    OkaeriStack(app, STACK_NAME, settings=load_settings(app.node.try_get_context(CONTEXT_KEY)))
    app.synth()
    template: dict[str, Any] = json.loads(
        (outdir / f"{STACK_NAME}.template.json").read_text(encoding="utf-8")
    )
    return template, outdir


@functools.cache
def deployment() -> Deployment:
    """The deployment as the CDK app synthesizes it from cdk.json (about 15 s, once per process)."""
    from tests.infra.cfn import functions, table_ids
    from tests.infra.conftest import Synthesized

    template, outdir = _synthesize()
    synthesized = Synthesized(template=template, outdir=outdir)
    found = {
        entry: FunctionConfig(
            entry=entry,
            memory_mb=int(function.properties.get("MemorySize", 128)),
            timeout_s=int(function.properties.get("Timeout", 3)),
            reserved_concurrency=function.properties.get("ReservedConcurrentExecutions"),
            synthesized=function,
        )
        for entry, function in functions(synthesized).items()
    }
    by_logical_id = {config.synthesized.logical_id: entry for entry, config in found.items()}
    orders_id = table_ids(synthesized)["orders"]
    orders = template["Resources"][orders_id]["Properties"]
    [stream] = [
        resource["Properties"]
        for resource in synthesized.resources("AWS::Lambda::EventSourceMapping").values()
        if resource["Properties"].get("EventSourceArn") == {"Fn::GetAtt": [orders_id, "StreamArn"]}
    ]
    settings = {**STREAM_DEFAULTS, **stream}
    [partition_key] = [key["AttributeName"] for key in orders["KeySchema"] if key["KeyType"] == "HASH"]
    return Deployment(
        functions=found,
        orders_stream=StreamSource(
            function=by_logical_id[stream["FunctionName"]["Ref"]],
            batch_size=int(settings["BatchSize"]),
            parallelization_factor=int(settings["ParallelizationFactor"]),
            batching_window_s=int(settings["MaximumBatchingWindowInSeconds"]),
            max_record_age_s=(
                int(stream["MaximumRecordAgeInSeconds"])
                if stream.get("MaximumRecordAgeInSeconds", -1) != -1
                else None
            ),
        ),
        orders_partition_key=partition_key,
        orders_billing=str(orders.get("BillingMode", "PROVISIONED")),
        send_rate=load_settings(_context()[CONTEXT_KEY]).send_rate,
        source="the CDK app synthesized with cdk.json's context",
    )


if __name__ == "__main__":
    found = deployment()
    for config in found.functions.values():
        print(f"{config.entry:<32} {config.memory_mb:>5} MB  timeout {config.timeout_s:>3} s  "
              f"reserved concurrency {config.reserved_concurrency}")  # fmt: skip
    print(found.orders_stream, f"orders partition key {found.orders_partition_key!r}",
          f"{found.orders_billing}, send_rate {found.send_rate}/s", sep="\n")  # fmt: skip
