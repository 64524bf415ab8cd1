"""Ingest: a stored mail → an order change and exactly one reception entry."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from okaeri.errors import ParseError
from okaeri.identity import customer_id_for
from okaeri.models import Order, ReceptionEntry
from okaeri.services.ingest import apply_order, ingest_object, shop_from_key, top_headers, virus_verdict
from tests.unit.services.support import (
    SHOP_ID,
    World,
    at,
    kurashi_mail,
    kurashi_mask,
    mail,
    with_headers,
)

NOW = at("2026-12-05 08:00")
YAHOO_KEY = "yahoo#KOME-YA-20000001"
RAKUTEN_KEY = "rakuten#512034-20261205-1000000077"


@pytest.fixture
def world() -> World:
    return World.create(NOW)


# --- the shop comes from the key only -----------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "shop"),
    [("inbound/mikan-sanbo/abc123", "mikan-sanbo"), ("inbound/a/b/c", "a")],
)
def test_shop_from_key_reads_the_prefix_ses_writes(key: str, shop: str) -> None:
    assert shop_from_key(key) == shop


@pytest.mark.parametrize(
    "key",
    [
        "outbound/mikan-sanbo/abc",
        "inbound/Mikan_Sanbo/abc",
        "inbound/mikan-sanbo/",
        "inbound/mikan-sanbo",
        "abc",
        "",
    ],
)
def test_shop_from_key_refuses_any_other_key(key: str) -> None:
    with pytest.raises(ParseError) as caught:
        shop_from_key(key)
    assert caught.value.reason == "bad_key"
    assert caught.value.message_ja
    assert caught.value.message_en


def test_a_shop_named_in_a_header_is_ignored(world: World) -> None:
    raw = with_headers(
        mail("yahoo-forwarded-inline"), "X-Okaeri-Shop: another-shop", "Delivered-To: orders+x@okaeri.local"
    )
    entry = world.receive("yahoo-forwarded-inline", raw=raw)
    assert entry.shop_id == SHOP_ID
    assert world.orders.get(SHOP_ID, YAHOO_KEY) is not None
    assert {shop for shop, _ in world.orders.items} == {SHOP_ID}


# --- orders ---------------------------------------------------------------------------------


def test_an_order_mail_becomes_an_order_a_customer_and_one_parsed_entry(world: World) -> None:
    entry = world.receive("yahoo-forwarded-inline", key="inbound/mikan-sanbo/obj-1")

    assert (entry.result, entry.kind, entry.order_key) == ("parsed", "order", YAHOO_KEY)
    assert entry.received_at == NOW
    assert entry.sender == "Staff <staff@kome-ya.example>"
    assert entry.subject == "Fwd: 【Yahoo!ショッピング】注文確認：kome-ya-20000001"
    record = world.order(YAHOO_KEY)
    assert record.customer_id == customer_id_for("sho.nakamura@example.com")
    assert (record.order_rank, record.status, record.raw_keys) == (1, "open", ["inbound/mikan-sanbo/obj-1"])
    assert record.received_at == NOW
    customer = world.customers.get(SHOP_ID, record.customer_id)
    assert customer is not None
    assert (customer.email, customer.order_count) == ("sho.nakamura@example.com", 1)
    assert list(world.logs.receptions.values()) == [entry]
    assert [(r.old, r.new) for r in world.orders.drain_stream()] == [(None, record)]


def test_the_same_event_twice_gives_the_same_entry_record_and_count(world: World) -> None:
    first = world.receive("yahoo-forwarded-inline")
    record = world.order(YAHOO_KEY)
    world.clock.advance(minutes=3)  # the repeat comes later, with the same event time
    second = world.receive("yahoo-forwarded-inline", event_time=NOW)

    assert second == first  # parsed again, not a "duplicate" of itself
    assert len(world.logs.receptions) == 1
    assert world.order(YAHOO_KEY) == record
    assert world.customer(customer_id_for("sho.nakamura@example.com")).order_count == 1
    assert len(world.orders.drain_stream()) == 1


def test_a_shop_resending_the_confirmation_is_a_duplicate(world: World) -> None:
    world.receive("yahoo-forwarded-inline", key="inbound/mikan-sanbo/first")
    again = world.receive("yahoo-forwarded-inline", key="inbound/mikan-sanbo/resent")

    assert (again.result, again.order_key) == ("duplicate", YAHOO_KEY)
    assert len(world.logs.receptions) == 2
    assert world.order(YAHOO_KEY).raw_keys == ["inbound/mikan-sanbo/first"]
    assert world.customer(customer_id_for("sho.nakamura@example.com")).order_count == 1


def test_a_second_order_of_the_same_buyer_gets_rank_two_whatever_the_address_spelling(world: World) -> None:
    world.config.add_mask(SHOP_ID, kurashi_mask())
    world.receive("kurashi-1", raw=kurashi_mail(order_id="KC-0412"))
    second = world.receive(
        "kurashi-2", raw=kurashi_mail(order_id="KC-0413", address="Sakura.Mori@EXAMPLE.jp")
    )

    assert second.result == "parsed"
    first_record, second_record = world.order("mask:kurashi#KC-0412"), world.order("mask:kurashi#KC-0413")
    assert first_record.customer_id == second_record.customer_id == customer_id_for("sakura.mori@example.jp")
    assert (first_record.order_rank, second_record.order_rank) == (1, 2)


def test_masks_stored_as_documents_are_read_too(world: World) -> None:
    world.config.add_mask(SHOP_ID, kurashi_mask().model_dump(mode="json"))
    assert world.receive("kurashi-order").result == "parsed"


def test_without_its_mask_a_cart_mail_fails_with_the_parsers_reason(world: World) -> None:
    entry = world.receive("kurashi-order")
    assert (entry.result, entry.reason) == ("failed", "unrecognised")
    assert "解析マスク" in (entry.message_ja or "")
    assert "parse mask" in (entry.message_en or "")
    assert world.orders.items == {}


def test_a_mail_without_a_buyer_address_still_becomes_an_order(world: World) -> None:
    entry = world.receive("rakuten-sjis-8digit")
    assert entry.result == "parsed"
    record = world.order("rakuten#288100-20261201-00012345")
    assert (record.customer_id, record.order_rank) == (None, 1)
    assert world.customers.customers == {}


# --- shipments and cancellations ------------------------------------------------------------------


def test_a_shipment_updates_its_order(world: World) -> None:
    world.receive("rakuten-utf8-qp")
    world.orders.drain_stream()
    entry = world.receive("rakuten-shipped", key="inbound/mikan-sanbo/ship")

    assert (entry.result, entry.kind, entry.order_key) == ("parsed", "shipment", RAKUTEN_KEY)
    record = world.order(RAKUTEN_KEY)
    assert str(record.order.shipped_at) == "2026-12-07"
    assert record.order.tracking_number == "1234-5678-9012"
    assert record.order.customer.name == "小林 蓮"  # the order's own data stays
    assert record.raw_keys == ["inbound/mikan-sanbo/rakuten-utf8-qp", "inbound/mikan-sanbo/ship"]
    [change] = world.orders.drain_stream()
    assert change.old is not None
    assert change.old.order.shipped_at is None


def test_a_cancellation_marks_the_order_cancelled(world: World) -> None:
    world.receive("eccube-cancel")
    entry = world.receive("eccube-cancel", key="inbound/mikan-sanbo/again")
    assert (entry.result, entry.kind, entry.order_key) == ("parsed", "cancellation", "ec-cube#2078")
    assert world.order("ec-cube#2078").status == "cancelled"


# --- refusals -------------------------------------------------------------------------------------


def test_not_an_order_is_logged_with_its_reason_and_nothing_else(world: World) -> None:
    entry = world.receive("newsletter")
    assert (entry.result, entry.reason, entry.order_key) == ("not_an_order", "not_an_order", None)
    assert entry.message_ja
    assert entry.message_en
    assert world.orders.items == {}


def test_an_unreadable_order_mail_fails_with_bilingual_messages(world: World) -> None:
    entry = world.receive("rakuten-missing-id")
    assert (entry.result, entry.reason) == ("failed", "missing_field")
    assert entry.message_ja
    assert entry.message_en
    assert entry.message_ja != entry.message_en


def test_an_unknown_shop_is_refused(world: World) -> None:
    world.raw_mail.put("inbound/other-shop/x", mail("yahoo-forwarded-inline"))
    entry = ingest_object(
        world.ingest_deps(), shop_id="other-shop", key="inbound/other-shop/x", event_time=NOW
    )
    assert (entry.result, entry.reason) == ("refused", "unknown_shop")
    assert world.orders.items == {}
    assert list(world.logs.receptions.values()) == [entry]


SES_TOP = (
    "Return-Path: <order@rakuten.co.jp>",
    "Received: from mx by inbound-smtp.ap-northeast-1.amazonaws.com",
)


def test_a_virus_verdict_of_fail_refuses_the_mail_unread(world: World) -> None:
    raw = with_headers(
        mail("rakuten-utf8-qp"), *SES_TOP, "X-SES-Spam-Verdict: PASS", "X-SES-Virus-Verdict: FAIL"
    )
    entry = world.receive("rakuten-utf8-qp", raw=raw)
    assert (entry.result, entry.reason, entry.kind, entry.order_key) == ("refused", "virus", None, None)
    assert world.orders.items == {}
    assert world.customers.customers == {}


def test_a_forged_pass_below_ses_verdict_does_not_override_it(world: World) -> None:
    forged = with_headers(mail("rakuten-utf8-qp"), "X-SES-Virus-Verdict: PASS")
    raw = with_headers(forged, *SES_TOP, "X-SES-Virus-Verdict: FAIL")
    assert world.receive("rakuten-utf8-qp", raw=raw).reason == "virus"


def test_a_forged_fail_below_a_pass_does_not_refuse_the_mail(world: World) -> None:
    forged = with_headers(mail("rakuten-utf8-qp"), "x-ses-virus-verdict: FAIL")
    raw = with_headers(forged, *SES_TOP, "X-SES-Virus-Verdict: PASS")
    assert world.receive("rakuten-utf8-qp", raw=raw).result == "parsed"


def test_headers_are_read_unfolded_from_the_header_block_only() -> None:
    raw = b"X-SES-Virus-Verdict:\r\n FAIL\r\nSubject: a\r\n b\r\nFrom x Mon Dec  7\r\n\r\nX-SES-Virus-Verdict: PASS\r\n"
    headers = top_headers(raw)
    assert headers == [("x-ses-virus-verdict", "FAIL"), ("subject", "a b")]
    assert virus_verdict(headers) == "FAIL"
    assert virus_verdict(top_headers(b"Subject: x\n\nX-SES-Virus-Verdict: FAIL\n")) is None


def test_an_order_mail_after_its_shipment_fills_the_stub_and_counts_once(world: World) -> None:
    # The shop BCCs its shipping mail before the mall's order confirmation arrives.
    shipped = world.receive("rakuten-shipped")
    order = world.receive("rakuten-utf8-qp")
    again = world.receive("rakuten-utf8-qp", key="inbound/mikan-sanbo/resent")

    assert (shipped.result, shipped.kind) == ("parsed", "shipment")
    assert (order.result, order.kind) == ("parsed", "order")
    assert again.result == "duplicate"
    record = world.order(order.order_key or "")
    assert str(record.order.shipped_at) == "2026-12-07"  # kept from the shipment
    assert record.order.items  # filled from the order mail
    assert record.order.kind == "order"
    customer = world.customers.get(SHOP_ID, record.customer_id or "")
    assert customer is not None
    assert customer.order_count == 1


# --- orders per day ---------------------------------------------------------------------------------


def test_a_new_order_is_counted_once_on_the_shops_local_day(world: World) -> None:
    just_after_midnight_in_tokyo = datetime(2026, 12, 5, 15, 30, tzinfo=UTC)  # 2026-12-06 00:30 JST
    world.receive("yahoo-forwarded-inline", event_time=just_after_midnight_in_tokyo)
    world.receive("yahoo-forwarded-inline", event_time=just_after_midnight_in_tokyo)  # the same event
    world.receive("yahoo-forwarded-inline", key="inbound/mikan-sanbo/resent")  # the shop's resend
    world.receive("newsletter")

    assert world.config.counters == {(SHOP_ID, date(2026, 12, 6), "*", "*", "orders"): 1}


def test_a_shipment_counts_no_order_but_the_order_after_its_stub_does(world: World) -> None:
    world.receive("rakuten-shipped")
    assert world.config.total("orders") == 0
    world.receive("rakuten-utf8-qp")
    assert world.config.total("orders") == 1


# --- which malls' orders the shop receives (issue #16) ---------------------------------------------


def csv_order(world: World, order_id: str, email: str) -> None:
    """An order a CSV import brings (source ``csv``), through ``apply_order`` as the import does."""
    order = Order.model_validate(
        {"source": "csv", "order_id": order_id, "ordered_at": NOW.isoformat(), "customer": {"email": email}}
    )
    base = ReceptionEntry(shop_id=SHOP_ID, s3_key=f"import/{order_id}", received_at=NOW, result="parsed")
    apply_order(world.ingest_deps(), order, base, shop=world.config.shops[SHOP_ID])


def test_ingest_records_the_malls_whose_orders_the_shop_receives(world: World) -> None:
    world.receive("eccube-html-gift")
    assert world.config.mall_sources(SHOP_ID) == {}  # the shop's own site: no mall
    world.receive("rakuten-utf8-qp")
    world.receive("yahoo-forwarded-inline")
    expected = {"rakuten": frozenset({"rakuten"}), "yahoo": frozenset({"yahoo"})}
    assert world.config.mall_sources(SHOP_ID) == expected
    world.receive("rakuten-utf8-qp")  # the same event again
    world.receive("rakuten-iso2022-nec")
    csv_order(world, "C-1", "hanako@example.com")
    assert world.config.mall_sources(SHOP_ID) == expected
    # A CSV of Rakuten orders: their buyers' masked addresses make them Rakuten orders.
    csv_order(world, "C-2", "x1@pc.fw.rakuten.ne.jp")
    csv_order(world, "C-3", "x2@fw.rakuten.ne.jp.evil.example")
    assert world.config.mall_sources(SHOP_ID) == expected | {"rakuten": frozenset({"rakuten", "csv"})}


def test_a_known_source_costs_the_pipeline_no_call() -> None:
    from okaeri.aws.config_cache import CachedConfig
    from tests.unit.services.test_config_cache import Counted

    world = World.create(NOW)
    counted = Counted(world.config)
    deps = replace(world.ingest_deps(), config=CachedConfig(counted, clock=world.clock))  # type: ignore[arg-type]
    for name in ("rakuten-utf8-qp", "rakuten-iso2022-nec", "yahoo-forwarded-inline", "yahoo-iso2022-company"):
        key = f"inbound/{SHOP_ID}/{name}"
        world.raw_mail.put(key, mail(name))
        for _ in range(2):
            assert ingest_object(deps, shop_id=SHOP_ID, key=key, event_time=NOW).result in {
                "parsed",
                "duplicate",
            }
    world.clock.advance(days=3)  # long past the settings' TTL: what was written stays written
    world.raw_mail.put(f"inbound/{SHOP_ID}/again", mail("rakuten-sjis-8digit"))
    later = ingest_object(deps, shop_id=SHOP_ID, key=f"inbound/{SHOP_ID}/again", event_time=NOW)
    assert (later.result, (later.order_key or "").split("#")[0]) == ("parsed", "rakuten")
    assert counted.calls["record_mall_source"] == 2  # (rakuten, rakuten) and (yahoo, yahoo), once each
    assert world.config.mall_sources(SHOP_ID) == {"rakuten": {"rakuten"}, "yahoo": {"yahoo"}}
