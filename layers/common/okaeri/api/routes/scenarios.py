"""``/api/shops/<shop_id>/scenarios``: follow-up scenarios, versioned, linted on every save.

- Reading (staff): the current version of each, one scenario (``?version=N`` for an old one), its
  versions; ``POST /scenarios/lint`` checks a scenario without saving it (the editor's live lint);
  ``POST /scenarios/<id>/preview`` plans it for a sample order (or the given one) at ``now``.
- Writing (manager): create (409 when the id exists), edit (a new version only when the content
  changed; deliveries already planned keep theirs), activate, deactivate, delete.
- Every save and every activation runs ``okaeri.compliance.lint_scenario`` against the shop's
  profile and the shop's templates: an error refuses it (422, each finding in ``details`` as
  ``step like: rakuten.max_30_days — 日本語 / English``); warnings are saved and answered.
- ``active`` changes only through ``/activate`` and ``/deactivate``: an edit keeps the state.
- Delete: only an inactive scenario (409 otherwise: deactivate it first, so a click never both
  stops mail and hides the scenario). It leaves the lists; its versions stay for the deliveries
  pinned to them; the same id may be created again and continues its version numbers.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Query
from pydantic import BaseModel, ConfigDict, Field

from okaeri.api.auth import Caller
from okaeri.api.common import MANAGER, SHOP_PATH, STAFF, IdempotencyKey, parse_moment, shop_caller
from okaeri.api.deps import AdminDeps
from okaeri.api.support import answers, audit
from okaeri.api.versioned import DocumentKind, Version, create_once
from okaeri.aws.config import VersionInfo
from okaeri.compliance import has_errors, lint_scenario
from okaeri.errors import ConflictError
from okaeri.models import Finding, Order, PlannedDelivery, Scenario, Shop, SkippedStep, Trigger
from okaeri.planner import conditions_match, plan_scenario, select_scenarios
from okaeri.samples import sample_order, sample_order_count
from okaeri.services.config_admin import (
    SAVED_EN,
    SAVED_JA,
    UNCHANGED_EN,
    UNCHANGED_JA,
    check_same_id,
    refuse_errors,
)
from okaeri.services.operations import shop_of

TAGS = ["scenarios"]
SCENARIO = DocumentKind("scenario", "シナリオ")
ScenarioId = str  # checked after the caller: an id that cannot exist is a 404


class SaveAnswer(BaseModel):
    """What a save did: the version now current, whether it is new, and the lint's warnings."""

    id: str
    version: int
    changed: bool
    active: bool
    findings: list[Finding]
    message_ja: str
    message_en: str


class ScenarioState(BaseModel):
    id: str
    version: int
    active: bool
    deleted: bool = False
    findings: list[Finding] = []


class LintAnswer(BaseModel):
    scenario: str
    profile: str
    ok: bool
    findings: list[Finding]


class PreviewRequest(BaseModel):
    """Plan the scenario for ``order`` (default: a sample order placed at ``now``) at ``now``."""

    model_config = ConfigDict(extra="forbid")

    order: Order | None = None
    now: str | None = Field(default=None, max_length=64, description="ISO 8601 with offset; default: now")
    version: int | None = Field(default=None, ge=1, le=1_000_000)
    order_count: int | None = Field(default=None, ge=1, le=100_000, description="the customer's N-th order")


class PlanPreview(BaseModel):
    """The plan (as ``okaeri plan`` prints it for this scenario) and whether the order would get it.

    ``matches``: the scenario's conditions hold for the order; ``active``: the scenario (as it is
    now, whatever version is planned) is started, so real orders can get it; ``selected``: the
    scenario the shop's active scenarios would pick for this order and trigger now, with its
    ``selected_priority`` (another one may win on priority, or on a tie by coming first; a stopped
    scenario never wins, whatever its ``priority``).
    """

    scenario: str
    scenario_version: int
    trigger: Trigger
    ship_date: date | None
    deliveries: list[PlannedDelivery]
    skipped: list[SkippedStep]
    now: datetime
    sample: bool
    order: Order
    order_count: int
    matches: bool
    active: bool
    priority: int
    selected: str | None
    selected_priority: int | None


