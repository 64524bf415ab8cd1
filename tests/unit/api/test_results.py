"""``/results`` and ``/results.csv`` over the fakes: what each scenario, step and A/B variant earned,
read from the daily counters (staff); ``/scenarios/<id>/promote`` (manager) and the A/B variants in
the scenario lint and save (issue #15)."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from typing import Any

import pytest

from okaeri.ports import OnceCount
from okaeri.services.results import CSV_COLUMNS
from okaeri.statistics import two_proportion_p_value
from tests.support.api_client import ApiClient, ApiResponse
from tests.unit.api.conftest import BASE, NOW, OTHER_SHOP, Admin, audited, refused_below
from tests.unit.services.support import SHOP_ID, fixture_template, scenario

RESULTS = f"{BASE}/results"
RESULTS_CSV = f"{BASE}/results.csv"
PLAN = "thanks-like-love"
PLAN_PATH = f"{BASE}/scenarios/{PLAN}"
PROMOTE = f"{PLAN_PATH}/promote"
TODAY = date(2026, 11, 20)  # NOW in Tokyo
DAYS = 30
FIRST_DAY = TODAY - timedelta(days=DAYS - 1)
AB: list[dict[str, Any]] = [{"id": "a", "template": "thanks", "weight": 3}, {"id": "b", "template": "like"}]


def read(client: ApiClient, path: str = RESULTS, **query: Any) -> dict[str, Any]:
    answer = client.get(path, **query)
    assert answer.status == 200, answer.text
    return dict(answer.json())


def counted(admin: Admin, day: date, scenario_id: str, step_id: str, **counters: int) -> None:
    """Counters added to the fake config, as the schedule and send services add them."""
    key = f"test#{len(admin.world.config.counted)}"
    assert admin.world.config.count_once(SHOP_ID, OnceCount(key, day, scenario_id, step_id, counters, NOW))


def rounded(value: Any) -> Any:
    """``value`` with every float rounded to 4 decimals (lists and dicts throughout)."""
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, dict):
        return {key: rounded(item) for key, item in value.items()}
    if isinstance(value, list):
        return [rounded(item) for item in value]
    return value


def step(step_id: str, purposes: list[str], **figures: Any) -> dict[str, Any]:
    """A step's answer: nothing sent unless ``figures`` says otherwise."""
    nothing: dict[str, Any] = {"sent": 0, "held_out": 0, "converted": 0, "revenue": 0,
                               "conversion_rate": None, "revenue_per_mail": None, "reordered": 0,
                               "frequency_capped": 0, "variants": [], "ab": None}  # fmt: skip
    return {"step_id": step_id, "purposes": purposes} | nothing | figures


PLAN_STEPS = (
    ("thanks", ["thanks"]),
    ("like", ["usage_tips", "review_request"]),
    ("love", ["thanks", "coupon"]),
)


def a_busy_month(admin: Admin) -> None:
    """The fixture scenario held out at 10%, with Newcombe's 56/70 − 48/80 as its repeats; an A/B
    scenario whose variant ``a`` converts 15% against ``b``'s 10%; a scenario deleted since; and
    counters just outside the period."""
    config = admin.world.config
    plan = config.scenario(SHOP_ID, PLAN)
    assert plan is not None
    config.save_scenario(SHOP_ID, plan.model_copy(update={"holdout_percent": 10}))
    ab_step = {"id": "thanks", "immediate": True, "variants": AB, "purposes": ["thanks"]}
    config.add_scenario(SHOP_ID, scenario(id="ab", name="A/B", steps=[ab_step]))
    day = TODAY - timedelta(days=2)
    counted(admin, day, PLAN, "*", runs_mailed=70, runs_held_out=80, repeated_mailed=56, repeated_held_out=48)
    counted(admin, day, PLAN, "thanks", sent=70, converted=7, revenue=35_000)
    counted(admin, TODAY, PLAN, "thanks", held_out=80)
    counted(admin, FIRST_DAY, PLAN, "like", sent=10)  # the period's first day is in it
    counted(admin, day, PLAN, "love", reordered=4, frequency_cap=2)  # mails that did not go (issue #16)
    counted(admin, TODAY, PLAN, "love", frequency_cap=1)
    counted(
        admin, FIRST_DAY - timedelta(days=1), PLAN, "thanks", sent=999, converted=99
    )  # the day before: not
    counted(admin, day, "*", "*", orders=12)
    counted(admin, day, "ab", "thanks@a", sent=1000, converted=150, revenue=150_000)
    counted(admin, day, "ab", "thanks@b", sent=1000, converted=100, revenue=90_000)
    counted(admin, day, "gone", "thanks@x", sent=3)
    counted(admin, day, "gone", "thanks@y", sent=4, converted=1, revenue=800)


