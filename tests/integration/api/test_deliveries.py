"""``/deliveries``: search, one mail as it will be sent, and the operators' actions, on the moto stack.

Orders come in as fixture mails through ingest and the orders stream (twelve deliveries of four
buyers); actions are checked on DynamoDB and on the scheduler, and again when repeated.
"""

from __future__ import annotations

import email
import email.policy
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from okaeri.api.pagination import encode_cursor
from okaeri.aws import search
from okaeri.aws.dynamo import Expression, Table
from tests.integration.api.conftest import OTHER_SHOP, Api
from tests.integration.api.ops_helpers import (
    BASE,
    HIKARI,
    NAKAJIMA,
    all_pages,
    audit_entries,
    make_unknown,
    plan_orders,
    schedule_names,
    stored,
)
from tests.integration.pipeline.conftest import SHOP_ID, schedules
from tests.integration.pipeline.test_pipeline import fire_due_schedules, schedule_time
from tests.support.operations import BUYERS, flat, ids

TOKYO = ZoneInfo("Asia/Tokyo")
DELIVERIES = f"{BASE}/deliveries"


def outbox_mails(api: Api) -> list[email.message.EmailMessage]:
    mails = []
    for sent in api.stack.ses_outbox():
        raw = sent.raw_data.encode() if isinstance(sent.raw_data, str) else sent.raw_data
        mails.append(email.message_from_bytes(raw, policy=email.policy.default))
    return mails


def actions_logged(api: Api, action: str, delivery_id: str) -> int:
    return sum(
        1 for e in audit_entries(api) if e["action"] == action and e["detail"]["delivery"] == delivery_id
    )


# --- search ----------------------------------------------------------------------------------------


def test_the_list_pages_through_every_mail_newest_first(api: Api) -> None:
    planned = plan_orders(api)
    pages = all_pages(api.staff, DELIVERIES, limit=5)
    assert [len(page) for page in pages] == [5, 5, 2]
    assert ids(flat(pages)) == planned.newest_first(set(planned.deliveries))


def test_filters_by_period_status_and_scenario(api: Api) -> None:
    planned = plan_orders(api)
    thanks = planned.one(NAKAJIMA, "thanks")
    day = thanks.send_at.astimezone(TOKYO).date()
    on_that_day = {d.id for d in planned.deliveries.values() if d.send_at.astimezone(TOKYO).date() == day}
    listed = api.staff.get(DELIVERIES, **{"from": day.isoformat(), "to": day.isoformat()}).json()
    assert ids(listed["items"]) == planned.newest_first(on_that_day)
    assert thanks.id in on_that_day

    from_day = flat(all_pages(api.staff, DELIVERIES, **{"from": (day + timedelta(days=1)).isoformat()}))
    assert {item["id"] for item in from_day} == {
        d.id for d in planned.deliveries.values() if d.send_at.astimezone(TOKYO).date() > day
    }

    assert api.staff.post(f"{DELIVERIES}/{thanks.id}/stop").status == 200
    assert ids(api.staff.get(DELIVERIES, status="cancelled").json()["items"]) == [thanks.id]
    assert len(flat(all_pages(api.staff, DELIVERIES, status="scheduled", limit=3))) == 11
    assert len(flat(all_pages(api.staff, DELIVERIES, scenario="thanks-like-love"))) == 12
    assert api.staff.get(DELIVERIES, scenario="another").json() == {"items": [], "next_cursor": None}


def test_bad_filters_are_refused(api: Api) -> None:
    assert api.staff.get(DELIVERIES, status="lost").status == 422
    assert api.staff.get(DELIVERIES, **{"from": "2026-13-01"}).error_code == "bad_date"
    assert api.staff.get(DELIVERIES, **{"from": "2026-12-10", "to": "2026-12-01"}).error_code == "bad_period"


