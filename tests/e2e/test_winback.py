"""Issue #16, end to end on the local stack: the clock moved ``lapsed_days`` past a buyer's last
order → the win-back mail goes out once, on the day they lapse.

The demo shop is made a shop of its own site (compliance ``none``: a win-back is beyond Rakuten's
30 days after shipping) and saves a 90-day win-back through the admin API; an EC-CUBE order mail
comes in by SMTP (placed 2026-12-04); ``POST /dev/clock`` walks the clock to 2027-03-04 noon, the
win-back job running once a day on the way (docs/journeys-winback.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.e2e.local import LocalClient
from tests.support.winback import WINBACK

MAIL = Path(__file__).resolve().parents[1] / "fixtures" / "mail" / "eccube-html-gift.eml"
BUYER = "aya.nakajima@example.net"  # the fixture's buyer; ordered 2026-12-04 12:34 JST


def winback_mails(local: LocalClient) -> list[dict[str, Any]]:
    """The buyer's mails of the win-back's steps (a delivery id is ``<shop>.<step>.<hash>``)."""
    steps = {step["id"] for step in WINBACK["steps"]}
    return [
        message
        for message in local.outbox()
        if message["to"] == BUYER and message["tags"]["delivery"].split(".")[1] in steps
    ]


def test_the_clock_moved_lapsed_days_sends_the_win_back_once(local: LocalClient, owner_token: str) -> None:
    settings = local.get("/api/shops/demo/settings", token=owner_token).json()
    saved = local.request(
        "PUT", "/api/shops/demo/settings", json_body=settings | {"compliance": "none"}, token=owner_token
    )
    assert saved.status == 200, saved.body
    # its own site's buyers only: the mall rules by source (issue #16) keep Rakuten's buyers out anyway
    scenario = WINBACK | {"conditions": {"sources": ["ec-cube"]}}
    created = local.post("/api/shops/demo/scenarios", scenario, token=owner_token)
    assert created.status == 201, created.body

    assert local.send_mail(MAIL.read_bytes()).endswith(" parsed")
    moved = local.post("/dev/clock", {"set": "2027-03-04T12:00:00+09:00"})
    assert moved.status == 200, moved.body
    started = [run for run in moved.json()["winbacks"] if run["started"]]
    assert len(started) == 1, moved.json()["winbacks"]
    (coupon,) = winback_mails(local)
    assert coupon["tags"]["delivery"].split(".")[1] == "coupon"

    local.advance("3d")  # the job again every day: nothing more (the reminder is a week on)
    assert len(winback_mails(local)) == 1
