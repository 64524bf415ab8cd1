"""One observability module: the Powertools logger, tracer and metrics every handler uses.

Handlers decorate in the same order everywhere::

    @logger.inject_lambda_context(clear_state=True)
    @tracer.capture_lambda_handler
    @metrics.log_metrics
    def handler(event, context): ...

Business metrics (namespace ``Okaeri``): the names in ``okaeri.metrics`` (see docs/operations.md).

The tracer is Powertools' ``Tracer``, made on the first traced call and only when tracing is on:
making one imports the X-Ray SDK and patches botocore, even when tracing is off, and an import of
the handler (the cold start) would pay for it.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.shared.functions import resolve_truthy_env_var_choice

if TYPE_CHECKING:
    from aws_lambda_powertools import Tracer

    from okaeri.metrics import Metric

SERVICE = "okaeri"
NAMESPACE = "Okaeri"

Handler = TypeVar("Handler", bound=Callable[..., Any])


def tracing_on(environ: Mapping[str, str] = os.environ) -> bool:
    """Powertools' own rule: in Lambda (``LAMBDA_TASK_ROOT``), not SAM's or Chalice's local runs, and
    not turned off by ``POWERTOOLS_TRACE_DISABLED``. Lambda with active tracing (every function, see
    infra/lambda_function.py) then sends the segments to its X-Ray daemon."""
    if resolve_truthy_env_var_choice(env=environ.get("POWERTOOLS_TRACE_DISABLED", "false")):
        return False
    local = environ.get("AWS_SAM_LOCAL") or environ.get("AWS_CHALICE_CLI_MODE")
    return bool(environ.get("LAMBDA_TASK_ROOT")) and not local


class LazyTracer:
    """``capture_lambda_handler`` as Powertools' ``Tracer`` has it, the ``Tracer`` made on the first
    call when ``tracing_on()``; when tracing is off the handler runs as it is and nothing of X-Ray is
    imported."""

    def __init__(self, service: str) -> None:
        self.service = service
        self._tracer: Tracer | None = None

    @property
    def tracer(self) -> Tracer:
        """The Powertools tracer, made once (it imports the X-Ray SDK and patches botocore)."""
        if self._tracer is None:
            from aws_lambda_powertools import Tracer

            self._tracer = Tracer(service=self.service)
        return self._tracer

    def capture_lambda_handler(self, handler: Handler) -> Handler:
        traced: Callable[..., Any] | None = None

        @functools.wraps(handler)
        def decorated(event: Any, context: Any = None, **kwargs: Any) -> Any:
            nonlocal traced
            if traced is None:
                traced = self.tracer.capture_lambda_handler(handler) if tracing_on() else handler
            return traced(event, context, **kwargs)

        return cast(Handler, decorated)


logger = Logger(service=SERVICE)
tracer = LazyTracer(service=SERVICE)
metrics = Metrics(namespace=NAMESPACE, service=SERVICE)


def count(name: Metric, value: int = 1) -> None:
    """Add a business metric (a count)."""
    if value:
        metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)
