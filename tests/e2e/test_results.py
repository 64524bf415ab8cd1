"""What each mail earns (issue #15), end to end on the local stack (no demo history: this module's
own orders are all there is): order mails in by SMTP, the clock on until a mail goes out, the same
buyer orders again → ``GET /results`` credits the order to that mail, and the mail and the order
show the conversion; a cancellation takes it back.

Each test uses a buyer of its own and compares the results before and after: the module's stack
and its counters are shared.
"""

from __future__ import annotations

import itertools
from datetime import datetime
from typing import Any
from urllib.parse import quote

from okaeri_dev.send_sample import cancel_mail, order_mail, rakuten_order_id
from tests.e2e.local import LocalClient

SAMPLE_TOTAL = 3264  # devstack/okaeri_dev/demo/order-mail.txt: 合計 ３，２６４(円)
SERIALS = itertools.count(8_000_000_001)
DAYS = 30
RESULTS = f"/api/shops/demo/results?days={DAYS}"


def order_in(local: LocalClient, buyer: str) -> str:
    """A new order mail from ``buyer``, placed now; its order key."""
    serial = next(SERIALS)
    placed = datetime.fromisoformat(local.now())
    answer = local.send_mail(order_mail(ordered_at=placed, serial=serial, buyer_tag=buyer))
    assert answer.endswith(" parsed"), answer
    return f"rakuten#{rakuten_order_id(placed, serial)}"


def results(local: LocalClient, owner_token: str) -> dict[tuple[str, str], dict[str, Any]]:
    """``GET /results``: each scenario (step ``*``) and step of it, by (scenario, step)."""
    reply = local.get(RESULTS, token=owner_token)
    assert reply.status == 200, reply.body
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for scenario in reply.json()["scenarios"]:
        rows[(scenario["scenario_id"], "*")] = scenario
        for step in scenario["steps"]:
            rows[(scenario["scenario_id"], step["step_id"])] = step
    return rows


def change(before: dict[str, Any], after: dict[str, Any], *names: str) -> dict[str, int]:
    def read(row: dict[str, Any], name: str) -> int:
        group, _, member = name.partition(".")
        value = row[group][member] if member else row[group]
        return int(value)

    return {name: read(after, name) - read(before, name) for name in names}


def mails_to(local: LocalClient, buyer: str, since: int) -> dict[str, dict[str, Any]]:
    """The buyer's mails sent after outbox message ``since``, by step."""
    address = f"buyer-{buyer}@example.jp"
    return {
        message["tags"]["delivery"].split(".")[1]: message
        for message in local.outbox(since=since)
        if message["to"] == address
    }


def test_a_repeat_order_is_credited_to_the_last_mail_sent_with_its_total(
    local: LocalClient, owner_token: str
) -> None:
    buyer = "repeat-e2e"
    before = results(local, owner_token)
    seen = local.outbox_count()
    first = order_in(local, buyer)
    local.advance("2d")  # the thanks goes out on the ship day, at 10:00
    sent = mails_to(local, buyer, seen)
    assert set(sent) == {"thanks"}
    thanks = sent["thanks"]

    again = order_in(local, buyer)  # within the shop's attribution_days (7) of the thanks
    after = results(local, owner_token)
    credited = ("thanks-like-love", "thanks")
    assert change(before[credited], after[credited], "sent", "converted", "revenue") == {
        "sent": 1,
        "converted": 1,
        "revenue": SAMPLE_TOTAL,
    }
    for step in ("like", "love"):  # not sent yet: nothing credited to them
        key = ("thanks-like-love", step)
        assert change(before[key], after[key], "converted", "revenue") == {"converted": 0, "revenue": 0}
    scenario = ("thanks-like-love", "*")
    assert change(before[scenario], after[scenario], "runs.mailed", "repeated.mailed", "converted") == {
        "runs.mailed": 2,  # each order started a run
        "repeated.mailed": 1,  # the first run, by the second order
        "converted": 1,
    }

    # the mail shows the order it earned, and the order the mail it is credited to
    detail = local.get(f"/api/shops/demo/deliveries/{thanks['tags']['delivery']}", token=owner_token).json()
    conversion = detail["delivery"]["conversions"][again]
    assert conversion["order_key"] == again
    assert (conversion["total"], conversion["cancelled"]) == (SAMPLE_TOTAL, False)
    hours = (datetime.fromisoformat(conversion["at"]) - datetime.fromisoformat(thanks["at"])).total_seconds()
    assert conversion["hours"] == round(hours / 3600, 1) > 0
    order = local.get(f"/api/shops/demo/orders/{quote(again, safe='')}", token=owner_token).json()["order"]
    assert order["credit"]["delivery_id"] == thanks["tags"]["delivery"]
    assert (order["credit"]["step_id"], order["credit"]["total"]) == ("thanks", SAMPLE_TOTAL)
    first_order = local.get(f"/api/shops/demo/orders/{quote(first, safe='')}", token=owner_token).json()
    assert first_order["order"]["credit"] is None  # a first order: no mail before it


def test_a_cancelled_repeat_order_gives_its_credit_back(local: LocalClient, owner_token: str) -> None:
    buyer = "cancel-e2e"
    seen = local.outbox_count()
    order_in(local, buyer)
    local.advance("2d")
    thanks = mails_to(local, buyer, seen)["thanks"]
    again = order_in(local, buyer)
    credited = results(local, owner_token)[("thanks-like-love", "thanks")]

    order_id = again.split("#", 1)[1]
    answer = local.send_mail(cancel_mail(order_id=order_id, at=datetime.fromisoformat(local.now())))
    assert answer.endswith(" parsed"), answer
    after = results(local, owner_token)[("thanks-like-love", "thanks")]
    assert change(credited, after, "converted", "revenue") == {"converted": -1, "revenue": -SAMPLE_TOTAL}
    detail = local.get(f"/api/shops/demo/deliveries/{thanks['tags']['delivery']}", token=owner_token).json()
    assert detail["delivery"]["conversions"][again]["cancelled"] is True