def test_a_person_is_found_by_name_or_address_folded(api: Api) -> None:
    planned = plan_orders(api)
    nakajima = planned.newest_first({d.id for d in planned.of(NAKAJIMA)})
    assert ids(api.staff.get(DELIVERIES, q="中島").json()["items"]) == nakajima
    assert ids(api.staff.get(DELIVERIES, q="中島彩").json()["items"]) == nakajima  # spaces ignored
    assert ids(api.staff.get(DELIVERIES, q="ＮＡＫＡＪＩＭＡ@example").json()["items"]) == nakajima
    hikari = planned.newest_first({d.id for d in planned.of(HIKARI)})
    assert ids(api.staff.get(DELIVERIES, q="ひかり商会").json()["items"]) == hikari
    love = planned.one(NAKAJIMA, "love")
    assert ids(api.staff.get(DELIVERIES, q="中島", scenario="thanks-like-love").json()["items"]) == nakajima
    listed = api.staff.get(
        DELIVERIES, q="中島", **{"from": love.send_at.astimezone(TOKYO).date().isoformat()}
    )
    assert ids(listed.json()["items"]) == [love.id]
    assert api.staff.get(DELIVERIES, q="nobody-at-all").json() == {"items": [], "next_cursor": None}


def test_every_row_names_the_buyer_whose_address_may_be_masked(api: Api) -> None:
    """A Rakuten buyer's address is a relay address: searching 髙橋 lists 髙橋 健一, not only
    3f9a…@pc.fw.rakuten.ne.jp. Listed plainly or found by name, each row carries the name."""
    planned = plan_orders(api)
    masked = "3f9a0c1d2e7b4a55@pc.fw.rakuten.ne.jp"
    found = api.staff.get(DELIVERIES, q="髙橋").json()["items"]
    assert ids(found) == planned.newest_first({d.id for d in planned.of(masked)})
    assert {(item["customer_name"], item["customer_email"]) for item in found} == {("髙橋 健一", masked)}
    names = {
        item["customer_email"]: item["customer_name"]
        for item in flat(all_pages(api.staff, DELIVERIES, limit=5))
    }
    assert names == BUYERS


def test_a_person_search_pages_like_any_list(api: Api) -> None:
    planned = plan_orders(api)
    both = {d.id for d in [*planned.of(NAKAJIMA), *planned.of(HIKARI)]}  # example.net, hikari-shokai.example
    pages = all_pages(api.staff, DELIVERIES, q="example", limit=4)
    assert [len(page) for page in pages] == [4, 2]
    assert ids(flat(pages)) == planned.newest_first(both)
    first = api.staff.get(DELIVERIES, q="example", limit=4).json()
    forged = encode_cursor(SHOP_ID, {"pk": OTHER_SHOP, "sk": "x", "shop_id": OTHER_SHOP, "send_at": "2026"})
    assert api.staff.get(DELIVERIES, q="example", cursor=forged).error_code == "bad_cursor"
    unplain = encode_cursor(SHOP_ID, {"pk": SHOP_ID, "sk": "x", "shop_id": SHOP_ID, "send_at": "soon"})
    assert api.staff.get(DELIVERIES, q="example", cursor=unplain).error_code == "bad_cursor"
    assert first["next_cursor"]


def test_cursors_of_another_shop_or_forged_ones_are_400(api: Api) -> None:
    plan_orders(api)
    page = api.staff.get(DELIVERIES, limit=2).json()
    assert api.staff.get(DELIVERIES, limit=2, cursor=page["next_cursor"]).status == 200
    assert api.staff.get(DELIVERIES, cursor="not-a-cursor").error_code == "bad_cursor"
    theirs = encode_cursor(OTHER_SHOP, {"pk": OTHER_SHOP, "sk": "x", "shop_id": OTHER_SHOP, "send_at": "x"})
    assert api.staff.get(DELIVERIES, cursor=theirs).error_code == "bad_cursor"
    forged = encode_cursor(SHOP_ID, {"pk": OTHER_SHOP, "sk": "x", "shop_id": OTHER_SHOP, "send_at": "x"})
    assert api.staff.get(DELIVERIES, cursor=forged).error_code == "bad_cursor"
    of_orders = api.staff.get(f"{BASE}/orders", limit=1).json()["next_cursor"]
    assert api.staff.get(DELIVERIES, cursor=of_orders).error_code == "bad_cursor"


# --- one mail ----------------------------------------------------------------------------------------