def _current(deps: AdminDeps, shop_id: str, scenario_id: str) -> Scenario:
    scenario = deps.config.scenario(shop_id, scenario_id) if SCENARIO.possible(scenario_id) else None
    if scenario is None:
        raise SCENARIO.not_found(scenario_id)
    return scenario


def _at_version(deps: AdminDeps, shop_id: str, scenario_id: str, version: int | None) -> Scenario:
    """The current version, or an older one (404 when the scenario is gone or has no such version)."""
    scenario = _current(deps, shop_id, scenario_id)
    if version is None or version == scenario.version:
        return scenario
    old = deps.config.scenario_version(shop_id, scenario_id, version)
    if old is None:
        raise SCENARIO.not_found(scenario_id, version)
    return old


def _lint(deps: AdminDeps, shop: Shop, scenario: Scenario) -> list[Finding]:
    templates = {template.id: template for template in deps.config.templates(shop.id)}
    return lint_scenario(shop, scenario, templates=templates)


def _save(
    deps: AdminDeps, shop_id: str, caller: Caller, scenario: Scenario, *, previous: Scenario | None
) -> SaveAnswer:
    """Lint (errors refuse), store (a new version only when changed), audit, answer."""
    SCENARIO.check_size(scenario)
    findings = refuse_errors(scenario.id, _lint(deps, shop_of(deps.config, shop_id), scenario))
    saved = deps.config.save_scenario(shop_id, scenario, new=previous is None)
    changed = SCENARIO.record_save(deps, shop_id, caller, saved, previous)
    return SaveAnswer(
        id=saved.id,
        version=saved.version,
        changed=changed,
        active=saved.active,
        findings=findings,
        message_ja=SAVED_JA if changed else UNCHANGED_JA,
        message_en=SAVED_EN if changed else UNCHANGED_EN,
    )


def register(app: APIGatewayHttpResolver, deps: AdminDeps) -> None:
    _register_reads(app, deps)
    _register_writes(app, deps)
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
        return _at_version(deps, shop_id, scenario_id, version)

    @app.get(
        f"{SHOP_PATH}/scenarios/<scenario_id>/versions",
        tags=TAGS,
        summary="シナリオの版 / a scenario's versions",
        openapi_extensions=STAFF,
    )
    def scenario_versions(shop_id: str, scenario_id: ScenarioId) -> list[VersionInfo]:
        shop_caller(app, shop_id)
        return SCENARIO.versions(scenario_id, deps.config.scenario_versions(shop_id, scenario_id))


