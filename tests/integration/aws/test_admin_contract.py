"""The same cases against the in-memory fakes (``tests/fakes.py``) and the DynamoDB adapters (moto
in-process), so the fakes the admin API's unit tests run on cannot drift from the real stores:
scenario and template versions (``ports.AdminConfig``), coupon pools (``ports.CouponPools``) and the
``Idempotency-Key`` records (``ports.RequestRecords``), the settings' secrets (``ports.SecretStore``)
and the operators (``ports.Operators``, on
moto's Cognito user pool made from ``infra.identity``; Cognito names a user itself, so usernames are
not compared); and what the operations screens read and write: the searches and pages of orders,
deliveries, customers, the suppression list and the logs, the dashboard's counters, the erasure; and
what each mail earns (issue #15): counts made once per key (``count_once``), an order's credit
(``set_credit``) and a delivery's conversions (``add_conversion``, ``cancel_conversion``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any, cast

import pytest
import yaml

from infra.identity import create_groups_requests, create_user_pool_request
from okaeri.aws.clients import cognito_client, secrets_client
from okaeri.aws.deliveries import DynamoDeliveries
from okaeri.aws.dynamo import iso_utc
from okaeri.aws.search import InvalidStartKeyError
from okaeri.aws.secrets import SecretsManagerSecrets
from okaeri.aws.users import CognitoUsers
from okaeri.errors import ConflictError, CouponPoolEmptyError, NotFoundError
from okaeri.identity import customer_id_for
from okaeri.models import (
    CustomerRecord,
    Delivery,
    OrderRecord,
    ReceptionEntry,
    Scenario,
    SendLogEntry,
    Shop,
    Template,
    load_document,
)
from okaeri.models.admin import Operator, PoolLoad, StepStats, VersionInfo
from okaeri.models.records import Credit
from okaeri.parsing import ParseMask
from okaeri.ports import (
    AdminConfig,
    AdminCustomers,
    AdminDeliveries,
    AdminLogs,
    CouponPools,
    OnceCount,
    OperatorOrders,
    Operators,
    RequestRecords,
    SecretStore,
)
from tests import fakes
from tests.conftest import FIXTURES
from tests.integration.aws.conftest import (
    OTHER_SHOP,
    SHOP,
    T0,
    make_conversion,
    make_delivery,
    make_order,
    make_record,
    without_conversions,
)
from tests.integration.conftest import TABLE_PREFIX
from tests.support.customers import counted_order

#: Each port: its fake, and the fixture of its AWS adapter (tests/integration/aws/conftest.py, below).
FAKES: dict[str, Callable[[], Any]] = {
    "config": fakes.FakeShopConfig,
    "coupons": fakes.FakeCoupons,
    "logs": fakes.FakeLogs,
    "cognito_users": fakes.FakeOperators,
    "secrets_manager": fakes.FakeSecrets,
    "orders": fakes.FakeOrders,
    "customers": fakes.FakeCustomers,
    "deliveries": fakes.FakeDeliveries,
}


def store(request: pytest.FixtureRequest, name: str) -> Any:
    return FAKES[name]() if request.param == "fake" else request.getfixturevalue(name)


@pytest.fixture(params=["fake", "dynamo"])
def config(request: pytest.FixtureRequest) -> AdminConfig:
    return cast(AdminConfig, store(request, "config"))


@pytest.fixture(params=["fake", "dynamo"])
def coupons(request: pytest.FixtureRequest) -> CouponPools:
    return cast(CouponPools, store(request, "coupons"))


@pytest.fixture(params=["fake", "dynamo"])
def records(request: pytest.FixtureRequest) -> RequestRecords:
    return cast(RequestRecords, store(request, "logs"))


def fake_and_dynamo(name: str, port: str) -> Any:
    """A fixture ``name``: the fake of ``port`` (a key of ``FAKES``), then its DynamoDB adapter."""

    @pytest.fixture(name=name, params=["fake", "dynamo"])
    def both(request: pytest.FixtureRequest) -> Any:
        return store(request, port)

    return both


admin_logs = fake_and_dynamo("admin_logs", "logs")  # ports.AdminLogs
order_store = fake_and_dynamo("order_store", "orders")  # ports.OperatorOrders
customer_store = fake_and_dynamo("customer_store", "customers")  # ports.AdminCustomers
delivery_store = fake_and_dynamo("delivery_store", "deliveries")  # ports.AdminDeliveries


@pytest.fixture(params=["fake", "cognito"])
def users(request: pytest.FixtureRequest) -> Operators:
    return cast(Operators, store(request, "cognito_users"))


@pytest.fixture(params=["fake", "secretsmanager"])
def secrets(request: pytest.FixtureRequest) -> SecretStore:
    return cast(SecretStore, store(request, "secrets_manager"))


@pytest.fixture
def secrets_manager(aws: None) -> SecretsManagerSecrets:
    return SecretsManagerSecrets(secrets_client())


@pytest.fixture
def cognito_users(aws: None) -> CognitoUsers:
    cognito = cognito_client()
    pool_id = cognito.create_user_pool(**create_user_pool_request())["UserPool"]["Id"]
    for group in create_groups_requests(pool_id):
        cognito.create_group(**group)
    return CognitoUsers(cognito, user_pool_id=pool_id)


def letter(**changes: Any) -> Template:
    return Template.model_validate(
        {"id": "thanks", "name": "お礼", "subject": "{{ shop.name }}より", "text": "ありがとうございました"}
        | changes
    )


# --- template versions ----------------------------------------------------------------------------


def test_a_template_gets_a_new_version_only_when_its_content_changes(config: AdminConfig) -> None:
    assert (config.template(SHOP, "thanks"), config.template_versions(SHOP, "thanks")) == (None, [])
    first = config.save_template(SHOP, letter(), new=True)
    assert first.version == 1
    assert config.save_template(SHOP, letter(version=7)) == first  # the version is not content
    second = config.save_template(SHOP, letter(text="またのご利用を"))
    assert second.version == 2
    assert config.template(SHOP, "thanks") == second
    assert config.template(SHOP, "thanks", 1) == first
    assert config.template(SHOP, "thanks", 3) is None
    assert config.template_versions(SHOP, "thanks") == [
        VersionInfo(version=1, name="お礼", current=False),
        VersionInfo(version=2, name="お礼", current=True),
    ]
    assert config.templates(SHOP) == [second]
    assert (config.templates(OTHER_SHOP), config.template(OTHER_SHOP, "thanks")) == ([], None)


def test_creating_a_template_that_exists_is_refused(config: AdminConfig) -> None:
    config.save_template(SHOP, letter(), new=True)
    with pytest.raises(ConflictError) as refused:
        config.save_template(SHOP, letter(text="別の内容"), new=True)
    assert refused.value.code == "exists"
    assert config.template_versions(SHOP, "thanks") == [VersionInfo(version=1, name="お礼", current=True)]
    assert config.save_template(OTHER_SHOP, letter(), new=True).version == 1  # another shop's own id


def plan(**changes: Any) -> Scenario:
    return Scenario.model_validate(
        {"id": "thanks-tips", "name": "お礼", "trigger": "shipped", "active": False,
         "steps": [{"id": "thanks", "offset_days": 0, "hour": 8, "template": "thanks", "purposes": ["thanks"]}]}
        | changes
    )  # fmt: skip


def test_a_scenario_is_switched_without_a_new_version_and_deleted_only_when_stopped(
    config: AdminConfig,
) -> None:
    first = config.save_scenario(SHOP, plan(), new=True)
    assert (first.version, first.active) == (1, False)
    on = config.set_scenario_active(SHOP, "thanks-tips", True)
    assert (on.version, on.active) == (1, True)
    assert config.active_scenarios(SHOP) == [on]
    assert config.scenario_version(SHOP, "thanks-tips", 1) == first  # as it was saved
    assert config.save_scenario(SHOP, plan(active=True)) == on  # the same content: no new version
    assert config.save_scenario(SHOP, plan(active=False)).active is False  # only active applied
    assert config.scenario_versions(SHOP, "thanks-tips") == [
        VersionInfo(version=1, name="お礼", current=True)
    ]
    config.set_scenario_active(SHOP, "thanks-tips", True)
    with pytest.raises(ConflictError) as refused:
        config.delete_scenario(SHOP, "thanks-tips")
    assert refused.value.code == "scenario_active"
    config.set_scenario_active(SHOP, "thanks-tips", False)
    assert config.delete_scenario(SHOP, "thanks-tips").version == 1
    assert (config.scenario(SHOP, "thanks-tips"), config.scenarios(SHOP)) == (None, [])
    assert config.scenario_versions(SHOP, "thanks-tips") == []
    assert config.scenario_version(SHOP, "thanks-tips", 1) == first  # kept for planned deliveries
    for gone in (lambda: config.delete_scenario(SHOP, "thanks-tips"),
                 lambda: config.set_scenario_active(SHOP, "thanks-tips", True),
                 lambda: config.delete_scenario(SHOP, "nope")):  # fmt: skip
        with pytest.raises(NotFoundError):
            gone()
    again = config.save_scenario(SHOP, plan(name="また"), new=True)  # created again: numbers go on
    assert (again.version, config.scenarios(SHOP)) == (2, [again])
    assert [v.version for v in config.scenario_versions(SHOP, "thanks-tips")] == [1, 2]


def test_an_edit_of_a_scenario_is_a_new_version(config: AdminConfig) -> None:
    config.save_scenario(SHOP, plan(), new=True)
    edited = config.save_scenario(SHOP, plan(priority=5))
    assert (edited.version, config.scenario(SHOP, "thanks-tips")) == (2, edited)
    with pytest.raises(ConflictError) as refused:
        config.save_scenario(SHOP, plan(), new=True)
    assert refused.value.code == "exists"
    assert config.scenarios(OTHER_SHOP) == []


def test_an_edit_of_the_shop_answers_before_and_after(config: AdminConfig) -> None:
    with pytest.raises(NotFoundError):
        config.update_shop(SHOP, lambda shop: shop)
    shop = load_document(Shop, FIXTURES / "config" / "shop.yaml").model_copy(update={"id": SHOP})
    cast(Any, config).put_shop(shop)  # how the local stack and the fakes' users set a shop up
    before, after = config.update_shop(SHOP, lambda stored: stored.model_copy(update={"name": "新しい名前"}))
    assert (before, after.name, config.shop(SHOP)) == (shop, "新しい名前", after)
    assert config.update_shop(SHOP, lambda stored: stored) == (after, after)
    with pytest.raises(ValueError, match="may not change its id"):
        config.update_shop(SHOP, lambda stored: stored.model_copy(update={"id": OTHER_SHOP}))


def test_masks_are_kept_by_name(config: AdminConfig) -> None:
    mask = ParseMask.model_validate(
        yaml.safe_load((FIXTURES / "mail" / "kurashi-mask.yaml").read_text("utf-8"))
    )
    other = mask.model_copy(update={"name": "another"})
    config.put_mask(SHOP, mask)
    config.put_mask(SHOP, other)
    config.put_mask(SHOP, mask)  # again: still one
    assert (config.masks(SHOP), config.mask(SHOP, "kurashi")) == ([other, mask], mask)
    config.delete_mask(SHOP, "kurashi")
    config.delete_mask(SHOP, "kurashi")  # a missing one is fine
    assert (config.masks(SHOP), config.mask(SHOP, "kurashi"), config.masks(OTHER_SHOP)) == ([other], None, [])


def test_the_malls_a_shop_receives_are_a_set_per_mall(config: AdminConfig) -> None:
    """What ingest records (issue #16): each source once per mall, per shop; a mall never seen is absent."""
    assert config.mall_sources(SHOP) == {}
    for mall, source in (
        ("rakuten", "rakuten"),
        ("rakuten", "csv"),
        ("rakuten", "rakuten"),
        ("yahoo", "yahoo"),
    ):
        config.record_mall_source(SHOP, mall, source)
    assert config.mall_sources(SHOP) == {
        "rakuten": frozenset({"rakuten", "csv"}),
        "yahoo": frozenset({"yahoo"}),
    }
    assert config.mall_sources(OTHER_SHOP) == {}
    with pytest.raises(ValueError, match="not a mall"):
        config.record_mall_source(SHOP, "none", "shopify")


# --- coupon pools ---------------------------------------------------------------------------------


def test_loading_codes_twice_changes_nothing(coupons: CouponPools) -> None:
    assert coupons.load_codes(SHOP, "MIKAN5", ["A1", "B2", "A1", "  "]) == PoolLoad(loaded=2, spent=())
    assert coupons.load_codes(SHOP, "MIKAN5", ["B2", "A1"]) == PoolLoad(loaded=2, spent=())
    assert coupons.load_codes(SHOP, "EMPTY", []) == PoolLoad(loaded=0, spent=())
    assert (coupons.pools(SHOP), coupons.counts(SHOP, "MIKAN5")) == (["MIKAN5"], (0, 2))
    assert (coupons.pools(OTHER_SHOP), coupons.counts(OTHER_SHOP, "MIKAN5")) == ([], (0, 0))


def test_a_delivery_gets_one_code_and_a_spent_code_is_never_loaded_again(coupons: CouponPools) -> None:
    coupons.load_codes(SHOP, "MIKAN5", ["A1", "B2"])
    code = coupons.code_for(SHOP, "MIKAN5", "delivery-1")
    assert code in {"A1", "B2"}
    assert coupons.code_for(SHOP, "MIKAN5", "delivery-1") == code
    assert coupons.counts(SHOP, "MIKAN5") == (1, 1)
    assert coupons.load_codes(SHOP, "MIKAN5", [code, "C3"]) == PoolLoad(loaded=1, spent=(code,))
    assert coupons.counts(SHOP, "MIKAN5") == (1, 2)
    given = {coupons.code_for(SHOP, "MIKAN5", f"delivery-{n}") for n in (2, 3)}
    assert given | {code} == {"A1", "B2", "C3"}
    with pytest.raises(CouponPoolEmptyError) as empty:
        coupons.code_for(SHOP, "MIKAN5", "delivery-4")
    assert empty.value.code == CouponPoolEmptyError.code
    with pytest.raises(CouponPoolEmptyError):
        coupons.code_for(SHOP, "NONE", "delivery-1")


# --- Idempotency-Key records ----------------------------------------------------------------------


def test_a_request_record_is_started_once_finished_and_forgotten(records: RequestRecords) -> None:
    assert records.start_request(SHOP, "key-1", fingerprint="f1", at=T0) is None
    running = records.start_request(SHOP, "key-1", fingerprint="f2", at=T0)
    assert running is not None
    assert (running["fingerprint"], running["state"]) == ("f1", "in_progress")
    records.finish_request(SHOP, "key-1", status=201, body='{"ok": true}', headers={"X-A": "b"})
    done = records.start_request(SHOP, "key-1", fingerprint="f1", at=T0)
    assert done is not None
    assert (done["state"], int(done["status"]), done["body"], dict(done["headers"])) == (
        "done",
        201,
        '{"ok": true}',
        {"X-A": "b"},
    )
    assert records.start_request(OTHER_SHOP, "key-1", fingerprint="f1", at=T0) is None
    records.forget_request(SHOP, "key-1")
    assert records.start_request(SHOP, "key-1", fingerprint="f3", at=T0) is None


# --- operators ------------------------------------------------------------------------------------


def seen(operator: Operator | None) -> tuple[str, dict[str, str], dict[str, str], bool] | None:
    """What the admin API reads of an operator (Cognito names users itself: no username)."""
    if operator is None:
        return None
    return operator.email, dict(operator.roles), dict(operator.invitations), operator.enabled


def test_an_invitation_is_a_role_only_once_accepted(users: Operators) -> None:
    invited = users.invite("new@okaeri.test", shop_id=SHOP, role="staff")
    assert seen(invited) == ("new@okaeri.test", {}, {SHOP: "staff"}, True)
    assert invited.status == "FORCE_CHANGE_PASSWORD"
    assert seen(users.find("new@okaeri.test")) == seen(invited)
    assert [seen(user) for user in users.of_shop(SHOP)] == [seen(invited)]
    assert users.of_shop(OTHER_SHOP) == []
    assert users.answer_invitation(invited.username, SHOP, accept=True) == "staff"
    assert seen(users.find("new@okaeri.test")) == ("new@okaeri.test", {SHOP: "staff"}, {}, True)
    with pytest.raises(NotFoundError):
        users.answer_invitation(invited.username, SHOP, accept=True)
    users.invite("new@okaeri.test", shop_id=OTHER_SHOP, role="owner")
    assert users.answer_invitation(invited.username, OTHER_SHOP, accept=False) == "owner"
    assert seen(users.find("new@okaeri.test")) == ("new@okaeri.test", {SHOP: "staff"}, {}, True)
    assert users.find("nobody@okaeri.test") is None


def test_a_role_belongs_to_one_shop_and_the_last_one_removed_disables(users: Operators) -> None:
    invited = users.invite("new@okaeri.test", shop_id=SHOP, role="staff")
    users.answer_invitation(invited.username, SHOP, accept=True)
    assert users.set_role(invited.username, SHOP, "manager").roles == {SHOP: "manager"}
    with pytest.raises(NotFoundError):
        users.set_role(invited.username, OTHER_SHOP, "owner")
    users.invite("new@okaeri.test", shop_id=OTHER_SHOP, role="staff")
    removed = users.remove_from_shop(invited.username, SHOP)
    assert seen(removed) == ("new@okaeri.test", {}, {OTHER_SHOP: "staff"}, True)
    removed = users.remove_from_shop(invited.username, OTHER_SHOP)  # the invitation withdrawn
    assert seen(removed) == ("new@okaeri.test", {}, {}, False)
    with pytest.raises(NotFoundError):
        users.remove_from_shop(invited.username, OTHER_SHOP)
    again = users.invite("new@okaeri.test", shop_id=SHOP, role="manager")
    assert seen(again) == ("new@okaeri.test", {}, {SHOP: "manager"}, True)
    assert again.username == invited.username


# --- secrets --------------------------------------------------------------------------------------


def test_a_secret_is_written_found_by_its_arn_and_deleted(secrets: SecretStore) -> None:
    name = f"okaeri/relay/{SHOP}/docomo"
    assert secrets.is_set(name) is False
    arn = secrets.put_json(name, {"username": "u", "password": "p"})
    assert (secrets.is_set(name), secrets.is_set(arn)) == (True, True)
    assert secrets.get_json(arn) == {"username": "u", "password": "p"}
    assert secrets.put_json(name, {"username": "u", "password": "q"}) == arn  # the same secret
    assert secrets.get_json(name) == {"username": "u", "password": "q"}
    assert secrets.put_string(f"okaeri/shopify/{SHOP}", "whsec") != arn
    assert secrets.get_bytes(f"okaeri/shopify/{SHOP}") == b"whsec"
    secrets.delete(name)
    secrets.delete(name)  # a missing one is fine
    assert secrets.is_set(name) is False
    with pytest.raises(NotFoundError):
        secrets.get_json(name)


# --- the operations screens: orders ---------------------------------------------------------------


def put_orders(orders: OperatorOrders, *numbers: int, shop_id: str = SHOP, customer: str = "c" * 32) -> None:
    """Order ``A-<n>`` ordered ``n`` hours after T0, for each ``n``."""
    for n in numbers:
        order = make_order(f"A-{n}", ordered_at=(T0 + timedelta(hours=n)).isoformat())
        assert orders.put_new(make_record(order, shop_id=shop_id, customer_id=customer))


def order_ids(records: list[OrderRecord]) -> list[str]:
    return [record.order.order_id for record in records]


def test_orders_are_searched_newest_first_within_a_period_and_paged(order_store: OperatorOrders) -> None:
    put_orders(order_store, 0, 1, 2, 3, 4, 5)
    put_orders(order_store, 9, shop_id=OTHER_SHOP)
    stub = make_order("S-1", kind="shipment", ordered_at=None, shipped_at="2026-11-21")
    order_store.apply_shipment(SHOP, stub, raw_key=f"inbound/{SHOP}/ship", at=T0)  # no order time: unlisted
    every, end = order_store.search(SHOP, since=None, until=None, keep=None, limit=10, start=None)
    assert (order_ids(every), end) == (["A-5", "A-4", "A-3", "A-2", "A-1", "A-0"], None)
    hour = lambda n: T0 + timedelta(hours=n)  # noqa: E731
    some, _ = order_store.search(SHOP, since=hour(1), until=hour(3), keep=None, limit=10, start=None)
    assert order_ids(some) == ["A-3", "A-2", "A-1"]  # both ends included
    even = lambda record: int(record.order.order_id[2:]) % 2 == 0  # noqa: E731
    first, last = order_store.search(SHOP, since=None, until=None, keep=even, limit=2, start=None)
    assert order_ids(first) == ["A-4", "A-2"]
    assert last == {
        "pk": f"{SHOP}#rakuten#A-2",
        "sk": "rakuten#A-2",
        "shop_id": SHOP,
        "ordered_at": iso_utc(hour(2)),
    }
    assert order_store.search(SHOP, since=None, until=None, keep=even, limit=2, start=last) == (
        [every[5]],
        None,
    )
    for forged in (
        {**last, "pk": f"{OTHER_SHOP}#rakuten#A-2"},
        {**last, "pk": SHOP},
        {"pk": SHOP, "sk": "x"},
    ):
        with pytest.raises(InvalidStartKeyError):
            order_store.search(SHOP, since=None, until=None, keep=None, limit=2, start=forged)


def test_a_customers_orders_and_an_orders_redaction(order_store: OperatorOrders) -> None:
    put_orders(order_store, 1, 2)
    put_orders(order_store, 3, customer="d" * 32)
    put_orders(order_store, 4, shop_id=OTHER_SHOP)
    assert order_ids(order_store.by_customer(SHOP, "c" * 32)) == ["A-2", "A-1"]
    assert order_store.by_customer(SHOP, "e" * 32) == []
    before = order_store.get(SHOP, "rakuten#A-1")
    assert before is not None
    redacted = order_store.redact_personal(SHOP, "rakuten#A-1", at=T0 + timedelta(days=1))
    assert redacted is not None
    customer, ship_to = redacted.order.customer, redacted.order.ship_to
    assert (customer.name, customer.name_kana, customer.email, customer.phone) == (None,) * 4
    assert (ship_to.name, ship_to.postal_code, ship_to.address, ship_to.prefecture) == (
        None,
        None,
        None,
        "東京都",
    )
    assert redacted.model_dump(exclude={"order"}) == before.model_dump(exclude={"order"})
    assert (redacted.order.items, redacted.order.total) == (before.order.items, before.order.total)
    assert order_store.get(SHOP, "rakuten#A-1") == redacted
    assert order_store.redact_personal(SHOP, "rakuten#A-1", at=T0 + timedelta(days=2)) == redacted
    assert order_store.redact_personal(SHOP, "rakuten#NONE", at=T0) is None
    assert order_store.redact_personal(OTHER_SHOP, "rakuten#A-1", at=T0) is None


# --- deliveries -----------------------------------------------------------------------------------


def put_deliveries(deliveries: AdminDeliveries, *numbers: int, shop_id: str = SHOP, **fields: Any) -> None:
    """Delivery ``d-<n>`` sent ``n`` hours after T0, for each ``n``."""
    for n in numbers:
        assert deliveries.put_new(
            make_delivery(f"d-{n}", shop_id=shop_id, send_at=T0 + timedelta(hours=n), **fields)
        )


def delivery_ids(found: list[Delivery]) -> list[str]:
    return [delivery.id for delivery in found]


def test_deliveries_are_searched_by_send_time_and_paged(delivery_store: AdminDeliveries) -> None:
    put_deliveries(delivery_store, 0, 2, 4)
    put_deliveries(delivery_store, 1, 3, status="sent")
    put_deliveries(delivery_store, 9, shop_id=OTHER_SHOP)
    everything: dict[str, Any] = {"since": None, "until": None, "keep": None, "limit": 10, "start": None}

    def search(shop_id: str = SHOP, **query: Any) -> tuple[list[str], dict[str, Any] | None]:
        found, last = delivery_store.search(shop_id, **(everything | query))
        return delivery_ids(found), last

    assert search() == (["d-4", "d-3", "d-2", "d-1", "d-0"], None)
    assert search(keep=lambda d: d.status == "sent") == (["d-3", "d-1"], None)
    assert search(since=T0 + timedelta(hours=1), until=T0 + timedelta(hours=2)) == (["d-2", "d-1"], None)
    first, last = search(limit=3)
    assert first == ["d-4", "d-3", "d-2"]
    assert last == {"pk": SHOP, "sk": "d-2", "shop_id": SHOP, "send_at": iso_utc(T0 + timedelta(hours=2))}
    assert search(limit=3, start=last)[0] == ["d-1", "d-0"]
    with pytest.raises(InvalidStartKeyError):
        search(OTHER_SHOP, start=last)


def test_the_pace_counts_scheduled_deliveries_from_the_start_to_before_the_end(
    delivery_store: AdminDeliveries,
) -> None:
    put_deliveries(delivery_store, 0, 1, 2, 4)
    put_deliveries(delivery_store, 3, status="cancelled")
    put_deliveries(delivery_store, 2, shop_id=OTHER_SHOP)
    hour = lambda n: T0 + timedelta(hours=n)  # noqa: E731
    assert delivery_store.count_scheduled(SHOP, hour(1), hour(4)) == 2
    assert delivery_store.count_scheduled(SHOP, hour(0), hour(1)) == 1
    assert delivery_store.count_scheduled(SHOP, hour(5), hour(48)) == 0


def test_an_edit_and_a_redaction_of_a_delivery(delivery_store: AdminDeliveries) -> None:
    put_deliveries(delivery_store, 1)
    put_deliveries(delivery_store, 2, status="sent")
    edited = delivery_store.edit(SHOP, "d-1", changes={"edited_subject": "件名", "edited_text": "本文"})
    assert edited is not None
    assert (edited.edited_subject, edited.edited_text) == ("件名", "本文")
    undone = delivery_store.edit(SHOP, "d-1", changes={"edited_text": None})
    assert undone == delivery_store.get(SHOP, "d-1")
    assert undone is not None
    assert (undone.edited_subject, undone.edited_text) == ("件名", None)
    assert delivery_store.edit(SHOP, "d-2", changes={"edited_subject": "x"}) is None
    assert delivery_store.edit(OTHER_SHOP, "d-1", changes={"edited_subject": "x"}) is None
    for wrong in ({"status": "sent"}, {}):
        with pytest.raises(ValueError, match="edit"):
            delivery_store.edit(SHOP, "d-1", changes=wrong)
    assert delivery_store.redact_email(SHOP, "d-2")
    redacted = delivery_store.get(SHOP, "d-2")
    assert redacted is not None
    assert (redacted.customer_email, redacted.status) == (None, "sent")
    assert not delivery_store.redact_email(SHOP, "d-404")
    assert not delivery_store.redact_email(OTHER_SHOP, "d-1")


# --- customers and the suppression list -----------------------------------------------------------


def buy(customers: AdminCustomers, email: str, *, order: str = "A-1", shop_id: str = SHOP) -> str:
    customer_id = customer_id_for(email)
    customers.record_order(
        shop_id, customer_id, email=email, name=f"客 {email[0]}", order=counted_order(f"rakuten#{order}")
    )
    return customer_id


def emails(found: list[CustomerRecord]) -> list[str]:
    return [customer.email for customer in found]


def test_customers_page_in_id_order_and_keep_their_order_keys(customer_store: AdminCustomers) -> None:
    for n in range(5):
        buy(customer_store, f"buyer{n}@example.jp")
    buy(customer_store, "other@example.jp", shop_id=OTHER_SHOP)
    customer_store.suppress(SHOP, "buyer1@example.jp", reason="bounce", at=T0, delivery_id=None)
    by_id = sorted((f"buyer{n}@example.jp" for n in range(5)), key=customer_id_for)
    first, last = customer_store.search(SHOP, keep=None, limit=3, start=None)
    assert emails(first) == by_id[:3]
    assert last == {"pk": SHOP, "sk": f"cust#{customer_id_for(by_id[2])}"}
    assert emails(customer_store.search(SHOP, keep=None, limit=3, start=last)[0]) == by_id[3:]
    odd, end = customer_store.search(SHOP, keep=lambda c: c.email[5] in "13", limit=10, start=None)
    assert (sorted(emails(odd)), end) == (["buyer1@example.jp", "buyer3@example.jp"], None)
    for forged in ({"pk": SHOP, "sk": "supp#x"}, {"pk": OTHER_SHOP, "sk": "cust#x"}, {"sk": "cust#x"}):
        with pytest.raises(InvalidStartKeyError):
            customer_store.search(SHOP, keep=None, limit=3, start=forged)
    taro = buy(customer_store, "taro@example.jp", order="A-2")
    buy(customer_store, "taro@example.jp", order="A-1")
    buy(customer_store, "taro@example.jp", order="A-2")
    assert customer_store.order_keys(SHOP, taro) == ["rakuten#A-1", "rakuten#A-2"]
    assert customer_store.order_keys(OTHER_SHOP, taro) == []


def test_the_suppression_list_pages_by_address_and_lifts_given_reasons(
    customer_store: AdminCustomers,
) -> None:
    buy(customer_store, "zed@example.jp")
    for address, reason in (
        ("c@example.jp", "manual"),
        ("A@example.jp", "unsubscribe"),
        ("b@example.jp", "bounce"),
    ):
        customer_store.suppress(
            SHOP, address, reason=reason, at=T0, delivery_id="d-1" if reason == "bounce" else None
        )
    customer_store.suppress(OTHER_SHOP, "x@example.jp", reason="manual", at=T0, delivery_id=None)
    first, last = customer_store.suppressions(SHOP, limit=2, start=None)
    assert [(e.address, e.reason, e.at, e.delivery_id) for e in first] == [
        ("a@example.jp", "unsubscribe", T0, None),
        ("b@example.jp", "bounce", T0, "d-1"),
    ]
    assert last == {"pk": SHOP, "sk": "supp#b@example.jp"}
    rest, end = customer_store.suppressions(SHOP, limit=2, start=last)
    assert ([e.address for e in rest], end) == (["c@example.jp"], None)
    with pytest.raises(InvalidStartKeyError):
        customer_store.suppressions(SHOP, limit=2, start={"pk": SHOP, "sk": "cust#x"})
    assert not customer_store.unsuppress(SHOP, "b@example.jp", reasons={"manual"})
    assert customer_store.unsuppress(SHOP, "C@Example.jp", reasons={"manual", "unsubscribe"})
    assert not customer_store.unsuppress(SHOP, "c@example.jp", reasons={"manual"})
    assert not customer_store.unsuppress(OTHER_SHOP, "b@example.jp", reasons={"bounce"})
    assert [e.address for e in customer_store.suppressions(SHOP, limit=10, start=None)[0]] == [
        "a@example.jp",
        "b@example.jp",
    ]


def test_an_erased_customer_keeps_counts_and_order_keys(customer_store: AdminCustomers) -> None:
    taro = buy(customer_store, "taro@example.jp")
    buy(customer_store, "taro@example.jp", order="A-2")
    erased = customer_store.erase(SHOP, taro, marker="[erased]", at=T0)
    assert erased is not None
    assert (erased.email, erased.name, erased.order_count) == ("[erased]", "[erased]", 2)
    assert customer_store.get(SHOP, taro) == erased
    assert customer_store.erase(SHOP, taro, marker="[erased]", at=T0 + timedelta(days=1)) == erased
    assert customer_store.order_keys(SHOP, taro) == ["rakuten#A-1", "rakuten#A-2"]
    assert customer_store.erase(SHOP, customer_id_for("none@example.jp"), marker="[erased]", at=T0) is None
    assert customer_store.erase(OTHER_SHOP, taro, marker="[erased]", at=T0) is None


# --- logs -----------------------------------------------------------------------------------------


def received(n: int, *, shop_id: str = SHOP, result: str = "parsed") -> ReceptionEntry:
    return ReceptionEntry.model_validate(
        {"shop_id": shop_id, "s3_key": f"inbound/{shop_id}/mail-{n}",
         "received_at": T0 + timedelta(minutes=n), "result": result}
    )  # fmt: skip


def mail_numbers(entries: list[ReceptionEntry]) -> list[int]:
    return [int(entry.s3_key.rsplit("-", 1)[-1]) for entry in entries]


def test_the_reception_log_pages_newest_first_with_a_test(admin_logs: AdminLogs) -> None:
    for n in range(6):
        admin_logs.put_reception(received(n, result="failed" if n in {1, 4} else "parsed"))
    admin_logs.put_reception(received(9, shop_id=OTHER_SHOP, result="failed"))
    first, last = admin_logs.reception_page(SHOP, keep=None, limit=4, start=None)
    assert mail_numbers(first) == [5, 4, 3, 2]
    assert last == {
        "pk": f"{SHOP}#reception",
        "sk": f"{iso_utc(T0 + timedelta(minutes=2))}#inbound/{SHOP}/mail-2",
    }
    assert mail_numbers(admin_logs.reception_page(SHOP, keep=None, limit=4, start=last)[0]) == [1, 0]
    failed, end = admin_logs.reception_page(SHOP, keep=lambda e: e.result == "failed", limit=10, start=None)
    assert (mail_numbers(failed), end) == ([4, 1], None)
    assert mail_numbers(list(admin_logs.receptions_since(SHOP, T0 + timedelta(minutes=3)))) == [5, 4, 3]
    assert list(admin_logs.receptions_since(OTHER_SHOP, T0 + timedelta(minutes=10))) == []
    with pytest.raises(InvalidStartKeyError):
        admin_logs.reception_page(OTHER_SHOP, keep=None, limit=4, start=last)


def test_the_send_log_pages_newest_first_and_refuses_another_logs_key(admin_logs: AdminLogs) -> None:
    for n in range(3):
        admin_logs.put_send(
            SendLogEntry(shop_id=SHOP, delivery_id=f"d-{n}", at=T0 + timedelta(seconds=n), status="sent")
        )
    admin_logs.put_send(
        SendLogEntry(shop_id=SHOP, delivery_id="d-2", at=T0 + timedelta(seconds=2), status="sent")
    )
    admin_logs.put_reception(received(1))
    admin_logs.put_reception(received(2))
    first, last = admin_logs.send_page(SHOP, limit=2, start=None)
    assert [entry.delivery_id for entry in first] == ["d-2", "d-1"]  # the same entry written twice is one
    rest, end = admin_logs.send_page(SHOP, limit=2, start=last)
    assert ([entry.delivery_id for entry in rest], end) == (["d-0"], None)
    assert admin_logs.send_page(OTHER_SHOP, limit=2, start=None) == ([], None)
    _, reception_key = admin_logs.reception_page(SHOP, keep=None, limit=1, start=None)
    assert reception_key is not None
    for wrong in (reception_key, {"pk": f"{OTHER_SHOP}#send", "sk": "x"}):
        with pytest.raises(InvalidStartKeyError):
            admin_logs.send_page(SHOP, limit=2, start=wrong)


# --- the dashboard's counters ---------------------------------------------------------------------


def test_the_day_counters_come_back_per_day_and_step(config: AdminConfig) -> None:
    days = [date(2026, 12, 1), date(2026, 12, 2), date(2026, 12, 3)]
    for day, scenario_id, step_id, counter in (
        (days[1], "plan", "thanks", "sent"),
        (days[1], "plan", "thanks", "sent"),
        (days[1], "plan", "thanks", "opened"),
        (days[0], "*", "*", "orders"),
        (days[1], "plan", "like", "sent"),
        (days[2], "plan", "thanks", "bounced"),
    ):
        config.count(SHOP, day=day, scenario_id=scenario_id, step_id=step_id, counter=counter)
    config.count(OTHER_SHOP, day=days[1], scenario_id="plan", step_id="thanks", counter="sent")
    assert config.stats(SHOP, days[0], days[1]) == [
        StepStats(day=days[0], scenario_id="*", step_id="*", counters={"orders": 1}),
        StepStats(day=days[1], scenario_id="plan", step_id="like", counters={"sent": 1}),
        StepStats(day=days[1], scenario_id="plan", step_id="thanks", counters={"sent": 2, "opened": 1}),
    ]
    assert [row.day for row in config.stats(SHOP, days[2], days[2])] == [days[2]]
    assert config.stats(SHOP, date(2026, 11, 1), date(2026, 11, 30)) == []


def test_an_audit_entry_written_again_is_one_entry(admin_logs: AdminLogs) -> None:
    at = T0
    for detail in ({"by": "a@okaeri.test"}, {"by": "a@okaeri.test"}, {"by": "b@okaeri.test"}):
        admin_logs.put_audit(SHOP, action="delivery.stop", at=at, detail=detail, delivery="d-1")
    entries = list(admin_logs.delivery_audit(SHOP, "d-1"))
    assert sorted(entry["detail"]["by"] for entry in entries) == ["a@okaeri.test", "b@okaeri.test"]


# --- what each mail earns (issue #15) -----------------------------------------------------------


def once(key: str, day: date = date(2026, 12, 1), step_id: str = "thanks", **counters: int) -> OnceCount:
    return OnceCount(key, day, "plan", step_id, counters, T0)


def test_a_count_under_one_key_is_added_once(config: AdminConfig) -> None:
    day = date(2026, 12, 1)
    assert config.count_once(SHOP, once("credit#rakuten#A-1", converted=1, revenue=5000))
    assert not config.count_once(SHOP, once("credit#rakuten#A-1", converted=1, revenue=5000))
    assert not config.count_once(SHOP, once("credit#rakuten#A-1", converted=7))  # the key, not the counts
    assert config.count_once(OTHER_SHOP, once("credit#rakuten#A-1", converted=1))  # another shop's own key
    assert config.stats(SHOP, day, day) == [
        StepStats(day, "plan", "thanks", {"converted": 1, "revenue": 5000})
    ]


def test_counts_under_two_keys_add_up_and_may_take_back(config: AdminConfig) -> None:
    day, later = date(2026, 12, 1), date(2026, 12, 2)
    config.count(SHOP, day=day, scenario_id="plan", step_id="thanks", counter="sent")
    assert config.count_once(SHOP, once("credit#rakuten#A-1", converted=1, revenue=5000))
    assert config.count_once(SHOP, once("credit#rakuten#A-2", converted=1, revenue=1200))
    assert config.count_once(SHOP, once("run#r-1", step_id="*", runs_mailed=1))
    assert config.count_once(SHOP, once("held#d-9", later, "thanks@b", held_out=1))
    assert config.stats(SHOP, day, later) == [
        StepStats(day, "plan", "*", {"runs_mailed": 1}),
        StepStats(day, "plan", "thanks", {"sent": 1, "converted": 2, "revenue": 6200}),
        StepStats(later, "plan", "thanks@b", {"held_out": 1}),
    ]
    assert config.count_once(SHOP, once("uncredit#rakuten#A-2", converted=-1, revenue=-1200))
    assert not config.count_once(SHOP, once("uncredit#rakuten#A-2", converted=-1, revenue=-1200))
    assert config.stats(SHOP, day, day)[1] == StepStats(
        day, "plan", "thanks", {"sent": 1, "converted": 1, "revenue": 5000}
    )
    assert config.count_once(SHOP, once("uncredit#rakuten#A-1", converted=-1, revenue=-5000))
    assert config.stats(SHOP, day, day)[1].counters == {"sent": 1, "converted": 0, "revenue": 0}


def test_a_count_taken_back_is_subtracted_once_and_its_key_may_count_again(config: AdminConfig) -> None:
    day = date(2026, 12, 1)
    repeat = once("repeat#r-1", step_id="*", repeated_mailed=1)
    assert not config.take_back(SHOP, repeat)  # never counted: nothing to take back
    assert config.stats(SHOP, day, day) == []
    assert config.count_once(SHOP, repeat)
    assert not config.take_back(OTHER_SHOP, repeat)  # another shop's key is its own
    assert config.take_back(SHOP, repeat)
    assert not config.take_back(SHOP, repeat)  # once
    assert config.stats(SHOP, day, day) == [StepStats(day, "plan", "*", {"repeated_mailed": 0})]
    assert config.count_once(SHOP, repeat)  # the key is free again: a later order repeats the run
    assert config.stats(SHOP, day, day) == [StepStats(day, "plan", "*", {"repeated_mailed": 1})]


def test_a_name_that_is_no_counter_is_refused_and_nothing_counted(config: AdminConfig) -> None:
    day = date(2026, 12, 1)
    for bad in ("day", "sk", "step_id", "Sent", "sent.total", ""):
        with pytest.raises(ValueError, match="counter"):
            config.count(SHOP, day=day, scenario_id="plan", step_id="thanks", counter=bad)
        with pytest.raises(ValueError, match="counter"):
            config.count_once(SHOP, OnceCount("run#r-1", day, "plan", "*", {"runs_mailed": 1, bad: 1}, T0))
    assert config.stats(SHOP, day, day) == []
    assert config.count_once(SHOP, once("run#r-1", step_id="*", runs_mailed=1))  # the key was not used up
    assert config.stats(SHOP, day, day) == [StepStats(day, "plan", "*", {"runs_mailed": 1})]


def credit(delivery_id: str = "d-1", **changes: Any) -> Credit:
    fields: dict[str, Any] = {
        "delivery_id": delivery_id,
        "scenario_id": "plan",
        "step_id": "thanks",
        "variant": "b",
        "sent_at": T0,
        "hours": 26.5,
        "total": 7128,
        "day": date(2026, 11, 21),
    }
    return Credit.model_validate(fields | changes)


def test_an_order_is_credited_once(order_store: OperatorOrders) -> None:
    put_orders(order_store, 1)
    before = order_store.get(SHOP, "rakuten#A-1")
    assert before is not None
    assert order_store.set_credit(SHOP, "rakuten#A-1", credit())
    assert order_store.get(SHOP, "rakuten#A-1") == before.model_copy(update={"credit": credit()})
    assert not order_store.set_credit(SHOP, "rakuten#A-1", credit("d-2", hours=1))  # the first credit stays
    assert order_store.get(SHOP, "rakuten#A-1") == before.model_copy(update={"credit": credit()})
    assert not order_store.set_credit(SHOP, "rakuten#NONE", credit())
    assert not order_store.set_credit(OTHER_SHOP, "rakuten#A-1", credit())
    assert order_store.get(SHOP, "rakuten#NONE") is None
    assert order_store.get(OTHER_SHOP, "rakuten#A-1") is None


def test_a_cancelled_order_is_never_credited(order_store: OperatorOrders) -> None:
    put_orders(order_store, 1)
    cancelled = order_store.mark_cancelled(
        SHOP, make_order("A-1", kind="cancellation"), raw_key=f"inbound/{SHOP}/cancel", at=T0
    )
    assert not order_store.set_credit(SHOP, "rakuten#A-1", credit())
    assert order_store.get(SHOP, "rakuten#A-1") == cancelled
    assert cancelled.credit is None


def written_before_conversions(store: AdminDeliveries, delivery_id: str) -> None:
    """The delivery as an item written before issue #15 (the fake's model always has the map, empty)."""
    if isinstance(store, DynamoDeliveries):
        without_conversions(f"{TABLE_PREFIX}deliveries", SHOP, delivery_id)


def test_a_conversion_is_added_by_its_order_key_even_on_an_old_item(delivery_store: AdminDeliveries) -> None:
    put_deliveries(delivery_store, 1, status="sent")
    written_before_conversions(delivery_store, "d-1")
    odd_key = "yahoo#shop.example#A-2.1"  # dots and '#': one key, never a path
    delivery_store.add_conversion(SHOP, "d-1", make_conversion())
    delivery_store.add_conversion(SHOP, "d-1", make_conversion())  # the same event again
    delivery_store.add_conversion(SHOP, "d-1", make_conversion(odd_key, order_id="A-2.1", total=800))
    stored = delivery_store.get(SHOP, "d-1")
    assert stored is not None
    assert stored.conversions == {
        "rakuten#A-2": make_conversion(),
        odd_key: make_conversion(odd_key, order_id="A-2.1", total=800),
    }
    assert stored.status == "sent"


def test_a_conversion_on_no_delivery_writes_nothing(delivery_store: AdminDeliveries) -> None:
    put_deliveries(delivery_store, 1, shop_id=OTHER_SHOP)
    delivery_store.add_conversion(SHOP, "d-1", make_conversion())
    delivery_store.cancel_conversion(SHOP, "d-1", "rakuten#A-2")
    assert delivery_store.get(SHOP, "d-1") is None
    other = delivery_store.get(OTHER_SHOP, "d-1")
    assert other is not None
    assert other.conversions == {}


def test_a_conversion_is_marked_cancelled_and_only_one_that_is_there(delivery_store: AdminDeliveries) -> None:
    put_deliveries(delivery_store, 1, 2, status="sent")
    written_before_conversions(delivery_store, "d-2")
    odd_key = "yahoo#shop.example#A-2.1"
    delivery_store.add_conversion(SHOP, "d-1", make_conversion())
    delivery_store.add_conversion(SHOP, "d-1", make_conversion(odd_key))
    delivery_store.cancel_conversion(SHOP, "d-1", odd_key)
    delivery_store.cancel_conversion(SHOP, "d-1", odd_key)  # again: still cancelled
    delivery_store.cancel_conversion(SHOP, "d-1", "rakuten#A-9")  # no such conversion
    stored = delivery_store.get(SHOP, "d-1")
    assert stored is not None
    assert stored.conversions == {
        "rakuten#A-2": make_conversion(),
        odd_key: make_conversion(odd_key, cancelled=True),
    }
    before = delivery_store.get(SHOP, "d-2")
    delivery_store.cancel_conversion(SHOP, "d-2", "rakuten#A-2")  # an old item without the map
    assert delivery_store.get(SHOP, "d-2") == before