def test_a_mail_is_shown_as_it_will_be_sent_without_spending_a_coupon(api: Api) -> None:
    planned = plan_orders(api)
    love = planned.one(NAKAJIMA, "love")
    coupons_before = api.stack.admin.coupons.counts(SHOP_ID, "MIKAN5")
    answer = api.staff.get(f"{DELIVERIES}/{love.id}")
    assert answer.status == 200, answer.text
    detail = answer.json()
    assert detail["delivery"]["id"] == love.id
    assert detail["mail"]["to"] == NAKAJIMA
    assert detail["mail"]["subject"] == "中島 彩様へ、次回使えるクーポンです"
    assert "クーポンコード: PREVIEW-MIKAN5" in detail["mail"]["text"]
    assert "PREVIEW-MIKAN5" in detail["mail"]["html"]
    assert "/u/" in detail["mail"]["text"]  # an advertising mail carries its opt-out link
    assert detail["problem"] is None
    assert api.stack.admin.coupons.counts(SHOP_ID, "MIKAN5") == coupons_before


def test_another_shops_delivery_is_not_found_and_another_shop_is_forbidden(api: Api) -> None:
    planned = plan_orders(api)
    thanks = planned.one(NAKAJIMA, "thanks")
    assert api.owner.get(f"/api/shops/{OTHER_SHOP}/deliveries/{thanks.id}").status == 404
    assert api.owner.post(f"/api/shops/{OTHER_SHOP}/deliveries/{thanks.id}/stop").status == 404
    assert api.owner.get(f"/api/shops/{OTHER_SHOP}/deliveries").json()["items"] == []
    assert api.outsider.get(f"{DELIVERIES}/{thanks.id}").error_code == "forbidden_shop"
    assert api.outsider.post(f"{DELIVERIES}/{thanks.id}/stop").error_code == "forbidden_shop"
    assert stored(api, thanks.id).status == "scheduled"
    assert api.staff.get(f"{DELIVERIES}/no-such-delivery").status == 404


# --- stop ----------------------------------------------------------------------------------------------


def test_stop_cancels_the_mail_and_its_wake_up_once(api: Api) -> None:
    planned = plan_orders(api)
    like = planned.one(NAKAJIMA, "like")
    assert like.id in schedule_names()
    first = api.staff.post(f"{DELIVERIES}/{like.id}/stop")
    assert first.status == 200, first.text
    assert (first.json()["status"], first.json()["reason"]) == ("cancelled", "stopped_by_operator")
    assert stored(api, like.id).status == "cancelled"
    assert like.id not in schedule_names()
    again = api.staff.post(f"{DELIVERIES}/{like.id}/stop")
    assert (again.status, again.json()) == (200, first.json())
    assert actions_logged(api, "delivery.stop", like.id) == 1
    [entry] = [e for e in audit_entries(api) if e["action"] == "delivery.stop"]
    assert entry["detail"]["by"] == "staff@okaeri.test"


def test_a_mail_that_went_out_cannot_be_stopped(api: Api) -> None:
    planned = plan_orders(api)
    thanks = planned.one(NAKAJIMA, "thanks")
    fire_due_schedules(api.stack, thanks.send_at + timedelta(minutes=5))
    assert stored(api, thanks.id).status == "sent"
    answer = api.staff.post(f"{DELIVERIES}/{thanks.id}/stop")
    assert (answer.status, answer.error_code) == (409, "delivery_state")
    assert answer.json()["error"]["message_ja"]
    assert stored(api, thanks.id).status == "sent"


def test_the_same_idempotency_key_does_it_once_and_answers_alike(api: Api) -> None:
    planned = plan_orders(api)
    love = planned.one(HIKARI, "love")
    key = {"Idempotency-Key": "stop-love-1"}
    first = api.staff.post(f"{DELIVERIES}/{love.id}/stop", headers=key)
    replay = api.staff.post(f"{DELIVERIES}/{love.id}/stop", headers=key)
    assert first.status == replay.status == 200
    assert replay.json() == first.json()
    assert replay.headers.get("idempotent-replayed") == "true"
    assert actions_logged(api, "delivery.stop", love.id) == 1

    like = planned.one(HIKARI, "like")
    moved = like.send_at + timedelta(days=1)
    key = {"Idempotency-Key": "move-like-1"}
    body = {"send_at": moved.isoformat()}
    assert api.staff.post(f"{DELIVERIES}/{like.id}/reschedule", body, headers=key).status == 200
    other = {"send_at": (moved + timedelta(hours=1)).isoformat()}
    refused = api.staff.post(f"{DELIVERIES}/{like.id}/reschedule", other, headers=key)
    assert (refused.status, refused.error_code) == (400, "idempotency_key_reused")
    assert stored(api, like.id).send_at == moved