def test_the_results_follow_the_counters_of_the_period(admin: Admin) -> None:
    a_busy_month(admin)
    seen = read(admin.staff, days=DAYS)
    assert (seen["day_from"], seen["day_to"], seen["attribution_days"], seen["orders"]) == (
        str(FIRST_DAY),
        str(TODAY),
        7,
        12,
    )
    assert [s["scenario_id"] for s in seen["scenarios"]] == ["ab", PLAN, "gone"]  # a deleted one last
    ab, plan, gone = rounded(seen["scenarios"])
    assert plan == {
        "scenario_id": PLAN, "name": "サンキュー・ライク・ラブ", "active": True, "holdout_percent": 10,
        "holdout_scope": "whole_run", "repeat_days": 60,
        "runs": {"mailed": 70, "held_out": 80}, "repeated": {"mailed": 56, "held_out": 48},
        "repeat_rate": {"mailed": 0.8, "held_out": 0.6}, "lift": 0.2, "lift_interval": [0.0524, 0.3339],
        "conclusive": True, "more_runs_needed": None, "converted": 7, "revenue": 35_000,
        "steps": [
            step("thanks", ["thanks"], sent=70, held_out=80, converted=7, revenue=35_000,
                 conversion_rate=0.1, revenue_per_mail=500.0),
            step("like", ["usage_tips", "review_request"], sent=10, conversion_rate=0.0, revenue_per_mail=0.0),
            step("love", ["thanks", "coupon"], reordered=4, frequency_capped=3),
        ],
    }  # fmt: skip
    [ab_step] = ab["steps"]
    assert ab_step["variants"] == [
        {"variant": "a", "template": "thanks", "weight": 3, "sent": 1000, "held_out": 0,
         "converted": 150, "revenue": 150_000, "conversion_rate": 0.15, "reordered": 0, "frequency_capped": 0},
        {"variant": "b", "template": "like", "weight": 1, "sent": 1000, "held_out": 0,
         "converted": 100, "revenue": 90_000, "conversion_rate": 0.1, "reordered": 0, "frequency_capped": 0},
    ]  # fmt: skip
    assert (ab_step["sent"], ab_step["converted"], ab_step["revenue"]) == (2000, 250, 240_000)
    p_value = two_proportion_p_value(150, 1000, 100, 1000)
    assert p_value is not None
    assert ab_step["ab"] == {
        "verdict": "winner",
        "winner": "a",
        "p_value": round(p_value, 4),
        "min_sample": 100,
    }
    assert (ab["runs"], ab["lift"], ab["conclusive"]) == ({"mailed": 0, "held_out": 0}, None, False)
    # a scenario deleted since is shown by its id, its variants without template or weight
    assert (gone["name"], gone["active"], gone["holdout_percent"], gone["converted"]) == ("gone", False, 0, 1)
    [gone_step] = gone["steps"]
    assert [(v["variant"], v["template"], v["weight"], v["sent"]) for v in gone_step["variants"]] == [
        ("x", None, None, 3),
        ("y", None, None, 4),
    ]
    assert gone_step["ab"]["verdict"] == "too_few"
    assert read(admin.manager, days=DAYS) == read(admin.owner, days=DAYS) == seen


def test_nothing_counted_reads_zeros_and_nulls(admin: Admin) -> None:
    seen = read(admin.staff)
    assert (seen["day_from"], seen["orders"]) == (str(TODAY - timedelta(days=89)), 0)  # 90 days by default
    [plan] = seen["scenarios"]
    assert plan["runs"] == plan["repeated"] == {"mailed": 0, "held_out": 0}
    assert plan["repeat_rate"] == {"mailed": None, "held_out": None}
    assert (plan["lift"], plan["lift_interval"], plan["conclusive"], plan["more_runs_needed"]) == (
        None,
        None,
        False,
        None,
    )
    assert (plan["converted"], plan["revenue"]) == (0, 0)
    assert plan["steps"] == [step(step_id, purposes) for step_id, purposes in PLAN_STEPS]


