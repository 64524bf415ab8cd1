"""DynamoCoupons: unique codes, once per delivery, never shared, never loaded back once spent."""

from __future__ import annotations

import random
from collections.abc import MutableSequence
from typing import Any, cast

import pytest
from botocore.exceptions import ClientError

from okaeri.aws.clients import dynamodb_client
from okaeri.aws.config import DynamoCoupons
from okaeri.errors import ConflictError, CouponPoolEmptyError
from okaeri.rendering.coupons import ShopCoupons
from tests.integration.aws.conftest import OTHER_SHOP, SHOP, interleaved

POOL = "MIKAN5"
CODES = [f"MIKAN5-{n:03d}" for n in range(5)]


def test_a_delivery_gets_one_code_and_the_same_code_again(coupons: DynamoCoupons) -> None:
    coupons.load_pool(SHOP, POOL, CODES)
    code = coupons.code_for(SHOP, POOL, "d-1")
    assert code in CODES
    assert coupons.code_for(SHOP, POOL, "d-1") == code
    assert coupons.counts(SHOP, POOL) == (1, 4)


def test_different_deliveries_get_different_codes_until_the_pool_is_empty(coupons: DynamoCoupons) -> None:
    coupons.load_pool(SHOP, POOL, CODES)
    given = [coupons.code_for(SHOP, POOL, f"d-{n}") for n in range(5)]
    assert sorted(given) == CODES
    assert coupons.counts(SHOP, POOL) == (5, 0)
    with pytest.raises(CouponPoolEmptyError) as raised:
        coupons.code_for(SHOP, POOL, "d-5")
    assert POOL in raised.value.message_ja
    assert POOL in raised.value.message_en
    assert coupons.code_for(SHOP, POOL, "d-2") == given[2]  # a delivery that has one keeps it


def test_an_unknown_pool_is_empty(coupons: DynamoCoupons) -> None:
    with pytest.raises(CouponPoolEmptyError):
        coupons.code_for(SHOP, "NOPE", "d-1")
    assert coupons.counts(SHOP, "NOPE") == (0, 0)


def test_loading_is_idempotent_and_never_frees_a_spent_code(coupons: DynamoCoupons) -> None:
    assert coupons.load_pool(SHOP, POOL, [*CODES, CODES[0], " ", ""]) == 5
    spent = coupons.code_for(SHOP, POOL, "d-1")
    assert coupons.load_pool(SHOP, POOL, CODES) == 4  # the spent code is skipped
    assert coupons.counts(SHOP, POOL) == (1, 4)
    others = {coupons.code_for(SHOP, POOL, f"d-{n}") for n in range(2, 6)}
    assert spent not in others
    assert others | {spent} == set(CODES)


def test_a_large_pool_loads_in_batches(coupons: DynamoCoupons) -> None:
    codes = [f"BIG-{n:04d}" for n in range(120)]
    assert coupons.load_pool(SHOP, "BIG", codes) == 120
    assert coupons.counts(SHOP, "BIG") == (0, 120)


def test_a_claim_that_loses_the_race_takes_another_code(tables: dict[str, str]) -> None:
    coupons = DynamoCoupons(tables["config"])
    coupons.load_pool(SHOP, POOL, CODES[:2])
    rival = DynamoCoupons(tables["config"], rng=_no_shuffle())
    # the rival takes the first code between our read of the free codes and our transaction
    client = interleaved(
        dynamodb_client(), "transact_write_items", lambda: rival.code_for(SHOP, POOL, "d-rival")
    )
    ours = DynamoCoupons(tables["config"], client=client, rng=_no_shuffle())
    assert ours.code_for(SHOP, POOL, "d-mine") == CODES[1]
    assert client.calls == 2  # the first try lost CODES[0], the second took CODES[1]
    assert coupons.code_for(SHOP, POOL, "d-rival") == CODES[0]
    assert coupons.counts(SHOP, POOL) == (2, 0)


def test_a_claim_racing_for_the_last_code_finds_the_pool_empty(tables: dict[str, str]) -> None:
    coupons = DynamoCoupons(tables["config"])
    coupons.load_pool(SHOP, POOL, CODES[:1])
    rival = DynamoCoupons(tables["config"])
    client = interleaved(
        dynamodb_client(), "transact_write_items", lambda: rival.code_for(SHOP, POOL, "d-rival")
    )
    with pytest.raises(CouponPoolEmptyError):
        DynamoCoupons(tables["config"], client=client).code_for(SHOP, POOL, "d-mine")
    assert coupons.code_for(SHOP, POOL, "d-rival") == CODES[0]
    assert coupons.counts(SHOP, POOL) == (1, 0)


def test_a_retry_of_the_same_delivery_gets_the_code_the_first_try_got(tables: dict[str, str]) -> None:
    coupons = DynamoCoupons(tables["config"])
    coupons.load_pool(SHOP, POOL, CODES)
    first = DynamoCoupons(tables["config"])
    client = interleaved(dynamodb_client(), "transact_write_items", lambda: first.code_for(SHOP, POOL, "d-1"))
    again = DynamoCoupons(tables["config"], client=client).code_for(SHOP, POOL, "d-1")
    assert again == coupons.code_for(SHOP, POOL, "d-1")
    assert coupons.counts(SHOP, POOL) == (1, 4)


def test_endless_contention_gives_up_with_a_conflict(tables: dict[str, str]) -> None:
    coupons = DynamoCoupons(tables["config"])
    coupons.load_pool(SHOP, POOL, CODES)
    client: Any = _AlwaysConflicting(dynamodb_client())
    with pytest.raises(ConflictError):
        DynamoCoupons(tables["config"], client=client, max_attempts=3).code_for(SHOP, POOL, "d-1")
    assert client.transactions == 3
    assert coupons.counts(SHOP, POOL) == (0, 5)


def test_pools_of_different_shops_are_separate(coupons: DynamoCoupons) -> None:
    coupons.load_pool(SHOP, POOL, CODES[:1])
    coupons.load_pool(OTHER_SHOP, POOL, ["OTHER-1"])
    assert coupons.code_for(OTHER_SHOP, POOL, "d-1") == "OTHER-1"
    assert coupons.code_for(SHOP, POOL, "d-1") == CODES[0]
    assert coupons.counts(OTHER_SHOP, POOL) == (1, 0)


def test_a_shop_view_is_the_renderers_coupon_source(coupons: DynamoCoupons) -> None:
    coupons.load_pool(SHOP, POOL, CODES[:1])
    source = ShopCoupons(coupons, SHOP)
    assert source.code_for(POOL, "d-1") == CODES[0]
    assert coupons.code_for(SHOP, POOL, "d-1") == CODES[0]


class _InOrder(random.Random):
    """Candidates tried in key order, so a test knows which code each claimer aims at."""

    def shuffle(self, x: MutableSequence[Any]) -> None:
        return None


def _no_shuffle() -> random.Random:
    return _InOrder()


class _AlwaysConflicting:
    """A client whose transactions always lose (another writer touched the same items)."""

    def __init__(self, client: object) -> None:
        self._client = client
        self.transactions = 0

    def __getattr__(self, name: str) -> object:
        return getattr(self._client, name)

    def transact_write_items(self, **kwargs: object) -> None:
        self.transactions += 1
        count = len(cast(list[Any], kwargs["TransactItems"]))
        raise ClientError(
            {
                "Error": {"Code": "TransactionCanceledException", "Message": "conflict"},
                "CancellationReasons": [{"Code": "TransactionConflict"}] * count,
            },
            "TransactWriteItems",
        )
