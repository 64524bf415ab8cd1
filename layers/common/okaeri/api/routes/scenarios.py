"""``/api/shops/<shop_id>/scenarios``: follow-up scenarios, versioned, linted on every save.

- Reading (staff): the current version of each, one scenario (``?version=N`` for an old one), its
  versions; ``POST /scenarios/lint`` checks a scenario without saving it (the editor's live lint);
  ``POST /scenarios/<id>/preview`` plans it for a sample order (or the given one) at ``now``.
- Writing (manager): create (409 when the id exists), edit (a new version only when the content
  changed; deliveries already planned keep theirs), activate, deactivate, delete.
- Every save and every activation runs ``okaeri.compliance.lint_scenario`` against every profile
  the scenario's orders can follow (its ``sources``' malls; without a source condition the shop's
  profile and the malls it receives orders of) and the shop's templates: an error refuses it (422, each finding in ``details`` as
  ``step like: rakuten.max_30_days — 日本語 / English``); warnings are saved and answered.
- ``active`` changes only through ``/activate`` and ``/deactivate``: an edit keeps the state.
- Delete: only an inactive scenario (409 otherwise: deactivate it first, so a click never both
  stops mail and hides the scenario). It leaves the lists; its versions stay for the deliveries
  pinned to them; the same id may be created again and continues its version numbers.
"""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Query
from pydantic import BaseModel, ConfigDict, Field

from okaeri.api.common import MANAGER, SHOP_PATH, STAFF, IdempotencyKey, parse_moment, shop_caller
from okaeri.api.deps import AdminDeps
from okaeri.api.support import answers, operator
from okaeri.api.versioned import Version, create_once
from okaeri.models import Order, Scenario
from okaeri.models.admin import VersionInfo
from okaeri.services import scenarios
from okaeri.services.scenarios import LintAnswer, PlanPreview, SaveAnswer, ScenarioDeps, ScenarioState

TAGS = ["scenarios"]
ScenarioId = str  # checked after the caller: an id that cannot exist is a 404


class PreviewRequest(BaseModel):
    """Plan the scenario for ``order`` (default: a sample order placed at ``now``) at ``now``."""

    model_config = ConfigDict(extra="forbid")

    order: Order | None = None
    now: str | None = Field(default=None, max_length=64, description="ISO 8601 with offset; default: now")
    version: int | None = Field(default=None, ge=1, le=1_000_000)
    order_count: int | None = Field(default=None, ge=1, le=100_000, description="the customer's N-th order")


class PromoteRequest(BaseModel):
    """The A/B variant of a step to keep: the step sends its template alone from the new version."""

    model_config = ConfigDict(extra="forbid")

    step_id: str = Field(min_length=1, max_length=40)
    variant: str = Field(min_length=1, max_length=40)


def register(app: APIGatewayHttpResolver, deps: AdminDeps) -> None:
    service = ScenarioDeps(config=deps.config, logs=deps.logs, clock=deps.clock)
    _register_reads(app, deps)
    _register_writes(app, deps, service)
    _register_checks(app, deps)


def _register_reads(app: APIGatewayHttpResolver, deps: AdminDeps) -> None:
    @app.get(
        f"{SHOP_PATH}/scenarios", tags=TAGS, summary="シナリオ一覧 / scenarios", openapi_extensions=STAFF
    )
    def list_scenarios(shop_id: str) -> list[Scenario]:
        shop_caller(app, shop_id)
        return deps.config.scenarios(shop_id)

    @app.get(
        f"{SHOP_PATH}/scenarios/<scenario_id>",
        tags=TAGS,
        summary="シナリオ / a scenario",
        openapi_extensions=STAFF,
    )
    def get_scenario(shop_id: str, scenario_id: ScenarioId, version: Version = None) -> Scenario:
        shop_caller(app, shop_id)
        return scenarios.at_version(deps.config, shop_id, scenario_id, version)

    @app.get(
        f"{SHOP_PATH}/scenarios/<scenario_id>/versions",
        tags=TAGS,
        summary="シナリオの版 / a scenario's versions",
        openapi_extensions=STAFF,
    )
    def scenario_versions(shop_id: str, scenario_id: ScenarioId) -> list[VersionInfo]:
        shop_caller(app, shop_id)
        return scenarios.versions(deps.config, shop_id, scenario_id)


