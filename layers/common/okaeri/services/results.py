"""The results: what each scenario and step earned over a shop's last ``days`` days (issue #15).

Read from the daily counters only (``ShopConfig.stats``, one query for the period), never from the
deliveries or orders of the period, so a view costs the same at ten orders or a million:

- per scenario (rows with step ``*``): runs started in each group (``runs_mailed`` /
  ``runs_held_out``) and those of them repeated (``repeated_*``), on the run's start day; the
  repeat rates, the lift (mailed − held out) with Newcombe's 95% interval, and whether it is
  conclusive (the interval excludes 0). A run started near the period's end has had less time to
  repeat: both groups alike, so the lift stays fair, and the rates rise as the days pass;
- per step (and A/B variant: rows ``<step>@<variant>``): ``sent``, ``held_out``, ``converted``
  and ``revenue`` (orders credited to the step's mails, on the order's day; a cancellation takes
  its credit back), the conversion rate (converted / sent) and revenue per mail; for a step with
  variants, the verdict of a two-proportion z-test (``okaeri.statistics.ab_verdict``); and the mails
  that did not go out because their customer ordered again (``reordered``) or the shop's frequency
  cap was reached (``frequency_capped``, counter ``frequency_cap``), on the day of the skip (issue #16).

Numbers are 0, and rates, lift and interval None, where nothing was sent or started.
"""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from datetime import date, timedelta
from typing import Final, Literal

from pydantic import BaseModel

from okaeri.attribution import SCENARIO_ROW, split_stats_id
from okaeri.models import Scenario, Step
from okaeri.models.scenario import HoldoutScope, Purpose
from okaeri.ports import AdminConfig, Clock
from okaeri.services.documents import shop_of
from okaeri.statistics import AB_METHOD, LIFT_METHOD, MIN_SAMPLE, AbArm, ab_verdict, lift, rate

MAX_DAYS: Final = 366
DEFAULT_DAYS: Final = 90
ORDERS_COUNTER: Final = "orders"
STEP_COUNTERS: Final = ("sent", "held_out", "converted", "revenue", "reordered", "frequency_cap")


class Groups(BaseModel):
    mailed: int = 0
    held_out: int = 0


class Rates(BaseModel):
    mailed: float | None
    held_out: float | None


class VariantResult(BaseModel):
    variant: str
    template: str | None  # None: a variant the step no longer has (counted before a promotion)
    weight: int | None
    sent: int
    held_out: int
    converted: int
    revenue: int
    conversion_rate: float | None
    reordered: int = 0
    frequency_capped: int = 0


class AbResult(BaseModel):
    verdict: Literal["winner", "undecided", "too_few"]
    winner: str | None
    p_value: float | None
    min_sample: int = MIN_SAMPLE


class StepResult(BaseModel):
    step_id: str
    purposes: list[Purpose]
    sent: int
    held_out: int
    converted: int
    revenue: int
    conversion_rate: float | None
    revenue_per_mail: float | None
    #: mails not sent: their customer ordered again (stop on reorder), or over the frequency cap
    reordered: int = 0
    frequency_capped: int = 0
    variants: list[VariantResult]
    ab: AbResult | None


class ScenarioResult(BaseModel):
    scenario_id: str
    name: str
    active: bool
    holdout_percent: int
    holdout_scope: HoldoutScope
    repeat_days: int
    runs: Groups
    repeated: Groups
    repeat_rate: Rates
    lift: float | None
    lift_interval: tuple[float, float] | None
    conclusive: bool
    more_runs_needed: int | None
    converted: int
    revenue: int
    steps: list[StepResult]


class Results(BaseModel):
    day_from: date
    day_to: date
    attribution_days: int
    orders: int
    lift_method: str = LIFT_METHOD
    ab_method: str = AB_METHOD
    scenarios: list[ScenarioResult]


#: (scenario id, step id or ``*``, variant or None) → counters over the period
_Sums = defaultdict[tuple[str, str, str | None], Counter[str]]


