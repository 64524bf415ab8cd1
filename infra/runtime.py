"""What every Lambda function runs with, beyond its own settings (no CDK here: the benches read it)."""

from __future__ import annotations

from typing import Final

from okaeri.observability import NAMESPACE, SERVICE

#: Every function's environment (bench/cold_start.py starts its interpreters with it too).
#: ``PYDANTIC_DISABLE_PLUGINS``: the layer holds no pydantic plugin, and looking for one reads the
#: metadata of every installed package when the first model is built, on every cold start.
RUNTIME_ENVIRONMENT: Final = {
    "POWERTOOLS_SERVICE_NAME": SERVICE,
    "POWERTOOLS_METRICS_NAMESPACE": NAMESPACE,
    "POWERTOOLS_LOG_LEVEL": "INFO",
    "PYDANTIC_DISABLE_PLUGINS": "__all__",
}
