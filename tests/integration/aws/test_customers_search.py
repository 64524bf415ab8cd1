"""DynamoCustomers for the admin API: search, the suppression list's pages and removal, erasure."""

from __future__ import annotations

import pytest

from okaeri.aws.customers import DynamoCustomers, customer_id_for
from okaeri.aws.search import InvalidStartKeyError
from okaeri.models import CustomerRecord
from tests.integration.aws.conftest import OTHER_SHOP, SHOP, T0
from tests.support.customers import counted_order


def buyer(
    customers: DynamoCustomers, email: str, name: str, *, shop_id: str = SHOP, order: str = "A-1"
) -> str:
    customer_id = customer_id_for(email)
    customers.record_order(
        shop_id, customer_id, email=email, name=name, order=counted_order(f"rakuten#{order}")
    )
    return customer_id


def emails(found: list[CustomerRecord]) -> set[str]:
    return {customer.email for customer in found}


def test_search_pages_through_customers_only(customers: DynamoCustomers) -> None:
    for n in range(5):
        buyer(customers, f"buyer{n}@example.jp", f"買い手 {n}")
    buyer(customers, "other@example.jp", "他店", shop_id=OTHER_SHOP)
    customers.suppress(SHOP, "buyer1@example.jp", reason="bounce", at=T0, delivery_id=None)
    first, last = customers.search(SHOP, keep=None, limit=3, start=None)
    assert len(first) == 3
    assert last is not None
    rest, end = customers.search(SHOP, keep=None, limit=3, start=last)
    assert (len(rest), end) == (2, None)
    assert emails(first + rest) == {f"buyer{n}@example.jp" for n in range(5)}
    odd, _ = customers.search(SHOP, keep=lambda c: c.email[5] in "13", limit=10, start=None)
    assert emails(odd) == {"buyer1@example.jp", "buyer3@example.jp"}


def test_the_suppression_list_pages_by_address(customers: DynamoCustomers) -> None:
    buyer(customers, "zed@example.jp", "客")
    for address in ("c@example.jp", "A@example.jp", "b@example.jp"):
        customers.suppress(SHOP, address, reason="manual", at=T0, delivery_id=None)
    customers.suppress(OTHER_SHOP, "x@example.jp", reason="manual", at=T0, delivery_id=None)
    first, last = customers.suppressions(SHOP, limit=2, start=None)
    assert [entry.address for entry in first] == ["a@example.jp", "b@example.jp"]
    rest, _ = customers.suppressions(SHOP, limit=2, start=last)
    assert [entry.address for entry in rest] == ["c@example.jp"]
    assert (rest[0].reason, rest[0].at, rest[0].delivery_id) == ("manual", T0, None)
    with pytest.raises(InvalidStartKeyError):
        customers.suppressions(SHOP, limit=2, start={"pk": SHOP, "sk": "cust#x"})
    with pytest.raises(InvalidStartKeyError):
        customers.search(SHOP, keep=None, limit=2, start={"pk": SHOP, "sk": "supp#x"})
    assert customers.suppression(SHOP, "B@Example.jp") == "manual"
    assert customers.suppression(SHOP, "none@example.jp") is None


def test_unsuppress_removes_only_the_reasons_given(customers: DynamoCustomers) -> None:
    customers.suppress(SHOP, "m@example.jp", reason="manual", at=T0, delivery_id=None)
    customers.suppress(SHOP, "b@example.jp", reason="bounce", at=T0, delivery_id="d-1")
    assert not customers.unsuppress(SHOP, "b@example.jp", reasons={"manual"})
    assert customers.suppression(SHOP, "b@example.jp") == "bounce"
    assert customers.unsuppress(SHOP, "M@example.jp", reasons={"manual", "unsubscribe"})
    assert customers.suppression(SHOP, "m@example.jp") is None
    assert not customers.unsuppress(SHOP, "m@example.jp", reasons={"manual"})
    assert not customers.unsuppress(OTHER_SHOP, "b@example.jp", reasons={"bounce"})
    assert customers.unsuppress(SHOP, "b@example.jp", reasons={"bounce"})


def test_erasure_keeps_counts_and_the_first_time(customers: DynamoCustomers) -> None:
    customer_id = buyer(customers, "taro@example.jp", "楽天 太郎")
    buyer(customers, "taro@example.jp", "楽天 太郎", order="A-2")
    assert customers.order_keys(SHOP, customer_id) == ["rakuten#A-1", "rakuten#A-2"]
    erased = customers.erase(SHOP, customer_id, marker="[erased]", at=T0)
    assert erased is not None
    assert (erased.email, erased.name, erased.order_count) == ("[erased]", "[erased]", 2)
    assert customers.order_keys(SHOP, customer_id) == ["rakuten#A-1", "rakuten#A-2"]
    assert customers.erase(SHOP, customer_id_for("none@example.jp"), marker="[erased]", at=T0) is None
    assert customers.erase(OTHER_SHOP, customer_id, marker="[erased]", at=T0) is None
    assert customers.order_keys(SHOP, customer_id_for("none@example.jp")) == []
