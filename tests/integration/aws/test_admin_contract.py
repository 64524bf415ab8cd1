"""The same cases against the in-memory fakes (``tests/fakes.py``) and the DynamoDB adapters (moto
in-process), so the fakes the admin API's unit tests run on cannot drift from the real stores:
scenario and template versions (``ports.AdminConfig``), coupon pools (``ports.CouponPools``) and the
``Idempotency-Key`` records (``ports.RequestRecords``), the settings' secrets (``ports.SecretStore``)
and the operators (``ports.Operators``, on
moto's Cognito user pool made from ``infra.identity``; Cognito names a user itself, so usernames are
not compared)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import pytest
import yaml

from infra.identity import create_groups_requests, create_user_pool_request
from okaeri.aws.clients import cognito_client, secrets_client
from okaeri.aws.secrets import SecretsManagerSecrets
from okaeri.aws.users import CognitoUsers
from okaeri.errors import ConflictError, CouponPoolEmptyError, NotFoundError
from okaeri.models import Scenario, Shop, Template, load_document
from okaeri.models.admin import Operator, PoolLoad, VersionInfo
from okaeri.parsing import ParseMask
from okaeri.ports import AdminConfig, CouponPools, Operators, RequestRecords, SecretStore
from tests.conftest import FIXTURES
from tests.fakes import FakeCoupons, FakeLogs, FakeOperators, FakeSecrets, FakeShopConfig
from tests.integration.aws.conftest import OTHER_SHOP, SHOP, T0

#: Each port: its fake, and the fixture of its AWS adapter (tests/integration/aws/conftest.py, below).
FAKES: dict[str, Callable[[], Any]] = {
    "config": FakeShopConfig,
    "coupons": FakeCoupons,
    "logs": FakeLogs,
    "cognito_users": FakeOperators,
    "secrets_manager": FakeSecrets,
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