# --- reschedule -------------------------------------------------------------------------------------


def test_reschedule_moves_the_mail_and_its_wake_up(api: Api) -> None:
    planned = plan_orders(api)
    love = planned.one(HIKARI, "love")
    moved = love.send_at + timedelta(days=1)  # day 21 after shipping: Rakuten's limit for a coupon
    answer = api.staff.post(
        f"{DELIVERIES}/{love.id}/reschedule", {"send_at": moved.astimezone(TOKYO).isoformat()}
    )
    assert answer.status == 200, answer.text
    assert datetime.fromisoformat(answer.json()["send_at"]) == moved
    assert stored(api, love.id).send_at == moved
    assert schedule_time(schedules()[love.id]) == moved
    again = api.staff.post(f"{DELIVERIES}/{love.id}/reschedule", {"send_at": moved.isoformat()})
    assert (again.status, again.json()) == (200, answer.json())
    assert actions_logged(api, "delivery.reschedule", love.id) == 1
    fire_due_schedules(api.stack, love.send_at + timedelta(hours=1))
    assert stored(api, love.id).status == "scheduled"  # not at the old time
    fire_due_schedules(api.stack, moved + timedelta(minutes=5))
    assert stored(api, love.id).status == "sent"


def test_reschedule_refuses_times_the_rules_do_not_allow(api: Api) -> None:
    planned = plan_orders(api)
    love = planned.one(NAKAJIMA, "love")  # an EC-CUBE order: the shop's own profile, Rakuten's rules
    path = f"{DELIVERIES}/{love.id}/reschedule"
    too_late = api.staff.post(path, {"send_at": (love.send_at + timedelta(days=2)).isoformat()})
    assert (too_late.status, too_late.error_code) == (422, "rakuten.ad_max_21_days")
    # A Yahoo order's coupon mail follows Yahoo's rules (issue #16): the same move is allowed.
    yahoo_love = planned.one(HIKARI, "love")
    moved = yahoo_love.send_at + timedelta(days=2)
    allowed = api.staff.post(f"{DELIVERIES}/{yahoo_love.id}/reschedule", {"send_at": moved.isoformat()})
    assert allowed.status == 200, allowed.text
    assert stored(api, yahoo_love.id).send_at == moved
    past = api.staff.post(path, {"send_at": (api.stack.clock.now() - timedelta(minutes=1)).isoformat()})
    assert (past.status, past.error_code) == (422, "send_at_past")
    naive = api.staff.post(path, {"send_at": "2026-12-24T10:00:00"})
    assert (naive.status, naive.error_code) == (422, "invalid_request")
    assert api.staff.post(path, {"send_at": love.send_at.isoformat(), "extra": 1}).status == 422
    assert stored(api, love.id).send_at == love.send_at
    assert schedule_time(schedules()[love.id]) == love.send_at
    assert api.staff.post(f"{DELIVERIES}/{love.id}/stop").status == 200
    stopped = api.staff.post(path, {"send_at": love.send_at.isoformat()})
    assert (stopped.status, stopped.error_code) == (409, "delivery_state")


# --- edit ---------------------------------------------------------------------------------------------


def test_a_manager_edits_a_pending_mail_and_the_send_uses_the_edit(api: Api) -> None:
    planned = plan_orders(api)
    thanks = planned.one(NAKAJIMA, "thanks")
    path = f"{DELIVERIES}/{thanks.id}"
    edit = {"subject": "{{ customer.name }}様、発送のお知らせ（改）"}
    refused = api.staff.patch(path, edit)
    assert (refused.status, refused.error_code) == (403, "forbidden_role")
    answer = api.manager.patch(path, edit)
    assert answer.status == 200, answer.text
    assert answer.json()["edited_subject"] == edit["subject"]
    assert api.staff.get(path).json()["mail"]["subject"] == "中島 彩様、発送のお知らせ（改）"
    assert api.manager.patch(path, edit).json() == answer.json()
    assert actions_logged(api, "delivery.edit", thanks.id) == 1

    fire_due_schedules(api.stack, thanks.send_at + timedelta(minutes=5))
    assert stored(api, thanks.id).status == "sent"
    subjects = {str(mail["To"]): str(mail["Subject"]) for mail in outbox_mails(api)}
    assert subjects[NAKAJIMA] == "中島 彩様、発送のお知らせ（改）"
    late = api.manager.patch(path, {"text": "遅すぎる編集"})
    assert (late.status, late.error_code) == (409, "delivery_state")


