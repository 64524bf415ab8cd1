"""Scenarios through the admin API: versions, lint on save, activation, deletion, plan previews."""

from __future__ import annotations

import json
from typing import Any

from tests.conftest import FIXTURES
from tests.integration.api.conftest import Api
from tests.integration.api.ops_helpers import audit_entries, plan_orders
from tests.integration.pipeline.conftest import SHOP_ID

BASE = f"/api/shops/{SHOP_ID}"
SCENARIO = "thanks-like-love"
PATH = f"{BASE}/scenarios/{SCENARIO}"


def current(api: Api, scenario_id: str = SCENARIO) -> dict[str, Any]:
    answer = api.staff.get(f"{BASE}/scenarios/{scenario_id}")
    assert answer.status == 200, answer.text
    return dict(answer.json())


def new_scenario(scenario_id: str = "repeat-thanks", **changes: Any) -> dict[str, Any]:
    return {
        "id": scenario_id,
        "name": "リピーターへのお礼",
        "trigger": "shipped",
        "conditions": {"first_order": False},
        "priority": 20,
        "steps": [
            {"id": "thanks", "offset_days": 1, "hour": 10, "template": "thanks", "purposes": ["thanks"]}
        ],
        **changes,
    }


def test_staff_read_scenarios_their_versions_and_an_old_version(api: Api) -> None:
    [listed] = api.staff.get(f"{BASE}/scenarios").json()
    assert (listed["id"], listed["version"], listed["active"]) == (SCENARIO, 1, True)
    scenario = current(api)
    answer = api.manager.put(PATH, {**scenario, "name": "改訂版"})
    assert answer.status == 200, answer.text
    assert api.staff.get(f"{PATH}/versions").json() == [
        {"version": 1, "name": "サンキュー・ライク・ラブ", "current": False},
        {"version": 2, "name": "改訂版", "current": True},
    ]
    assert api.staff.get(PATH, version=1).json()["name"] == "サンキュー・ライク・ラブ"
    assert api.staff.get(PATH, version=3).status == 404
    assert api.staff.get(f"{BASE}/scenarios/no-such").status == 404
    assert api.staff.get(f"{BASE}/scenarios/no-such/versions").status == 404


def test_an_edit_is_a_new_version_and_the_same_content_is_not(api: Api) -> None:
    scenario = current(api)
    steps = [*scenario["steps"][:2], {**scenario["steps"][2], "hour": 20}]
    answer = api.manager.put(PATH, {**scenario, "steps": steps})
    assert answer.status == 200, answer.text
    saved = answer.json()
    assert (saved["version"], saved["changed"], saved["active"]) == (2, True, True)
    assert saved["message_ja"].startswith("これ以降に受け付けた注文から新しい内容で送信されます")
    assert saved["message_en"].startswith("Orders received from now on use the new version")
    again = api.manager.put(PATH, {**scenario, "steps": steps, "version": 7}).json()
    assert (again["version"], again["changed"]) == (2, False)
    assert current(api)["steps"][2]["hour"] == 20
    assert [e["detail"]["version"] for e in audit_entries(api) if e["action"] == "scenario.save"] == [2]


def test_an_edit_from_an_old_version_is_a_conflict(api: Api) -> None:
    scenario = current(api)
    assert api.manager.put(PATH, {**scenario, "name": "A"}, query={"base_version": 1}).status == 200
    answer = api.manager.put(PATH, {**scenario, "name": "B"}, query={"base_version": 1})
    assert (answer.status, answer.error_code) == (409, "conflict")
    assert current(api)["name"] == "A"


def test_a_lint_error_refuses_the_save_naming_step_and_rule(api: Api) -> None:
    scenario = current(api)
    late = [scenario["steps"][0], {**scenario["steps"][1], "offset_days": 35}, scenario["steps"][2]]
    answer = api.manager.put(PATH, {**scenario, "steps": late})
    assert (answer.status, answer.error_code) == (422, "compliance_violation")
    details = answer.json()["error"]["details"]
    assert any(line.startswith("step like: rakuten.max_30_days — ") for line in details), details
    assert all(" / " in line for line in details)
    assert current(api)["version"] == 1
    assert api.staff.get(f"{PATH}/versions").json()[-1]["version"] == 1


