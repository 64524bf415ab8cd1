"""The admin API on the moto stack, called as API Gateway calls it, by real moto Cognito users.

Users (password ``Okaeri-test-1!``), signed in with ``InitiateAuth`` (USER_PASSWORD_AUTH); their ID
token's claims reach the API as API Gateway's JWT authorizer passes them:

| user | role | shops |
| --- | --- | --- |
| ``owner`` | owner | mikan-sanbo, sakura-farm |
| ``manager`` | manager | mikan-sanbo |
| ``staff`` | staff | mikan-sanbo |
| ``outsider`` | owner | sakura-farm only |
| ``nobody`` | (none) | mikan-sanbo without a role |

A role belongs to (operator, shop): ``custom:shops`` holds ``shop:role`` entries (``okaeri.membership``).
``nobody`` has the format before roles were per shop (a bare shop, whose role was a group) and no group.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass

import boto3
import pytest

from okaeri.api import build_api
from okaeri.models import Shop, load_document
from okaeri_dev.apigw import gateway_claims
from tests.integration.conftest import REGION
from tests.integration.pipeline.conftest import CONFIG, SHOP_ID, Stack, stack
from tests.support.api_client import ApiClient
from tests.support.smtp_relay import smtp_relay

__all__ = ["smtp_relay", "stack"]

OTHER_SHOP = "sakura-farm"
PASSWORD = "Okaeri-test-1!"
USERS: dict[str, str] = {  # each user's custom:shops
    "owner": f"{SHOP_ID}:owner,{OTHER_SHOP}:owner",
    "manager": f"{SHOP_ID}:manager",
    "staff": f"{SHOP_ID}:staff",
    "outsider": f"{OTHER_SHOP}:owner",
    "nobody": SHOP_ID,
}


def token_claims(id_token: str) -> dict[str, object]:
    payload = id_token.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))


def sign_in(pool_id: str, client_id: str, email: str, shops: str) -> dict[str, str]:
    """Create the user in moto's pool and sign in; the claims API Gateway would pass on."""
    cognito = boto3.client("cognito-idp", region_name=REGION)
    cognito.admin_create_user(
        UserPoolId=pool_id,
        Username=email,
        UserAttributes=[{"Name": "email", "Value": email}, {"Name": "custom:shops", "Value": shops}],
        MessageAction="SUPPRESS",
    )
    cognito.admin_set_user_password(UserPoolId=pool_id, Username=email, Password=PASSWORD, Permanent=True)
    return sign_in_again(client_id, email)


def sign_in_again(client_id: str, email: str) -> dict[str, str]:
    """A fresh ID token's claims for an existing user (after their shops or roles changed)."""
    cognito = boto3.client("cognito-idp", region_name=REGION)
    answer = cognito.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": email, "PASSWORD": PASSWORD},
    )
    return gateway_claims(token_claims(answer["AuthenticationResult"]["IdToken"]))


@dataclass
class Api:
    """Clients of the admin API, one per test user, plus the stack behind them."""

    stack: Stack
    anonymous: ApiClient
    owner: ApiClient
    manager: ApiClient
    staff: ApiClient
    outsider: ApiClient
    nobody: ApiClient

    def client(self, name: str) -> ApiClient:
        client: ApiClient = getattr(self, name)
        return client

    def signed_in(self, email: str) -> ApiClient:
        """A client with a fresh token of an existing user (what they get at their next sign-in)."""
        return self.anonymous.as_user(sign_in_again(self.stack.admin.settings.user_pool_client_id, email))


@pytest.fixture
def api(stack: Stack) -> Api:
    other = load_document(Shop, CONFIG / "shop.yaml").model_copy(
        update={"id": OTHER_SHOP, "name": "さくら農園"}
    )
    stack.admin.config.put_shop(other)
    settings = stack.admin.settings
    anonymous = ApiClient(build_api(stack.admin))
    clients = {
        name: anonymous.as_user(
            sign_in(settings.user_pool_id, settings.user_pool_client_id, f"{name}@okaeri.test", shops)
        )
        for name, shops in USERS.items()
    }
    return Api(stack=stack, anonymous=anonymous, **clients)
