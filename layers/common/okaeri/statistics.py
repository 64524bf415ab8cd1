"""The statistics the results screen judges by (issue #15): pure functions, no I/O.

- ``newcombe_interval``: the 95% interval of the difference of two proportions by Newcombe's
  hybrid score method (his method 10: each proportion's Wilson score interval, combined), which
  stays inside [-1, 1] and behaves at small counts and at rates of 0 or 1, where the Wald interval
  collapses. Newcombe, R. G. (1998), *Statistics in Medicine* 17, 873–890.
- ``two_proportion_p_value``: the two-sided p-value of the pooled two-proportion z-test, for A/B
  variants; a winner is named only when each variant has ``MIN_SAMPLE`` mails or more.
- ``more_runs_needed``: about how many more runs (both groups, the same split) would make an
  inconclusive lift conclusive if the rates stayed as they are.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final, Literal

#: z for a two-sided 95% interval.
Z95: Final = 1.959963984540054
ALPHA: Final = 0.05
#: The fewest mails per variant before an A/B test may name a winner.
MIN_SAMPLE: Final = 100
LIFT_METHOD: Final = "Newcombe hybrid score interval (method 10), 95%"
AB_METHOD: Final = f"two-proportion z-test (pooled, two-sided), 95%, at least {MIN_SAMPLE} mails per variant"
#: ``more_runs_needed`` gives up past this many times the runs so far (the lift is too small to tell).
MAX_SCALE: Final = 10_000


def rate(hits: int, total: int) -> float | None:
    """``hits / total``, or None when there is nothing to divide by."""
    return hits / total if total > 0 else None


def wilson_interval(hits: float, total: float, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of a proportion (``total`` > 0)."""
    p = hits / total
    denominator = 1 + z * z / total
    centre = (p + z * z / (2 * total)) / denominator
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / denominator
    # at no hit (every hit) the bound is 0 (1) exactly; rounding would leave it a hair inside
    low = 0.0 if hits <= 0 else max(0.0, centre - half)
    high = 1.0 if hits >= total else min(1.0, centre + half)
    return low, high


def newcombe_interval(hits_a: float, total_a: float, hits_b: float, total_b: float) -> tuple[float, float]:
    """The 95% interval of ``hits_a/total_a − hits_b/total_b`` (both totals > 0), Newcombe's method 10."""
    p_a, p_b = hits_a / total_a, hits_b / total_b
    low_a, high_a = wilson_interval(hits_a, total_a)
    low_b, high_b = wilson_interval(hits_b, total_b)
    difference = p_a - p_b
    low = difference - math.sqrt((p_a - low_a) ** 2 + (high_b - p_b) ** 2)
    high = difference + math.sqrt((high_a - p_a) ** 2 + (p_b - low_b) ** 2)
    return max(-1.0, low), min(1.0, high)  # within [-1, 1] in exact arithmetic; rounding may not be


@dataclass(frozen=True)
class Lift:
    """Mailed repeat rate − held-out repeat rate, its 95% interval, and whether it excludes 0."""

    lift: float | None
    interval: tuple[float, float] | None
    conclusive: bool
    more_runs_needed: int | None


def lift(repeated_mailed: int, runs_mailed: int, repeated_held: int, runs_held: int) -> Lift:
    """The lift of the mailed group over the held-out one (None where a group has no run)."""
    if runs_mailed <= 0 or runs_held <= 0:
        return Lift(None, None, False, None)
    low, high = newcombe_interval(repeated_mailed, runs_mailed, repeated_held, runs_held)
    conclusive = low > 0 or high < 0
    difference = repeated_mailed / runs_mailed - repeated_held / runs_held
    needed = None if conclusive else more_runs_needed(repeated_mailed, runs_mailed, repeated_held, runs_held)
    return Lift(difference, (low, high), conclusive, needed)


def _conclusive_at(scale: float, hits_a: int, total_a: int, hits_b: int, total_b: int) -> bool:
    low, high = newcombe_interval(hits_a * scale, total_a * scale, hits_b * scale, total_b * scale)
    return low > 0 or high < 0


def more_runs_needed(hits_a: int, total_a: int, hits_b: int, total_b: int) -> int | None:
    """About how many more runs (both groups together, split as now) would make the interval
    exclude 0 if both rates stayed as they are; None when the rates are equal (no number of runs
    tells them apart) or it would take more than ``MAX_SCALE`` times the runs so far."""
    if total_a <= 0 or total_b <= 0 or hits_a * total_b == hits_b * total_a:
        return None
    args = (hits_a, total_a, hits_b, total_b)
    if _conclusive_at(1.0, *args):
        return 0
    low, high = 1.0, 2.0
    while not _conclusive_at(high, *args):
        if high >= MAX_SCALE:
            return None
        low, high = high, min(high * 2, MAX_SCALE)  # the last step tries MAX_SCALE itself
    for _ in range(40):  # bisect the scale to well under one run
        middle = (low + high) / 2
        low, high = (low, middle) if _conclusive_at(middle, *args) else (middle, high)
    return math.ceil((high - 1) * (total_a + total_b))


def two_proportion_p_value(hits_a: int, total_a: int, hits_b: int, total_b: int) -> float | None:
    """The two-sided p-value of the pooled two-proportion z-test; None when it is undefined (a total
    of 0, or no hit and no miss at all)."""
    if total_a <= 0 or total_b <= 0:
        return None
    pooled = (hits_a + hits_b) / (total_a + total_b)
    variance = pooled * (1 - pooled) * (1 / total_a + 1 / total_b)
    if variance <= 0:
        return None if pooled in (0.0, 1.0) and hits_a * total_b == hits_b * total_a else 0.0
    z = (hits_a / total_a - hits_b / total_b) / math.sqrt(variance)
    return math.erfc(abs(z) / math.sqrt(2))


Verdict = Literal["winner", "undecided", "too_few"]


@dataclass(frozen=True)
class AbArm:
    variant: str
    sent: int
    converted: int


@dataclass(frozen=True)
class AbVerdict:
    """``winner``: the best variant's conversion rate is higher than every other's at 95%
    (``p_value``: the largest of its pairwise p-values); ``too_few``: a variant has fewer than
    ``MIN_SAMPLE`` mails; ``undecided``: no significant difference yet."""

    verdict: Verdict
    winner: str | None
    p_value: float | None
    min_sample: int = MIN_SAMPLE


def ab_verdict(arms: list[AbArm]) -> AbVerdict:
    """The verdict of an A/B(/n) test on conversions per mail sent."""
    if len(arms) < 2 or any(arm.sent < MIN_SAMPLE for arm in arms):
        return AbVerdict("too_few", None, None)
    best = max(arms, key=lambda arm: (arm.converted / arm.sent, -arms.index(arm)))
    worst_p = 0.0
    for other in arms:
        if other is best:
            continue
        p_value = two_proportion_p_value(best.converted, best.sent, other.converted, other.sent)
        if p_value is None or best.converted * other.sent <= other.converted * best.sent:
            return AbVerdict("undecided", None, p_value)
        worst_p = max(worst_p, p_value)
    if worst_p < ALPHA:
        return AbVerdict("winner", best.variant, worst_p)
    return AbVerdict("undecided", None, worst_p)