def test_warnings_are_saved_and_answered(api: Api) -> None:
    ordered = new_scenario(
        "late-ordered",
        trigger="ordered",
        conditions={},
        steps=[
            {
                "id": "check",
                "offset_days": 31,
                "hour": 10,
                "template": "thanks",
                "purposes": ["arrival_check"],
            }
        ],
    )
    answer = api.manager.post(f"{BASE}/scenarios", ordered)
    assert answer.status == 201, answer.text
    [warning] = answer.json()["findings"]
    assert (warning["step"], warning["rule"], warning["severity"]) == (
        "check",
        "rakuten.max_30_days",
        "warning",
    )


def test_a_new_scenario_is_created_once_and_needs_its_templates(api: Api) -> None:
    answer = api.manager.post(f"{BASE}/scenarios", new_scenario())
    assert answer.status == 201, answer.text
    assert (answer.json()["version"], answer.json()["changed"]) == (1, True)
    assert current(api, "repeat-thanks")["priority"] == 20
    answer = api.manager.post(f"{BASE}/scenarios", new_scenario(name="別物"))
    assert (answer.status, answer.error_code) == (409, "exists")
    missing = new_scenario(
        "ghost", steps=[{"id": "a", "offset_days": 1, "hour": 10, "template": "nope", "purposes": ["thanks"]}]
    )
    answer = api.manager.post(f"{BASE}/scenarios", missing)
    assert answer.status == 422
    assert answer.json()["error"]["details"][0].startswith("step a: template_missing — ")
    assert api.staff.get(f"{BASE}/scenarios/ghost").status == 404


def test_a_retried_creation_with_its_key_answers_the_same(api: Api) -> None:
    key = {"Idempotency-Key": "create-repeat-thanks"}
    first = api.manager.post(f"{BASE}/scenarios", new_scenario(), headers=key)
    second = api.manager.post(f"{BASE}/scenarios", new_scenario(), headers=key)
    assert (first.status, second.status) == (201, 201)
    assert second.json() == first.json()
    assert second.headers["idempotent-replayed"] == "true"
    assert len([e for e in audit_entries(api) if e["action"] == "scenario.create"]) == 1


def test_invalid_scenarios_are_refused_naming_the_field(api: Api) -> None:
    bad = new_scenario(
        steps=[{"id": "a", "offset_days": 1, "hour": 25, "template": "thanks", "purposes": []}]
    )
    answer = api.manager.post(f"{BASE}/scenarios", bad)
    assert answer.status == 422
    details = answer.json()["error"]["details"]
    assert any(line.startswith("steps.0.hour") for line in details), details
    assert any(line.startswith("steps.0.purposes") for line in details), details
    answer = api.manager.put(PATH, {**current(api), "id": "other"})
    assert (answer.status, answer.error_code) == (422, "invalid_config")


def test_activation_deactivation_and_an_edit_keeps_the_state(api: Api) -> None:
    off = api.manager.post(f"{PATH}/deactivate")
    assert off.status == 200, off.text
    assert off.json() == {"id": SCENARIO, "version": 1, "active": False, "deleted": False, "findings": []}
    assert api.stack.admin.config.active_scenarios(SHOP_ID) == []
    edited = api.manager.put(PATH, {**current(api), "name": "停止中の改訂", "active": True}).json()
    assert (edited["version"], edited["active"]) == (2, False)
    on = api.manager.post(f"{PATH}/activate").json()
    assert (on["version"], on["active"]) == (2, True)
    actions = [e["action"] for e in audit_entries(api)]
    assert actions.count("scenario.deactivate") == 1
    assert actions.count("scenario.activate") == 1
    assert api.manager.post(f"{BASE}/scenarios/no-such/activate").status == 404


def test_activation_is_linted_against_todays_settings(api: Api) -> None:
    assert api.manager.post(f"{PATH}/deactivate").status == 200
    shop = api.staff.get(f"{BASE}/settings").json()
    assert api.manager.put(f"{BASE}/settings", {**shop, "legal": None}).status == 200
    answer = api.manager.post(f"{PATH}/activate")
    assert (answer.status, answer.error_code) == (422, "compliance_violation")
    assert answer.json()["error"]["details"][0].startswith("step love: legal_footer — ")
    assert current(api)["active"] is False


