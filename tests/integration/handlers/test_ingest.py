"""The ingest handler on moto: every bad mail of the corpus, repeated S3 events, and keys.

Each mail is stored in S3 under ``inbound/mikan-sanbo/<name>`` and its ObjectCreated event handed
to ``functions.ingest.handler.handle``, twice (S3 notifications are at-least-once). What must hold:
nothing raises, each mail has exactly one reception entry in the logs table with an allowed result
and a reason, and the raw mail is still in the bucket afterwards.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any
from urllib.parse import quote_plus

import pytest

from functions.ingest import handler as ingest_handler
from okaeri.aws.clients import s3_client
from tests.conftest import FIXTURES
from tests.corpus.bad_mail import BadMail, cases
from tests.integration.pipeline.conftest import (
    BUCKET,
    SHOP_ID,
    Stack,
    put_mail,
    reception_items,
    s3_event,
    stream_records,
    table_items,
)
from tests.support.tables import format_table, stash_summary

CORPUS = list(cases())
VIRUS_CASES = frozenset({"virus-verdict-fail", "forged-pass-below-ses-fail"})
ORDER_MAIL = (FIXTURES / "mail" / "rakuten-utf8-qp.eml").read_bytes()
EVENT_TIME = "2026-12-06T00:00:00.000Z"
Answer = list[dict[str, Any]] | str  # what the handler returned for one event, or what it raised


def deliver(stack: Stack, event_key: str) -> list[dict[str, Any]]:
    """One S3 ObjectCreated event for ``event_key`` (as S3 writes it: URL-encoded) through the handler."""
    return list(ingest_handler.handle(s3_event(event_key, EVENT_TIME), stack.ingest)["results"])


def stored(key: str) -> bytes:
    return s3_client().get_object(Bucket=BUCKET, Key=key)["Body"].read()


def entries_by_key(stack: Stack) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for item in reception_items(stack):
        grouped[str(item["s3_key"])].append(item)
    return grouped


def answer_or_error(stack: Stack, key: str) -> Answer:
    """The handler's answer, or what it raised: one mail's failure must not hide the others' results."""
    try:
        return deliver(stack, key)
    except Exception as exc:  # any escape is a finding, reported per mail below
        return f"{type(exc).__name__}({getattr(exc, 'code', '')})"


def problems_of(case: BadMail, answers: list[Answer], entries: list[dict[str, Any]]) -> list[str]:
    """What is wrong with one corpus mail's handling (nothing, when all holds)."""
    found = [f"{case.name}: the handler raised {answer}" for answer in answers if isinstance(answer, str)]
    if stored(f"inbound/{SHOP_ID}/{case.name}") != case.raw:
        found.append(f"{case.name}: the raw mail is no longer in S3 as received")
    if len(entries) != 1:
        return [*found, f"{case.name}: {len(entries)} reception entries, not one"]
    entry = entries[0]
    if entry["result"] not in case.results:
        found.append(f"{case.name}: result {entry['result']!r} not in {sorted(case.results)}")
    if not entry.get("reason"):
        found.append(f"{case.name}: no reason")
    if case.name in VIRUS_CASES and (entry["result"], entry["reason"]) != ("refused", "virus"):
        found.append(
            f"{case.name}: a virus verdict must end refused/virus, not {entry['result']}/{entry['reason']}"
        )
    expected = [{"key": entry["s3_key"], "result": entry["result"], "reason": entry["reason"], "order": None}]
    found += [
        f"{case.name}: the handler answered {a}, the log says {expected}"
        for a in answers
        if a != expected and not isinstance(a, str)
    ]
    return found


def row_of(case: BadMail, answers: list[Answer], entries: list[dict[str, Any]]) -> tuple[str, str, str]:
    raised = next((answer for answer in answers if isinstance(answer, str)), None)
    if entries:
        result, reason = str(entries[0]["result"]), str(entries[0].get("reason") or "-")
    else:
        result, reason = "(no entry)", "-"
    if len(entries) > 1:
        result += f" ×{len(entries)}"
    return case.name, result, reason if raised is None else f"{reason}; handler raised {raised}"