def test_an_edit_that_cannot_render_is_refused_and_null_undoes_one(api: Api) -> None:
    planned = plan_orders(api)
    like = planned.one(HIKARI, "like")
    path = f"{DELIVERIES}/{like.id}"
    broken = api.manager.patch(path, {"text": "{% if %}"})
    assert broken.status == 422, broken.text
    assert stored(api, like.id).edited_text is None
    assert api.manager.patch(path, {}).error_code == "invalid_request"
    assert api.manager.patch(path, {"subject": ""}).error_code == "invalid_request"
    assert api.manager.patch(path, {"subject": "x" * 201}).error_code == "invalid_request"
    assert api.manager.patch(path, {"text": "本文だけの{{ customer.name }}様へのお便り"}).status == 200
    text = api.staff.get(path).json()["mail"]["text"]
    assert text.startswith("本文だけの㈱ひかり商会 光 一郎様へのお便り")
    undone = api.manager.patch(path, {"text": None})
    assert undone.status == 200
    assert stored(api, like.id).edited_text is None
    assert "本文だけ" not in api.staff.get(path).json()["mail"]["text"]


# --- resend, drop ---------------------------------------------------------------------------------------


def test_resend_schedules_an_unknown_mail_now_and_it_goes_out(api: Api) -> None:
    planned = plan_orders(api)
    thanks = planned.one(HIKARI, "thanks")
    api.stack.clock.set(thanks.send_at + timedelta(minutes=30))
    make_unknown(api, thanks)
    assert api.staff.post(f"{DELIVERIES}/{thanks.id}/stop").error_code == "delivery_state"
    answer = api.staff.post(f"{DELIVERIES}/{thanks.id}/resend")
    assert answer.status == 200, answer.text
    body = answer.json()
    assert (body["status"], body["reason"]) == ("scheduled", "resent_by_operator")
    assert datetime.fromisoformat(body["send_at"]) == api.stack.clock.now()
    assert thanks.id in schedule_names()
    assert api.staff.post(f"{DELIVERIES}/{thanks.id}/resend").json() == body
    assert actions_logged(api, "delivery.resend", thanks.id) == 1
    fire_due_schedules(api.stack, api.stack.clock.now() + timedelta(minutes=5))
    assert stored(api, thanks.id).status == "sent"
    gone = api.staff.post(f"{DELIVERIES}/{thanks.id}/resend")
    assert (gone.status, gone.error_code) == (409, "delivery_state")


def test_drop_cancels_an_unknown_mail_once(api: Api) -> None:
    planned = plan_orders(api)
    thanks = planned.one(NAKAJIMA, "thanks")
    make_unknown(api, thanks)
    first = api.staff.post(f"{DELIVERIES}/{thanks.id}/drop")
    assert first.status == 200, first.text
    assert (first.json()["status"], first.json()["reason"]) == ("cancelled", "dropped_by_operator")
    assert api.staff.post(f"{DELIVERIES}/{thanks.id}/drop").json() == first.json()
    assert actions_logged(api, "delivery.drop", thanks.id) == 1
    assert api.staff.post(f"{DELIVERIES}/{thanks.id}/resend").error_code == "delivery_state"
    like = planned.one(NAKAJIMA, "like")
    for action in ("drop", "resend"):
        refused = api.staff.post(f"{DELIVERIES}/{like.id}/{action}")
        assert (refused.status, refused.error_code) == (409, "delivery_state")
    assert stored(api, like.id).status == "scheduled"


# --- what operators did -------------------------------------------------------------------------------