def test_only_an_inactive_scenario_is_deleted_and_planned_mails_keep_their_version(api: Api) -> None:
    planned = plan_orders(api, ("eccube-html-gift",))
    assert {d.scenario_version for d in planned.deliveries.values()} == {1}
    answer = api.manager.delete(PATH)
    assert (answer.status, answer.error_code) == (409, "scenario_active")
    assert api.manager.post(f"{PATH}/deactivate").status == 200
    deleted = api.manager.delete(PATH)
    assert deleted.status == 200, deleted.text
    assert deleted.json()["deleted"] is True
    assert api.staff.get(PATH).status == 404
    assert api.staff.get(f"{BASE}/scenarios").json() == []
    assert api.manager.delete(PATH).status == 404
    assert api.manager.post(f"{PATH}/activate").status == 404
    # the version the deliveries were planned with is still there for the send function
    pinned = api.stack.admin.config.scenario_version(SHOP_ID, SCENARIO, 1)
    assert pinned is not None
    assert pinned.steps[0].id == "thanks"
    for delivery in planned.deliveries.values():
        stored = api.stack.admin.deliveries.get(SHOP_ID, delivery.id)
        assert stored is not None
        assert (stored.status, stored.scenario_version) == ("scheduled", 1)
    # created again, it goes on from its last version
    recreated = api.manager.post(f"{BASE}/scenarios", {**pinned.model_dump(mode="json"), "version": 1})
    assert recreated.status == 201, recreated.text
    assert recreated.json()["version"] == 2


def test_staff_and_outsiders_cannot_write(api: Api) -> None:
    scenario = current(api)
    for method, path, body in (
        ("PUT", PATH, {**scenario, "name": "x"}),
        ("POST", f"{BASE}/scenarios", new_scenario()),
        ("POST", f"{PATH}/deactivate", None),
        ("DELETE", PATH, None),
    ):
        answer = api.staff.request(method, path, json_body=body)
        assert (answer.status, answer.error_code) == (403, "forbidden_role"), path
        answer = api.outsider.request(method, path, json_body=body)
        assert (answer.status, answer.error_code) == (403, "forbidden_shop"), path
    assert current(api) == scenario


def test_lint_checks_without_saving(api: Api) -> None:
    scenario = current(api)
    review_only = {**scenario["steps"][1], "purposes": ["review_request"]}
    answer = api.staff.post(
        f"{BASE}/scenarios/lint", {**scenario, "steps": [scenario["steps"][0], review_only]}
    )
    assert answer.status == 200, answer.text
    lint = answer.json()
    assert (lint["ok"], lint["profile"]) == (False, "rakuten")
    assert [(f["step"], f["rule"]) for f in lint["findings"]] == [("like", "rakuten.review_only")]
    assert api.staff.post(f"{BASE}/scenarios/lint", scenario).json() == {
        "scenario": SCENARIO, "profile": "rakuten", "profiles": ["rakuten"], "ok": True, "findings": []
    }  # fmt: skip
    assert current(api)["version"] == 1


def test_the_preview_plans_a_sample_order_placed_now(api: Api) -> None:
    answer = api.staff.post(f"{PATH}/preview", {})
    assert answer.status == 200, answer.text
    plan = answer.json()
    assert plan["sample"] is True
    assert plan["order"]["source"] == "rakuten"
    assert plan["order"]["ordered_at"] == "2026-11-30T07:00:00+09:00"
    assert plan["ship_date"] == "2026-12-01"
    assert plan["deliveries"] == [
        {"step": "thanks", "send_at": "2026-12-01T10:00:00+09:00"},
        {"step": "like", "send_at": "2026-12-15T19:00:00+09:00"},
        {"step": "love", "send_at": "2026-12-21T19:00:00+09:00"},
    ]
    assert (plan["matches"], plan["selected"]) == (True, SCENARIO)


