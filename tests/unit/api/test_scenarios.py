"""Scenarios through the admin API over the fakes: versions, lint on save, activation, deletion,
plan previews."""

from __future__ import annotations

from typing import Any

from tests.unit.api.conftest import BASE, Admin
from tests.unit.services.support import SHOP_ID

SCENARIO = "thanks-like-love"
PATH = f"{BASE}/scenarios/{SCENARIO}"


def current(admin: Admin) -> dict[str, Any]:
    answer = admin.staff.get(PATH)
    assert answer.status == 200, answer.text
    return dict(answer.json())


def actions(admin: Admin) -> list[str]:
    return [entry.action for entry in admin.world.logs.audits]


def test_an_edit_is_a_new_version_and_keeps_the_state(admin: Admin) -> None:
    scenario = current(admin)
    assert (scenario["version"], scenario["active"]) == (1, True)
    answer = admin.manager.put(PATH, {**scenario, "name": "改訂", "active": False})
    assert answer.status == 200, answer.text
    assert (answer.json()["version"], answer.json()["changed"], answer.json()["active"]) == (2, True, True)
    again = admin.manager.put(PATH, {**scenario, "name": "改訂"}).json()
    assert (again["version"], again["changed"]) == (2, False)
    assert [v["current"] for v in admin.staff.get(f"{PATH}/versions").json()] == [False, True]
    assert admin.staff.get(PATH, version=1).json()["name"] == scenario["name"]
    answer = admin.manager.put(PATH, {**scenario, "name": "古い版から"}, query={"base_version": 1})
    assert (answer.status, answer.error_code) == (409, "conflict")
    assert actions(admin) == ["scenario.save"]


def test_a_lint_error_refuses_the_save(admin: Admin) -> None:
    scenario = current(admin)
    late = [scenario["steps"][0], {**scenario["steps"][1], "offset_days": 35}, scenario["steps"][2]]
    answer = admin.manager.put(PATH, {**scenario, "steps": late})
    assert (answer.status, answer.error_code) == (422, "compliance_violation")
    assert any(
        line.startswith("step like: rakuten.max_30_days — ") for line in answer.json()["error"]["details"]
    )
    lint = admin.staff.post(f"{BASE}/scenarios/lint", {**scenario, "steps": late})
    assert (lint.status, lint.json()["ok"]) == (200, False)
    assert current(admin)["version"] == 1


def test_only_a_stopped_scenario_is_deleted_and_its_versions_stay(admin: Admin) -> None:
    answer = admin.manager.delete(PATH)
    assert (answer.status, answer.error_code) == (409, "scenario_active")
    off = admin.manager.post(f"{PATH}/deactivate")
    assert off.json() == {"id": SCENARIO, "version": 1, "active": False, "deleted": False, "findings": []}
    assert admin.world.config.active_scenarios(SHOP_ID) == []
    assert admin.manager.delete(PATH).json()["deleted"] is True
    assert (admin.staff.get(PATH).status, admin.staff.get(f"{BASE}/scenarios").json()) == (404, [])
    assert admin.manager.post(f"{PATH}/activate").status == 404
    assert admin.world.config.scenario_version(SHOP_ID, SCENARIO, 1) is not None
    assert actions(admin) == ["scenario.deactivate", "scenario.delete"]


def test_the_preview_plans_a_sample_order_and_names_the_winner(admin: Admin) -> None:
    answer = admin.staff.post(f"{PATH}/preview", {"now": "2026-11-20T11:00:00+09:00"})
    assert answer.status == 200, answer.text
    preview = answer.json()
    assert (preview["sample"], preview["matches"], preview["active"]) == (True, True, True)
    assert preview["selected"] == SCENARIO
    assert [d["step"] for d in preview["deliveries"]] == ["thanks", "like", "love"]
    answer = admin.staff.post(f"{PATH}/preview", {"now": "yesterday"})
    assert (answer.status, answer.error_code) == (400, "bad_datetime")