def results(config: AdminConfig, clock: Clock, shop_id: str, *, days: int) -> Results:
    """The shop's results over its last ``days`` days (today included, in its time zone)."""
    shop = shop_of(config, shop_id)
    today = clock.now().astimezone(shop.tz).date()
    day_from = today - timedelta(days=days - 1)
    sums: _Sums = defaultdict(Counter)
    orders = 0
    for row in config.stats(shop_id, day_from, today):
        if row.scenario_id == SCENARIO_ROW:
            orders += row.counters.get(ORDERS_COUNTER, 0)
            continue
        step_id, variant = split_stats_id(row.step_id)
        sums[(row.scenario_id, step_id, variant)].update(row.counters)
    scenarios = {scenario.id: scenario for scenario in config.scenarios(shop_id)}
    counted = sorted({scenario_id for scenario_id, _, _ in sums} - set(scenarios))
    return Results(
        day_from=day_from,
        day_to=today,
        attribution_days=shop.attribution_days,
        orders=orders,
        # a scenario deleted since, whose counters are in the period, is shown by its id
        scenarios=[_scenario(scenario.id, scenario, sums) for scenario in scenarios.values()]
        + [_scenario(scenario_id, None, sums) for scenario_id in counted],
    )


def _scenario(scenario_id: str, scenario: Scenario | None, sums: _Sums) -> ScenarioResult:
    runs = sums[(scenario_id, SCENARIO_ROW, None)]
    started = Groups(mailed=runs["runs_mailed"], held_out=runs["runs_held_out"])
    repeated = Groups(mailed=runs["repeated_mailed"], held_out=runs["repeated_held_out"])
    measured = lift(repeated.mailed, started.mailed, repeated.held_out, started.held_out)
    current = [] if scenario is None else scenario.steps
    steps = [
        _step(scenario_id, step_id, next((s for s in current if s.id == step_id), None), sums)
        for step_id in _step_ids(scenario_id, current, sums)
    ]
    settings = {
        "name": scenario_id if scenario is None else scenario.name,
        "active": scenario is not None and scenario.active,
        "holdout_percent": 0 if scenario is None else scenario.holdout_percent,
        "holdout_scope": "whole_run" if scenario is None else scenario.holdout_scope,
        "repeat_days": Scenario.model_fields["repeat_days"].default
        if scenario is None
        else scenario.repeat_days,
    }
    return ScenarioResult(
        scenario_id=scenario_id,
        **settings,
        runs=started,
        repeated=repeated,
        repeat_rate=Rates(
            mailed=rate(repeated.mailed, started.mailed), held_out=rate(repeated.held_out, started.held_out)
        ),
        lift=measured.lift,
        lift_interval=measured.interval,
        conclusive=measured.conclusive,
        more_runs_needed=measured.more_runs_needed,
        converted=sum(step.converted for step in steps),
        revenue=sum(step.revenue for step in steps),
        steps=steps,
    )


def _step_ids(scenario_id: str, current: list[Step], sums: _Sums) -> list[str]:
    """The scenario's steps as it is now, then any step counted in the period that it no longer has."""
    ids = [step.id for step in current]
    counted = sorted({step for scenario, step, _ in sums if scenario == scenario_id and step != SCENARIO_ROW})
    return ids + [step_id for step_id in counted if step_id not in ids]


def _step(scenario_id: str, step_id: str, step: Step | None, sums: _Sums) -> StepResult:
    rows = {
        variant: counters
        for (sid, stid, variant), counters in sums.items()
        if (sid, stid) == (scenario_id, step_id)
    }
    total: Counter[str] = Counter()
    for counters in rows.values():
        total.update(counters)
    variants = [_variant(variant, rows.get(variant, Counter()), step) for variant in _variant_ids(step, rows)]
    sent = total["sent"]
    return StepResult(
        step_id=step_id,
        purposes=[] if step is None else step.purposes,
        sent=sent,
        held_out=total["held_out"],
        converted=total["converted"],
        revenue=total["revenue"],
        conversion_rate=rate(total["converted"], sent),
        revenue_per_mail=rate(total["revenue"], sent),
        reordered=total["reordered"],
        frequency_capped=total["frequency_cap"],
        variants=variants,
        ab=_ab(variants),
    )


def _variant_ids(step: Step | None, rows: dict[str | None, Counter[str]]) -> list[str]:
    """The step's variants as it is now, then any variant counted in the period that it no longer has."""
    current = [variant.id for variant in (step.variants if step is not None and step.variants else [])]
    counted = sorted(variant for variant in rows if variant is not None and variant not in current)
    return current + counted


