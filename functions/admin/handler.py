"""Admin API (API Gateway HTTP API, payload 2.0): the routes live in ``okaeri.api``.

The API is built once per cold start with the function's settings and the admin page's built files
(``static/``), and each area of routes when it is first asked for; the local stack and the tests
build their own with ``okaeri.api.build_api``.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from okaeri.api import AdminApi, build_api
from okaeri.observability import logger, metrics, tracer
from okaeri.wiring import admin_deps

#: The admin page, built from ``web/`` by ``make web`` and shipped with this function.
PAGE_DIR = Path(__file__).parent / "static"


@cache
def _app() -> AdminApi:
    return build_api(admin_deps(), page_dir=PAGE_DIR)


def handle(event: dict[str, Any], app: AdminApi, context: Any = None) -> dict[str, Any]:
    return app.resolve(event, context)


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return handle(event, _app(), context)