# --- mall rules by the order's source (issue #16) --------------------------------------------------

#: A Yahoo merchant's coupon mail: advertising only, 25 days after shipping (two Rakuten errors).
YAHOO_COUPON = {
    "id": "yahoo-coupon",
    "name": "Yahoo!ショッピングのクーポン",
    "trigger": "shipped",
    "steps": [{"id": "coupon", "offset_days": 25, "hour": 10, "template": "love", "purposes": ["coupon"]}],
}


def test_a_yahoo_only_scenario_saves_in_a_rakuten_shop_under_yahoos_rules(admin: Admin) -> None:
    assert admin.world.config.shops[SHOP_ID].compliance == "rakuten"
    everyone = admin.manager.post(f"{BASE}/scenarios", YAHOO_COUPON)
    assert (everyone.status, everyone.error_code) == (422, "compliance_violation")
    assert any("rakuten.ad_needs_transaction" in line for line in everyone.json()["error"]["details"])
    assert not any("サンクス" in line for line in everyone.json()["error"]["details"])

    yahoo_only = {**YAHOO_COUPON, "conditions": {"sources": ["yahoo"]}}
    lint = admin.staff.post(f"{BASE}/scenarios/lint", yahoo_only).json()
    assert (lint["profile"], lint["profiles"], lint["ok"], lint["findings"]) == (
        "rakuten",
        ["yahoo"],
        True,
        [],
    )
    saved = admin.manager.post(f"{BASE}/scenarios", yahoo_only)
    assert saved.status == 201, saved.text
    assert (saved.json()["version"], saved.json()["findings"]) == (1, [])
    assert admin.manager.post(f"{BASE}/scenarios/yahoo-coupon/activate").status == 200


def test_a_plain_shop_is_linted_under_rakutens_rules_once_it_receives_rakuten_orders(admin: Admin) -> None:
    admin.world.config.shops[SHOP_ID] = admin.world.config.shops[SHOP_ID].model_copy(
        update={"compliance": "none"}
    )
    first = admin.staff.post(f"{BASE}/scenarios/lint", YAHOO_COUPON).json()
    assert (first["profiles"], first["ok"]) == (["none"], True)
    admin.world.receive("rakuten-utf8-qp")
    lint = admin.staff.post(f"{BASE}/scenarios/lint", YAHOO_COUPON).json()
    assert (lint["profiles"], lint["ok"]) == (["rakuten", "none"], False)
    assert {f["rule"] for f in lint["findings"]} == {"rakuten.ad_needs_transaction", "rakuten.ad_max_21_days"}
    refused = admin.manager.post(f"{BASE}/scenarios", YAHOO_COUPON)
    assert (refused.status, refused.error_code) == (422, "compliance_violation")


def test_a_winback_that_reaches_rakuten_buyers_is_refused_at_save(admin: Admin) -> None:
    winback = {
        "id": "winback",
        "name": "お久しぶりです",
        "trigger": "lapsed",
        "lapsed_days": 90,
        "steps": [{"id": "back", "offset_days": 0, "hour": 10, "template": "love", "purposes": ["thanks"]}],
    }
    refused = admin.manager.post(f"{BASE}/scenarios", winback)
    assert (refused.status, refused.error_code) == (422, "compliance_violation")
    [line] = refused.json()["error"]["details"]
    assert line.startswith("step back: rakuten.max_30_days — ")
    assert "30日以内" in line
    assert "sources" in line
    elsewhere = {**winback, "conditions": {"sources": ["yahoo", "shopify"]}}
    assert admin.world.config.shops[SHOP_ID].compliance == "rakuten"  # shopify follows the shop: Rakuten
    assert admin.manager.post(f"{BASE}/scenarios", elsewhere).status == 422
    yahoo_only = {**winback, "conditions": {"sources": ["yahoo"]}}
    saved = admin.manager.post(f"{BASE}/scenarios", yahoo_only)
    assert (saved.status, saved.json()["findings"]) == (201, []), saved.text
