"""The dashboard warns ahead of a sale: an hour whose planned mails the SES send rate cannot send
within the shop's flexible window says how long it will take and to ask for a higher rate, in
Japanese and English (issue #14 item 2)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from okaeri.aws.deliveries import due_shard
from okaeri.aws.dynamo import iso_utc
from okaeri_dev.send_sample import order_mail
from okaeri_dev.stack import LocalStack
from tests.browser.conftest import open_screen, page_dir
from tests.e2e.conftest import running_stack
from tests.e2e.local import LocalClient

JST = timezone(timedelta(hours=9))  # the demo shop's time
#: This module's stack is told SES sends 1 mail a second, so that a few mails make a slow hour.
SEND_RATE = 1
PLANNED = 150  # at 1 a second: 2½ minutes (3, rounded up), beyond the window set below (0: a minute)


@pytest.fixture(scope="module")
def stack() -> Iterator[LocalStack]:
    with running_stack(page_dir=page_dir(), send_rate=SEND_RATE) as running:
        yield running


def plan_a_sale_hour(local: LocalClient, at: datetime) -> None:
    """One real order's planned mail, copied ``PLANNED`` times at ``at`` (a sale's wave in the table),
    and the demo shop's send window set to 0 minutes."""
    answer = local.send_mail(order_mail(ordered_at=datetime.fromisoformat(local.now()), serial=301))
    assert answer.endswith(" parsed"), answer
    model: dict[str, Any] = next(d for d in local.deliveries() if d["status"] == "scheduled")
    with local.table("deliveries").batch_writer() as batch:
        for n in range(PLANNED):
            delivery_id = f"{model['sk']}.sale{n:05d}"
            batch.put_item(
                Item=model
                | {
                    "sk": delivery_id,
                    "id": delivery_id,
                    "send_at": iso_utc(at),
                    "due_shard": f"scheduled#{due_shard(delivery_id)}",
                    "due_at": iso_utc(at),
                }
            )
    local.table("config").update_item(
        Key={"pk": "demo", "sk": "shop"},
        UpdateExpression="SET #doc.#window = :zero",
        ExpressionAttributeNames={"#doc": "doc", "#window": "flexible_window_minutes"},
        ExpressionAttributeValues={":zero": 0},
    )


def test_an_hour_the_rate_cannot_send_in_its_window_is_warned_of(
    owner_page: Page, stack: LocalStack, local: LocalClient
) -> None:
    page = owner_page
    sale = datetime.fromisoformat(local.now()).replace(minute=0, second=0, microsecond=0) + timedelta(hours=5)
    plan_a_sale_hour(local, sale)

    open_screen(page, stack, "receptions")
    open_screen(page, stack, "dashboard")
    pace = page.get_by_test_id("alert-pace")
    expect(pace).to_contain_text("送信に時間がかかる時間帯が 1 つあります")
    expect(pace).to_contain_text(f"{sale.astimezone(JST):%Y/%m/%d %H}:00")
    expect(pace).to_contain_text("150 通")
    expect(pace).to_contain_text(
        "この時間帯の配信は約 3 分かかります: SES の送信レート上限の引き上げを申請してください"
    )
    expect(pace).to_contain_text(f"SES の送信レート（毎秒 {SEND_RATE} 通）では、送信時刻の幅（0 分）")
    expect(page.get_by_test_id("all-clear")).to_have_count(0)

    page.get_by_role("button", name="English").click()
    expect(pace).to_contain_text("Hours ahead that will take longer to send: 1")
    expect(pace).to_contain_text("150 mails")
    expect(pace).to_contain_text(
        "Sending this hour's mail will take about 3 minutes: ask AWS to raise your SES sending rate"
    )
    expect(pace).to_contain_text(f"At the SES sending rate ({SEND_RATE} mails a second)")