def test_another_shop_reads_only_its_own(admin: Admin) -> None:
    a_busy_month(admin)
    theirs = read(admin.owner, f"/api/shops/{OTHER_SHOP}/results", days=DAYS)
    assert (theirs["orders"], theirs["scenarios"]) == (0, [])


@pytest.mark.parametrize("path", [RESULTS, RESULTS_CSV])
def test_staff_may_read_the_results_and_no_one_outside_the_shop(admin: Admin, path: str) -> None:
    refused_below(admin, "staff", "GET", path)


@pytest.mark.parametrize("path", [RESULTS, RESULTS_CSV])
def test_the_period_is_one_to_366_days(admin: Admin, path: str) -> None:
    assert admin.staff.get(path, days=1).status == 200
    assert admin.staff.get(path, days=366).status == 200
    for days, why in (
        (0, "greater than or equal to 1"),
        (367, "less than or equal to 366"),
        ("ten", "integer"),
    ):
        answer = admin.staff.get(path, days=days)
        assert (answer.status, answer.error_code) == (422, "invalid_request"), days
        error = answer.json()["error"]
        assert (error["message_ja"], error["message_en"]) == (
            "リクエストの内容が正しくありません。",
            "The request is not valid.",
        )
        [detail] = error["details"]
        assert detail.startswith("query.days: ")
        assert why in detail


# --- CSV --------------------------------------------------------------------------------------------


def csv_rows(answer: ApiResponse) -> list[dict[str, str]]:
    assert answer.status == 200, answer.text
    assert answer.body.startswith("\ufeff".encode())  # a BOM: Excel reads it as UTF-8
    return list(csv.DictReader(io.StringIO(answer.text.removeprefix("\ufeff"), newline="")))


def same_figure(cell: str, value: Any) -> bool:
    if value is None:
        return cell == ""
    if isinstance(value, bool):
        return cell == str(value).lower()
    if isinstance(value, float):
        return float(cell) == pytest.approx(value, abs=1e-6)
    return cell == str(value)


def test_the_csv_holds_the_same_figures_as_the_json(admin: Admin) -> None:
    a_busy_month(admin)
    answer = admin.staff.get(RESULTS_CSV, days=DAYS)
    rows = csv_rows(answer)
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"
    assert answer.headers["content-disposition"] == (
        f'attachment; filename="okaeri-results-{SHOP_ID}-{FIRST_DAY}-{TODAY}.csv"'
    )
    assert list(rows[0]) == list(CSV_COLUMNS)
    by_key = {(row["scenario_id"], row["step_id"], row["variant"]): row for row in rows}
    assert len(by_key) == len(rows)
    expected: dict[tuple[str, str, str], dict[str, Any]] = {}
    for found in read(admin.staff, days=DAYS)["scenarios"]:
        low, high = found["lift_interval"] or (None, None)
        expected[(found["scenario_id"], "", "")] = {
            "scenario_name": found["name"], "sent": sum(s["sent"] for s in found["steps"]),
            "held_out": sum(s["held_out"] for s in found["steps"]), "converted": found["converted"],
            "revenue": found["revenue"], "runs_mailed": found["runs"]["mailed"],
            "runs_held_out": found["runs"]["held_out"], "repeated_mailed": found["repeated"]["mailed"],
            "repeated_held_out": found["repeated"]["held_out"], "lift": found["lift"], "lift_low": low,
            "lift_high": high, "conclusive": found["conclusive"],
            "reordered": sum(s["reordered"] for s in found["steps"]),
            "frequency_capped": sum(s["frequency_capped"] for s in found["steps"]),
        }  # fmt: skip
        for each in found["steps"]:
            figures = {
                name: each[name]
                for name in ("sent", "held_out", "converted", "revenue", "reordered", "frequency_capped")
            }
            expected[(found["scenario_id"], each["step_id"], "")] = figures | {
                "conversion_rate": each["conversion_rate"],
                "revenue_per_mail": each["revenue_per_mail"],
            }
            for variant in each["variants"]:
                expected[(found["scenario_id"], each["step_id"], variant["variant"])] = {
                    name: variant[name] for name in ("sent", "converted", "revenue", "conversion_rate")
                }
    assert set(by_key) == set(expected)
    for key, figures in expected.items():
        for name, value in figures.items():
            assert same_figure(by_key[key][name], value), (key, name, by_key[key][name], value)
    plan = by_key[(PLAN, "", "")]
    assert (plan["reordered"], plan["frequency_capped"]) == ("4", "3")  # the mails a rule stopped (issue #16)
    assert (by_key[(PLAN, "love", "")]["reordered"], by_key[(PLAN, "love", "")]["frequency_capped"]) == (
        "4",
        "3",
    )
    assert (plan["lift"], plan["lift_low"][:6], plan["lift_high"][:6], plan["conclusive"]) == (
        "0.2",
        "0.0524",
        "0.3338",
        "true",
    )


