"""``okaeri.statistics``: the intervals and tests the results screen judges by, against published
values (Newcombe 1998, *Statistics in Medicine* 17, 857–872 and 873–890) and as invariants."""

from __future__ import annotations

import math

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from okaeri.statistics import (
    MAX_SCALE,
    MIN_SAMPLE,
    AbArm,
    ab_verdict,
    lift,
    more_runs_needed,
    newcombe_interval,
    two_proportion_p_value,
    wilson_interval,
)

PROPERTY = settings(max_examples=300, deadline=None)


def rounded(interval: tuple[float, float]) -> tuple[float, float]:
    return round(interval[0], 4), round(interval[1], 4)


# --- published values ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ((56, 70, 48, 80), (0.0524, 0.3339)),
        ((9, 10, 3, 10), (0.1705, 0.8090)),
        ((6, 7, 2, 7), (0.0582, 0.8062)),
        ((5, 56, 0, 29), (-0.0381, 0.1926)),
        ((0, 10, 0, 20), (-0.1611, 0.2775)),
        ((0, 10, 0, 10), (-0.2775, 0.2775)),
        ((10, 10, 0, 20), (0.6791, 1.0000)),
    ],
    ids=lambda value: "/".join(map(str, value)) if len(value) == 4 else None,
)
def test_newcombe_method_10_gives_his_published_intervals(
    counts: tuple[int, int, int, int], expected: tuple[float, float]
) -> None:
    assert rounded(newcombe_interval(*counts)) == expected


@pytest.mark.parametrize(
    ("hits", "total", "expected"),
    [
        (81, 263, (0.2553, 0.3662)),
        (15, 148, (0.0624, 0.1605)),
        (0, 20, (0.0, 0.1611)),
        (1, 29, (0.0061, 0.1718)),
    ],
)
def test_the_wilson_interval_gives_newcombes_published_values(
    hits: int, total: int, expected: tuple[float, float]
) -> None:
    assert rounded(wilson_interval(hits, total)) == expected


@pytest.mark.parametrize(("hits", "total"), [(0, 3), (0, 7), (0, 12), (10, 10), (13, 13)])
def test_the_wilson_bound_at_no_hit_or_every_hit_is_exactly_zero_or_one(hits: int, total: int) -> None:
    low, high = wilson_interval(hits, total)
    assert (low if hits == 0 else high) == (0.0 if hits == 0 else 1.0)


def test_the_newcombe_interval_of_all_against_nothing_stays_within_minus_one_and_one() -> None:
    assert newcombe_interval(27, 27, 0, 1)[1] == 1.0  # was 1.0000000000000002
    assert newcombe_interval(0, 1, 27, 27)[0] == -1.0


def test_the_pooled_z_test_gives_the_known_p_value() -> None:
    # z = 0.05 / sqrt(0.075 · 0.925 · 2/500) = 3.0003…, two-sided p = 0.002687
    assert two_proportion_p_value(50, 500, 25, 500) == pytest.approx(0.002687, abs=5e-6)
    assert two_proportion_p_value(25, 500, 50, 500) == two_proportion_p_value(50, 500, 25, 500)
    assert two_proportion_p_value(30, 300, 30, 300) == pytest.approx(1.0)


@pytest.mark.parametrize(
    "counts",
    [(0, 0, 1, 10), (1, 10, 0, 0), (0, 10, 0, 20), (10, 10, 20, 20)],
    ids=["no mail in a", "no mail in b", "no hit at all", "no miss at all"],
)
def test_the_p_value_is_undefined_without_mails_or_without_spread(counts: tuple[int, int, int, int]) -> None:
    assert two_proportion_p_value(*counts) is None


# --- A/B verdicts ------------------------------------------------------------------------------------


def arms(*counts: tuple[int, int]) -> list[AbArm]:
    """Arms ``a``, ``b``, ``c``… with (sent, converted)."""
    return [AbArm(chr(ord("a") + n), sent, converted) for n, (sent, converted) in enumerate(counts)]