def test_a_mail_lists_every_operator_action_with_who_when_and_from_what_to_what(api: Api) -> None:
    """Reschedule, edit and stop on one mail, resend and drop on mails in doubt: the detail lists
    each with the operator, the time and, for a move or a subject, the value before and after."""
    planned = plan_orders(api)
    like = planned.one(HIKARI, "like")
    path = f"{DELIVERIES}/{like.id}"
    moved = like.send_at + timedelta(days=1)
    assert api.staff.post(f"{path}/reschedule", {"send_at": moved.isoformat()}).status == 200
    api.stack.clock.advance(timedelta(minutes=1))
    subject = "{{ customer.name }}様へ（改）"
    assert api.manager.patch(path, {"subject": subject}).status == 200
    api.stack.clock.advance(timedelta(minutes=1))
    assert api.owner.post(f"{path}/stop").status == 200
    actions = api.staff.get(path).json()["actions"]
    assert [(a["action"], a["by"]) for a in actions] == [
        ("reschedule", "staff@okaeri.test"),
        ("edit", "manager@okaeri.test"),
        ("stop", "owner@okaeri.test"),
    ]
    move, edit, stop = actions
    assert datetime.fromisoformat(move["was"]) == like.send_at
    assert datetime.fromisoformat(move["to"]) == moved
    assert (edit["fields"], edit["was"], edit["to"]) == (["subject"], None, subject)
    assert [a["at"] for a in actions] == [
        "2026-11-29T22:00:00Z",
        "2026-11-29T22:01:00Z",
        "2026-11-29T22:02:00Z",
    ]
    assert stop["was"] is stop["to"] is None
    # Not another mail's: the buyer's love mail has none.
    assert api.staff.get(f"{DELIVERIES}/{planned.one(HIKARI, 'love').id}").json()["actions"] == []

    thanks = make_unknown(api, planned.one(NAKAJIMA, "thanks"))
    assert api.manager.post(f"{DELIVERIES}/{thanks.id}/resend").status == 200
    other = make_unknown(api, planned.one(HIKARI, "thanks"))
    assert api.owner.post(f"{DELIVERIES}/{other.id}/drop").status == 200
    assert [(a["action"], a["by"]) for a in api.staff.get(f"{DELIVERIES}/{thanks.id}").json()["actions"]] == [
        ("resend", "manager@okaeri.test")
    ]
    assert [(a["action"], a["by"]) for a in api.staff.get(f"{DELIVERIES}/{other.id}").json()["actions"]] == [
        ("drop", "owner@okaeri.test")
    ]


def test_a_mails_history_is_whole_however_busy_the_shops_audit_log(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """More audit entries for other mails than a bounded pass reads (the bound lowered to 30)
    come between a mail's first action and its last: the newest-first pass over the shop's log
    no longer reaches the first, yet the mail's history lists both."""
    monkeypatch.setattr(search, "MAX_PASS", 30)
    planned = plan_orders(api)
    like = planned.one(HIKARI, "like")
    path = f"{DELIVERIES}/{like.id}"
    moved = like.send_at + timedelta(days=1)
    assert api.staff.post(f"{path}/reschedule", {"send_at": moved.isoformat()}).status == 200
    others = [d.id for d in planned.deliveries.values() if d.id != like.id]
    for n in range(40):
        api.stack.clock.advance(timedelta(seconds=1))
        other = others[n % len(others)]
        api.stack.admin.logs.put_audit(
            SHOP_ID,
            action="delivery.edit",
            at=api.stack.clock.now(),
            detail={"delivery": other, "by": "manager@okaeri.test", "fields": ["body"], "n": n},
            delivery=other,
        )
    api.stack.clock.advance(timedelta(minutes=1))
    assert api.owner.post(f"{path}/stop").status == 200

    expr = Expression()
    shop_log = Table(api.stack.tables["logs"])
    newest = list(search.every_item(shop_log, expr, f"pk = {expr.value(f'{SHOP_ID}#audit')}", forward=False))
    assert len(newest) == 30  # the bound cuts the shop's log short …
    assert "delivery.reschedule" not in [e["action"] for e in newest]  # … before the mail's move
    assert actions_logged(api, "delivery.reschedule", like.id) == 1

    actions = api.staff.get(path).json()["actions"]
    assert [(a["action"], a["by"]) for a in actions] == [
        ("reschedule", "staff@okaeri.test"),
        ("stop", "owner@okaeri.test"),
    ]
    assert datetime.fromisoformat(actions[0]["to"]) == moved