def _register_writes(app: APIGatewayHttpResolver, deps: AdminDeps, service: ScenarioDeps) -> None:
    @app.post(
        f"{SHOP_PATH}/scenarios",
        tags=TAGS,
        summary="シナリオの作成 / create a scenario",
        openapi_extensions=MANAGER,
        responses=answers(SaveAnswer, 201),
    )
    def create_scenario(
        shop_id: str, body: Scenario, idempotency_key: IdempotencyKey = None
    ) -> Response[Any]:
        caller = shop_caller(app, shop_id)
        return create_once(
            app, deps, shop_id, caller, lambda: scenarios.create(service, shop_id, body, by=operator(caller))
        )

    @app.put(
        f"{SHOP_PATH}/scenarios/<scenario_id>",
        tags=TAGS,
        summary="シナリオの保存（新しい版） / save a scenario (a new version)",
        openapi_extensions=MANAGER,
    )
    def put_scenario(
        shop_id: str,
        scenario_id: ScenarioId,
        body: Scenario,
        base_version: Annotated[
            int | None,
            Query(
                ge=1, le=1_000_000, description="the version the edit started from: 409 if another is current"
            ),
        ] = None,
    ) -> SaveAnswer:
        caller = shop_caller(app, shop_id)
        return scenarios.save(
            service, shop_id, scenario_id, body, base_version=base_version, by=operator(caller)
        )

    @app.post(
        f"{SHOP_PATH}/scenarios/<scenario_id>/promote",
        tags=TAGS,
        summary="A/B テストの勝者に切り替える（新しい版） / promote an A/B variant (a new version)",
        openapi_extensions=MANAGER,
    )
    def promote(shop_id: str, scenario_id: ScenarioId, body: PromoteRequest) -> SaveAnswer:
        caller = shop_caller(app, shop_id)
        return scenarios.promote(
            service, shop_id, scenario_id, step_id=body.step_id, variant=body.variant, by=operator(caller)
        )

    @app.post(
        f"{SHOP_PATH}/scenarios/<scenario_id>/activate",
        tags=TAGS,
        summary="シナリオの開始 / activate a scenario",
        openapi_extensions=MANAGER,
    )
    def activate(shop_id: str, scenario_id: ScenarioId) -> ScenarioState:
        caller = shop_caller(app, shop_id)
        return scenarios.activate(service, shop_id, scenario_id, by=operator(caller))

    @app.post(
        f"{SHOP_PATH}/scenarios/<scenario_id>/deactivate",
        tags=TAGS,
        summary="シナリオの停止 / deactivate a scenario",
        openapi_extensions=MANAGER,
    )
    def deactivate(shop_id: str, scenario_id: ScenarioId) -> ScenarioState:
        caller = shop_caller(app, shop_id)
        return scenarios.deactivate(service, shop_id, scenario_id, by=operator(caller))

    @app.delete(
        f"{SHOP_PATH}/scenarios/<scenario_id>",
        tags=TAGS,
        summary="シナリオの削除（停止後） / delete an inactive scenario",
        openapi_extensions=MANAGER,
    )
    def delete_scenario(shop_id: str, scenario_id: ScenarioId) -> ScenarioState:
        caller = shop_caller(app, shop_id)
        return scenarios.delete(service, shop_id, scenario_id, by=operator(caller))


def _register_checks(app: APIGatewayHttpResolver, deps: AdminDeps) -> None:
    @app.post(
        f"{SHOP_PATH}/scenarios/lint",
        tags=TAGS,
        summary="保存せずにチェック / lint without saving",
        openapi_extensions=STAFF,
    )
    def lint_only(shop_id: str, body: Scenario) -> LintAnswer:
        shop_caller(app, shop_id)
        return scenarios.lint(deps.config, shop_id, body)

    @app.post(
        f"{SHOP_PATH}/scenarios/<scenario_id>/preview",
        tags=TAGS,
        summary="送信予定のプレビュー / plan preview",
        openapi_extensions=STAFF,
    )
    def preview(shop_id: str, scenario_id: ScenarioId, body: PreviewRequest) -> PlanPreview:
        shop_caller(app, shop_id)
        return scenarios.plan_preview(
            deps.config,
            shop_id,
            scenario_id,
            now=parse_moment(body.now, "now") or deps.clock.now(),
            version=body.version,
            order=body.order,
            order_count=body.order_count,
        )
