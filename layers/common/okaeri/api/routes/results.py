"""``/api/shops/<shop>/results``: what each scenario and step earned (see ``okaeri.services.results``).

- ``GET /results?days=N`` (staff): per scenario its runs, repeats and lift over a holdout group,
  per step and A/B variant its mails, conversions and revenue — from the daily counters only.
- ``GET /results.csv?days=N`` (staff): the same figures as CSV (UTF-8 with a BOM, for Excel).
"""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from okaeri.api.common import SHOP_PATH, STAFF, shop_caller
from okaeri.api.deps import AdminDeps
from okaeri.api.responses import JSON_HEADERS
from okaeri.services.results import DEFAULT_DAYS, MAX_DAYS, Results, results, results_csv

TAGS = ["results"]
CSV_TYPE = "text/csv; charset=utf-8"
BOM = "\ufeff"
Days = Annotated[int, Query(ge=1, le=MAX_DAYS, description="days back, today included")]


def register(app: APIGatewayHttpResolver, deps: AdminDeps) -> None:
    @app.get(
        f"{SHOP_PATH}/results",
        tags=TAGS,
        summary="成果（シナリオ・ステップ別の再購入、売上、ホールドアウトとの差、A/B） / results",
        openapi_extensions=STAFF,
    )
    def get_results(shop_id: str, days: Days = DEFAULT_DAYS) -> Results:
        shop_caller(app, shop_id)
        return results(deps.config, deps.clock, shop_id, days=days)

    @app.get(
        f"{SHOP_PATH}/results.csv",
        tags=TAGS,
        summary="成果の CSV / the results as CSV",
        openapi_extensions=STAFF,
        responses={200: {"description": "the results as CSV (UTF-8 with BOM)", "content": {CSV_TYPE: {}}}},
    )
    def get_results_csv(shop_id: str, days: Days = DEFAULT_DAYS) -> Response[str]:
        shop_caller(app, shop_id)
        answer = results(deps.config, deps.clock, shop_id, days=days)
        name = f"okaeri-results-{shop_id}-{answer.day_from.isoformat()}-{answer.day_to.isoformat()}.csv"
        headers = {**JSON_HEADERS, "Content-Disposition": f'attachment; filename="{name}"'}
        return Response(200, CSV_TYPE, BOM + results_csv(answer), headers=headers)
