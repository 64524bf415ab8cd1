"""The demo data the local stack starts with: shop ``demo`` and its operators.

The shop (Rakuten profile), its two scenarios (thanks/like/love for every order; gyokuro-care for
gyokuro buyers, with a 10% holdout group and an A/B-tested step), templates and DEMO10 coupon pool
are files in ``demo/``, validated with the very models the admin API uses. Its Rakuten relay (for
masked buyer addresses) has credentials in Secrets Manager like a real one; locally it delivers
into the outbox. The operators are Cognito users of the emulated pool: ``owner@okaeri.local``
(owner) and ``staff@okaeri.local`` (staff), both of shop ``demo``.
"""

from __future__ import annotations

import csv
import json
import secrets
import string
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final

from infra.identity import PASSWORD_POLICY, SHOPS_ATTRIBUTE
from infra.resources import relay_secret_name
from okaeri.errors import ConfigError
from okaeri.models import RelayConfig, Scenario, Shop, Template, load_document
from okaeri_dev.apigw import gateway_claims

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient
    from mypy_boto3_secretsmanager import SecretsManagerClient

    from okaeri.aws.config import DynamoConfig, DynamoCoupons

DEMO_DIR: Final = Path(__file__).resolve().parent / "demo"
SHOP_ID: Final = "demo"
COUPON_POOL: Final = "DEMO10"
RELAY_NAME: Final = "rakuten"
OWNER_EMAIL: Final = "owner@okaeri.local"
STAFF_EMAIL: Final = "staff@okaeri.local"
SYMBOLS: Final = "!#%+-=?@^_"


@dataclass(frozen=True)
class DemoShop:
    shop: Shop
    scenarios: tuple[Scenario, ...]
    templates: tuple[Template, ...]
    coupon_codes: tuple[str, ...]


@dataclass(frozen=True)
class Login:
    role: str
    email: str
    password: str


def demo_shop(public_base_url: str | None = None) -> DemoShop:
    """The demo files as models; ``public_base_url`` (the gateway) makes unsubscribe links local."""
    shop = load_document(Shop, DEMO_DIR / "shop.yaml")
    if public_base_url:
        shop = shop.model_copy(
            update={"links": shop.links.model_copy(update={"public_base_url": public_base_url})}
        )
    with (DEMO_DIR / f"coupons-{COUPON_POOL}.csv").open(encoding="utf-8", newline="") as rows:
        codes = tuple(row["code"].strip() for row in csv.DictReader(rows) if row["code"].strip())
    return DemoShop(
        shop=shop,
        scenarios=tuple(load_document(Scenario, path) for path in sorted(DEMO_DIR.glob("scenario-*.yaml"))),
        templates=tuple(load_document(Template, path) for path in sorted(DEMO_DIR.glob("template-*.yaml"))),
        coupon_codes=codes,
    )


def rakuten_relay(secret_arn: str) -> RelayConfig:
    """Rakuten's relay for 楽天あんしんメルアド, as an operator would configure it."""
    return RelayConfig(
        host="sub.fw.rakuten.ne.jp", port=587, domains=["*.fw.rakuten.ne.jp"], secret_arn=secret_arn
    )


def load_demo(
    demo: DemoShop, *, config: DynamoConfig, coupons: DynamoCoupons, secrets_client: SecretsManagerClient
) -> None:
    """Store the shop, its scenarios, templates, coupon pool and relay (with made-up credentials)."""
    config.put_shop(demo.shop)
    for scenario in demo.scenarios:
        config.save_scenario(SHOP_ID, scenario)
    for template in demo.templates:
        config.save_template(SHOP_ID, template)
    coupons.load_pool(SHOP_ID, COUPON_POOL, demo.coupon_codes)
    secret = secrets_client.create_secret(
        Name=relay_secret_name(SHOP_ID, RELAY_NAME),
        SecretString=json.dumps({"username": "demo-rms-user", "password": secrets.token_urlsafe(16)}),
    )
    config.put_relay(SHOP_ID, RELAY_NAME, rakuten_relay(secret["ARN"]))


def password_problems(password: str) -> list[str]:
    """What the user pool's password policy would refuse (empty when it is fine)."""
    policy = PASSWORD_POLICY
    checks = (
        (
            len(password) >= policy.minimum_length,
            f"{policy.minimum_length}文字以上 / at least {policy.minimum_length} characters",
        ),
        (not policy.require_uppercase or any(c.isupper() for c in password), "大文字 / an upper-case letter"),
        (not policy.require_lowercase or any(c.islower() for c in password), "小文字 / a lower-case letter"),
        (not policy.require_digits or any(c.isdigit() for c in password), "数字 / a digit"),
        (not policy.require_symbols or any(not c.isalnum() for c in password), "記号 / a symbol"),
    )
    return [need for ok, need in checks if not ok]


def check_password(password: str) -> str:
    problems = password_problems(password)
    if problems:
        raise ConfigError(
            "パスワードがユーザープールの条件を満たしていません: "
            + "、".join(p.split(" / ")[0] for p in problems),
            "the password does not meet the user pool's policy: needs "
            + ", ".join(p.split(" / ")[1] for p in problems),
            problems=problems,
        )
    return password


def generate_password() -> str:
    """A fresh password the pool accepts: 16 characters, every class the policy asks for."""
    pick = secrets.choice
    chars = [pick(string.ascii_uppercase), pick(string.ascii_lowercase), pick(string.digits), pick(SYMBOLS)]
    chars += [pick(string.ascii_letters + string.digits) for _ in range(12)]
    secrets.SystemRandom().shuffle(chars)
    return "".join(chars)


def owner_claims(cognito: CognitoIdentityProviderClient, user_pool_id: str) -> dict[str, str]:
    """The claims of the owner's ID token as API Gateway passes them on (the history's imports)."""
    user = cognito.admin_get_user(UserPoolId=user_pool_id, Username=OWNER_EMAIL)
    attributes = {attribute["Name"]: attribute["Value"] for attribute in user["UserAttributes"]}
    return gateway_claims(
        {
            "sub": attributes["sub"],
            "email": OWNER_EMAIL,
            "cognito:username": user["Username"],
            f"custom:{SHOPS_ATTRIBUTE}": attributes[f"custom:{SHOPS_ATTRIBUTE}"],
            "token_use": "id",
        }
    )


def create_users(
    cognito: CognitoIdentityProviderClient, user_pool_id: str, *, owner_password: str | None = None
) -> list[Login]:
    """The demo owner and staff user, with permanent passwords (printed by ``python -m okaeri_dev``)."""
    logins = [
        Login(
            "owner", OWNER_EMAIL, check_password(owner_password) if owner_password else generate_password()
        ),
        Login("staff", STAFF_EMAIL, generate_password()),
    ]
    for login in logins:
        cognito.admin_create_user(
            UserPoolId=user_pool_id,
            Username=login.email,
            UserAttributes=[
                {"Name": "email", "Value": login.email},
                {"Name": "email_verified", "Value": "true"},
                # the role belongs to (operator, shop): okaeri.membership
                {"Name": f"custom:{SHOPS_ATTRIBUTE}", "Value": f"{SHOP_ID}:{login.role}"},
            ],
            MessageAction="SUPPRESS",
        )
        cognito.admin_set_user_password(
            UserPoolId=user_pool_id, Username=login.email, Password=login.password, Permanent=True
        )
    return logins