def _register_writes(app: APIGatewayHttpResolver, deps: AdminDeps) -> None:
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
            app, deps, shop_id, caller, lambda: _save(deps, shop_id, caller, body, previous=None)
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
        check_same_id(body.id, scenario_id)
        previous = _current(deps, shop_id, scenario_id)
        if base_version is not None and base_version != previous.version:
            raise ConflictError(
                f"シナリオ {scenario_id} は編集中に版 {previous.version} に更新されました。読み込み直してください",
                f"scenario {scenario_id} moved to version {previous.version} meanwhile; reload it",
            )
        return _save(
            deps, shop_id, caller, body.model_copy(update={"active": previous.active}), previous=previous
        )

    @app.post(
        f"{SHOP_PATH}/scenarios/<scenario_id>/activate",
        tags=TAGS,
        summary="シナリオの開始 / activate a scenario",
        openapi_extensions=MANAGER,
    )
    def activate(shop_id: str, scenario_id: ScenarioId) -> ScenarioState:
        caller = shop_caller(app, shop_id)
        scenario = _current(deps, shop_id, scenario_id)
        findings = refuse_errors(scenario_id, _lint(deps, shop_of(deps.config, shop_id), scenario))
        switched = deps.config.set_scenario_active(shop_id, scenario_id, True)
        if not scenario.active:
            audit(deps, shop_id, caller, "scenario.activate", scenario=scenario_id, version=switched.version)
        return ScenarioState(id=scenario_id, version=switched.version, active=True, findings=findings)

    @app.post(
        f"{SHOP_PATH}/scenarios/<scenario_id>/deactivate",
        tags=TAGS,
        summary="シナリオの停止 / deactivate a scenario",
        openapi_extensions=MANAGER,
    )
    def deactivate(shop_id: str, scenario_id: ScenarioId) -> ScenarioState:
        caller = shop_caller(app, shop_id)
        scenario = _current(deps, shop_id, scenario_id)
        switched = deps.config.set_scenario_active(shop_id, scenario_id, False)
        if scenario.active:
            audit(
                deps, shop_id, caller, "scenario.deactivate", scenario=scenario_id, version=switched.version
            )
        return ScenarioState(id=scenario_id, version=switched.version, active=False)

    @app.delete(
        f"{SHOP_PATH}/scenarios/<scenario_id>",
        tags=TAGS,
        summary="シナリオの削除（停止後） / delete an inactive scenario",
        openapi_extensions=MANAGER,
    )
    def delete_scenario(shop_id: str, scenario_id: ScenarioId) -> ScenarioState:
        caller = shop_caller(app, shop_id)
        deleted = deps.config.delete_scenario(shop_id, scenario_id)
        audit(deps, shop_id, caller, "scenario.delete", scenario=scenario_id, version=deleted.version)
        return ScenarioState(id=scenario_id, version=deleted.version, active=False, deleted=True)


def _register_checks(app: APIGatewayHttpResolver, deps: AdminDeps) -> None:
    @app.post(
        f"{SHOP_PATH}/scenarios/lint",
        tags=TAGS,
        summary="保存せずにチェック / lint without saving",
        openapi_extensions=STAFF,
    )
    def lint_only(shop_id: str, body: Scenario) -> LintAnswer:
        shop_caller(app, shop_id)
        shop = shop_of(deps.config, shop_id)
        findings = _lint(deps, shop, body)
        return LintAnswer(
            scenario=body.id, profile=shop.compliance, ok=not has_errors(findings), findings=findings
        )

    @app.post(
        f"{SHOP_PATH}/scenarios/<scenario_id>/preview",
        tags=TAGS,
        summary="送信予定のプレビュー / plan preview",
        openapi_extensions=STAFF,
    )
    def preview(shop_id: str, scenario_id: ScenarioId, body: PreviewRequest) -> PlanPreview:
        shop_caller(app, shop_id)
        shop = shop_of(deps.config, shop_id)
        scenario = _at_version(deps, shop_id, scenario_id, body.version)
        now = parse_moment(body.now, "now") or deps.clock.now()
        order = body.order or sample_order(shop, now, scenario.conditions)
        count = body.order_count or (sample_order_count(scenario.conditions) if body.order is None else 1)
        plan = plan_scenario(shop, scenario, order, now=now)
        chosen = select_scenarios(
            [s for s in deps.config.active_scenarios(shop_id) if s.trigger == scenario.trigger],
            order,
            order_count=count,
        )
        return PlanPreview(
            scenario=scenario.id,
            scenario_version=scenario.version,
            trigger=scenario.trigger,
            ship_date=plan.ship_date,
            deliveries=plan.deliveries,
            skipped=plan.skipped,
            now=now,
            sample=body.order is None,
            order=order,
            order_count=count,
            matches=conditions_match(scenario.conditions, order, order_count=count),
            active=_current(deps, shop_id, scenario_id).active,
            priority=scenario.priority,
            selected=chosen[0].id if chosen else None,
            selected_priority=chosen[0].priority if chosen else None,
        )