def test_the_csv_of_nothing_counted_has_a_row_per_scenario_and_step(admin: Admin) -> None:
    rows = csv_rows(admin.staff.get(RESULTS_CSV, days=7))
    assert [(row["step_id"], row["sent"], row["conversion_rate"], row["lift"]) for row in rows] == [
        ("", "0", "", ""),
        *[(step_id, "0", "", "") for step_id, _ in PLAN_STEPS],
    ]


# --- promoting an A/B variant -----------------------------------------------------------------------


def current(admin: Admin) -> dict[str, Any]:
    answer = admin.staff.get(PLAN_PATH)
    assert answer.status == 200, answer.text
    return dict(answer.json())


def with_first_step(scenario_json: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """The scenario with its first step (``thanks``) changed; a change to None drops the field."""
    first = {
        name: value for name, value in (scenario_json["steps"][0] | changes).items() if value is not None
    }
    return scenario_json | {"steps": [first, *scenario_json["steps"][1:]]}


def ab_tested(admin: Admin) -> dict[str, Any]:
    """The fixture scenario saved with an A/B test on its ``thanks`` step (version 2)."""
    answer = admin.manager.put(PLAN_PATH, with_first_step(current(admin), template=None, variants=AB))
    assert answer.status == 200, answer.text
    assert answer.json()["version"] == 2
    return current(admin)


def test_promoting_a_variant_saves_a_version_whose_step_sends_its_template_alone(admin: Admin) -> None:
    before = ab_tested(admin)
    answer = admin.manager.post(PROMOTE, {"step_id": "thanks", "variant": "b"})
    assert answer.status == 200, answer.text
    assert {k: answer.json()[k] for k in ("id", "version", "changed", "active")} == {
        "id": PLAN,
        "version": 3,
        "changed": True,
        "active": True,
    }
    after = current(admin)
    assert after["steps"][0] == before["steps"][0] | {"template": "like", "variants": None}
    assert after["steps"][1:] == before["steps"][1:]
    assert {k: v for k, v in after.items() if k not in {"steps", "version"}} == {
        k: v for k, v in before.items() if k not in {"steps", "version"}
    }
    assert [v["version"] for v in admin.staff.get(f"{PLAN_PATH}/versions").json()] == [1, 2, 3]
    saves = audited(admin, "scenario.save")
    assert len(saves) == 2
    put, promoted = saves
    assert set(promoted) == set(put)  # audited as any save
    assert promoted["version"] == 3
    assert promoted == put | {"version": 3}
    again = admin.manager.post(PROMOTE, {"step_id": "thanks", "variant": "b"})
    assert (again.status, again.error_code) == (404, "not_found")  # the test is over


def test_only_a_manager_promotes(admin: Admin) -> None:
    ab_tested(admin)
    refused_below(admin, "manager", "POST", PROMOTE, json_body={"step_id": "thanks", "variant": "b"})
    assert current(admin)["version"] == 2
    assert admin.owner.post(PROMOTE, {"step_id": "thanks", "variant": "a"}).status == 200


@pytest.mark.parametrize(
    ("body", "names"),
    [
        ({"step_id": "nope", "variant": "a"}, "nope"),
        ({"step_id": "thanks", "variant": "z"}, "z"),
        ({"step_id": "like", "variant": "a"}, "like"),  # a step without variants
    ],
    ids=["unknown-step", "unknown-variant", "no-variants"],
)
def test_promoting_what_the_scenario_does_not_have_is_404_in_both_languages(
    admin: Admin, body: dict[str, str], names: str
) -> None:
    ab_tested(admin)
    answer = admin.manager.post(PROMOTE, body)
    assert (answer.status, answer.error_code) == (404, "not_found"), answer.text
    error = answer.json()["error"]
    assert names in error["message_ja"]
    assert names in error["message_en"]
    assert error["message_ja"] != error["message_en"]
    assert current(admin)["version"] == 2
    assert len(audited(admin, "scenario.save")) == 1


def test_a_promotion_of_an_unknown_scenario_or_a_bad_body_is_refused(admin: Admin) -> None:
    ab_tested(admin)
    answer = admin.manager.post(f"{BASE}/scenarios/nope/promote", {"step_id": "thanks", "variant": "a"})
    assert answer.status == 404
    for body in (
        {"step_id": "thanks"},
        {"step_id": "thanks", "variant": "a", "extra": 1},
        {"step_id": "", "variant": "a"},
    ):
        answer = admin.manager.post(PROMOTE, body)
        assert (answer.status, answer.error_code) == (422, "invalid_request"), body
    assert current(admin)["version"] == 2


# --- A/B variants in the scenario lint and save ------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"variants": AB}, "give either template or variants"),  # and the template kept
        ({"template": None, "variants": AB[:1]}, "at least 2 items"),
        (
            {"template": None, "variants": [{"id": f"v{n}", "template": "thanks"} for n in range(5)]},
            "at most 4 items",
        ),
        ({"template": None, "variants": [AB[0], AB[1] | {"id": "a"}]}, "step 'thanks' names a variant twice"),
    ],
    ids=["template-and-variants", "one-variant", "five-variants", "duplicate-ids"],
)
def test_a_step_with_the_wrong_variants_is_refused_naming_the_step(
    admin: Admin, changes: dict[str, Any], says: str
) -> None:
    wrong = with_first_step(current(admin), **changes)
    for answer in (admin.manager.put(PLAN_PATH, wrong), admin.staff.post(f"{BASE}/scenarios/lint", wrong)):
        assert (answer.status, answer.error_code) == (422, "invalid_request"), answer.text
        [detail] = answer.json()["error"]["details"]
        assert detail.startswith("steps.0")  # the first step, ``thanks``
        assert says in detail
    assert current(admin)["version"] == 1
    assert audited(admin, "scenario.save") == []


