"""Follow-up scenarios as operators edit them: versioned, linted on every save and activation,
planned for a sample order.

- Every save and every activation runs ``okaeri.compliance.lint_scenario`` against every profile
  the scenario's orders can follow (its ``sources`` condition's malls, or the shop's own profile and
  the malls the shop receives orders of) and the shop's templates: an error refuses it (422, each
  finding in ``details``); warnings are saved and answered.
- An edit makes a new version only when the content changed (deliveries already planned keep
  theirs) and keeps ``active``: it changes only through activation and deactivation. An edit
  started from another version than the current one is refused (409).
- Delete: only an inactive scenario (409 otherwise). Its versions stay for the deliveries pinned to
  them; the same id may be created again and continues its version numbers.
- Activation, deactivation and deletion are audited when they change something.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from pydantic import BaseModel

from okaeri.compliance import MallSources, has_errors, lint_scenario, scenario_profiles
from okaeri.errors import ConflictError, NotFoundError
from okaeri.models import Finding, Order, PlannedDelivery, Scenario, Shop, SkippedStep, Trigger
from okaeri.models.admin import VersionInfo
from okaeri.models.shop import ComplianceProfile
from okaeri.planner import conditions_match, plan_scenario, select_scenarios
from okaeri.ports import AdminConfig, Clock, Logs
from okaeri.samples import sample_order, sample_order_count
from okaeri.services.config_admin import (
    SAVED_EN,
    SAVED_JA,
    UNCHANGED_EN,
    UNCHANGED_JA,
    check_same_id,
    refuse_errors,
)
from okaeri.services.documents import DocumentKind, shop_of

SCENARIO = DocumentKind("scenario", "シナリオ")


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
    """``profile``: the shop's own; ``profiles``: every profile the scenario was checked under (the
    malls its ``sources`` condition names, or, without one, the shop's own and the malls the shop
    has received orders of)."""

    scenario: str
    profile: str
    profiles: list[ComplianceProfile]
    ok: bool
    findings: list[Finding]


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


@dataclass(frozen=True)
class ScenarioDeps:
    config: AdminConfig
    logs: Logs
    clock: Clock


# --- reading ---------------------------------------------------------------------------------------


def current(config: AdminConfig, shop_id: str, scenario_id: str) -> Scenario:
    """The current version; a 404 when there is none (or the id cannot be one)."""
    scenario = config.scenario(shop_id, scenario_id) if SCENARIO.possible(scenario_id) else None
    if scenario is None:
        raise SCENARIO.not_found(scenario_id)
    return scenario


def at_version(config: AdminConfig, shop_id: str, scenario_id: str, version: int | None) -> Scenario:
    """The current version, or an older one (404 when the scenario is gone or has no such version)."""
    scenario = current(config, shop_id, scenario_id)
    if version is None or version == scenario.version:
        return scenario
    old = config.scenario_version(shop_id, scenario_id, version)
    if old is None:
        raise SCENARIO.not_found(scenario_id, version)
    return old


def versions(config: AdminConfig, shop_id: str, scenario_id: str) -> list[VersionInfo]:
    return SCENARIO.versions(scenario_id, config.scenario_versions(shop_id, scenario_id))


def _lint(
    config: AdminConfig, shop: Shop, scenario: Scenario, received: MallSources | None = None
) -> list[Finding]:
    """The lint under every profile the scenario's orders can follow, by what the shop receives
    (``received``: the malls record, read here when not given)."""
    templates = {template.id: template for template in config.templates(shop.id)}
    if received is None:
        received = config.mall_sources(shop.id)
    return lint_scenario(shop, scenario, templates=templates, received=received)


def lint(config: AdminConfig, shop_id: str, scenario: Scenario) -> LintAnswer:
    """What the lint finds in ``scenario`` (not saved), and under which profiles."""
    shop = shop_of(config, shop_id)
    received = config.mall_sources(shop_id)
    findings = _lint(config, shop, scenario, received)
    return LintAnswer(
        scenario=scenario.id,
        profile=shop.compliance,
        profiles=scenario_profiles(shop, scenario, received),
        ok=not has_errors(findings),
        findings=findings,
    )


# --- writing ---------------------------------------------------------------------------------------


def _save(
    deps: ScenarioDeps, shop_id: str, scenario: Scenario, *, previous: Scenario | None, by: str
) -> SaveAnswer:
    """Lint (errors refuse), store (a new version only when changed), audit, answer."""
    SCENARIO.check_size(scenario)
    findings = refuse_errors(scenario.id, _lint(deps.config, shop_of(deps.config, shop_id), scenario))
    saved = deps.config.save_scenario(shop_id, scenario, new=previous is None)
    changed = SCENARIO.record_save(deps.logs, deps.clock, shop_id, saved, previous, by=by)
    return SaveAnswer(
        id=saved.id,
        version=saved.version,
        changed=changed,
        active=saved.active,
        findings=findings,
        message_ja=SAVED_JA if changed else UNCHANGED_JA,
        message_en=SAVED_EN if changed else UNCHANGED_EN,
    )


def create(deps: ScenarioDeps, shop_id: str, scenario: Scenario, *, by: str) -> SaveAnswer:
    """A new scenario (409 when the id exists)."""
    return _save(deps, shop_id, scenario, previous=None, by=by)


def save(
    deps: ScenarioDeps,
    shop_id: str,
    scenario_id: str,
    scenario: Scenario,
    *,
    base_version: int | None,
    by: str,
) -> SaveAnswer:
    """An edit of ``scenario_id`` started from ``base_version`` (when given); its state is kept."""
    check_same_id(scenario.id, scenario_id)
    previous = current(deps.config, shop_id, scenario_id)
    if base_version is not None and base_version != previous.version:
        raise ConflictError(
            f"シナリオ {scenario_id} は編集中に版 {previous.version} に更新されました。読み込み直してください",
            f"scenario {scenario_id} moved to version {previous.version} meanwhile; reload it",
        )
    edited = scenario.model_copy(update={"active": previous.active})
    return _save(deps, shop_id, edited, previous=previous, by=by)


def promote(
    deps: ScenarioDeps, shop_id: str, scenario_id: str, *, step_id: str, variant: str, by: str
) -> SaveAnswer:
    """A new version of the scenario whose step sends only ``variant``'s template (its A/B test is
    over); the same lint and audit as any save."""
    previous = current(deps.config, shop_id, scenario_id)
    step = next((candidate for candidate in previous.steps if candidate.id == step_id), None)
    if step is None:
        raise NotFoundError(
            f"シナリオ {scenario_id} にステップ {step_id} はありません",
            f"scenario {scenario_id} has no step {step_id}",
        )
    winner = next((candidate for candidate in step.variants or [] if candidate.id == variant), None)
    if winner is None:
        raise NotFoundError(
            f"ステップ {step_id} にバリエーション {variant} はありません",
            f"step {step_id} has no variant {variant}",
        )
    promoted = step.model_copy(update={"template": winner.template, "variants": None})
    steps = [promoted if candidate.id == step_id else candidate for candidate in previous.steps]
    return _save(deps, shop_id, previous.model_copy(update={"steps": steps}), previous=previous, by=by)


def activate(deps: ScenarioDeps, shop_id: str, scenario_id: str, *, by: str) -> ScenarioState:
    """Start the scenario, once the lint finds no error."""
    scenario = current(deps.config, shop_id, scenario_id)
    shop = shop_of(deps.config, shop_id)
    findings = refuse_errors(scenario_id, _lint(deps.config, shop, scenario))
    switched = deps.config.set_scenario_active(shop_id, scenario_id, True)
    if not scenario.active:
        SCENARIO.audit(deps.logs, deps.clock, shop_id, "activate", switched, by=by)
    return ScenarioState(id=scenario_id, version=switched.version, active=True, findings=findings)


def deactivate(deps: ScenarioDeps, shop_id: str, scenario_id: str, *, by: str) -> ScenarioState:
    scenario = current(deps.config, shop_id, scenario_id)
    switched = deps.config.set_scenario_active(shop_id, scenario_id, False)
    if scenario.active:
        SCENARIO.audit(deps.logs, deps.clock, shop_id, "deactivate", switched, by=by)
    return ScenarioState(id=scenario_id, version=switched.version, active=False)


def delete(deps: ScenarioDeps, shop_id: str, scenario_id: str, *, by: str) -> ScenarioState:
    """Out of the lists (it must be inactive: 409); its versions stay."""
    deleted = deps.config.delete_scenario(shop_id, scenario_id)
    SCENARIO.audit(deps.logs, deps.clock, shop_id, "delete", deleted, by=by)
    return ScenarioState(id=scenario_id, version=deleted.version, active=False, deleted=True)


# --- planning --------------------------------------------------------------------------------------


def plan_preview(
    config: AdminConfig,
    shop_id: str,
    scenario_id: str,
    *,
    now: datetime,
    version: int | None,
    order: Order | None,
    order_count: int | None,
) -> PlanPreview:
    """The scenario (``version``) planned for ``order`` (default: a sample order placed at ``now``),
    and whether the shop's active scenarios would pick it for that order."""
    shop = shop_of(config, shop_id)
    scenario = at_version(config, shop_id, scenario_id, version)
    planned_order = order or sample_order(shop, now, scenario.conditions)
    count = order_count or (sample_order_count(scenario.conditions) if order is None else 1)
    plan = plan_scenario(shop, scenario, planned_order, now=now)
    chosen = select_scenarios(
        [s for s in config.active_scenarios(shop_id) if s.trigger == scenario.trigger],
        planned_order,
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
        sample=order is None,
        order=planned_order,
        order_count=count,
        matches=conditions_match(scenario.conditions, planned_order, order_count=count),
        active=current(config, shop_id, scenario_id).active,
        priority=scenario.priority,
        selected=chosen[0].id if chosen else None,
        selected_priority=chosen[0].priority if chosen else None,
    )
