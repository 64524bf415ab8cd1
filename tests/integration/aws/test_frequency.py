"""DynamoFrequencyCaps (issue #16): the ``cap#<customer>`` item of the customers table, decided by a
write conditional on the version read, so two sends racing for one customer cannot both pass."""

from __future__ import annotations

from datetime import timedelta

import pytest

from okaeri.aws.customers import DynamoCustomers, customer_id_for
from okaeri.aws.frequency import CapState, DynamoFrequencyCaps, cap_sk
from okaeri.models.shop import FrequencyCap
from tests.integration.aws.conftest import SHOP, T0, stored_item
from tests.integration.aws.test_customers import record

CUSTOMER = customer_id_for("taro@example.jp")
ONE_IN_A_WEEK = FrequencyCap(mails=1, days=7)
TWO_IN_A_WEEK = FrequencyCap(mails=2, days=7)


@pytest.fixture
def caps(tables: dict[str, str]) -> DynamoFrequencyCaps:
    return DynamoFrequencyCaps(tables["customers"])


class StaleRead(DynamoFrequencyCaps):
    """A send whose first read is the one it made before the other send wrote (the race)."""

    def __init__(self, table_name: str, stale: CapState) -> None:
        super().__init__(table_name)
        self.stale: list[CapState] = [stale]
        self.reads = 0

    def read(self, shop_id: str, customer_id: str) -> CapState:
        self.reads += 1
        return self.stale.pop() if self.stale else super().read(shop_id, customer_id)


@pytest.mark.parametrize("held_before", [0, 1], ids=["no item yet", "an item at version 1"])
def test_two_sends_racing_at_the_cap_cannot_both_pass(
    tables: dict[str, str], caps: DynamoFrequencyCaps, held_before: int
) -> None:
    cap = FrequencyCap(mails=held_before + 1, days=7)
    if held_before:
        assert caps.reserve(SHOP, CUSTOMER, "d-0", at=T0 - timedelta(days=1), cap=cap)
    seen = caps.read(SHOP, CUSTOMER)  # both sends read this version before either writes
    first = StaleRead(tables["customers"], seen)
    second = StaleRead(tables["customers"], seen)

    assert first.reserve(SHOP, CUSTOMER, "d-1", at=T0, cap=cap)
    assert not second.reserve(SHOP, CUSTOMER, "d-2", at=T0, cap=cap)

    assert second.reads == 2  # its write found the version moved; its new read counted d-1
    state = caps.read(SHOP, CUSTOMER)
    assert set(state.sends) == {"d-0", "d-1"} - ({"d-0"} if not held_before else set())
    assert state.version == seen.version + 1


def test_under_the_cap_both_racers_pass_one_after_the_other(
    tables: dict[str, str], caps: DynamoFrequencyCaps
) -> None:
    seen = caps.read(SHOP, CUSTOMER)
    first, second = StaleRead(tables["customers"], seen), StaleRead(tables["customers"], seen)
    assert first.reserve(SHOP, CUSTOMER, "d-1", at=T0, cap=TWO_IN_A_WEEK)
    assert second.reserve(SHOP, CUSTOMER, "d-2", at=T0, cap=TWO_IN_A_WEEK)  # read again, and written
    assert set(caps.read(SHOP, CUSTOMER).sends) == {"d-1", "d-2"}
    assert caps.read(SHOP, CUSTOMER).version == 2


def test_the_same_delivery_passes_again_and_keeps_its_time(caps: DynamoFrequencyCaps) -> None:
    assert caps.reserve(SHOP, CUSTOMER, "d-1", at=T0, cap=ONE_IN_A_WEEK)
    assert caps.reserve(SHOP, CUSTOMER, "d-1", at=T0 + timedelta(minutes=1), cap=ONE_IN_A_WEEK)  # throttled
    assert not caps.reserve(SHOP, CUSTOMER, "d-2", at=T0 + timedelta(minutes=2), cap=ONE_IN_A_WEEK)
    state = caps.read(SHOP, CUSTOMER)
    assert state.sends == {"d-1": T0}
    assert state.version == 1  # a slot held already writes nothing


def test_the_window_slides_and_old_sends_are_dropped(
    tables: dict[str, str], caps: DynamoFrequencyCaps
) -> None:
    assert caps.reserve(SHOP, CUSTOMER, "d-1", at=T0, cap=ONE_IN_A_WEEK)
    assert not caps.reserve(SHOP, CUSTOMER, "d-2", at=T0 + timedelta(days=7, seconds=-1), cap=ONE_IN_A_WEEK)
    assert caps.reserve(SHOP, CUSTOMER, "d-3", at=T0 + timedelta(days=7), cap=ONE_IN_A_WEEK)
    assert caps.read(SHOP, CUSTOMER).sends == {"d-3": T0 + timedelta(days=7)}
    item = stored_item(tables["customers"], SHOP, cap_sk(CUSTOMER))
    assert item is not None
    assert item["expires_at"] == int((T0 + timedelta(days=14)).timestamp())  # the TTL: out of the window


def test_a_release_frees_the_slot_and_a_release_of_nothing_writes_nothing(
    tables: dict[str, str], caps: DynamoFrequencyCaps
) -> None:
    caps.release(SHOP, CUSTOMER, "d-1")
    assert stored_item(tables["customers"], SHOP, cap_sk(CUSTOMER)) is None
    assert caps.reserve(SHOP, CUSTOMER, "d-1", at=T0, cap=ONE_IN_A_WEEK)
    caps.release(SHOP, CUSTOMER, "d-1")
    caps.release(SHOP, CUSTOMER, "d-1")  # again: nothing more to free
    assert caps.read(SHOP, CUSTOMER).sends == {}
    assert caps.reserve(SHOP, CUSTOMER, "d-2", at=T0, cap=ONE_IN_A_WEEK)


def test_a_release_moves_the_version_so_a_reservation_read_before_it_cannot_bring_the_slot_back(
    tables: dict[str, str], caps: DynamoFrequencyCaps
) -> None:
    assert caps.reserve(SHOP, CUSTOMER, "d-1", at=T0, cap=TWO_IN_A_WEEK)
    seen = caps.read(SHOP, CUSTOMER)
    caps.release(SHOP, CUSTOMER, "d-1")  # between the other send's read and its write

    racer = StaleRead(tables["customers"], seen)
    assert racer.reserve(SHOP, CUSTOMER, "d-2", at=T0, cap=TWO_IN_A_WEEK)

    assert racer.reads == 2
    assert set(caps.read(SHOP, CUSTOMER).sends) == {"d-2"}  # not d-1 again


def test_the_cap_item_stays_out_of_the_customer_list(
    caps: DynamoFrequencyCaps, customers: DynamoCustomers
) -> None:
    record(customers, "rakuten#A-1")  # the customer taro@example.jp
    assert caps.reserve(SHOP, CUSTOMER, "d-1", at=T0, cap=ONE_IN_A_WEEK)
    listed, _ = customers.search(SHOP, keep=None, limit=10, start=None)
    assert [record.customer_id for record in listed] == [CUSTOMER]