def test_the_preview_plans_a_given_order_at_a_given_time(api: Api) -> None:
    order = json.loads((FIXTURES / "config" / "order.json").read_text(encoding="utf-8"))
    answer = api.staff.post(f"{PATH}/preview", {"order": order, "now": "2026-12-20T00:00:00+09:00"})
    assert answer.status == 200, answer.text
    plan = answer.json()
    assert plan["sample"] is False
    assert plan["ship_date"] == "2026-12-05"
    assert plan["skipped"] == [{"step": "thanks", "reason": "past"}]
    assert plan["deliveries"] == [
        {"step": "like", "send_at": "now"},
        {"step": "love", "send_at": "2026-12-25T19:00:00+09:00"},
    ]
    bad = api.staff.post(f"{PATH}/preview", {"now": "tomorrow"})
    assert (bad.status, bad.error_code) == (400, "bad_datetime")
    bad = api.staff.post(f"{PATH}/preview", {"order": {**order, "source": "mars"}})
    assert bad.status == 422
    assert any(line.startswith("order.source") for line in bad.json()["error"]["details"])


def test_the_preview_fits_the_sample_to_the_conditions_and_names_the_winner(api: Api) -> None:
    cherries = new_scenario("cherries", conditions={"skus": ["cherry-*"], "gift": True}, priority=1)
    assert api.manager.post(f"{BASE}/scenarios", cherries).status == 201
    plan = api.staff.post(f"{BASE}/scenarios/cherries/preview", {}).json()
    assert plan["order"]["items"][0]["sku"] == "cherry-sample"
    assert plan["order"]["is_gift"] is True
    assert plan["matches"] is True
    assert plan["selected"] == SCENARIO  # priority 10 beats 1 for the same trigger
    old = api.staff.post(f"{PATH}/preview", {"version": 9})
    assert old.status == 404


def test_the_preview_of_a_stopped_scenario_says_it_is_stopped_not_outranked(api: Api) -> None:
    """A stopped scenario never wins, whatever its priority: the preview says so (``active``), and
    names the scenario real orders get with both priorities, so the page need not guess."""
    cherries = new_scenario("cherries", conditions={"skus": ["cherry-*"]}, priority=50, active=False)
    assert api.manager.post(f"{BASE}/scenarios", cherries).status == 201
    plan = api.staff.post(f"{BASE}/scenarios/cherries/preview", {}).json()
    assert (plan["matches"], plan["active"], plan["priority"]) == (True, False, 50)
    assert (plan["selected"], plan["selected_priority"]) == (SCENARIO, 10)  # lower, yet it wins
    assert plan["order"]["source"] == "rakuten"
    assert api.manager.post(f"{BASE}/scenarios/cherries/activate", {}).status == 200
    plan = api.staff.post(f"{BASE}/scenarios/cherries/preview", {}).json()
    assert (plan["active"], plan["selected"], plan["selected_priority"]) == (True, "cherries", 50)
    # An old version is planned as it was, but whether real orders get it is the scenario's now.
    assert api.manager.post(f"{BASE}/scenarios/cherries/deactivate", {}).status == 200
    plan = api.staff.post(f"{BASE}/scenarios/cherries/preview", {"version": 1}).json()
    assert (plan["active"], plan["selected"]) == (False, SCENARIO)


def test_a_yahoo_only_scenario_saves_in_the_rakuten_shop_once_the_malls_are_recorded(api: Api) -> None:
    """Issue #16 over moto: the orders ingest recorded (a Rakuten one among them) make a scenario with
    no source condition Rakuten's; limited to Yahoo it is checked with Yahoo's rules and saves."""
    plan_orders(api)
    coupon = new_scenario(
        "yahoo-coupon",
        conditions={},
        steps=[{"id": "coupon", "offset_days": 25, "hour": 10, "template": "love", "purposes": ["coupon"]}],
    )
    lint = api.staff.post(f"{BASE}/scenarios/lint", coupon).json()
    assert (lint["profile"], lint["profiles"], lint["ok"]) == ("rakuten", ["rakuten", "yahoo"], False)
    refused = api.manager.post(f"{BASE}/scenarios", coupon)
    assert (refused.status, refused.error_code) == (422, "compliance_violation")
    yahoo_only = {**coupon, "conditions": {"sources": ["yahoo"]}}
    saved = api.manager.post(f"{BASE}/scenarios", yahoo_only)
    assert (saved.status, saved.json()["findings"]) == (201, []), saved.text