def _variant(variant_id: str, counters: Counter[str], step: Step | None) -> VariantResult:
    variants = step.variants if step is not None and step.variants else []
    known = next((variant for variant in variants if variant.id == variant_id), None)
    return VariantResult(
        variant=variant_id,
        template=None if known is None else known.template,
        weight=None if known is None else known.weight,
        sent=counters["sent"],
        held_out=counters["held_out"],
        converted=counters["converted"],
        revenue=counters["revenue"],
        conversion_rate=rate(counters["converted"], counters["sent"]),
        reordered=counters["reordered"],
        frequency_capped=counters["frequency_cap"],
    )


def _ab(variants: list[VariantResult]) -> AbResult | None:
    """The verdict among the step's current variants (a variant it no longer has is history, not
    an arm), or among those counted when it has none now (after a promotion); None below two."""
    arms = [v for v in variants if v.template is not None] or variants
    if len(arms) < 2:
        return None
    verdict = ab_verdict([AbArm(v.variant, v.sent, v.converted) for v in arms])
    return AbResult(verdict=verdict.verdict, winner=verdict.winner, p_value=verdict.p_value)


# --- CSV ------------------------------------------------------------------------------------------

CSV_COLUMNS: Final = (
    "scenario_id",
    "scenario_name",
    "step_id",
    "variant",
    "sent",
    "held_out",
    "converted",
    "revenue",
    "conversion_rate",
    "revenue_per_mail",
    "runs_mailed",
    "runs_held_out",
    "repeated_mailed",
    "repeated_held_out",
    "lift",
    "lift_low",
    "lift_high",
    "conclusive",
    "reordered",  # issue #16: added last, so the columns before keep their places
    "frequency_capped",
)


def results_csv(answer: Results) -> str:
    """The same figures as CSV: a row per scenario (its runs, repeats and lift; step empty), per
    step and per A/B variant. Rates as decimals, empty where there is none."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for scenario in answer.scenarios:
        low, high = scenario.lift_interval or (None, None)
        named = {"scenario_id": scenario.scenario_id, "scenario_name": scenario.name}
        writer.writerow(
            _cells(
                named
                | {
                    "sent": sum(step.sent for step in scenario.steps),
                    "held_out": sum(step.held_out for step in scenario.steps),
                    "converted": scenario.converted,
                    "revenue": scenario.revenue,
                    "runs_mailed": scenario.runs.mailed,
                    "runs_held_out": scenario.runs.held_out,
                    "repeated_mailed": scenario.repeated.mailed,
                    "repeated_held_out": scenario.repeated.held_out,
                    "lift": scenario.lift,
                    "lift_low": low,
                    "lift_high": high,
                    "conclusive": scenario.conclusive,
                    "reordered": sum(step.reordered for step in scenario.steps),
                    "frequency_capped": sum(step.frequency_capped for step in scenario.steps),
                }
            )
        )
        for step in scenario.steps:
            writer.writerow(_cells(named | {"step_id": step.step_id} | _figures(step, step.revenue_per_mail)))
            for variant in step.variants:
                figures = _figures(variant, rate(variant.revenue, variant.sent))
                writer.writerow(
                    _cells(named | {"step_id": step.step_id, "variant": variant.variant} | figures)
                )
    return out.getvalue()


def _figures(row: StepResult | VariantResult, revenue_per_mail: float | None) -> dict[str, object]:
    """A step's (or a variant's) own columns."""
    return {
        "sent": row.sent,
        "held_out": row.held_out,
        "converted": row.converted,
        "revenue": row.revenue,
        "conversion_rate": row.conversion_rate,
        "revenue_per_mail": revenue_per_mail,
        "reordered": row.reordered,
        "frequency_capped": row.frequency_capped,
    }


def _cells(values: dict[str, object]) -> list[str]:
    """A row: each column's value, empty where there is none."""
    return ["" if (value := values.get(column)) is None else csv_cell(value) for column in CSV_COLUMNS]


#: A text cell beginning with one of these is a formula to a spreadsheet: it is written after a quote.
FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> str:
    if isinstance(value, str):
        return f"'{value}" if value.startswith(FORMULA_STARTS) else value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.6f}".rstrip("0").rstrip(".") if value else "0"
    return str(value)