def test_an_arm_below_the_minimum_sample_is_too_few_whatever_the_difference() -> None:
    short = ab_verdict(arms((1000, 300), (MIN_SAMPLE - 1, 0)))
    assert (short.verdict, short.winner, short.p_value, short.min_sample) == ("too_few", None, None, 100)
    assert ab_verdict(arms((1000, 300))).verdict == "too_few"  # one arm is no test
    assert ab_verdict(arms((MIN_SAMPLE, 40), (MIN_SAMPLE, 5))).verdict == "winner"  # at the minimum


def test_a_difference_that_is_not_significant_is_undecided() -> None:
    verdict = ab_verdict(arms((1000, 100), (1000, 110)))
    assert (verdict.verdict, verdict.winner) == ("undecided", None)
    assert verdict.p_value == two_proportion_p_value(110, 1000, 100, 1000)
    assert verdict.p_value is not None
    assert verdict.p_value > 0.05
    tie = ab_verdict(arms((1000, 100), (1000, 100)))
    assert (tie.verdict, tie.winner) == ("undecided", None)


def test_a_significantly_better_arm_wins_wherever_it_is() -> None:
    for order in ([(1000, 150), (1000, 100)], [(1000, 100), (1000, 150)]):
        verdict = ab_verdict(arms(*order))
        winner = "a" if order[0][1] == 150 else "b"
        assert (verdict.verdict, verdict.winner) == ("winner", winner)
        assert verdict.p_value == two_proportion_p_value(150, 1000, 100, 1000)
        assert verdict.p_value is not None
        assert verdict.p_value < 0.05


def test_with_three_arms_the_best_wins_only_when_better_than_every_other() -> None:
    close_second = ab_verdict(arms((1000, 150), (1000, 145), (1000, 100)))
    assert (close_second.verdict, close_second.winner) == ("undecided", None)
    clear = ab_verdict(arms((1000, 100), (1000, 150), (1000, 90)))
    assert (clear.verdict, clear.winner) == ("winner", "b")
    # the p-value named is the weakest of the winner's comparisons
    assert clear.p_value == max(
        two_proportion_p_value(150, 1000, 100, 1000) or 0, two_proportion_p_value(150, 1000, 90, 1000) or 0
    )


# --- the lift and how many more runs it needs ------------------------------------------------------------


def conclusive_at(scale: float, counts: tuple[int, int, int, int]) -> bool:
    hits_a, total_a, hits_b, total_b = counts
    low, high = newcombe_interval(hits_a * scale, total_a * scale, hits_b * scale, total_b * scale)
    return low > 0 or high < 0


def scale_of(needed: int, counts: tuple[int, int, int, int]) -> float:
    """The factor ``needed`` more runs (split as now) scale both groups by."""
    return 1 + needed / (counts[1] + counts[3])


def test_no_number_of_runs_tells_equal_rates_apart() -> None:
    assert more_runs_needed(20, 100, 20, 100) is None
    assert more_runs_needed(2, 10, 20, 100) is None  # equal rates, unequal groups
    assert more_runs_needed(0, 50, 0, 10) is None
    assert more_runs_needed(1, 0, 0, 10) is None  # a group without runs


def test_a_conclusive_lift_needs_no_more_runs() -> None:
    assert more_runs_needed(300, 1000, 100, 1000) == 0
    assert more_runs_needed(100, 1000, 300, 1000) == 0  # a conclusive loss too
    measured = lift(300, 1000, 100, 1000)
    assert (measured.conclusive, measured.more_runs_needed) == (True, None)
    assert measured.lift == pytest.approx(0.2)


@pytest.mark.parametrize("counts", [(30, 100, 20, 100), (25, 100, 20, 100), (12, 40, 40, 200)])
def test_the_runs_needed_make_the_lift_conclusive_and_fewer_would_not(
    counts: tuple[int, int, int, int],
) -> None:
    assert not conclusive_at(1.0, counts)
    needed = more_runs_needed(*counts)
    assert needed is not None
    assert needed > 0
    assert conclusive_at(scale_of(needed, counts), counts)
    assert not conclusive_at(scale_of(needed - 1, counts), counts)
    assert lift(*counts).more_runs_needed == needed


def test_a_smaller_lift_needs_more_runs() -> None:
    needs = [more_runs_needed(hits, 100, 20, 100) for hits in (40, 30, 26, 23)]
    assert None not in needs
    assert needs == sorted(needs, key=lambda n: n or 0)
    assert len(set(needs)) == len(needs)


