"""The API's frame: sign-in, roles, errors as JSON, the OpenAPI document, /config.json."""

from __future__ import annotations

from okaeri.aws.config_cache import CONFIG_TTL_SECONDS
from tests.integration.api.conftest import OTHER_SHOP, Api
from tests.integration.pipeline.conftest import SHOP_ID


def test_me_tells_role_and_shops_from_the_moto_token(api: Api) -> None:
    answer = api.owner.get("/api/me")
    assert answer.status == 200, answer.text
    me = answer.json()
    assert me["role"] == "owner"
    assert me["email"] == "owner@okaeri.test"
    assert [shop["id"] for shop in me["shops"]] == [SHOP_ID, OTHER_SHOP]
    assert me["shops"][1]["name"] == "さくら農園"
    assert [shop["role"] for shop in me["shops"]] == ["owner", "owner"]
    assert me["invitations"] == []
    assert [shop["role"] for shop in api.staff.get("/api/me").json()["shops"]] == ["staff"]


def test_without_a_token_is_401_and_without_a_role_no_shop_is_reached(api: Api) -> None:
    """A user with no role in any shop may sign in (to answer invitations) and reaches no shop."""
    answer = api.anonymous.get("/api/me")
    assert answer.status == 401
    assert answer.error_code == "unauthorized"
    assert answer.json()["error"]["message_ja"]
    assert answer.json()["error"]["message_en"]
    me = api.nobody.get("/api/me").json()
    assert (me["role"], me["shops"], me["invitations"]) == (None, [], [])
    answer = api.nobody.get(f"/api/shops/{SHOP_ID}/orders")
    assert (answer.status, answer.error_code) == (403, "forbidden_shop")


def test_unknown_route_is_a_json_404(api: Api) -> None:
    answer = api.owner.get("/api/no/such/thing")
    assert answer.status == 404
    assert answer.error_code == "no_route"


def test_openapi_document_is_served_without_sign_in(api: Api) -> None:
    answer = api.anonymous.get("/api/openapi.json")
    assert answer.status == 200
    document = answer.json()
    assert document["openapi"].startswith("3.")
    assert "/api/me" in document["paths"]
    assert "/u/{token}" not in document["paths"]


def test_config_json_names_the_user_pool(api: Api) -> None:
    config = api.anonymous.get("/config.json").json()
    settings = api.stack.admin.settings
    assert config["user_pool_id"] == settings.user_pool_id
    assert config["user_pool_client_id"] == settings.user_pool_client_id
    assert config["region"] == "ap-northeast-1"
    assert config["cognito_endpoint"] == "https://cognito-idp.ap-northeast-1.amazonaws.com/"
    assert config["changes_apply_within_seconds"] == CONFIG_TTL_SECONDS  # the pipeline's cache