def test_every_bad_mail_gets_one_reception_entry_and_stays_in_s3(
    stack: Stack, request: pytest.FixtureRequest
) -> None:
    assert {case.name for case in CORPUS} >= VIRUS_CASES
    answers: dict[str, list[Answer]] = {}
    for case in CORPUS:
        key = f"inbound/{SHOP_ID}/{case.name}"
        put_mail(key, case.raw)
        answers[case.name] = [answer_or_error(stack, key) for _ in range(2)]  # the same event, twice

    entries = entries_by_key(stack)
    own = {case.name: entries.get(f"inbound/{SHOP_ID}/{case.name}", []) for case in CORPUS}
    stash_summary(
        request.config,
        f"ingest handler × bad-mail corpus ({len(CORPUS)} mails, each event delivered twice)",
        format_table(("mail", "result", "reason"), [row_of(c, answers[c.name], own[c.name]) for c in CORPUS]),
    )
    problems = [problem for c in CORPUS for problem in problems_of(c, answers[c.name], own[c.name])]
    assert problems == []
    assert sum(len(found) for found in entries.values()) == len(CORPUS)
    assert table_items(stack)["orders"] == []  # no bad mail became an order


def test_the_same_event_twice_leaves_one_entry_and_one_order(stack: Stack) -> None:
    key = f"inbound/{SHOP_ID}/rakuten-utf8-qp"
    put_mail(key, ORDER_MAIL)

    first, again = deliver(stack, key), deliver(stack, key)

    assert [answer["result"] for answer in first + again] == ["parsed", "parsed"]
    assert first == again
    [entry] = reception_items(stack)
    assert (entry["s3_key"], entry["result"], entry["order_key"]) == (key, "parsed", first[0]["order"])
    items = table_items(stack)
    assert len(items["orders"]) == 1
    assert [item["order_count"]["N"] for item in items["customers"]] == ["1"]  # counted once
    assert [record["eventName"] for record in stream_records(stack)] == ["INSERT"]  # no second write
    assert stored(key) == ORDER_MAIL


@pytest.mark.parametrize(
    "key",
    [
        f"outbound/{SHOP_ID}/mail-1",  # another folder of the bucket
        f"inbound/{SHOP_ID}",  # the shop's folder itself, no object name
        "inbound//mail-1",  # no shop id
        "inbound/Mikan_Sanbo/mail-1",  # not a shop id
        f"{SHOP_ID}/inbound/mail-1",
    ],
)
def test_a_key_outside_a_shops_inbound_folder_is_refused_and_writes_nothing(stack: Stack, key: str) -> None:
    put_mail(key, ORDER_MAIL)
    before = table_items(stack)

    answer = deliver(stack, quote_plus(key, safe="/"))

    assert answer == [{"key": key, "result": "refused", "reason": "bad_key"}]
    assert table_items(stack) == before
    assert stored(key) == ORDER_MAIL


def test_the_object_ses_writes_when_a_receipt_rule_is_made_is_not_a_mail(stack: Stack) -> None:
    """Creating a shop's receipt rule (CDK deploy) stores AMAZON_SES_SETUP_NOTIFICATION under its
    prefix: no reception entry, no alert, the object stays."""
    key = f"inbound/{SHOP_ID}/AMAZON_SES_SETUP_NOTIFICATION"
    put_mail(key, b"Amazon SES setup notification")
    before = table_items(stack)

    assert deliver(stack, key) == [{"key": key, "result": "setup_notice"}]
    assert table_items(stack) == before
    assert stored(key) == b"Amazon SES setup notification"


def test_a_url_encoded_key_is_decoded(stack: Stack) -> None:
    key = f"inbound/{SHOP_ID}/2026-12-06 注文メール+再送 (1).eml"
    put_mail(key, ORDER_MAIL)
    event_key = quote_plus(key, safe="/")  # what S3 puts in the event: spaces as "+", "+" as "%2B"…
    assert " " not in event_key
    assert "%2B" in event_key
    assert "%E6%B3%A8" in event_key  # 注

    [answer] = deliver(stack, event_key)

    assert (answer["key"], answer["result"]) == (key, "parsed")
    [entry] = reception_items(stack)
    assert (entry["s3_key"], entry["result"]) == (key, "parsed")