def test_a_lift_too_small_to_tell_is_given_up_on() -> None:
    counts = (2001, 10_000, 2000, 10_000)
    assert not conclusive_at(MAX_SCALE, counts)
    assert more_runs_needed(*counts) is None


def test_a_group_without_runs_has_no_lift() -> None:
    for counts in ((0, 0, 5, 10), (5, 10, 0, 0)):
        measured = lift(*counts)
        assert (measured.lift, measured.interval, measured.conclusive, measured.more_runs_needed) == (
            None,
            None,
            False,
            None,
        )


# --- invariants -----------------------------------------------------------------------------------------


@st.composite
def proportions(draw: st.DrawFn, most: int = 5000) -> tuple[int, int]:
    total = draw(st.integers(min_value=1, max_value=most))
    return draw(st.integers(min_value=0, max_value=total)), total


@PROPERTY
@given(proportions())
def test_the_wilson_interval_holds_the_rate_within_zero_and_one(counted: tuple[int, int]) -> None:
    hits, total = counted
    low, high = wilson_interval(hits, total)
    assert 0.0 <= low <= hits / total <= high <= 1.0


@PROPERTY
@given(proportions(), proportions())
def test_the_newcombe_interval_holds_the_difference_within_minus_one_and_one(
    a: tuple[int, int], b: tuple[int, int]
) -> None:
    low, high = newcombe_interval(a[0], a[1], b[0], b[1])
    difference = a[0] / a[1] - b[0] / b[1]
    assert -1.0 <= low <= difference <= high <= 1.0
    mirrored = newcombe_interval(b[0], b[1], a[0], a[1])
    assert mirrored == pytest.approx((-high, -low), abs=1e-12)


@PROPERTY
@given(proportions(), proportions())
def test_the_p_value_is_a_probability_and_symmetric(a: tuple[int, int], b: tuple[int, int]) -> None:
    p_value = two_proportion_p_value(a[0], a[1], b[0], b[1])
    assert p_value == two_proportion_p_value(b[0], b[1], a[0], a[1])
    if p_value is not None:
        assert 0.0 <= p_value <= 1.0


@settings(max_examples=60, deadline=None)
@given(proportions(most=400), proportions(most=400))
@example((6, 83), (6, 84))  # conclusive only between 8,192 and 10,000 times the runs (MAX_SCALE itself)
def test_more_runs_needed_is_enough_and_none_only_for_equal_rates_or_tiny_lifts(
    a: tuple[int, int], b: tuple[int, int]
) -> None:
    counts = (a[0], a[1], b[0], b[1])
    needed = more_runs_needed(*counts)
    if a[0] * b[1] == b[0] * a[1]:
        assert needed is None
        return
    if needed is None:
        assert not conclusive_at(MAX_SCALE, counts)
        return
    assert conclusive_at(scale_of(needed, counts), counts)
    assert (needed == 0) == conclusive_at(1.0, counts)


@PROPERTY
@given(
    st.lists(
        st.tuples(st.integers(min_value=0, max_value=3000), st.integers(min_value=0, max_value=3000)),
        min_size=2,
        max_size=4,
    )
)
def test_a_winner_has_the_best_rate_and_every_arm_the_minimum(counts: list[tuple[int, int]]) -> None:
    assume(all(converted <= sent for sent, converted in counts))
    verdict = ab_verdict(arms(*counts))
    if any(sent < MIN_SAMPLE for sent, _ in counts):
        assert verdict.verdict == "too_few"
        return
    if verdict.verdict != "winner":
        assert verdict.winner is None
        return
    by_name = {arm.variant: arm for arm in arms(*counts)}
    best = by_name[verdict.winner or ""]
    assert verdict.p_value is not None
    assert verdict.p_value < 0.05
    for arm in by_name.values():
        if arm is not best:
            assert best.converted * arm.sent > arm.converted * best.sent
            p_value = two_proportion_p_value(best.converted, best.sent, arm.converted, arm.sent)
            assert p_value is not None
            assert math.isclose(max(p_value, verdict.p_value), verdict.p_value)