def test_the_lint_reports_each_variant_on_its_own(admin: Admin) -> None:
    sale = fixture_template("thanks").model_copy(update={"id": "sale", "subject": "年末セール！全品半額"})
    admin.world.config.add_template(SHOP_ID, sale)
    variants = [
        {"id": "a", "template": "thanks"},
        {"id": "b", "template": "sale"},
        {"id": "c", "template": "nope"},
    ]
    tested = with_first_step(current(admin), template=None, variants=variants)
    answer = admin.staff.post(f"{BASE}/scenarios/lint", tested)
    assert answer.status == 200, answer.text
    assert answer.json()["ok"] is False
    found = {(f["step"], f["variant"], f["rule"], f["severity"]): f for f in answer.json()["findings"]}
    assert set(found) == {
        ("thanks", "b", "rakuten.sale_words", "warning"),
        ("thanks", "c", "template_missing", "error"),
    }
    missing = found[("thanks", "c", "template_missing", "error")]
    assert missing["message_en"] == "[c] Step 'thanks' uses template 'nope', which does not exist."
    assert missing["message_ja"].startswith("[c] ")
    assert "nope" in missing["message_ja"]
    words = found[("thanks", "b", "rakuten.sale_words", "warning")]
    assert words["message_en"].startswith("[b] Template 'sale' uses sales wording")
    refused = admin.manager.put(PLAN_PATH, tested)
    assert (refused.status, refused.error_code) == (422, "compliance_violation")
    assert refused.json()["error"]["details"] == [
        f"step thanks: template_missing — {missing['message_ja']} / {missing['message_en']}"
    ]
    saved = admin.manager.put(PLAN_PATH, with_first_step(tested, variants=variants[:2]))  # a warning saves
    assert saved.status == 200, saved.text
    assert [(f["variant"], f["rule"]) for f in saved.json()["findings"]] == [("b", "rakuten.sale_words")]
